// Activation patching in both directions on the original notebook's two neurons: the reference
// scores, the identity that ties the two directions together, the raw differences against the
// neuron's closed form, undefined scores, attribution patching, patching the logit, and the
// summaries (IG shares, asymmetry) that put everything on one scale.
//
// The reference numbers are in reference_notebook_models.hpp, generated from
// shared/reference/notebook_models.json (its header names the key path of every number).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/integrated_gradients.hpp"
#include "autodiff/operations.hpp"
#include "autodiff/tape.hpp"
#include "nn/activations.hpp"
#include "nn/linear.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"
#include "tests/chapter_output.hpp"
#include "tests/reference_notebook_models.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace reference = reference_notebook_models;
using attribution::activation_patching;
using attribution::patch_both_directions;
using attribution::PatchingResult;
using attribution::TwoWayPatching;
using reference::Direction;

namespace {

using test_support::invalid_argument_message;

// The notebook's network, Sequential(Linear(2, 1), Sigmoid()), with the given parameters.
nn::Sequential neuron(autodiff::Tape& tape, const std::vector<double>& weights, double bias) {
  nn::Generator generator(0);  // its draws are overwritten at once
  nn::Sequential model(tape, generator, nn::Linear(weights.size(), 1), nn::Sigmoid());
  model.load_state_dict({{"model.0.weight", weights}, {"model.0.bias", {bias}}});
  return model;
}

nn::Sequential notebook_neuron(autodiff::Tape& tape, const reference::Model& model) {
  return neuron(tape, {model.weights[0], model.weights[1]}, model.bias);
}

const std::vector<double> zero_zero = {0.0, 0.0}, zero_one = {0.0, 1.0}, one_zero = {1.0, 0.0},
                          one_one = {1.0, 1.0}, half_half = {0.5, 0.5};

std::vector<double> clean_of(const reference::Pair& pair) { return {pair.clean, pair.clean + 2}; }
std::vector<double> corrupt_of(const reference::Pair& pair) {
  return {pair.corrupt, pair.corrupt + 2};
}

// f(x) = sigmoid(w.x + b), with plain doubles.
double neuron_output(const std::vector<double>& weights, double bias,
                     const std::vector<double>& x) {
  double z = bias;
  for (std::size_t i = 0; i < x.size(); ++i) z += weights[i] * x[i];
  return autodiff::sigmoid(z);
}

std::string where(const reference::Model& model, const reference::Pair& pair) {
  return std::string(model.name) + " " + pair.name;
}

}  // namespace

// A score is a difference of two outputs divided by the gap f(base) - f(source). The outputs
// agree with PyTorch's to an ulp or two (1e-16), but the division magnifies that by 1 / |gap|: on
// OR's [1, 0] against [0, 1] the gap is 2.1e-4 and the scores reach 3559, and there the scores
// differ by 2e-11, 3e-14 of their size. So the tolerance is relative: 1e-12 max(1, |score|).
TEST(Ch05ActivationPatching, ScoresEqualReferenceForEveryModelAndPair) {
  double largest = 0.0, largest_relative = 0.0, largest_below_10 = 0.0;
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs) {
      autodiff::Tape tape;
      nn::Sequential model = notebook_neuron(tape, model_data);
      const TwoWayPatching patching =
          patch_both_directions(model, "layer_0.input", clean_of(pair), corrupt_of(pair));
      const std::string at = where(model_data, pair);
      EXPECT_EQ(patching.denoising.layer, "layer_0.input");
      EXPECT_NEAR(patching.denoising.f_base, pair.f_corrupt, 1e-15) << at;
      EXPECT_NEAR(patching.denoising.f_source, pair.f_clean, 1e-15) << at;
      EXPECT_NEAR(patching.noising.f_base, pair.f_clean, 1e-15) << at;
      EXPECT_NEAR(patching.noising.f_source, pair.f_corrupt, 1e-15) << at;
      ASSERT_TRUE(patching.denoising.scores.has_value()) << at;
      ASSERT_TRUE(patching.noising.scores.has_value()) << at;
      ASSERT_EQ(patching.denoising.scores->size(), 2u) << at;
      ASSERT_EQ(patching.noising.scores->size(), 2u) << at;
      for (int i = 0; i < 2; ++i) {
        const struct {
          const char* name;
          double ours, expected;
        } scores[] = {{"denoising", (*patching.denoising.scores)[i], pair.denoising[i]},
                      {"noising", (*patching.noising.scores)[i], pair.noising[i]}};
        for (const auto& s : scores) {
          const double difference = std::fabs(s.ours - s.expected);
          const double scale = std::max(1.0, std::fabs(s.expected));
          largest = std::max(largest, difference);
          largest_relative = std::max(largest_relative, difference / scale);
          if (std::fabs(s.expected) < 10.0)
            largest_below_10 = std::max(largest_below_10, difference);
          EXPECT_LE(difference, 1e-12 * scale)
              << at << " " << s.name << " input " << i << ": " << s.ours << " vs " << s.expected;
        }
      }
    }
  std::printf(
      "[ largest  ] |score - activation_patching| = %.3g (%.3g relative to max(1, |score|), %.3g "
      "where |score| < 10)\n",
      largest, largest_relative, largest_below_10);
}

