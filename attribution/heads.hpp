// Attention heads as the components: activation patching, attribution patching and the study's
// integrated gradients, one score per head of a HookedTransformer.
//
// A head is its slice of blocks.L.attn.hook_z, columns h * d_head .. (h + 1) * d_head - 1 of every
// row b * T + p (TransformerLens's [batch, pos, head_index, d_head]): what TransformerLens's
// get_act_patch_attn_head_out_all_pos and _by_pos patch. hook_result is linear in it, so patching
// either is the same.
//
// The metric is chapter 9's logit difference at the last position, on one prompt (a batch of one):
//   m = logits(T - 1, correct) - logits(T - 1, incorrect)
// and every score is normalised by the gap between the two prompts, as chapter 5's:
//   difference = m(base) - m(base with the head from source)
//   score      = difference / (m(base) - m(source))
// Denoising runs the corrupt prompt with the head from clean (sufficiency), noising the clean
// prompt with the head from corrupt (necessity).
//
// The study's integrated gradients (mwmlo/gradient_causal_knowledge, attribution_methods.py):
// for each layer L, run the base prompt with all of layer L's hook_z moved together along the
// straight line from the base run's z to the other run's; the later layers are recomputed, the
// earlier ones and the residual stream stay the base run's. The attribution of an entry is (z_other
// - z_base) times the integral of the gradient; a head's score is the sum over its positions and
// d_head (the study divides by d_model * positions instead, which only scales; it attributes at
// hook_result, which is linear in z, so the sum is the same). Completeness holds layer by layer:
// a layer's heads add up to m(base prompt, layer L's z from the other run) - m(base), up to the
// rule's error (convergence_delta).
//
// Every function takes the prompts as nn::Tokens of one row and leaves the tape, and the
// parameters' gradients, as it found them. Errors are std::invalid_argument naming the problem: a
// prompt that is not one row, prompts of different lengths, a token out of the vocabulary, a
// layer, head or position out of range, and a zero gap (m(base) and m(source) equal by
// gap_is_zero), where no score can be normalised.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "attribution/quadrature.hpp"
#include "autodiff/tape.hpp"
#include "nn/circuits.hpp"
#include "nn/hooks.hpp"
#include "nn/transformer.hpp"

namespace attribution {

// The two tokens of the logit difference.
struct LogitDifference {
  std::size_t correct = 0, incorrect = 0;
};
LogitDifference logit_difference_of(const nn::PromptPair& prompts);

// m on the logits of a one-prompt run (T rows, d_vocab columns). Throws std::invalid_argument for
// a token outside the columns.
double logit_difference(const nn::Matrix<double>& logits, const LogitDifference& metric);

// Throws std::invalid_argument naming the token when the metric's correct or incorrect token is
// outside the model's vocabulary.
void check_metric(const nn::HookedTransformer& model, const LogitDifference& metric);

// While it lives, a measurement may run the model and call backward freely: when it ends, however
// it ends, the tape is rewound to where it stood and the parameters' gradients are put back. Every
// function here leaves the model so; whole_path.hpp's too.
class ModelScope {
 public:
  explicit ModelScope(nn::HookedTransformer& model);
  ModelScope(const ModelScope&) = delete;
  ModelScope& operator=(const ModelScope&) = delete;
  ~ModelScope();

