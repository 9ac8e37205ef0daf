// Chapter 6's exercises: a patching direction's claim (6.1) and IG's even split (6.2), the verdicts
// attribution::analyse makes for the AND and OR neurons. Each is checked directly, on scores and
// shares written out, and through the experiment on neurons with hand-set weights, whose scores
// follow from sigmoids (the README of chapter 5 works them out for the AND neuron).
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "attribution/experiment.hpp"
#include "nn/gates.hpp"

#include <gtest/gtest.h>

namespace {

using Scores = std::optional<std::vector<double>>;

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// The neuron sigmoid(w.x + b), analysed without training.
attribution::Experiment analyse_neuron(nn::Gate gate, const std::vector<double>& weights,
                                       double bias) {
  return attribution::analyse(
      attribution::given_network(gate, 0, {{"model.0.weight", weights}, {"model.0.bias", {bias}}}));
}

// The verdict of that name; a failed expectation and holds = false when there is none.
attribution::Verdict verdict(const attribution::Experiment& e, const std::string& name) {
  for (const attribution::Verdict& v : e.verdicts)
    if (v.name == name) return v;
  ADD_FAILURE() << "no verdict " << name;
  return {};
}

// The notebook's trained AND neuron (chapter 5): denoising scores each input about 0.18, noising
// about 0.82.
const std::vector<double> and_weights = {3.0482, 3.0556};
constexpr double and_bias = -4.7946;

// The claim's name and text: "<direction>_finds_both" or "_misses_both" (the keys of `latent
// experiment --json`), and the claim in words with the direction's arrow.
TEST(Ch06Ex1DirectionClaim, NamesTheDirectionAndWhatItClaims) {
  const Scores scores = std::vector<double>{0.2, 0.3};
  const attribution::Verdict misses =
      attribution::direction_claim("denoising", "clean -> corrupt", scores, false);
  EXPECT_EQ(misses.name, "denoising_misses_both");
  EXPECT_EQ(misses.claim, "denoising (clean -> corrupt) misses both inputs: scores < 0.5");
  const attribution::Verdict finds =
      attribution::direction_claim("noising", "corrupt -> clean", scores, true);
  EXPECT_EQ(finds.name, "noising_finds_both");
  EXPECT_EQ(finds.claim, "noising (corrupt -> clean) finds both inputs: scores > 0.5");
}

// It holds when every score is on the claimed side of 0.5, strictly, for any number of
// components; one score on the other side (or at 0.5) and it fails.
TEST(Ch06Ex1DirectionClaim, HoldsExactlyWhenEveryScoreIsOnTheClaimedSide) {
  auto holds = [](const std::vector<double>& scores, bool finds_both) {
    return attribution::direction_claim("noising", "corrupt -> clean", scores, finds_both).holds;
  };
  EXPECT_TRUE(holds({0.9, 0.7}, true));
  EXPECT_FALSE(holds({0.9, 0.7}, false));
  EXPECT_TRUE(holds({0.1, 0.49}, false));
  EXPECT_FALSE(holds({0.1, 0.49}, true));
  EXPECT_FALSE(holds({0.9, 0.1}, true));
  EXPECT_FALSE(holds({0.9, 0.1}, false));
  EXPECT_FALSE(holds({0.1, 0.9}, true));
  EXPECT_FALSE(holds({0.1, 0.9}, false));
  EXPECT_FALSE(holds({0.5, 0.9}, true));
  EXPECT_FALSE(holds({0.1, 0.5}, false));
  EXPECT_TRUE(holds({0.6, 0.8, 1.2}, true));
  EXPECT_FALSE(holds({0.6, 0.8, 0.2}, true));
  EXPECT_TRUE(holds({-0.3, 0.0}, false));  // a negative score is below 0.5
}

// No scores (the two runs agree: nothing to share out) and neither claim holds.
TEST(Ch06Ex1DirectionClaim, NoScoresNoClaim) {
  for (bool finds_both : {true, false}) {
    const attribution::Verdict v =
        attribution::direction_claim("denoising", "clean -> corrupt", std::nullopt, finds_both);
    EXPECT_FALSE(v.holds) << finds_both;
    EXPECT_EQ(v.name, finds_both ? "denoising_finds_both" : "denoising_misses_both");
  }
}

// Through the experiment: the AND neuron's denoising misses both inputs and its noising finds both,
// so AND's two claims hold; the same neuron called an OR makes OR's claims (denoising finds both,
// noising misses both), and both fail.
TEST(Ch06Ex1DirectionClaim, TheAndNeuronHoldsAndsClaimsAndFailsOrs) {
  // Denoising x1: sigmoid(w1 + b) against sigmoid(b), out of sigmoid(w1 + w2 + b) - sigmoid(b).
  const double gap = sigmoid(and_weights[0] + and_weights[1] + and_bias) - sigmoid(and_bias);
  const double denoising_x1 = (sigmoid(and_weights[0] + and_bias) - sigmoid(and_bias)) / gap;
  ASSERT_LT(denoising_x1, 0.5);

  const attribution::Experiment as_and = analyse_neuron(nn::Gate::and_gate, and_weights, and_bias);
  ASSERT_TRUE(as_and.patching.denoising.scores.has_value());
  EXPECT_NEAR((*as_and.patching.denoising.scores)[0], denoising_x1, 1e-12);
  EXPECT_TRUE(verdict(as_and, "denoising_misses_both").holds);
  EXPECT_TRUE(verdict(as_and, "noising_finds_both").holds);

  const attribution::Experiment as_or = analyse_neuron(nn::Gate::or_gate, and_weights, and_bias);
  EXPECT_FALSE(verdict(as_or, "denoising_finds_both").holds);
  EXPECT_FALSE(verdict(as_or, "noising_misses_both").holds);
  EXPECT_FALSE(as_or.all_hold());
}

// An OR neuron, sigmoid(5 x1 + 5 x2 - 2.5): denoising one input gives (sigmoid(2.5) -
// sigmoid(-2.5)) / (sigmoid(7.5) - sigmoid(-2.5)) = 0.92, noising one (sigmoid(7.5) - sigmoid(2.5))
// / (same) = 0.08: OR's claims hold.
TEST(Ch06Ex1DirectionClaim, AnOrNeuronHoldsOrsClaims) {
  const attribution::Experiment e = analyse_neuron(nn::Gate::or_gate, {5.0, 5.0}, -2.5);
  EXPECT_TRUE(verdict(e, "denoising_finds_both").holds);
  EXPECT_TRUE(verdict(e, "noising_misses_both").holds);
  EXPECT_TRUE(e.all_hold());
}

// A lopsided neuron, sigmoid(6 x1 + 0.2 x2 - 3): x1 alone does almost everything in both
// directions (scores 0.99), x2 almost nothing (0.01), so no direction finds or misses *both*.
TEST(Ch06Ex1DirectionClaim, ALopsidedNeuronFindsOneInputAndMissesTheOther) {
  const attribution::Experiment e = analyse_neuron(nn::Gate::and_gate, {6.0, 0.2}, -3.0);
  ASSERT_TRUE(e.patching.denoising.scores && e.patching.noising.scores);
  EXPECT_GT((*e.patching.denoising.scores)[0], 0.5);
  EXPECT_LT((*e.patching.denoising.scores)[1], 0.5);
  EXPECT_FALSE(verdict(e, "denoising_misses_both").holds);
  EXPECT_FALSE(verdict(e, "noising_finds_both").holds);
}

// A neuron that ignores its inputs, sigmoid(0): f(clean) = f(corrupt), no scores, and neither
// direction's claim holds.
TEST(Ch06Ex1DirectionClaim, AZeroGapHoldsNoClaim) {
  for (nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate}) {
    const attribution::Experiment e = analyse_neuron(gate, {0.0, 0.0}, 0.0);
    ASSERT_FALSE(e.patching.denoising.scores.has_value());
    const bool is_and = gate == nn::Gate::and_gate;
    EXPECT_FALSE(verdict(e, is_and ? "denoising_misses_both" : "denoising_finds_both").holds);
    EXPECT_FALSE(verdict(e, is_and ? "noising_finds_both" : "noising_misses_both").holds);
  }
}