// The notebook's headline numbers for AND: denoising barely moves the output (each input alone
// brings back 18 % of the effect), noising nearly removes it (each input alone loses 82 %).
TEST(Ch05ActivationPatching, AndNotebookScores) {
  const reference::Model& model_data = reference::models[0];
  autodiff::Tape tape;
  nn::Sequential model = notebook_neuron(tape, model_data);
  const TwoWayPatching patching = patch_both_directions(model, "layer_0.input", one_one, zero_zero);
  ASSERT_TRUE(patching.denoising.scores && patching.noising.scores);
  EXPECT_NEAR((*patching.denoising.scores)[0], 0.18006, 5e-6);
  EXPECT_NEAR((*patching.denoising.scores)[1], 0.18126, 5e-6);
  EXPECT_NEAR((*patching.noising.scores)[0], 0.81874, 5e-6);
  EXPECT_NEAR((*patching.noising.scores)[1], 0.81994, 5e-6);
}

// With two inputs A and B, denoising A and noising B run the very same patched input: the corrupt
// run with A from clean is (clean_A, corrupt_B), and so is the clean run with B from corrupt. Call
// its output p. Then
//   denoising_A = (f(corrupt) - p) / (f(corrupt) - f(clean)),
//   noising_B   = (f(clean) - p) / (f(clean) - f(corrupt)) = (p - f(clean)) / (f(corrupt) -
//   f(clean)),
// and p cancels from the sum: denoising_A + noising_B = 1, for any model, not only this neuron.
// (Likewise denoising_B + noising_A = 1.) In floating point p is the same number in both (same
// input, same arithmetic), and what is left is the rounding of the two differences and the two
// divisions, magnified by 1 / |gap|: 1.1e-13 at most here (on the [1, 0] / [0, 1] pairs, gaps
// of 1e-4 and scores in the thousands); 1e-12 is allowed.
TEST(Ch05ActivationPatching, DenoisingOneInputPlusNoisingTheOtherIsOne) {
  double largest = 0.0;
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs) {
      autodiff::Tape tape;
      nn::Sequential model = notebook_neuron(tape, model_data);
      const TwoWayPatching patching =
          patch_both_directions(model, "layer_0.input", clean_of(pair), corrupt_of(pair));
      ASSERT_TRUE(patching.denoising.scores && patching.noising.scores);
      for (int a = 0; a < 2; ++a) {
        const int b = 1 - a;
        const double sum = (*patching.denoising.scores)[a] + (*patching.noising.scores)[b];
        largest = std::max(largest, std::fabs(sum - 1.0));
        EXPECT_NEAR(sum, 1.0, 1e-12) << where(model_data, pair) << " A = input " << a;
        // The same identity before dividing by the gap: (f(corrupt) - p) - (f(clean) - p).
        EXPECT_NEAR(patching.denoising.differences[a] - patching.noising.differences[b],
                    patching.denoising.f_base - patching.noising.f_base, 4e-16)
            << where(model_data, pair) << " A = input " << a;
      }
    }
  std::printf("[ largest  ] |denoising_A + noising_B - 1| = %.3g\n", largest);
}

