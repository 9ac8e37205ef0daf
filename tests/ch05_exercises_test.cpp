// Chapter 5's implementation exercises (chapters/exercises.md): 5.1 patching a set of components,
// 5.2 the patching score, 5.3 attribution patching. The expected numbers come from forward passes
// written out by hand with plain doubles (sigmoid(w.x + b)), or from finite differences of the
// model; the tolerances leave room for any summation order.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/model_run.hpp"
#include "autodiff/operations.hpp"
#include "autodiff/tape.hpp"
#include "nn/activations.hpp"
#include "nn/linear.hpp"
#include "nn/network.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"
#include "tests/hand_set_network.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

using attribution::activation_patching;
using attribution::attribution_patching;
using attribution::ComponentSet;
using attribution::PatchingResult;

namespace {

using test_support::contains;
using test_support::invalid_argument_message;

// f(x) = sigmoid(w.x + b) as a network: Sequential(Linear(n, 1), Sigmoid()).
nn::Sequential neuron(autodiff::Tape& tape, const std::vector<double>& weights, double bias) {
  return nn::neuron(tape, weights, bias);  // a vector, so that callers may write {w1, w2}
}

// The same neuron with plain doubles.
double neuron_output(const std::vector<double>& weights, double bias,
                     const std::vector<double>& x) {
  double z = bias;
  for (std::size_t i = 0; i < x.size(); ++i) z += weights[i] * x[i];
  return autodiff::sigmoid(z);
}

// x with the components in `set` taken from `source`.
std::vector<double> patched(std::vector<double> x, const std::vector<double>& source,
                            const ComponentSet& set) {
  for (std::size_t i : set) x[i] = source[i];
  return x;
}

// The network of tests/hand_set_network.hpp.
using hand_set::hidden_network;
using hand_set::output_d;
using hand_set::output_v;
using hand_set::pre_activation_of;

std::vector<double> hidden_from(const std::vector<double>& z) {
  std::vector<double> h(3);
  for (int j = 0; j < 3; ++j) h[j] = autodiff::sigmoid(z[j]);
  return h;
}
double output_from_hidden(const std::vector<double>& h) {
  return neuron_output(output_v, output_d, h);
}

// The AND neuron of the chapter (the notebook's trained weights).
const std::vector<double> and_w = {3.0482, 3.0556};
const double and_b = -4.7946;

}  // namespace

// ---- Exercise 5.1: patching a set of components -----------------------------------------------
// activation_patching's differences f(base) - f(base with the set from source): single components
// and sets against forward passes by hand, the full set, a hidden layer, and the range check.
// (Its scores are exercise 5.2: these tests need it to run to the end.)

TEST(Ch05Ex1PatchingSets, SetOfOneIsAForwardPassWithThePatchedInput) {
  const std::vector<double> w = {1.5, -2.0, 0.5};
  const double b = 0.25;
  const std::vector<double> base = {1.0, 0.5, -1.0}, source = {0.0, 2.0, 3.0};
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, w, b);
  const double f_base = neuron_output(w, b, base);

  // No sets given: each component alone, in order.
  const PatchingResult each = activation_patching(model, "layer_0.input", base, source);
  ASSERT_EQ(each.differences.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(each.differences[i], f_base - neuron_output(w, b, patched(base, source, {i})),
                1e-15)
        << "component " << i;

  // Sets given: their order is kept.
  const std::vector<ComponentSet> sets = {{2}, {0}, {1, 2}};
  const PatchingResult given = activation_patching(model, "layer_0.input", base, source, sets);
  ASSERT_EQ(given.differences.size(), sets.size());
  for (std::size_t k = 0; k < sets.size(); ++k)
    EXPECT_NEAR(given.differences[k], f_base - neuron_output(w, b, patched(base, source, sets[k])),
                1e-15)
        << "set " << k;
}

// Patching every component is running the source: the difference is the whole gap, in any order.
TEST(Ch05Ex1PatchingSets, FullSetGivesTheWholeGap) {
  const std::vector<double> w = {1.5, -2.0, 0.5};
  const double b = 0.25;
  const std::vector<double> base = {1.0, 0.5, -1.0}, source = {0.0, 2.0, 3.0};
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, w, b);
  const std::vector<ComponentSet> sets = {{0, 1, 2}, {2, 0, 1}};
  const PatchingResult result = activation_patching(model, "layer_0.input", base, source, sets);
  ASSERT_EQ(result.differences.size(), 2u);
  const double gap = neuron_output(w, b, base) - neuron_output(w, b, source);
  EXPECT_NEAR(result.differences[0], gap, 1e-15);
  EXPECT_NEAR(result.differences[1], gap, 1e-15);
}