 private:
  autodiff::Tape& tape_;
  autodiff::Tape::Mark mark_;
  std::vector<autodiff::Var> parameters_;
  std::vector<double> gradients_;
};

// hook_z's shape as TransformerLens's tensor [batch, pos, head_index, d_head].
struct ZShape {
  std::size_t batch = 0, positions = 0, heads = 0, d_head = 0;
};
ZShape z_shape(const nn::TransformerConfig& config, const nn::Tokens& tokens);

// A hook for hook_z that replaces head `head`'s columns, at `position` or at every position when
// it is empty, by the same entries of `source` (hook_z of another run, of the shape `shape`
// describes), as new leaves on the activation's tape. Throws std::invalid_argument at once for a
// head or position outside `shape`, or a source not of its shape; and when it runs, for an
// activation not of `shape`.
nn::Hook patch_head(const ZShape& shape, std::size_t head, std::optional<std::size_t> position,
                    nn::Matrix<double> source);

// m(base) with head `head` of layer `layer` (at `position`, or at all positions) from the source
// prompt's run.
double metric_with_head_patched(nn::HookedTransformer& model, const nn::Tokens& base,
                                const nn::Tokens& source, const LogitDifference& metric,
                                std::size_t layer, std::size_t head,
                                std::optional<std::size_t> position = std::nullopt);

// Scores of every head: rows are layers, columns heads ([n_layers, n_heads], as TransformerLens's
// get_act_patch_attn_head_out_all_pos), or rows layer * T + pos for the by-position grid
// ([n_layers, pos, n_heads] flattened, as get_act_patch_attn_head_out_by_pos).
struct HeadPatching {
  double f_base = 0.0, f_source = 0.0;
  nn::Matrix<double> differences;  // m(base) - m(base with the head from source)
  nn::Matrix<double> scores;       // differences / (f_base - f_source)
};
HeadPatching patch_heads(nn::HookedTransformer& model, const nn::Tokens& base,
                         const nn::Tokens& source, const LogitDifference& metric);
HeadPatching patch_heads_by_position(nn::HookedTransformer& model, const nn::Tokens& base,
                                     const nn::Tokens& source, const LogitDifference& metric);

struct TwoWayHeadPatching {
  HeadPatching denoising;  // base = corrupt, source = clean
  HeadPatching noising;    // base = clean, source = corrupt
};
TwoWayHeadPatching patch_heads_both_directions(nn::HookedTransformer& model,
                                               const nn::PromptPair& prompts);
TwoWayHeadPatching patch_heads_by_position_both_directions(nn::HookedTransformer& model,
                                                           const nn::PromptPair& prompts);

// Chapter 5's asymmetry (comparison.hpp's relative_asymmetry) and the study's
// (study_asymmetry) of the per-head scores, heads in row-major order (layer * n_heads + head).
std::vector<std::optional<double>> head_asymmetry(const TwoWayHeadPatching& patching);
std::optional<std::vector<double>> study_head_asymmetry(const TwoWayHeadPatching& patching);

// Attribution patching: each difference above estimated to first order from one forward and one
// backward pass of the base prompt, gradient of m at base's hook_z . (z_base - z_source), summed
// over the head's positions and d_head. Exact where m is linear in the heads (the last layer's
// heads under a logit difference).
HeadPatching attribution_patching_heads(nn::HookedTransformer& model, const nn::Tokens& base,
                                        const nn::Tokens& source, const LogitDifference& metric);

// The study's integrated gradients at hook_z, layer by layer (see above).
struct HeadIntegratedGradients {
  Method method = default_method;
  int n_steps = default_n_steps;
  double f_base = 0.0, f_other = 0.0;  // m of the base and of the other prompt's run
  // [n_layers, n_heads]: the head's attributions summed over positions and d_head.
  nn::Matrix<double> attributions;
  // attributions / (f_other - f_base): with the layer's full patch reaching f_other, a layer's
  // shares add up to 1.
  nn::Matrix<double> shares;
  // Per layer: m(base prompt, the layer's z from the other run), the end of its path, and
  // sum over the layer's heads - (that - f_base).
  std::vector<double> f_layer_patched, convergence_delta;
};
// Throws, besides the errors above, quadrature_rule's for n_steps and method.
HeadIntegratedGradients study_integrated_gradients(nn::HookedTransformer& model,
                                                   const nn::Tokens& base, const nn::Tokens& other,
                                                   const LogitDifference& metric,
                                                   int n_steps = default_n_steps,
                                                   Method method = default_method);

// Every per-head measurement of one prompt pair, as chapter 12 tabulates them: both patching
// directions, attribution patching from either base, the study's IG from either base, and chapter
// 5's asymmetry of the patching scores.
struct HeadTable {
  TwoWayHeadPatching patching;
  HeadPatching atp_denoising;  // base corrupt, source clean
  HeadPatching atp_noising;    // base clean, source corrupt
  HeadIntegratedGradients ig_base_corrupt, ig_base_clean;
  std::vector<std::optional<double>> asymmetry;
};
HeadTable measure_heads(nn::HookedTransformer& model, const nn::PromptPair& prompts,
                        int n_steps = default_n_steps, Method method = default_method);

// The methods of measure_heads over many prompt pairs, pooled as shares of the mean gap: for each
// method, the heads' summed differences (or attributions) over the pairs divided by the pairs'
// summed gap in that method's direction, [n_layers, n_heads] each. A pair with a small gap then
// weighs little, where a mean of per-pair shares would let it dominate. Throws, besides
// measure_heads's errors, std::invalid_argument for no pairs or a summed gap of zero.
struct PooledHeadShares {
  std::size_t pairs = 0;
  double mean_gap = 0.0;  // mean of m(clean) - m(corrupt)
  nn::Matrix<double> denoising, noising, atp_denoising, atp_noising, ig_base_corrupt, ig_base_clean;
};
PooledHeadShares pooled_head_shares(nn::HookedTransformer& model,
                                    std::span<const nn::PromptPair> pairs,
                                    int n_steps = default_n_steps, Method method = default_method);

}  // namespace attribution
