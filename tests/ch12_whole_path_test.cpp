// Whole-path integrated gradients per head (attribution/whole_path.hpp) on the hand-set OR and AND
// circuits (nn/circuits.hpp) and on a random model. Checks: invariants (two heads symmetric in the
// circuit share equally, an all-zero head scores exactly 0, the conductance identity at every layer
// with the trapezoid's O(1/N^2) error, reversing the path negates everything), closed forms where
// m is linear in the last layer's cut (a head's conductance is its patching effect; the bypass is
// the change of resid_pre read through the unembedding), and PyTorch's numbers for the same
// definition (tests/reference_whole_path.py, float64).
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "attribution/heads.hpp"
#include "attribution/whole_path.hpp"
#include "autodiff/tape.hpp"
#include "nn/circuits.hpp"
#include "nn/random.hpp"
#include "nn/transformer.hpp"
#include "tests/reference_whole_path.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using attribution::LogitDifference;
using attribution::whole_path_integrated_gradients;
using attribution::WholePathIntegratedGradients;
using test_support::contains;
using test_support::invalid_argument_message;

// Sums over 200 steps of products of numbers near 10, in another order than PyTorch's einsums.
constexpr double torch_tolerance = 1e-12;
// The identity where m is linear in the cut: only rounding, of numbers near 10.
constexpr double rounding = 1e-12;

struct Circuit {
  bool is_or;
  nn::PromptPair prompts;
  const reference_whole_path::Circuit& reference;
};
Circuit or_circuit() { return {true, nn::or_prompts(), reference_whole_path::or_circuit}; }
Circuit and_circuit() { return {false, nn::and_prompts(), reference_whole_path::and_circuit}; }

nn::HookedTransformer model_of(const Circuit& c, autodiff::Tape& tape) {
  return c.is_or ? nn::or_heads_model(tape) : nn::and_heads_model(tape);
}

double gap_of(const WholePathIntegratedGradients& r) { return r.f_input - r.f_baseline; }

void expect_circuit_shares(const Circuit& c) {
  autodiff::Tape tape;
  nn::HookedTransformer model = model_of(c, tape);
  const WholePathIntegratedGradients r = whole_path_integrated_gradients(model, c.prompts);
  EXPECT_EQ(r.n_steps, attribution::default_whole_path_steps);
  // Layer 0: OR's two heads are the same head twice; AND's score is bilinear in their two outputs,
  // each of which moves linearly along the path, so d(uv) = u dv + v du splits evenly.
  EXPECT_NEAR(r.shares(0, 0), r.shares(0, 1), rounding);
  EXPECT_NEAR(r.shares(0, 0), 0.5, 1e-5);
  // Head 1.1 has every weight 0: its z is exactly 0 all along.
  EXPECT_EQ(r.conductance(1, 1), 0.0);
  // Nothing reads a moved token's embedding except the previous- and current-token heads' values
  // (the induction head's query reads the token A of the last position, which OR keeps, and AND
  // moves only through head 0.1's CUR), and layer 1's residual stream carries nothing the
  // unembedding reads: both bypasses are exactly 0.
  EXPECT_EQ(r.bypass[0], 0.0);
  EXPECT_EQ(r.bypass[1], 0.0);
  // The last layer's cut: m is linear in it, so the identity is exact to rounding.
  EXPECT_NEAR(r.conductance(1, 0) + r.conductance(1, 1) + r.bypass[1], gap_of(r), rounding);
  EXPECT_NEAR(r.convergence_delta[1], 0.0, rounding);
  EXPECT_NEAR(r.shares(1, 0), 1.0, rounding);
  // Layer 0's cut and the input: the trapezoid's miss, which the header states below 1e-5 of the
  // gap at the default 200 steps.
  EXPECT_LT(std::abs(r.convergence_delta[0]), 1e-5 * gap_of(r));
  EXPECT_LT(std::abs(r.input_convergence_delta), 1e-5 * gap_of(r));
  // Only the positions where the prompts differ move.
  for (std::size_t p = 0; p < r.input_attributions.size(); ++p)
    if (c.prompts.clean(0, p) == c.prompts.corrupt(0, p)) {
      EXPECT_EQ(r.input_attributions[p], 0.0) << "position " << p;
    } else {
      EXPECT_NE(r.input_attributions[p], 0.0) << "position " << p;
    }
}