// Every share within 0.5 +- 0.05 is an even split, however many shares; one outside, or no shares
// at all, is not.
TEST(Ch06Ex2EvenSplit, EveryShareWithinTheToleranceOfOneHalf) {
  EXPECT_EQ(attribution::even_split_tolerance, 0.05);
  EXPECT_TRUE(attribution::splits_evenly(std::vector<double>{0.5, 0.5}));
  EXPECT_TRUE(attribution::splits_evenly(std::vector<double>{0.549, 0.451}));
  EXPECT_TRUE(attribution::splits_evenly(std::vector<double>{0.46, 0.47, 0.53}));
  EXPECT_FALSE(attribution::splits_evenly(std::vector<double>{0.551, 0.449}));
  EXPECT_FALSE(attribution::splits_evenly(std::vector<double>{0.5, 0.5, 0.6}));
  EXPECT_FALSE(attribution::splits_evenly(std::vector<double>{1.0, 0.0}));
  EXPECT_FALSE(attribution::splits_evenly(std::vector<double>{-0.5, -0.5}));
  EXPECT_FALSE(attribution::splits_evenly(std::vector<double>{1.5, -0.5}));
  EXPECT_FALSE(attribution::splits_evenly(std::nullopt));
}

// Through the experiment: equal weights split IG exactly in half (by symmetry), so the verdict
// holds; for sigmoid(6 x1 + 0.2 x2 - 3) the shares are 6/6.2 and 0.2/6.2 (the neuron's IG is
// w_i (x_i - x'_i) times one common integral), so it fails; a zero gap has no shares and fails.
TEST(Ch06Ex2EvenSplit, EqualWeightsSplitEvenlyUnequalOnesAndAZeroGapDoNot) {
  const attribution::Experiment equal = analyse_neuron(nn::Gate::and_gate, {3.0, 3.0}, -4.5);
  ASSERT_TRUE(equal.ig_shares.has_value());
  EXPECT_NEAR((*equal.ig_shares)[0], 0.5, 1e-12);
  EXPECT_TRUE(verdict(equal, "ig_even_split").holds);

  const attribution::Experiment unequal = analyse_neuron(nn::Gate::and_gate, {6.0, 0.2}, -3.0);
  ASSERT_TRUE(unequal.ig_shares.has_value());
  EXPECT_NEAR((*unequal.ig_shares)[0], 6.0 / 6.2, 1e-9);
  EXPECT_FALSE(verdict(unequal, "ig_even_split").holds);

  const attribution::Experiment flat = analyse_neuron(nn::Gate::or_gate, {0.0, 0.0}, 0.0);
  EXPECT_FALSE(flat.ig_shares.has_value());
  EXPECT_FALSE(verdict(flat, "ig_even_split").holds);

  const attribution::Experiment notebook =
      analyse_neuron(nn::Gate::and_gate, and_weights, and_bias);
  EXPECT_TRUE(verdict(notebook, "ig_even_split").holds);  // shares 0.4994 and 0.5006
}

}  // namespace