// At the hidden layer (h) and before its sigmoid (z), a set of neurons from the source run.
TEST(Ch05Ex1PatchingSets, SetAtAHiddenLayer) {
  const std::vector<double> base = {1.0, -0.5}, source = {-0.25, 2.0};
  autodiff::Tape tape;
  nn::Sequential model = hidden_network(tape);
  const std::vector<double> z_base = pre_activation_of(base), z_source = pre_activation_of(source);
  const std::vector<double> h_base = hidden_from(z_base), h_source = hidden_from(z_source);
  const double f_base = output_from_hidden(h_base);

  const std::vector<ComponentSet> sets = {{0, 2}, {1}};
  const PatchingResult at_h = activation_patching(model, "layer_2.input", base, source, sets);
  ASSERT_EQ(at_h.differences.size(), 2u);
  for (std::size_t k = 0; k < sets.size(); ++k)
    EXPECT_NEAR(at_h.differences[k],
                f_base - output_from_hidden(patched(h_base, h_source, sets[k])), 1e-14)
        << "layer_2.input set " << k;

  const PatchingResult at_z = activation_patching(model, "layer_1.input", base, source, sets);
  ASSERT_EQ(at_z.differences.size(), 2u);
  for (std::size_t k = 0; k < sets.size(); ++k)
    EXPECT_NEAR(at_z.differences[k],
                f_base - output_from_hidden(hidden_from(patched(z_base, z_source, sets[k]))), 1e-14)
        << "layer_1.input set " << k;
}

// A component past the activation's width is an error naming the component, the activation and
// its width, wherever it is in the sets.
TEST(Ch05Ex1PatchingSets, ComponentOutOfRangeIsRejected) {
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, {1.5, -2.0, 0.5}, 0.25);
  const std::vector<double> base = {1.0, 0.5, -1.0}, source = {0.0, 2.0, 3.0};
  const std::vector<ComponentSet> sets = {{0}, {1, 7}};
  const std::string message = invalid_argument_message(
      [&] { activation_patching(model, "layer_0.input", base, source, sets); });
  EXPECT_TRUE(contains(message, "7")) << message;
  EXPECT_TRUE(contains(message, "layer_0.input")) << message;
  EXPECT_TRUE(contains(message, "3")) << message;

  autodiff::Tape hidden_tape;
  nn::Sequential network = hidden_network(hidden_tape);
  const std::vector<double> x = {1.0, -0.5}, x0 = {0.0, 0.0};
  const std::vector<ComponentSet> past_the_end = {{3}};
  const std::string hidden_message = invalid_argument_message(
      [&] { activation_patching(network, "layer_2.input", x, x0, past_the_end); });
  EXPECT_TRUE(contains(hidden_message, "layer_2.input")) << hidden_message;
  EXPECT_TRUE(contains(hidden_message, "3")) << hidden_message;
}

// ---- Exercise 5.2: the patching score ---------------------------------------------------------
// scores = differences / (f(base) - f(source)), and no scores when the two runs agree to rounding
// (gap_is_zero): the AND neuron's two directions, the full set, zero and tiny gaps.

// The chapter's AND neuron, clean [1, 1] and corrupt [0, 0]: each input alone brings back about
// 18 % of the effect (denoising) and loses about 82 % (noising). The exact values, from sigmoids.
TEST(Ch05Ex2PatchingScore, AndNeuronScoresInBothDirections) {
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, and_w, and_b);
  const std::vector<double> clean = {1.0, 1.0}, corrupt = {0.0, 0.0};
  const double f_clean = neuron_output(and_w, and_b, clean);
  const double f_corrupt = neuron_output(and_w, and_b, corrupt);

  const PatchingResult denoising = activation_patching(model, "layer_0.input", corrupt, clean);
  const PatchingResult noising = activation_patching(model, "layer_0.input", clean, corrupt);
  ASSERT_TRUE(denoising.scores.has_value());
  ASSERT_TRUE(noising.scores.has_value());
  ASSERT_EQ(denoising.scores->size(), 2u);
  ASSERT_EQ(noising.scores->size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const double denoised = neuron_output(and_w, and_b, patched(corrupt, clean, {i}));
    const double noised = neuron_output(and_w, and_b, patched(clean, corrupt, {i}));
    const double expected_denoising = (f_corrupt - denoised) / (f_corrupt - f_clean);
    const double expected_noising = (f_clean - noised) / (f_clean - f_corrupt);
    EXPECT_NEAR((*denoising.scores)[i], expected_denoising, 1e-12) << "input " << i;
    EXPECT_NEAR((*noising.scores)[i], expected_noising, 1e-12) << "input " << i;
    EXPECT_NEAR((*denoising.scores)[i], 0.18, 0.005) << "input " << i;  // the README's numbers
    EXPECT_NEAR((*noising.scores)[i], 0.82, 0.005) << "input " << i;
  }
}

