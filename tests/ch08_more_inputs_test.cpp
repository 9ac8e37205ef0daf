// Chapter 8: the three-input gates, and patching sets of inputs of one neuron against the closed
// forms of the README's derivation.
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "attribution/experiment.hpp"
#include "attribution/hidden_layer.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/subset_patching.hpp"
#include "attribution/summaries.hpp"
#include "nn/gates.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

TEST(Ch08Gates, ThreeInputTruthTables) {
  for (const char* name : {"and3", "or3", "maj3"}) {
    const nn::Gate gate = nn::parse_any_gate(name);
    EXPECT_STREQ(nn::gate_name(gate), name);
    EXPECT_EQ(nn::input_count(gate), 3u);
    const nn::TruthTable table = nn::truth_table(gate);
    ASSERT_EQ(table.inputs.rows(), 8u);
    ASSERT_EQ(table.inputs.cols(), 3u);
    for (std::size_t r = 0; r < 8; ++r) {
      const int on = static_cast<int>(table.inputs(r, 0) + table.inputs(r, 1) + table.inputs(r, 2));
      EXPECT_EQ(table.inputs(r, 0), static_cast<double>((r >> 2) & 1));
      EXPECT_EQ(table.inputs(r, 2), static_cast<double>(r & 1));
      const double expected = std::string(name) == "and3"  ? (on == 3)
                              : std::string(name) == "or3" ? (on >= 1)
                                                           : (on >= 2);
      EXPECT_EQ(table.targets(r, 0), expected) << name << " row " << r;
    }
  }
  EXPECT_EQ(nn::parse_any_gate("XOR"), nn::Gate::xor_gate);
  EXPECT_EQ(nn::input_count(nn::Gate::xor_gate), 2u);
  // The two-input parser (chapter 3's --gate) is unchanged.
  const std::string message =
      test_support::invalid_argument_message([] { nn::parse_gate("and3"); });
  EXPECT_EQ(message, "unknown gate 'and3'; the gates are: and, or, nand, nor, xor");
  EXPECT_TRUE(test_support::contains(
      test_support::invalid_argument_message([] { nn::parse_any_gate("xnor"); }),
      "and, or, nand, nor, xor, and3, or3, maj3"));
}

TEST(Ch08MoreInputs, PatchingAnAndMatchesTheClosedForms) {
  // The README's n-input AND with n = 3, w = 5, b = -12.5: f_k = sigmoid(5k - 12.5).
  const double w = 5.0, b = -12.5;
  autodiff::Tape tape;
  nn::Sequential model = attribution::neuron(tape, std::vector<double>{w, w, w}, b);
  const std::vector<double> clean = {1, 1, 1}, corrupt = {0, 0, 0};
  auto f = [&](int k) { return sigmoid(k * w + b); };
  const auto sets =
      attribution::subset_patching_both_directions(model, "layer_0.input", clean, corrupt);
  ASSERT_EQ(sets.denoising.subsets.size(), 7u);
  for (const auto& s : sets.denoising.subsets) {
    const int k = static_cast<int>(s.components.size());
    EXPECT_NEAR(*s.score, (f(k) - f(0)) / (f(3) - f(0)), 1e-14);
  }
  for (const auto& s : sets.noising.subsets) {
    const int k = static_cast<int>(s.components.size());
    EXPECT_NEAR(*s.score, (f(3) - f(3 - k)) / (f(3) - f(0)), 1e-14);
  }
  // One input: denoising near 0, noising near 1.
  EXPECT_LT(*sets.denoising.subsets[0].score, 0.01);
  EXPECT_GT(*sets.noising.subsets[0].score, 0.9);
  // denoising(S) + noising(rest) = 1: {x1} is subset 0, {x2, x3} subset 5.
  EXPECT_NEAR(*sets.denoising.subsets[0].score + *sets.noising.subsets[5].score, 1.0, 1e-14);
  EXPECT_NEAR(*sets.denoising.subsets[5].score + *sets.noising.subsets[0].score, 1.0, 1e-14);
}

TEST(Ch08MoreInputs, TrainedGatesSplitIgInThirds) {
  for (nn::Gate gate : {nn::Gate::and3_gate, nn::Gate::or3_gate, nn::Gate::maj3_gate}) {
    const auto trained = attribution::train_neuron(gate, 0, 2000, 0.5);
    EXPECT_TRUE(trained.classifies_all_rows) << nn::gate_name(gate);
    ASSERT_EQ(trained.weights.size(), 3u);
    autodiff::Tape tape;
    nn::Sequential model = attribution::neuron(tape, trained.weights, trained.bias);
    const auto pair = attribution::gate_pair(gate);
    const auto ig = attribution::integrated_gradients(model, pair.clean, pair.corrupt);
    EXPECT_LT(std::fabs(ig.convergence_delta), 1e-9);
    const std::optional<std::vector<double>> shares = attribution::ig_shares(ig);
    ASSERT_TRUE(shares.has_value());
    for (double share : *shares) EXPECT_NEAR(share, 1.0 / 3.0, 0.01) << nn::gate_name(gate);
  }
}

TEST(Ch08MoreInputs, SubsetPatchingRejectsTooManyComponents) {
  autodiff::Tape tape;
  nn::Sequential model = attribution::neuron(tape, std::vector<double>(11, 1.0), 0.0);
  const std::vector<double> base(11, 0.0), source(11, 1.0);
  EXPECT_TRUE(test_support::contains(test_support::invalid_argument_message([&] {
                                       attribution::subset_patching(model, "layer_0.input", base,
                                                                    source);
                                     }),
                                     "at most 10"));
}

}  // namespace