// differences[i] = f(base) - f(base with input i from source), against sigmoid(w.x + b) evaluated
// directly on the patched input. Linear sums w.x + b in its own order, so the logits may differ
// by an ulp (4.4e-16 near 2): 1e-15 on the outputs is allowed.
TEST(Ch05ActivationPatching, RawDifferencesEqualTheNeuronsClosedForm) {
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs) {
      const std::vector<double> weights = {model_data.weights[0], model_data.weights[1]};
      autodiff::Tape tape;
      nn::Sequential model = notebook_neuron(tape, model_data);
      for (const auto& [base, source] : {std::pair{corrupt_of(pair), clean_of(pair)},
                                         std::pair{clean_of(pair), corrupt_of(pair)}}) {
        const PatchingResult result = activation_patching(model, "layer_0.input", base, source);
        ASSERT_EQ(result.differences.size(), 2u);
        const double f_base = neuron_output(weights, model_data.bias, base);
        for (int i = 0; i < 2; ++i) {
          std::vector<double> patched = base;
          patched[i] = source[i];
          EXPECT_NEAR(result.differences[i],
                      f_base - neuron_output(weights, model_data.bias, patched), 1e-15)
              << where(model_data, pair) << " base [" << base[0] << ", " << base[1] << "] input "
              << i;
        }
      }
    }
}

TEST(Ch05ActivationPatching, ScoresAreUndefinedOnlyWithoutAGap) {
  // The same input twice: nothing to patch, nothing to share out.
  {
    autodiff::Tape tape;
    nn::Sequential model = notebook_neuron(tape, reference::models[0]);
    const TwoWayPatching patching = patch_both_directions(model, "layer_0.input", one_one, one_one);
    EXPECT_FALSE(patching.denoising.scores.has_value());
    EXPECT_FALSE(patching.noising.scores.has_value());
    EXPECT_EQ(patching.denoising.differences, (std::vector<double>{0.0, 0.0}));
    EXPECT_EQ(patching.noising.differences, (std::vector<double>{0.0, 0.0}));
  }
  // Different inputs that the model maps to the same output: with w = [2, 2], b = -1, both
  // [1, 0] and [0, 1] give z = 1 exactly. The gap is zero, but patching one input does move the
  // output, and the differences say by how much: to [1, 1] (z = 3) or to [0, 0] (z = -1).
  {
    const std::vector<double> weights = {2.0, 2.0};
    autodiff::Tape tape;
    nn::Sequential model = neuron(tape, weights, -1.0);
    const TwoWayPatching patching =
        patch_both_directions(model, "layer_0.input", one_zero, zero_one);
    EXPECT_FALSE(patching.denoising.scores.has_value());
    EXPECT_FALSE(patching.noising.scores.has_value());
    const double to_both = autodiff::sigmoid(1.0) - autodiff::sigmoid(3.0);
    const double to_none = autodiff::sigmoid(1.0) - autodiff::sigmoid(-1.0);
    ASSERT_EQ(patching.denoising.differences.size(), 2u);
    EXPECT_NEAR(patching.denoising.differences[0], to_both, 1e-15);  // [0, 1] -> [1, 1]
    EXPECT_NEAR(patching.denoising.differences[1], to_none, 1e-15);  // [0, 1] -> [0, 0]
    EXPECT_NEAR(patching.noising.differences[0], to_none, 1e-15);    // [1, 0] -> [0, 0]
    EXPECT_NEAR(patching.noising.differences[1], to_both, 1e-15);    // [1, 0] -> [1, 1]
  }
  // A small real gap still gives scores, however large. The smallest gap among the reference
  // pairs: AND's [1, 0] against [0, 1], f_clean - f_corrupt = 0.14850183879487527 -
  // 0.1494399976617643 = -9.4e-4 (OR's is -2.1e-4); the scores reach -680 (reference values
  // checked in ScoresEqualReferenceForEveryModelAndPair).
  {
    const reference::Pair& pair = reference::models[0].pairs[1];
    ASSERT_STREQ(pair.name, "p10_01");
    autodiff::Tape tape;
    nn::Sequential model = notebook_neuron(tape, reference::models[0]);
    const TwoWayPatching patching =
        patch_both_directions(model, "layer_0.input", clean_of(pair), corrupt_of(pair));
    EXPECT_NEAR(patching.noising.f_base - patching.noising.f_source, -9.3815886688903e-4, 1e-15);
    ASSERT_TRUE(patching.denoising.scores && patching.noising.scores);
    for (double score : *patching.denoising.scores) EXPECT_TRUE(std::isfinite(score));
    EXPECT_NEAR((*patching.denoising.scores)[0], -679.99065082842833, 1e-9);
  }
  // Far smaller still: w = [1, 1 + 1e-9] on [1, 0] against [0, 1] is a gap of 2e-10, five
  // hundred times gap_tolerance; the scores are near -7.6e8, finite.
  {
    const std::vector<double> weights = {1.0, 1.0 + 1e-9};
    autodiff::Tape tape;
    nn::Sequential model = neuron(tape, weights, 0.0);
    const TwoWayPatching patching =
        patch_both_directions(model, "layer_0.input", one_zero, zero_one);
    ASSERT_TRUE(patching.denoising.scores.has_value());
    const double gap = autodiff::sigmoid(1.0) - autodiff::sigmoid(1.0 + 1e-9);
    const double expected = (autodiff::sigmoid(1.0 + 1e-9) - autodiff::sigmoid(2.0 + 1e-9)) / -gap;
    // The gap itself carries rounding of 1e-16 / 2e-10 = 5e-7 relative.
    EXPECT_NEAR((*patching.denoising.scores)[0], expected, 1e-5 * std::fabs(expected));
    EXPECT_LT((*patching.denoising.scores)[0], -7e8);
  }
}