TEST(Ch05Ex2PatchingScore, FullSetScoresOne) {
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, and_w, and_b);
  const std::vector<double> clean = {1.0, 1.0}, corrupt = {0.0, 0.5};
  const std::vector<ComponentSet> sets = {{0, 1}, {1, 0}, {0}};
  for (const PatchingResult& result :
       {activation_patching(model, "layer_0.input", corrupt, clean, sets),
        activation_patching(model, "layer_0.input", clean, corrupt, sets)}) {
    ASSERT_TRUE(result.scores.has_value());
    ASSERT_EQ(result.scores->size(), 3u);
    EXPECT_NEAR((*result.scores)[0], 1.0, 1e-14);
    EXPECT_NEAR((*result.scores)[1], 1.0, 1e-14);
    EXPECT_NEAR((*result.scores)[2], result.differences[2] / (result.f_base - result.f_source),
                1e-14);
  }
}

// No gap, no scores: not inf, not NaN, but std::nullopt; the differences are still there. Three
// ways for the two runs to agree: the same input; a symmetric neuron with its inputs swapped (the
// differences are not 0, only the gap is); and two outputs that differ by rounding only, which
// gap_is_zero counts as equal (a test of == 0.0 would not).
TEST(Ch05Ex2PatchingScore, ZeroGapGivesNoScores) {
  const std::vector<double> one_zero = {1.0, 0.0}, zero_one = {0.0, 1.0};
  {
    autodiff::Tape tape;
    nn::Sequential model = neuron(tape, and_w, and_b);
    const PatchingResult same = activation_patching(model, "layer_0.input", one_zero, one_zero);
    EXPECT_FALSE(same.scores.has_value());
    EXPECT_EQ(same.differences.size(), 2u);
  }
  {
    autodiff::Tape tape;
    nn::Sequential model = neuron(tape, {2.0, 2.0}, -1.0);
    const PatchingResult swapped = activation_patching(model, "layer_0.input", one_zero, zero_one);
    EXPECT_FALSE(swapped.scores.has_value());
    ASSERT_EQ(swapped.differences.size(), 2u);
    EXPECT_GT(std::fabs(swapped.differences[0]), 0.1);
  }
  {
    autodiff::Tape tape;
    // z = 4 x_1 + (4 + 8.9e-16) x_2 - 4: the two runs' outputs are 1/2 and 1/2 + 2.2e-16.
    nn::Sequential model = neuron(tape, {4.0, std::nextafter(4.0, 5.0)}, -4.0);
    const PatchingResult rounding = activation_patching(model, "layer_0.input", one_zero, zero_one);
    ASSERT_NE(rounding.f_base, rounding.f_source) << "the test needs outputs that differ";
    EXPECT_FALSE(rounding.scores.has_value());
  }
}

// Any real gap gives scores, however large. AND's clean [1, 0] against corrupt [0, 1] differ by
// about 1e-3 (the two weights are close), and a neuron with weights 1 and 1 + 1e-8 by about 2e-9.
TEST(Ch05Ex2PatchingScore, TinyRealGapStillGivesScores) {
  const std::vector<double> one_zero = {1.0, 0.0}, zero_one = {0.0, 1.0};
  const std::vector<std::vector<double>> weights = {and_w, {1.0, 1.0 + 1e-8}};
  const std::vector<double> biases = {and_b, 0.0};
  for (std::size_t m = 0; m < weights.size(); ++m) {
    autodiff::Tape tape;
    nn::Sequential model = neuron(tape, weights[m], biases[m]);
    const PatchingResult result = activation_patching(model, "layer_0.input", zero_one, one_zero);
    ASSERT_TRUE(result.scores.has_value()) << "model " << m;
    ASSERT_EQ(result.scores->size(), 2u);
    const double f_base = neuron_output(weights[m], biases[m], zero_one);
    const double gap = f_base - neuron_output(weights[m], biases[m], one_zero);
    for (std::size_t i = 0; i < 2; ++i) {
      const double expected =
          (f_base - neuron_output(weights[m], biases[m], patched(zero_one, one_zero, {i}))) / gap;
      // The gap's own rounding error (1e-16 / |gap|) is the tolerance, relative.
      EXPECT_NEAR((*result.scores)[i], expected, 1e-6 * std::fabs(expected))
          << "model " << m << " input " << i;
      EXPECT_GT(std::fabs((*result.scores)[i]), 10.0) << "model " << m << " input " << i;
    }
  }
}

