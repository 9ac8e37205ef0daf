// Chapter 8's exercises: every subset of components (8.1, attribution::all_subsets) and how many
// components it takes (8.2, attribution::components_needed). The subsets are checked by their
// properties (how many, in which order, each a sorted set without repeats); the count on synthetic
// patching results and on the README's AND3 and OR3 neurons, whose scores have closed forms.
#include <cmath>
#include <cstddef>
#include <optional>
#include <set>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/subset_patching.hpp"
#include "nn/network.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using attribution::ComponentSet;

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

std::size_t binomial(std::size_t n, std::size_t k) {
  std::size_t result = 1;
  for (std::size_t i = 1; i <= k; ++i) result = result * (n - k + i) / i;
  return result;
}

// The subsets of {0, 1, 2}, as the header lists them.
TEST(Ch08Ex1AllSubsets, ThreeComponents) {
  EXPECT_EQ(attribution::all_subsets(3),
            (std::vector<ComponentSet>{{0}, {1}, {2}, {0, 1}, {0, 2}, {1, 2}, {0, 1, 2}}));
  EXPECT_EQ(attribution::all_subsets(1), (std::vector<ComponentSet>{{0}}));
  EXPECT_EQ(attribution::all_subsets(2), (std::vector<ComponentSet>{{0}, {1}, {0, 1}}));
}

// No components, no non-empty subset.
TEST(Ch08Ex1AllSubsets, NoComponentsNoSets) { EXPECT_TRUE(attribution::all_subsets(0).empty()); }

// For n = 1 to 10 (the largest allowed): 2^n - 1 sets, C(n, k) of each size k, each strictly
// increasing within {0, ..., n-1} (sorted, no repeats), in order of size and then
// lexicographically, so that no set comes twice.
TEST(Ch08Ex1AllSubsets, EverySetOnceBySizeThenLexicographically) {
  for (std::size_t n = 1; n <= attribution::max_subset_components; ++n) {
    const std::vector<ComponentSet> sets = attribution::all_subsets(n);
    ASSERT_EQ(sets.size(), (std::size_t{1} << n) - 1) << n;
    std::vector<std::size_t> of_size(n + 1, 0);
    for (std::size_t s = 0; s < sets.size(); ++s) {
      const ComponentSet& set = sets[s];
      ASSERT_FALSE(set.empty()) << n;
      ASSERT_LT(set.back(), n) << n;
      for (std::size_t i = 1; i < set.size(); ++i) ASSERT_LT(set[i - 1], set[i]) << n;
      ++of_size[set.size()];
      if (s == 0) continue;
      const ComponentSet& before = sets[s - 1];
      ASSERT_TRUE(before.size() < set.size() || (before.size() == set.size() && before < set))
          << "n = " << n << ", set " << s;
    }
    for (std::size_t k = 1; k <= n; ++k) EXPECT_EQ(of_size[k], binomial(n, k)) << n << " " << k;
    const std::set<ComponentSet> distinct(sets.begin(), sets.end());
    EXPECT_EQ(distinct.size(), sets.size()) << n;
  }
}

// A patching result with these sets and scores (differences are not looked at).
attribution::PatchingResult result_with(std::vector<ComponentSet> sets,
                                        std::optional<std::vector<double>> scores) {
  attribution::PatchingResult result;
  result.sets = std::move(sets);
  result.differences.assign(result.sets.size(), 0.0);
  result.scores = std::move(scores);
  return result;
}

// The size of the smallest set scoring at least the fraction ("at least": a score equal to it
// counts), whatever order the sets come in.
TEST(Ch08Ex2ComponentsNeeded, TheSmallestSetThatReachesTheFraction) {
  const attribution::PatchingResult result =
      result_with({{0}, {1}, {2}, {0, 1}, {0, 2}, {1, 2}, {0, 1, 2}},
                  std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 1.0});
  EXPECT_EQ(attribution::components_needed(result, 0.05), std::optional<std::size_t>{1});
  EXPECT_EQ(attribution::components_needed(result, 0.3), std::optional<std::size_t>{1});
  EXPECT_EQ(attribution::components_needed(result, 0.35), std::optional<std::size_t>{2});
  EXPECT_EQ(attribution::components_needed(result, 0.7), std::optional<std::size_t>{2});
  EXPECT_EQ(attribution::components_needed(result, 0.75), std::optional<std::size_t>{3});
  EXPECT_EQ(attribution::components_needed(result, 1.0), std::optional<std::size_t>{3});
  EXPECT_EQ(attribution::components_needed(result, -1.0), std::optional<std::size_t>{1});

  const attribution::PatchingResult shuffled = result_with(
      {{0, 1, 2}, {1, 3}, {2}, {0, 2, 3}, {1}}, std::vector<double>{1.0, 0.9, 0.2, 0.95, 0.3});
  EXPECT_EQ(attribution::components_needed(shuffled, 0.25), std::optional<std::size_t>{1});
  EXPECT_EQ(attribution::components_needed(shuffled, 0.5), std::optional<std::size_t>{2});
  EXPECT_EQ(attribution::components_needed(shuffled, 0.92), std::optional<std::size_t>{3});
  EXPECT_EQ(attribution::components_needed(shuffled, 0.99), std::optional<std::size_t>{3});
}