// Attribution patching estimates each difference f(base) - f(base with input i from source) from
// the gradient at base: grad_i(base) * (base_i - source_i). The reference's gradients block has
// minus this as grad_at_baseline_x_delta (gradient at the baseline times input - baseline), with
// the base as the IG baseline and the source as the IG input.
TEST(Ch05AttributionPatching, EqualsGradientAtBaseTimesBaseMinusSource) {
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs) {
      autodiff::Tape tape;
      nn::Sequential model = notebook_neuron(tape, model_data);
      const struct {
        std::vector<double> base, source;
        Direction direction;
      } cases[] = {{corrupt_of(pair), clean_of(pair), Direction::clean_from_corrupt},
                   {clean_of(pair), corrupt_of(pair), Direction::corrupt_from_clean}};
      for (const auto& c : cases) {
        const std::vector<double> estimate =
            attribution::attribution_patching(model, "layer_0.input", c.base, c.source);
        const double* expected = pair.grad_at_baseline_x_delta[static_cast<int>(c.direction)];
        ASSERT_EQ(estimate.size(), 2u);
        for (int i = 0; i < 2; ++i)
          EXPECT_NEAR(estimate[i], -expected[i], 1e-12) << where(model_data, pair) << " " << i;
        // It is integrated gradients from source to base with one node, at base: the right rule.
        const attribution::IntegratedGradientsResult ig = attribution::integrated_gradients(
            model, c.base, c.source, 1, attribution::Method::riemann_right);
        for (int i = 0; i < 2; ++i) EXPECT_DOUBLE_EQ(estimate[i], ig.attributions[i]);
      }
    }
}

