// Chapter 7: layer integrated gradients and patching at a hidden ReLU layer, against sums done by
// hand; completeness, and what the ReLU's kink does to it; the training counts the chapter reports.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "attribution/experiment.hpp"
#include "attribution/hidden_layer.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/subset_patching.hpp"
#include "attribution/summaries.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

// A fixed network, written out:
//   h1 = relu(2 x1 + x2 - 0.5),  h2 = relu(x1 - x2 + 0.5),  f = sigmoid(1.5 h1 - 2 h2 + 0.3).
const nn::StateDict fixed_weights = {{"model.0.weight", {2.0, 1.0, 1.0, -1.0}},
                                     {"model.0.bias", {-0.5, 0.5}},
                                     {"model.2.weight", {1.5, -2.0}},
                                     {"model.2.bias", {0.3}}};
const std::vector<double> clean = {1.0, 0.0};    // h = [1.5, 1.5]
const std::vector<double> corrupt = {0.0, 1.0};  // h = [0.5, 0]

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

TEST(Ch07HiddenLayer, LayerIgMatchesTheIntegralByHand) {
  autodiff::Tape tape;
  nn::Sequential model = attribution::hidden_layer_network(tape, 2, 2, fixed_weights);
  // Along the straight path from h(corrupt) = [0.5, 0] to h(clean) = [1.5, 1.5], z = 1.5 h1 - 2 h2
  // + 0.3 moves linearly from z0 = 1.05 to z1 = -0.45, and df/dh_j = v_j sigmoid'(z), so
  //   IG_j = (h_j(clean) - h_j(corrupt)) v_j (sigmoid(z1) - sigmoid(z0)) / (z1 - z0).
  const double z0 = 1.05, z1 = -0.45;
  const double slope = (sigmoid(z1) - sigmoid(z0)) / (z1 - z0);
  const std::vector<double> expected = {1.0 * 1.5 * slope, 1.5 * -2.0 * slope};
  const auto ig =
      attribution::layer_integrated_gradients(model, attribution::hidden_layer, clean, corrupt);
  ASSERT_EQ(ig.attributions.size(), 2u);
  for (std::size_t j = 0; j < 2; ++j) EXPECT_NEAR(ig.attributions[j], expected[j], 1e-14);
  EXPECT_NEAR(ig.f_input, sigmoid(z1), 1e-15);
  EXPECT_NEAR(ig.f_baseline, sigmoid(z0), 1e-15);
  EXPECT_LT(std::fabs(ig.convergence_delta), 1e-15);
}

TEST(Ch07HiddenLayer, PatchingMatchesTheRunsByHand) {
  autodiff::Tape tape;
  nn::Sequential model = attribution::hidden_layer_network(tape, 2, 2, fixed_weights);
  const double f_clean = sigmoid(1.5 * 1.5 - 2.0 * 1.5 + 0.3);    // -0.45
  const double f_corrupt = sigmoid(1.5 * 0.5 - 2.0 * 0.0 + 0.3);  // 1.05
  // Denoising: the corrupt run h = [0.5, 0] with one clean value; noising: the clean run
  // h = [1.5, 1.5] with one corrupt value.
  const std::vector<double> denoised = {sigmoid(1.5 * 1.5 + 0.3), sigmoid(1.5 * 0.5 - 3.0 + 0.3)};
  const std::vector<double> noised = {sigmoid(1.5 * 0.5 - 3.0 + 0.3), sigmoid(1.5 * 1.5 + 0.3)};
  const auto patching =
      attribution::patch_both_directions(model, attribution::hidden_layer, clean, corrupt);
  ASSERT_TRUE(patching.denoising.scores && patching.noising.scores);
  for (std::size_t j = 0; j < 2; ++j) {
    EXPECT_NEAR(patching.denoising.differences[j], f_corrupt - denoised[j], 1e-15);
    EXPECT_NEAR((*patching.denoising.scores)[j], (f_corrupt - denoised[j]) / (f_corrupt - f_clean),
                1e-14);
    EXPECT_NEAR(patching.noising.differences[j], f_clean - noised[j], 1e-15);
    EXPECT_NEAR((*patching.noising.scores)[j], (f_clean - noised[j]) / (f_clean - f_corrupt),
                1e-14);
  }
  // Both neurons at once: the patched run is the other run.
  const auto sets = attribution::subset_patching_both_directions(model, attribution::hidden_layer,
                                                                 clean, corrupt);
  ASSERT_EQ(sets.denoising.subsets.size(), 3u);
  EXPECT_EQ(attribution::subset_text(sets.denoising.subsets[2].components), "{0, 1}");
  EXPECT_NEAR(*sets.denoising.subsets[2].score, 1.0, 1e-15);
  EXPECT_NEAR(*sets.noising.subsets[2].score, 1.0, 1e-15);
  EXPECT_EQ(sets.noising.subsets[0].difference, patching.noising.differences[0]);
}