// ---- Exercise 5.3: attribution patching -------------------------------------------------------
// attribution_patching's estimate gradient(f at base) * (base_i - source_i): against finite
// differences of the model, against the real patching difference for nearby inputs, and +0 for a
// component base and source share.

// The model's gradient at base with respect to the named activation, by central differences of
// output_with_activation, times base - source.
std::vector<double> finite_difference_estimate(nn::Sequential& model, const std::string& layer,
                                               const std::vector<double>& base,
                                               const std::vector<double>& source) {
  const std::vector<double> a = attribution::run_model(model, layer, base).activation;
  const std::vector<double> a0 = attribution::run_model(model, layer, source).activation;
  const double h = 1e-5;
  std::vector<double> estimate(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::vector<double> up = a, down = a;
    up[i] += h;
    down[i] -= h;
    const double slope = (attribution::output_with_activation(model, layer, base, up) -
                          attribution::output_with_activation(model, layer, base, down)) /
                         (2.0 * h);
    estimate[i] = slope * (a[i] - a0[i]);
  }
  return estimate;
}

TEST(Ch05Ex3AttributionPatching, MatchesFiniteDifferencesOfTheModel) {
  {
    autodiff::Tape tape;
    nn::Sequential model = neuron(tape, {1.5, -2.0, 0.5}, 0.25);
    const std::vector<double> base = {1.0, 0.5, -1.0}, source = {0.0, 2.0, 3.0};
    const std::vector<double> estimate = attribution_patching(model, "layer_0.input", base, source);
    const std::vector<double> expected =
        finite_difference_estimate(model, "layer_0.input", base, source);
    ASSERT_EQ(estimate.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(estimate[i], expected[i], 1e-6) << i;
  }
  autodiff::Tape tape;
  nn::Sequential model = hidden_network(tape);
  const std::vector<double> base = {1.0, -0.5}, source = {-0.25, 2.0};
  for (const char* layer : {"layer_0.input", "layer_1.input", "layer_2.input"}) {
    const std::vector<double> estimate = attribution_patching(model, layer, base, source);
    const std::vector<double> expected = finite_difference_estimate(model, layer, base, source);
    ASSERT_EQ(estimate.size(), expected.size()) << layer;
    for (std::size_t i = 0; i < estimate.size(); ++i)
      EXPECT_NEAR(estimate[i], expected[i], 1e-6) << layer << " component " << i;
  }
}

// For a source a step d away, the real difference f(base) - f(base with i from source) is the
// estimate plus O(d^2): here d <= 3e-4, so they agree to about 1e-8, while each is about 1e-4.
// Same sign too: the estimate is signed like the differences.
TEST(Ch05Ex3AttributionPatching, CloseToTheRealDifferenceForNearbyInputs) {
  const std::vector<double> w = {1.5, -2.0, 0.5};
  const double b = 0.25;
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, w, b);
  const std::vector<double> base = {0.5, 0.5, 0.5}, source = {0.5001, 0.4998, 0.5003};
  const std::vector<double> estimate = attribution_patching(model, "layer_0.input", base, source);
  ASSERT_EQ(estimate.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const double difference =
        neuron_output(w, b, base) - neuron_output(w, b, patched(base, source, {i}));
    EXPECT_NEAR(estimate[i], difference, 1e-8) << "component " << i;
    EXPECT_GT(std::fabs(estimate[i]), 1e-5) << "component " << i;
  }
}

// A component base and source share does not move: its estimate is 0, and +0 even where the
// gradient is negative (-2 * 0 would be -0, which prints as "-0").
TEST(Ch05Ex3AttributionPatching, ComponentThatDoesNotMoveGetsPositiveZero) {
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, {1.5, -2.0}, 0.25);
  const std::vector<double> base = {1.0, 0.3}, source = {0.0, 0.3};
  const std::vector<double> estimate = attribution_patching(model, "layer_0.input", base, source);
  ASSERT_EQ(estimate.size(), 2u);
  EXPECT_EQ(estimate[1], 0.0);
  EXPECT_FALSE(std::signbit(estimate[1]));
  EXPECT_NE(estimate[0], 0.0);
}