// On AND, clean [1, 1] from corrupt [0, 0], the gradient at [0, 0] sits in the sigmoid's flat
// tail: the linear estimate recovers only 6.4 % of the true effect. Denoising's differences are
// f(corrupt) - f(patched), so their estimates are shares of the gap f(corrupt) - f(clean).
TEST(Ch05AttributionPatching, UnderestimatesTheAndEffectFromTheFlatTail) {
  const reference::Model& model_data = reference::models[0];
  const reference::Pair& pair = model_data.pairs[0];
  autodiff::Tape tape;
  nn::Sequential model = notebook_neuron(tape, model_data);
  const std::vector<double> estimate =
      attribution::attribution_patching(model, "layer_0.input", corrupt_of(pair), clean_of(pair));
  const double share = (estimate[0] + estimate[1]) / (pair.f_corrupt - pair.f_clean);
  EXPECT_GE(share, 0.05);
  EXPECT_LE(share, 0.08);
  std::printf("[ share    ] attribution patching recovers %.4f of AND's effect\n", share);
  // At the logit the estimate is sigmoid'(z_corrupt) (z_corrupt - z_clean).
  const std::vector<double> at_logit =
      attribution::attribution_patching(model, "layer_0.output", corrupt_of(pair), clean_of(pair));
  const double s = autodiff::sigmoid(model_data.bias);
  ASSERT_EQ(at_logit.size(), 1u);
  EXPECT_NEAR(at_logit[0], -s * (1.0 - s) * (model_data.weights[0] + model_data.weights[1]), 1e-15);
}

// An estimate of a difference has that difference's sign. For the neuron f = sigmoid(w.x + b) it
// must: patching input i moves the logit by w_i (source_i - base_i) and sigmoid is increasing, so
// the difference has the sign of w_i (base_i - source_i), and so has the estimate
// w_i sigmoid'(z) (base_i - source_i). Where input i is the same in both, both are zero.
TEST(Ch05AttributionPatching, EstimatesHaveTheSignOfTheDifferences) {
  int compared = 0;
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs) {
      autodiff::Tape tape;
      nn::Sequential model = notebook_neuron(tape, model_data);
      for (const auto& [base, source] : {std::pair{corrupt_of(pair), clean_of(pair)},
                                         std::pair{clean_of(pair), corrupt_of(pair)}}) {
        const std::vector<double> estimate =
            attribution::attribution_patching(model, "layer_0.input", base, source);
        const PatchingResult actual = activation_patching(model, "layer_0.input", base, source);
        ASSERT_EQ(estimate.size(), actual.differences.size());
        for (std::size_t i = 0; i < estimate.size(); ++i) {
          const std::string at = where(model_data, pair) + " base [" + std::to_string(base[0]) +
                                 ", " + std::to_string(base[1]) + "] input " + std::to_string(i);
          if (base[i] == source[i]) {
            EXPECT_EQ(estimate[i], 0.0) << at;
            EXPECT_EQ(actual.differences[i], 0.0) << at;
            continue;
          }
          EXPECT_NE(actual.differences[i], 0.0) << at;
          EXPECT_EQ(std::signbit(estimate[i]), std::signbit(actual.differences[i])) << at;
          ++compared;
        }
      }
    }
  EXPECT_GT(compared, 0);
}

// For a small patch the first-order estimate is the difference itself, up to the second-order
// term: patching input i by d = source_i - base_i, difference = -f'(base) d - f''(t) d^2 / 2 for
// some t between, and estimate = -f'(base) d. Here f'' = w_i^2 sigmoid''(z) and |sigmoid''| <=
// 1 / (6 sqrt(3)) = 0.0962, so |estimate - difference| <= w_i^2 0.0962 d^2 / 2 (plus rounding
// of the difference, 1e-16 against outputs near 1). The bound is met at every size, the estimate
// is within a share d of the difference (half that, here), and the error falls four-fold each time
// d halves.
TEST(Ch05AttributionPatching, ForASmallPatchTheEstimateIsTheDifference) {
  const std::vector<double> weights = {3.0482, -3.0556};
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, weights, 0.4);
  const std::vector<double> base = {0.3, 0.2};
  const double largest_curvature = 1.0 / (6.0 * std::sqrt(3.0));
  std::vector<double> previous_error(2, 0.0);
  for (double d : {1e-2, 5e-3, 2.5e-3}) {
    const std::vector<double> source = {base[0] + d, base[1] - d};
    const std::vector<double> estimate =
        attribution::attribution_patching(model, "layer_0.input", base, source);
    const PatchingResult actual = activation_patching(model, "layer_0.input", base, source);
    for (std::size_t i = 0; i < 2; ++i) {
      const double error = std::fabs(estimate[i] - actual.differences[i]);
      const double bound = weights[i] * weights[i] * largest_curvature * d * d / 2.0 + 1e-15;
      EXPECT_LE(error, bound) << "d = " << d << " input " << i;
      EXPECT_LT(error, d * std::fabs(actual.differences[i])) << "d = " << d << " input " << i;
      EXPECT_EQ(std::signbit(estimate[i]), std::signbit(actual.differences[i])) << d << " " << i;
      if (previous_error[i] > 0.0) {
        EXPECT_NEAR(previous_error[i] / error, 4.0, 0.1) << "d = " << d << " input " << i;
      }
      previous_error[i] = error;
    }
  }
}