TEST(Ch07HiddenLayer, AKinkOnThePathSlowsConvergenceToOneOverN) {
  autodiff::Tape tape;
  nn::Sequential model = attribution::hidden_layer_network(tape, 2, 2, fixed_weights);
  // From the input, h2's pre-activation x1 - x2 + 0.5 goes from -0.5 to 1.5: it crosses zero a
  // quarter of the way along, where the integrand jumps. Past the ReLU there is no kink.
  const std::vector<int> ns = {50, 100, 200, 400, 800, 1600};
  std::vector<double> errors;
  for (int n : ns) {
    const double at_input =
        attribution::integrated_gradients(model, clean, corrupt, n).convergence_delta;
    const double at_hidden =
        attribution::layer_integrated_gradients(model, attribution::hidden_layer, clean, corrupt, n)
            .convergence_delta;
    EXPECT_LT(std::fabs(at_hidden), 1e-14) << n;
    EXPECT_LT(std::fabs(at_input) * n, 0.4) << n;  // within C / n
    errors.push_back(std::fabs(at_input));
  }
  EXPECT_GT(errors[0], 1e-3);  // far above the smooth case's rounding
  const double slope = test_support::convergence_slope(ns, errors);
  EXPECT_GT(slope, -1.6);
  EXPECT_LT(slope, -0.8);
}

TEST(Ch07HiddenLayer, CompleteForEveryTrainedModel) {
  for (nn::Gate gate :
       {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::nand_gate, nn::Gate::xor_gate})
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      const auto e = attribution::run_hidden_layer_experiment(gate, seed);
      EXPECT_LT(std::fabs(e.ig.convergence_delta), 1e-9) << nn::gate_name(gate) << " " << seed;
    }
}

TEST(Ch07HiddenLayer, ADeadNeuronGetsZeroFromEveryMethod) {
  // AND, seed 1: the first hidden neuron is dead after training (chapter 7's table).
  const auto e = attribution::run_hidden_layer_experiment(nn::Gate::and_gate, 1);
  ASSERT_TRUE(e.train.dead[0]);
  EXPECT_FALSE(e.train.dead[1]);
  EXPECT_EQ(e.ig.attributions[0], 0.0);
  EXPECT_EQ(e.patching.denoising.differences[0], 0.0);
  EXPECT_EQ(e.patching.noising.differences[0], 0.0);
  EXPECT_FALSE(e.asymmetry[0].has_value());
  EXPECT_NEAR((*e.ig_shares)[1], 1.0, 1e-9);
}

TEST(Ch07HiddenLayer, XorIsLearntByOneSeedOfTenWithTwoNeuronsAndEightWithFour) {
  int two = 0, four = 0;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    two += attribution::train_network(nn::Gate::xor_gate, seed, 2).classifies_all_rows ? 1 : 0;
    four += attribution::train_network(nn::Gate::xor_gate, seed, 4).classifies_all_rows ? 1 : 0;
  }
  EXPECT_EQ(two, 1);
  EXPECT_EQ(four, 8);
  const auto seed8 = attribution::train_network(nn::Gate::xor_gate, 8, 2);
  EXPECT_TRUE(seed8.classifies_all_rows);
  EXPECT_EQ(seed8.correct_rows, 4);
  EXPECT_EQ(seed8.dead_count(), 0);
}

TEST(Ch07HiddenLayer, GatePairsHaveDifferentTargets) {
  for (nn::Gate gate :
       {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::nand_gate, nn::Gate::nor_gate,
        nn::Gate::xor_gate, nn::Gate::and3_gate, nn::Gate::or3_gate, nn::Gate::maj3_gate}) {
    const auto pair = attribution::gate_pair(gate);
    const nn::TruthTable table = nn::truth_table(gate);
    auto target = [&](const std::vector<double>& x) {
      std::size_t row = 0;
      for (double v : x) row = 2 * row + static_cast<std::size_t>(v);
      return table.targets(row, 0);
    };
    ASSERT_EQ(pair.clean.size(), nn::input_count(gate));
    EXPECT_NE(target(pair.clean), target(pair.corrupt)) << nn::gate_name(gate);
  }
}

TEST(Ch07HiddenLayer, RejectsBadSizes) {
  using test_support::contains;
  using test_support::invalid_argument_message;
  autodiff::Tape tape;
  EXPECT_TRUE(contains(invalid_argument_message(
                           [&] { attribution::hidden_layer_network(tape, 2, 0, fixed_weights); }),
                       "0 hidden neurons"));
  EXPECT_TRUE(contains(invalid_argument_message(
                           [&] { attribution::hidden_layer_network(tape, 2, 3, fixed_weights); }),
                       "model.0.weight"));
  EXPECT_TRUE(contains(
      invalid_argument_message([] { attribution::train_network(nn::Gate::xor_gate, 0, 17); }),
      "give 1 to 16"));
}

TEST(Ch07SubsetPatching, EverySetInOrder) {
  autodiff::Tape tape;
  nn::Sequential model = attribution::neuron(tape, std::vector<double>{1.0, 2.0, 3.0}, -1.0);
  const std::vector<double> base = {0, 0, 0}, source = {1, 1, 1};
  const auto result = attribution::subset_patching(model, "layer_0.input", base, source);
  std::vector<std::string> sets;
  for (const auto& s : result.subsets) sets.push_back(attribution::subset_text(s.components));
  EXPECT_EQ(sets, (std::vector<std::string>{"{0}", "{1}", "{2}", "{0, 1}", "{0, 2}", "{1, 2}",
                                            "{0, 1, 2}"}));
  // {0, 2} from source: z = 1 + 3 - 1.
  EXPECT_NEAR(result.subsets[4].difference, sigmoid(-1.0) - sigmoid(3.0), 1e-15);
  EXPECT_NEAR(*result.subsets.back().score, 1.0, 1e-15);
  const std::vector<std::size_t> out_of_range = {3};
  EXPECT_TRUE(test_support::contains(test_support::invalid_argument_message([&] {
                                       attribution::output_with_components(
                                           model, "layer_0.input", base, source, out_of_range);
                                     }),
                                     "component 3"));
}

}  // namespace