// No scores (a zero gap), no sets, or no set reaching the fraction: std::nullopt.
TEST(Ch08Ex2ComponentsNeeded, NoneWhenNoSetReachesIt) {
  const attribution::PatchingResult result =
      result_with({{0}, {1}, {0, 1}}, std::vector<double>{0.2, 0.3, 0.9});
  EXPECT_EQ(attribution::components_needed(result, 0.95), std::nullopt);
  EXPECT_EQ(attribution::components_needed(result, 2.0), std::nullopt);
  EXPECT_EQ(attribution::components_needed(result_with({{0}, {1}, {0, 1}}, std::nullopt), 0.5),
            std::nullopt);
  EXPECT_EQ(attribution::components_needed(result_with({}, std::vector<double>{}), 0.5),
            std::nullopt);
}

// The README's three-input neurons f_k = sigmoid(5k + b) (k inputs on), patched over every subset
// of the inputs in both directions. A set of k inputs scores (f_k - f_0) / (f_3 - f_0) denoising
// and (f_3 - f_{3-k}) / (f_3 - f_0) noising; the count is the smallest k whose closed-form score
// reaches the fraction. AND3 (b = -12.5) at one half: noising one input is enough, denoising takes
// all three; OR3 (b = -2.5) the reverse.
TEST(Ch08Ex2ComponentsNeeded, AndThreeAndOrThreeInBothDirections) {
  const std::vector<double> clean = {1, 1, 1}, corrupt = {0, 0, 0};
  const std::vector<ComponentSet> sets = attribution::all_subsets(3);
  for (double b : {-12.5, -2.5}) {
    autodiff::Tape tape;
    nn::Sequential model = nn::neuron(tape, std::vector<double>{5.0, 5.0, 5.0}, b);
    const attribution::TwoWayPatching patching =
        attribution::patch_both_directions(model, "layer_0.input", clean, corrupt, sets);
    auto f = [b](int k) { return sigmoid(5.0 * k + b); };
    auto denoising = [&](int k) { return (f(k) - f(0)) / (f(3) - f(0)); };
    auto noising = [&](int k) { return (f(3) - f(3 - k)) / (f(3) - f(0)); };
    for (double fraction : {0.01, 0.05, 0.5, 0.9, 0.95, 0.999}) {
      std::optional<std::size_t> by_denoising, by_noising;
      for (int k = 3; k >= 1; --k) {
        // No closed-form score next to the fraction: rounding cannot decide the count.
        ASSERT_GT(std::fabs(denoising(k) - fraction), 1e-6) << b << " " << fraction;
        ASSERT_GT(std::fabs(noising(k) - fraction), 1e-6) << b << " " << fraction;
        if (denoising(k) >= fraction) by_denoising = static_cast<std::size_t>(k);
        if (noising(k) >= fraction) by_noising = static_cast<std::size_t>(k);
      }
      EXPECT_EQ(attribution::components_needed(patching.denoising, fraction), by_denoising)
          << "b = " << b << ", fraction " << fraction;
      EXPECT_EQ(attribution::components_needed(patching.noising, fraction), by_noising)
          << "b = " << b << ", fraction " << fraction;
    }
    const bool and3 = b == -12.5;
    EXPECT_EQ(attribution::components_needed(patching.denoising, 0.5),
              std::optional<std::size_t>{and3 ? 3u : 1u});
    EXPECT_EQ(attribution::components_needed(patching.noising, 0.5),
              std::optional<std::size_t>{and3 ? 1u : 3u});
  }
}

// Not an exercise: the errors components_needed gives before it counts.
TEST(Ch08ComponentsNeeded, RejectsANanFractionAndScoresNotOnePerSet) {
  using test_support::contains;
  using test_support::invalid_argument_message;
  const attribution::PatchingResult result =
      result_with({{0}, {1}, {0, 1}}, std::vector<double>{0.2, 0.3, 1.0});
  EXPECT_TRUE(contains(
      invalid_argument_message([&] { attribution::components_needed(result, std::nan("")); }),
      "NaN"));
  const attribution::PatchingResult short_scores =
      result_with({{0}, {1}, {0, 1}}, std::vector<double>{0.2, 0.3});
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { attribution::components_needed(short_scores, 0.5); }),
               "2 scores for 3 sets"));
}

}  // namespace