// The logit is one number that carries everything the output depends on: patching it patches the
// whole layer, so the output becomes f(source) exactly and the score is 1, in both directions.
TEST(Ch05ActivationPatching, PatchingTheLogitRestoresTheWholeOutput) {
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs) {
      autodiff::Tape tape;
      nn::Sequential model = notebook_neuron(tape, model_data);
      const TwoWayPatching patching =
          patch_both_directions(model, "layer_0.output", clean_of(pair), corrupt_of(pair));
      ASSERT_TRUE(patching.denoising.scores && patching.noising.scores);
      ASSERT_EQ(patching.denoising.scores->size(), 1u);
      EXPECT_EQ(patching.denoising.layer, "layer_0.output");
      EXPECT_DOUBLE_EQ((*patching.denoising.scores)[0], 1.0) << where(model_data, pair);
      EXPECT_DOUBLE_EQ((*patching.noising.scores)[0], 1.0) << where(model_data, pair);
      EXPECT_NEAR(patching.denoising.differences[0], pair.f_corrupt - pair.f_clean, 1e-15);
    }
}

// For this neuron IG_i = dx_i w_i (sigmoid(z1) - sigmoid(z0)) / (z1 - z0) and the IG_i add up to
// sigmoid(z1) - sigmoid(z0), so each share is dx_i w_i / (w.dx): for AND from [0, 0] to [1, 1],
// w_i / (w_1 + w_2). Shares are divided by the gap, so their rounding grows as 1 / |gap|
// (p10_01: gap 1e-4, shares near 400): the tolerance is 1e-12 max(1, |share|).
TEST(Ch05Summaries, IgSharesAreWeightTimesDeltaOverTheLogitChange) {
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs) {
      autodiff::Tape tape;
      nn::Sequential model = notebook_neuron(tape, model_data);
      const attribution::IntegratedGradientsResult ig =
          attribution::integrated_gradients(model, clean_of(pair), corrupt_of(pair));
      const std::optional<std::vector<double>> shares = attribution::ig_shares(ig);
      ASSERT_TRUE(shares.has_value()) << where(model_data, pair);
      double logit_change = 0.0;
      for (int i = 0; i < 2; ++i)
        logit_change += model_data.weights[i] * (pair.clean[i] - pair.corrupt[i]);
      for (int i = 0; i < 2; ++i) {
        const double expected =
            model_data.weights[i] * (pair.clean[i] - pair.corrupt[i]) / logit_change;
        EXPECT_NEAR((*shares)[i], expected, 1e-12 * std::max(1.0, std::fabs(expected)))
            << where(model_data, pair) << " " << i;
      }
    }
  const reference::Model& and_model = reference::models[0];
  autodiff::Tape tape;
  nn::Sequential model = notebook_neuron(tape, and_model);
  const auto shares =
      attribution::ig_shares(attribution::integrated_gradients(model, one_one, zero_zero));
  ASSERT_TRUE(shares.has_value());
  EXPECT_NEAR((*shares)[0], 3.0482 / (3.0482 + 3.0556), 1e-12);
  EXPECT_NEAR((*shares)[0] + (*shares)[1], 1.0, 1e-12);
  // No gap, no shares.
  EXPECT_FALSE(attribution::ig_shares(attribution::integrated_gradients(model, one_one, one_one)));
}