TEST(Ch12WholePath, OrPreviousTokenHeadsShareEvenly) { expect_circuit_shares(or_circuit()); }
TEST(Ch12WholePath, AndHeadsShareEvenly) { expect_circuit_shares(and_circuit()); }

TEST(Ch12WholePath, MatchesPyTorch) {
  for (const Circuit& c : {or_circuit(), and_circuit()}) {
    autodiff::Tape tape;
    nn::HookedTransformer model = model_of(c, tape);
    const auto& ref = c.reference;
    const WholePathIntegratedGradients r =
        whole_path_integrated_gradients(model, c.prompts, ref.n_steps);
    EXPECT_NEAR(r.f_input, ref.m_clean, rounding) << ref.name;
    EXPECT_NEAR(r.f_baseline, ref.m_corrupt, rounding) << ref.name;
    for (std::size_t l = 0; l < 2; ++l) {
      for (std::size_t h = 0; h < 2; ++h)
        EXPECT_NEAR(r.conductance(l, h), ref.conductance[l][h], torch_tolerance)
            << ref.name << " head " << l << "." << h;
      EXPECT_NEAR(r.bypass[l], ref.bypass[l], torch_tolerance) << ref.name << " layer " << l;
    }
    EXPECT_NEAR(r.input_convergence_delta + gap_of(r), ref.input_sum, torch_tolerance) << ref.name;
  }
}

TEST(Ch12WholePath, LayerZeroIdentityMissFallsFourfoldWhenStepsDouble) {
  for (const Circuit& c : {or_circuit(), and_circuit()}) {
    autodiff::Tape tape;
    nn::HookedTransformer model = model_of(c, tape);
    std::vector<double> layer_miss, input_miss;
    for (const int n : {50, 100, 200}) {
      const WholePathIntegratedGradients r = whole_path_integrated_gradients(model, c.prompts, n);
      layer_miss.push_back(std::abs(r.convergence_delta[0]));
      input_miss.push_back(std::abs(r.input_convergence_delta));
    }
    for (std::size_t k = 1; k < layer_miss.size(); ++k) {
      EXPECT_NEAR(layer_miss[k - 1] / layer_miss[k], 4.0, 0.2) << c.reference.name;
      EXPECT_NEAR(input_miss[k - 1] / input_miss[k], 4.0, 0.2) << c.reference.name;
    }
  }
}

// A random two-layer model, where nothing is exactly 0 and every layer mixes every token.
struct RandomModel {
  autodiff::Tape tape;
  nn::Generator generator{7};
  nn::HookedTransformer model{
      tape,
      generator,
      {.d_vocab = 6, .n_ctx = 5, .d_model = 8, .d_head = 4, .n_heads = 2, .n_layers = 2}};
  nn::Tokens input{{0, 3, 1, 4, 2}}, baseline{{0, 5, 1, 4, 3}};
  LogitDifference metric{1, 2};
};

TEST(Ch12WholePath, LastLayerIsItsPatchingEffectsAndTheBypassItsClosedForm) {
  RandomModel m;
  const std::size_t last = 1, T = 5, D = 8, V = 6;
  const double f_baseline = attribution::logit_difference(m.model.predict(m.baseline), m.metric);
  // m = (resid_pre_last + sum_h z_h W_O[h] + b_O) W_U at the last position: linear in the cut, so a
  // head's conductance is the whole change of m when its z alone goes from the baseline's to the
  // input's (denoising it into the baseline run), for any number of steps.
  for (const int n : {1, 3, 200}) {
    const WholePathIntegratedGradients r =
        whole_path_integrated_gradients(m.model, m.input, m.baseline, m.metric, n);
    for (std::size_t h = 0; h < 2; ++h) {
      const double patched =
          attribution::metric_with_head_patched(m.model, m.baseline, m.input, m.metric, last, h);
      EXPECT_NEAR(r.conductance(last, h), patched - f_baseline, rounding) << "head " << h;
      EXPECT_NE(r.conductance(last, h), 0.0);
    }
    // The bypass: the change of resid_pre_last at the last position through W_U's two columns.
    const std::string pre = nn::hook_name(last, "hook_resid_pre");
    const nn::Matrix<double> in = m.model.run_with_cache(m.input).cache[pre];
    const nn::Matrix<double> base = m.model.run_with_cache(m.baseline).cache[pre];
    const std::vector<double> W_U = m.model.state_dict().at("unembed.W_U");
    double bypass = 0.0;
    for (std::size_t d = 0; d < D; ++d)
      bypass += (in(T - 1, d) - base(T - 1, d)) * (W_U[d * V + 1] - W_U[d * V + 2]);
    EXPECT_NEAR(r.bypass[last], bypass, rounding) << n << " steps";
    EXPECT_NE(r.bypass[last], 0.0);
    EXPECT_NEAR(r.convergence_delta[last], 0.0, rounding) << n << " steps";
  }
}

