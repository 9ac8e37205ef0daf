// Whole-path integrated gradients per head: the input moves, every layer is recomputed, and the
// total m(input) - m(baseline) is split over the heads of each layer by conductance.
//
// The study's IG (attribution/heads.hpp, study_integrated_gradients) moves one layer's hook_z
// with everything else at the base run, so a head whose partner lies elsewhere (another layer's
// head, or the query token's embedding) is scored with that partner held at the base run. Here the
// path is Captum's LayerIntegratedGradients on the embedding: blocks.0.hook_resid_pre (=
// hook_embed + hook_pos_embed) goes along the straight line from the baseline prompt's value to the
// input prompt's (input = clean, baseline = corrupt; positions are the same, so only the tokens
// that differ move), every hook point downstream recomputed at each step:
//   x(alpha) = x_baseline + alpha (x_input - x_baseline),  alpha_k = k / N, k = 0 .. N.
//
// Each layer L is a cut: resid_post_L = resid_pre_L + sum_h z_h W_O[h] + b_O, so m depends on the
// input only through resid_pre_L (by the residual stream, around the layer) and the heads' z_h.
// Along the path, dm/dalpha = G . d resid_pre_L/dalpha + sum_h g_h . d z_h/dalpha with G the
// gradient at resid_post_L and g_h = W_O[h] G the gradient at z_h, so the integrals
//   conductance_h = integral of g_h . dz_h,   bypass_L = integral of G . d resid_pre_L
// add up to m(input) - m(baseline) exactly, layer by layer (Captum's LayerConductance, whose sum
// is grad_k . (z_{k+1} - z_k)). They are computed by the trapezoid form on the N steps,
//   sum over k of 1/2 (g_k + g_{k+1}) . (z_{k+1} - z_k),
// because z_h(alpha) is not a straight line: the integrand is known only at the steps, through
// the differences of z along them, which rules out a rule on other nodes (Gauss-Legendre's). The
// trapezoid is the symmetric form (reversing the path negates every number) and its error is
// O(1/N^2): doubling N divides the miss of the identity by about 4, where Captum's left sum misses
// by O(1/N). Where m is linear in the cut (the last layer under a logit difference, with the
// heads' output read by the unembedding alone), g and G are constant along the path and the
// identity holds to rounding for any N. A head's conductance is summed over its positions and
// d_head, as heads.hpp's scores; the bypass over positions and d_model. At the input the same form
// is integrated gradients with the trapezoid rule on N + 1 points (the input's path is straight),
// and its convergence_delta is Captum's: sum of the attributions - (m(input) - m(baseline)).
//
// default_whole_path_steps = 200: on the hand-set circuits (nn/circuits.hpp) the induction head's
// softmax turns within part of the path, and at 200 steps the identity at layer 0 misses by 5e-6
// of the gap (OR; 2e-7 for AND), so every share is right far beyond the digits a table prints,
// for 201 forward and backward passes (a fraction of a second at this size).
//
// The metric is heads.hpp's logit difference at the last position. The tape is left at the size it
// had and the parameters' gradients as they were (the gradients of other nodes already on the tape
// are overwritten by the backward passes, as any backward does). Errors are std::invalid_argument
// naming the problem: a prompt that is not one row, prompts of different lengths, a token out of
// the vocabulary, n_steps below 1 or above max_n_steps, and a zero gap (by gap_is_zero).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "attribution/heads.hpp"
#include "attribution/quadrature.hpp"
#include "nn/circuits.hpp"
#include "nn/matrix.hpp"
#include "nn/transformer.hpp"

namespace attribution {

inline constexpr int default_whole_path_steps = 200;

struct WholePathIntegratedGradients {
  int n_steps = default_whole_path_steps;
  double f_input = 0.0, f_baseline = 0.0;  // m of the two prompts; the gap is their difference
  // [n_layers, n_heads]: each head's conductance, and it divided by the gap.
  nn::Matrix<double> conductance, shares;
  // Per layer: what passes the layer through the residual stream (conductance at resid_pre_L with
  // the gradient at resid_post_L), it divided by the gap, and the miss of the identity:
  // sum of the layer's conductances + bypass - (f_input - f_baseline).
  std::vector<double> bypass, bypass_shares, convergence_delta;
  // Integrated gradients at blocks.0.hook_resid_pre, summed over d_model: one per position (exactly
  // 0 where the prompts agree), and Captum's convergence delta.
  std::vector<double> input_attributions;
  double input_convergence_delta = 0.0;
};

// Whole-path IG from `baseline` to `input` (see the top). Throws as described there.
WholePathIntegratedGradients whole_path_integrated_gradients(
    nn::HookedTransformer& model, const nn::Tokens& input, const nn::Tokens& baseline,
    const LogitDifference& metric, int n_steps = default_whole_path_steps);
// The same with input = prompts.clean, baseline = prompts.corrupt and their logit difference.
WholePathIntegratedGradients whole_path_integrated_gradients(
    nn::HookedTransformer& model, const nn::PromptPair& prompts,
    int n_steps = default_whole_path_steps);

// Whole-path IG over many prompt pairs, pooled as pooled_head_shares pools the other methods: each
// head's summed conductance, and each layer's summed bypass, over the pairs' summed gap. Throws, as
// well, std::invalid_argument for no pairs or a summed gap of zero.
struct PooledWholePath {
  nn::Matrix<double> shares;          // [n_layers, n_heads]
  std::vector<double> bypass_shares;  // per layer
};
PooledWholePath pooled_whole_path(nn::HookedTransformer& model,
                                  std::span<const nn::PromptPair> pairs,
                                  int n_steps = default_whole_path_steps);

}  // namespace attribution