TEST(Ch05Summaries, Asymmetry) {
  // AND: noising sees each input (0.82), denoising hardly (0.18): asymmetry (0.8187 - 0.1801) /
  // 0.8187 = +0.78. OR the other way round: (0.0873 - 0.9124) / 0.9124 = -0.90.
  for (const reference::Model& model_data : reference::models) {
    const reference::Pair& pair = model_data.pairs[0];
    autodiff::Tape tape;
    nn::Sequential model = notebook_neuron(tape, model_data);
    const TwoWayPatching patching =
        patch_both_directions(model, "layer_0.input", clean_of(pair), corrupt_of(pair));
    const std::vector<std::optional<double>> asymmetry = attribution::asymmetry(patching);
    ASSERT_EQ(asymmetry.size(), 2u);
    for (int i = 0; i < 2; ++i) {
      const double noising = pair.noising[i], denoising = pair.denoising[i];
      const double expected =
          (noising - denoising) / std::max(std::fabs(noising), std::fabs(denoising));
      ASSERT_TRUE(asymmetry[i].has_value()) << model_data.name << " " << i;
      EXPECT_NEAR(*asymmetry[i], expected, 1e-12) << model_data.name << " " << i;
    }
  }
  {
    const reference::Model& and_model = reference::models[0];
    autodiff::Tape tape;
    nn::Sequential model = notebook_neuron(tape, and_model);
    const auto asymmetry =
        attribution::asymmetry(patch_both_directions(model, "layer_0.input", one_one, zero_zero));
    EXPECT_NEAR(*asymmetry[0], (0.8187 - 0.1801) / 0.8187, 1e-4);
  }
  // A dead input (weight 0) scores 0 both ways: nothing to compare, so no asymmetry. The live
  // input carries the whole effect both ways (scores 1 and 1): asymmetry 0.
  {
    const std::vector<double> weights = {3.0, 0.0};
    autodiff::Tape tape;
    nn::Sequential model = neuron(tape, weights, -1.0);
    const auto asymmetry =
        attribution::asymmetry(patch_both_directions(model, "layer_0.input", one_one, zero_zero));
    ASSERT_EQ(asymmetry.size(), 2u);
    ASSERT_TRUE(asymmetry[0].has_value());
    EXPECT_NEAR(*asymmetry[0], 0.0, 1e-15);
    EXPECT_FALSE(asymmetry[1].has_value());
  }
  // Undefined scores: every component undefined.
  {
    autodiff::Tape tape;
    nn::Sequential model = notebook_neuron(tape, reference::models[0]);
    const auto asymmetry =
        attribution::asymmetry(patch_both_directions(model, "layer_0.input", half_half, half_half));
    ASSERT_EQ(asymmetry.size(), 2u);
    EXPECT_FALSE(asymmetry[0].has_value());
    EXPECT_FALSE(asymmetry[1].has_value());
  }
}

// Patching is one code path for a component and for a set of them. Patching every component at
// once makes the patched run the source run, so its difference is the whole gap f(base) - f(source)
// and its score is exactly 1, both ways; a set of one is single-component patching, to the bit.
TEST(Ch05ActivationPatching, EverySetOfComponentsScoresOneAndASetOfOneIsOneComponent) {
  const std::vector<attribution::ComponentSet> sets = {{0}, {1}, {0, 1}};
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs) {
      autodiff::Tape tape;
      nn::Sequential model = notebook_neuron(tape, model_data);
      const TwoWayPatching alone =
          patch_both_directions(model, "layer_0.input", clean_of(pair), corrupt_of(pair));
      const TwoWayPatching together =
          patch_both_directions(model, "layer_0.input", clean_of(pair), corrupt_of(pair), sets);
      const std::string at = where(model_data, pair);
      EXPECT_EQ(alone.denoising.sets, (std::vector<attribution::ComponentSet>{{0}, {1}})) << at;
      for (const auto& [one, all] : {std::pair{&alone.denoising, &together.denoising},
                                     std::pair{&alone.noising, &together.noising}}) {
        EXPECT_EQ(all->sets, sets) << at;
        ASSERT_EQ(all->differences.size(), 3u) << at;
        ASSERT_TRUE(one->scores && all->scores) << at;
        for (std::size_t i = 0; i < 2; ++i) {
          EXPECT_EQ(all->differences[i], one->differences[i]) << at << " set {" << i << "}";
          EXPECT_EQ((*all->scores)[i], (*one->scores)[i]) << at << " set {" << i << "}";
        }
        EXPECT_EQ(all->differences[2], all->f_base - all->f_source) << at;
        EXPECT_EQ((*all->scores)[2], 1.0) << at;
      }
      EXPECT_NEAR(together.f_clean(), pair.f_clean, 1e-15) << at;
      EXPECT_NEAR(together.f_corrupt(), pair.f_corrupt, 1e-15) << at;
    }
  // Named by activation_patching, with the component and the width.
  autodiff::Tape tape;
  nn::Sequential model = notebook_neuron(tape, reference::models[0]);
  const std::vector<attribution::ComponentSet> out_of_range = {{0, 2}};
  EXPECT_EQ(invalid_argument_message([&] {
              activation_patching(model, "layer_0.input", one_one, zero_zero, out_of_range);
            }),
            "component 2 of layer_0.input, which has 2 components");
}