TEST(Ch12WholePath, EveryLayerCompletesAndReversingThePathNegatesIt) {
  RandomModel m;
  const WholePathIntegratedGradients forward =
      whole_path_integrated_gradients(m.model, m.input, m.baseline, m.metric);
  const WholePathIntegratedGradients backward =
      whole_path_integrated_gradients(m.model, m.baseline, m.input, m.metric);
  const double gap = gap_of(forward);
  EXPECT_LT(std::abs(forward.convergence_delta[0]), 1e-5 * std::abs(gap));
  EXPECT_LT(std::abs(forward.input_convergence_delta), 1e-5 * std::abs(gap));
  EXPECT_NE(forward.bypass[0], 0.0);
  double shares = forward.bypass_shares[0];
  for (std::size_t h = 0; h < 2; ++h) shares += forward.shares(0, h);
  EXPECT_NEAR(shares, 1.0, 1e-5);
  const WholePathIntegratedGradients coarse =
      whole_path_integrated_gradients(m.model, m.input, m.baseline, m.metric, 100);
  EXPECT_NEAR(coarse.convergence_delta[0] / forward.convergence_delta[0], 4.0, 0.2);
  // The trapezoid is symmetric: walking the same points the other way flips every sign, and the
  // gap flips with it, so the shares stay.
  for (std::size_t l = 0; l < 2; ++l) {
    for (std::size_t h = 0; h < 2; ++h) {
      EXPECT_NEAR(backward.conductance(l, h), -forward.conductance(l, h), rounding);
      EXPECT_NEAR(backward.shares(l, h), forward.shares(l, h), rounding);
    }
    EXPECT_NEAR(backward.bypass[l], -forward.bypass[l], rounding);
  }
}

TEST(Ch12WholePath, LeavesTheTapeAndTheGradientsAsFound) {
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::or_heads_model(tape);
  const std::size_t size = tape.size();
  const autodiff::Var w = model.parameters().front();
  tape.at(w).grad = 0.25;
  whole_path_integrated_gradients(model, nn::or_prompts(), 4);
  EXPECT_EQ(tape.size(), size);
  EXPECT_EQ(w.grad(), 0.25);
  for (const autodiff::Var& p : model.parameters())
    if (p.index() != w.index()) {
      ASSERT_EQ(p.grad(), 0.0);
    }
}

TEST(Ch12WholePath, BadInputIsNamed) {
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::or_heads_model(tape);
  const nn::PromptPair p = nn::or_prompts();
  const LogitDifference metric{nn::token_b, nn::token_z};
  const auto message = [&](const nn::Tokens& input, const nn::Tokens& baseline, LogitDifference m,
                           int n_steps) {
    return invalid_argument_message(
        [&] { whole_path_integrated_gradients(model, input, baseline, m, n_steps); });
  };
  EXPECT_TRUE(contains(message(p.clean, p.clean, metric, 10), "no gap"));
  const nn::Tokens two_rows{{0, 1, 2}, {0, 1, 2}};
  EXPECT_TRUE(contains(message(two_rows, p.corrupt, metric, 10),
                       "whole-path IG: the input tokens must be one prompt (one row)"));
  EXPECT_TRUE(contains(message(p.clean, two_rows, metric, 10), "the baseline tokens"));
  const nn::Tokens shorter{{0, 5, 6, 1}};
  EXPECT_TRUE(contains(message(p.clean, shorter, metric, 10),
                       "input prompt has 8 positions but the baseline 4"));
  EXPECT_TRUE(contains(message(p.clean, p.corrupt, {nn::token_b, 8}, 10), "incorrect token 8"));
  const nn::Tokens outside{{0, 5, 6, 1, 2, 5, 6, 9}};
  EXPECT_FALSE(message(p.clean, outside, metric, 10).empty());
  EXPECT_TRUE(contains(message(p.clean, p.corrupt, metric, 0), "n_steps"));
  EXPECT_TRUE(
      contains(message(p.clean, p.corrupt, metric, attribution::max_n_steps + 1), "n_steps"));
}

}  // namespace