TEST(Ch05ActivationPatching, RejectsBadArgumentsAndLeavesTheTapeAsFound) {
  autodiff::Tape tape;
  nn::Sequential model = notebook_neuron(tape, reference::models[0]);
  const std::vector<double> x = {1.0, 1.0}, x0 = {0.0, 0.0}, three = {0.0, 0.0, 0.0};
  const std::size_t tape_size = tape.size();

  std::string message =
      invalid_argument_message([&] { activation_patching(model, "layer_0.input", x, three); });
  EXPECT_NE(message.find("base has 2"), std::string::npos) << message;
  EXPECT_NE(message.find("source has 3"), std::string::npos) << message;
  message = invalid_argument_message(
      [&] { attribution::attribution_patching(model, "layer_0.input", three, x); });
  EXPECT_NE(message.find("base has 3"), std::string::npos) << message;
  EXPECT_NE(message.find("source has 2"), std::string::npos) << message;
  EXPECT_THROW(patch_both_directions(model, "layer_0.input", three, x), std::invalid_argument);

  message = invalid_argument_message([&] { activation_patching(model, "layer_9.input", x, x0); });
  EXPECT_NE(message.find("layer_9.input"), std::string::npos) << message;
  EXPECT_THROW(attribution::attribution_patching(model, "logit", x, x0), std::invalid_argument);
  EXPECT_EQ(tape.size(), tape_size) << "a rejected call left nodes on the tape";

  // Patching and attribution patching leave the tape and accumulated gradients as they were.
  nn::Matrix<double> row(1, 2);
  row(0, 0) = 0.3;
  row(0, 1) = 0.6;
  model.forward(row)(0, 0).backward();
  const std::size_t after_backward = tape.size();
  const std::vector<autodiff::Var> parameters = model.parameters();
  std::vector<double> gradients;
  for (const autodiff::Var& p : parameters) gradients.push_back(p.grad());
  patch_both_directions(model, "layer_0.input", x, x0);
  attribution::attribution_patching(model, "layer_0.output", x0, x);
  EXPECT_EQ(tape.size(), after_backward);
  for (std::size_t i = 0; i < parameters.size(); ++i)
    EXPECT_EQ(parameters[i].grad(), gradients[i]) << "parameter " << i;

  // Two outputs: no single number to patch.
  autodiff::Tape wide_tape;
  nn::Generator generator(0);
  nn::Sequential wide(wide_tape, generator, nn::Linear(2, 2), nn::Sigmoid());
  message = invalid_argument_message([&] { activation_patching(wide, "layer_0.input", x, x0); });
  EXPECT_NE(message.find("one output number"), std::string::npos) << message;
  EXPECT_THROW(attribution::attribution_patching(wide, "layer_0.input", x, x0),
               std::invalid_argument);
}

// The chapter's README shows what its program prints (tests/chapter_output.hpp).
TEST(Ch05Chapter, ReadmeShowsTheProgramOutput) {
  chapter_output::expect_readme_matches_program("ch05");
}
