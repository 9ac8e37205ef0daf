// Chapter 11: the comparison statistics (attribution/comparison.hpp), ablation as ground truth
// (attribution/ablation.hpp) and split IG (attribution/split_ig.hpp). Numbers are checked against
// closed forms: hand-computed statistics, the notebook neurons' patching scores, and networks with
// hand-set weights whose outputs are sigmoids of known sums.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "attribution/ablation.hpp"
#include "attribution/activation_patching.hpp"
#include "attribution/comparison.hpp"
#include "attribution/correlation.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/residual_stream.hpp"
#include "attribution/skip_path.hpp"
#include "attribution/split_ig.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "nn/network.hpp"
#include "nn/residual.hpp"
#include "tests/chapter_output.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using attribution::ComponentSet;

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

TEST(Ch11Selection, SelectedCountRoundsUpWithAGuardForRounding) {
  EXPECT_EQ(attribution::selected_count(8, 0.25), 2U);
  EXPECT_EQ(attribution::selected_count(16, 0.25), 4U);
  EXPECT_EQ(attribution::selected_count(10, 0.3), 3U);  // 3.0000000000000004
  EXPECT_EQ(attribution::selected_count(10, 0.31), 4U);
  EXPECT_EQ(attribution::selected_count(1, 0.01), 1U);
  EXPECT_EQ(attribution::selected_count(7, 0.0), 0U);
  EXPECT_EQ(attribution::selected_count(7, 1.0), 7U);
  EXPECT_EQ(attribution::selected_count(0, 0.5), 0U);
  EXPECT_TRUE(test_support::contains(
      test_support::invalid_argument_message([] { attribution::selected_count(4, 2.0); }),
      "not in [0, 1]"));
}

// torch.quantile's linear rule: position q (n - 1) between the sorted |scores|.
TEST(Ch11Selection, TheStudysQuantileRule) {
  // |s| sorted 1 2 3 4 5; q = 0.9: position 3.6, threshold 4.6: only 5.
  EXPECT_EQ(attribution::quantile_selection(std::vector<double>{3, -5, 1, 2, 4}, 0.9),
            (ComponentSet{1}));
  // q = 0.5: threshold 3: three components, a count no fraction fixed.
  EXPECT_EQ(attribution::quantile_selection(std::vector<double>{3, -5, 1, 2, 4}, 0.5),
            (ComponentSet{0, 1, 4}));
  // Ties are all taken: an all-zero vector selects everything.
  EXPECT_EQ(attribution::quantile_selection(std::vector<double>{0, 0, 0, 0}, 0.9),
            (ComponentSet{0, 1, 2, 3}));
  // Through |.|, A and -A select the same set: the study's "AND" and "OR" sets are one.
  const std::vector<double> a = {0.9, -0.8, 0.1, -0.2, 0.7, -0.95};
  std::vector<double> minus_a;
  for (double v : a) minus_a.push_back(-v);
  EXPECT_EQ(attribution::quantile_selection(a, 0.5), attribution::quantile_selection(minus_a, 0.5));
  EXPECT_THROW(attribution::quantile_selection(std::vector<double>{}, 0.5), std::invalid_argument);
  EXPECT_THROW(attribution::quantile_selection(a, 1.1), std::invalid_argument);
}

TEST(Ch11Statistics, DefinedMeanCountsTheUndefined) {
  const std::vector<std::optional<double>> values = {1.0, std::nullopt, 3.0, std::nullopt};
  const attribution::DefinedMean mean = attribution::defined_mean(values);
  EXPECT_DOUBLE_EQ(*mean.mean, 2.0);
  EXPECT_EQ(mean.defined, 2U);
  EXPECT_EQ(mean.undefined, 2U);
  const std::vector<std::optional<double>> none = {std::nullopt};
  EXPECT_EQ(attribution::defined_mean(none).mean, std::nullopt);
  EXPECT_EQ(attribution::defined_mean(none).undefined, 1U);
  EXPECT_EQ(attribution::defined_mean({}).mean, std::nullopt);
}

TEST(Ch11Statistics, RecallAndPrecision) {
  // Pick {0, 1, 2}, truth {1, 4}: one of two found, one of three right.
  EXPECT_DOUBLE_EQ(*attribution::recall(ComponentSet{0, 1, 2}, ComponentSet{1, 4}), 0.5);
  EXPECT_DOUBLE_EQ(*attribution::precision(ComponentSet{0, 1, 2}, ComponentSet{1, 4}), 1.0 / 3.0);
  EXPECT_EQ(attribution::recall(ComponentSet{0}, ComponentSet{}), std::nullopt);
  EXPECT_EQ(attribution::precision(ComponentSet{}, ComponentSet{0}), std::nullopt);
  EXPECT_DOUBLE_EQ(*attribution::recall(ComponentSet{}, ComponentSet{0}), 0.0);
}

// The notebook's OR neuron (research notes; the course's sign): denoising 0.906 / 0.910, noising
// 0.090 / 0.094. Differences -0.816 both, so the study's signed maximum is -0.816 and its
// asymmetry +1, +1: an OR that looks like an AND. Ours divides by each component's own scale.
TEST(Ch11Asymmetry, TheStudysSignedMaximumTurnsOrsSign) {
  const std::vector<double> denoising = {0.906, 0.910}, noising = {0.090, 0.094};
  const auto study = attribution::study_asymmetry(noising, denoising);
  ASSERT_TRUE(study);
  EXPECT_NEAR((*study)[0], 1.0, 1e-12);
  EXPECT_NEAR((*study)[1], 1.0, 1e-12);
  const auto ours = attribution::relative_asymmetry(noising, denoising);
  EXPECT_NEAR(*ours[0], -0.816 / 0.906, 1e-12);
  EXPECT_NEAR(*ours[1], -0.816 / 0.910, 1e-12);
  // AND: denoising 0.18, noising 0.82: both give a positive sign there.
  const std::vector<double> and_den = {0.18, 0.18}, and_noise = {0.82, 0.82};
  EXPECT_NEAR((*attribution::study_asymmetry(and_noise, and_den))[0], 1.0, 1e-12);
  EXPECT_NEAR(*attribution::relative_asymmetry(and_noise, and_den)[0], 0.64 / 0.82, 1e-12);
}

TEST(Ch11Asymmetry, UndefinedCases) {
  // Both directions agree everywhere: the study divides 0 by 0.
  const std::vector<double> same = {0.5, 0.3};
  EXPECT_EQ(attribution::study_asymmetry(same, same), std::nullopt);
  EXPECT_EQ(attribution::study_asymmetry(std::vector<double>{}, std::vector<double>{}),
            std::nullopt);
  const auto ours = attribution::relative_asymmetry(same, same);
  EXPECT_EQ(*ours[0], 0.0);
  // A component both directions score 0 (a dead neuron).
  EXPECT_EQ(attribution::relative_asymmetry(std::vector<double>{0.0}, std::vector<double>{0.0})[0],
            std::nullopt);
  EXPECT_THROW(attribution::relative_asymmetry(same, std::vector<double>{1.0}),
               std::invalid_argument);
}

// On score vectors it is chapter 5's asymmetry of a patching result, to the bit.
TEST(Ch11Asymmetry, RelativeAsymmetryIsChapter5s) {
  const attribution::Experiment e = attribution::run_experiment(nn::Gate::or_gate, 0, 0);
  const auto ours =
      attribution::relative_asymmetry(*e.patching.noising.scores, *e.patching.denoising.scores);
  ASSERT_EQ(ours.size(), e.asymmetry.size());
  for (std::size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], e.asymmetry[i]);
}

// h1 = relu(x1 + x2), h2 = relu(x1 + x2) (a copy), h3 = relu(-x1 - x2 - 1) (dead), f = sigmoid(
// 10 h1 + 10 h2 - 5 + 0 h3): OR, with either copy enough alone.
nn::StateDict or_with_a_spare() {
  return {{"model.0.weight", {1, 1, 1, 1, -1, -1}},
          {"model.0.bias", {0, 0, -1}},
          {"model.2.weight", {10, 10, 3}},
          {"model.2.bias", {-5}}};
}

TEST(Ch11Ablation, ScoresTheWholeTableInClosedForm) {
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, 2, 3, or_with_a_spare());
  const nn::TruthTable table = nn::truth_table(nn::Gate::or_gate);
  const std::string layer = "layer_1.output";
  const auto activations = attribution::activations_on_table(model, layer, table);
  // Rows [0,0], [0,1], [1,0], [1,1]: h1 = h2 = 0, 1, 1, 2; mean 1.
  const std::vector<double> mean =
      attribution::ablation_values(activations, attribution::Ablation::mean);
  EXPECT_EQ(mean, (std::vector<double>{1.0, 1.0, 0.0}));
  // Nothing ablated, f = sigmoid(20 s - 5) for s = x1 + x2: errors sigmoid(-5), 1 - sigmoid(15)
  // twice, 1 - sigmoid(35).
  const attribution::TableScore whole =
      attribution::ablated_score(model, layer, table, ComponentSet{}, mean);
  EXPECT_EQ(whole.correct_rows, 4);
  EXPECT_NEAR(whole.mean_abs_error, (sigmoid(-5) + 2 * sigmoid(-15) + sigmoid(-35)) / 4, 1e-15);
  // Both copies at their mean: f = sigmoid(15) on every row, and [0, 0] is wrong.
  const attribution::TableScore both =
      attribution::ablated_score(model, layer, table, ComponentSet{0, 1}, mean);
  EXPECT_EQ(both.correct_rows, 3);
  EXPECT_NEAR(both.mean_abs_error, (sigmoid(15) + 3 * sigmoid(-15)) / 4, 1e-15);
  // Zero ablation of one copy: f = sigmoid(10 s - 5), still OR.
  const std::vector<double> zero =
      attribution::ablation_values(activations, attribution::Ablation::zero);
  EXPECT_EQ(attribution::ablated_score(model, layer, table, ComponentSet{1}, zero).correct_rows, 4);
  EXPECT_THROW(attribution::ablated_score(model, layer, table, ComponentSet{3}, zero),
               std::invalid_argument);
  EXPECT_THROW(
      attribution::ablated_score(model, layer, table, ComponentSet{0}, std::vector<double>{0.0}),
      std::invalid_argument);
}

TEST(Ch11Ablation, GroundTruthFindsTheRedundantPair) {
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, 2, 3, or_with_a_spare());
  const nn::TruthTable table = nn::truth_table(nn::Gate::or_gate);
  // Zero ablation: either copy alone, sigmoid(10 s - 5), computes OR; only both ablated break
  // it. The dead h3 is left out.
  const attribution::GroundTruth zero =
      attribution::find_ground_truth(model, "layer_1.output", table, attribution::Ablation::zero);
  EXPECT_EQ(zero.movable, (ComponentSet{0, 1}));
  EXPECT_EQ(zero.smallest_sufficient, (std::vector<ComponentSet>{{0}, {1}}));
  EXPECT_EQ(zero.smallest_breaking, (std::vector<ComponentSet>{{0, 1}}));
  // Mean ablation holds a copy at 1: sigmoid(10 s + 5) is 1 on [0, 0], so each copy breaks the
  // gate alone, and both are needed.
  const attribution::GroundTruth mean =
      attribution::find_ground_truth(model, "layer_1.output", table, attribution::Ablation::mean);
  EXPECT_EQ(mean.movable, (ComponentSet{0, 1}));
  EXPECT_EQ(mean.smallest_sufficient, (std::vector<ComponentSet>{{0, 1}}));
  EXPECT_EQ(mean.smallest_breaking, (std::vector<ComponentSet>{{0}, {1}}));
}

// A network that never computes its gate has no sufficient set.
TEST(Ch11Ablation, NoSufficientSetForAFailedNetwork) {
  autodiff::Tape tape;
  nn::StateDict parameters = or_with_a_spare();
  parameters["model.2.bias"] = {-100};  // 0 on every row
  nn::Sequential model = nn::network(tape, 2, 3, parameters);
  const attribution::GroundTruth truth = attribution::find_ground_truth(
      model, "layer_1.output", nn::truth_table(nn::Gate::or_gate), attribution::Ablation::zero);
  EXPECT_TRUE(truth.smallest_sufficient.empty());
  EXPECT_TRUE(truth.smallest_breaking.empty());  // it is broken already: no set breaks it
}

// or_with_a_spare under zero ablation, with what score_pick and chance_pick_score need.
struct SpareUnderZeroAblation {
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, 2, 3, or_with_a_spare());
  nn::TruthTable table = nn::truth_table(nn::Gate::or_gate);
  std::string layer = "layer_1.output";
  std::vector<std::vector<double>> activations =
      attribution::activations_on_table(model, layer, table);
  std::vector<double> zero = attribution::ablation_values(activations, attribution::Ablation::zero);
  attribution::GroundTruth truth =
      attribution::find_ground_truth(model, layer, table, attribution::Ablation::zero);
};

// or_with_a_spare's zero-ablation truth is {h1} or {h2} alone: each pick's recall and precision
// against the set it matches best, and whether ablating it breaks OR or keeping it alone computes
// OR, by hand.
TEST(Ch11Ablation, APickIsScoredAgainstTheSetItMatchesBest) {
  SpareUnderZeroAblation o;
  const auto score = [&](const ComponentSet& pick) {
    return attribution::score_pick(o.model, o.layer, o.table, o.activations, o.zero, o.truth, pick,
                                   3);
  };
  const attribution::PickScore second = score({1});
  EXPECT_EQ(second.recall, 1.0);
  EXPECT_EQ(second.precision, 1.0);
  EXPECT_EQ(second.matched, (ComponentSet{1}));
  EXPECT_FALSE(second.breaks);  // h1 still computes OR
  EXPECT_TRUE(second.computes);
  // Both copies: recall 1 against either, precision 1/2; the first set wins the tie.
  const attribution::PickScore both = score({0, 1});
  EXPECT_EQ(both.recall, 1.0);
  EXPECT_EQ(both.precision, 0.5);
  EXPECT_EQ(both.matched, (ComponentSet{0}));
  EXPECT_TRUE(both.breaks);
  EXPECT_TRUE(both.computes);
  // The dead h3 alone: it hits nothing, and kept alone nothing computes OR.
  const attribution::PickScore dead = score({2});
  EXPECT_EQ(dead.recall, 0.0);
  EXPECT_EQ(dead.precision, 0.0);
  EXPECT_FALSE(dead.breaks);
  EXPECT_FALSE(dead.computes);
  // An empty pick has no precision.
  const attribution::PickScore none = score({});
  EXPECT_EQ(none.recall, 0.0);
  EXPECT_FALSE(none.precision.has_value());
  EXPECT_TRUE(test_support::contains(test_support::invalid_argument_message([&] { score({3}); }),
                                     "component 3"));
  // With no sufficient set (a network that fails) there is nothing to recall.
  const attribution::PickScore against_nothing =
      attribution::score_pick(o.model, o.layer, o.table, o.activations, o.zero,
                              attribution::GroundTruth{}, ComponentSet{0}, 3);
  EXPECT_FALSE(against_nothing.recall.has_value());
  EXPECT_FALSE(against_nothing.matched.has_value());
}

// Chance picks one neuron of three: {h1} and {h2} hit a sufficient set and compute OR kept alone,
// the dead {h3} does neither, so recall, precision and computes are 2/3 and nothing breaks.
TEST(Ch11Ablation, ChanceIsTheExactMeanOverEveryPickOfItsSize) {
  SpareUnderZeroAblation o;
  const attribution::ExpectedPickScore one = attribution::chance_pick_score(
      o.model, o.layer, o.table, o.activations, o.zero, o.truth, 1, 3);
  EXPECT_EQ(one.sets, 3U);
  EXPECT_NEAR(*one.recall, 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(*one.precision, 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(one.computes, 2.0 / 3.0, 1e-15);
  EXPECT_EQ(one.breaks, 0.0);
  // Two of three: {h1, h2} breaks OR (1 of 3 sets); every pair keeps a copy, so all compute.
  const attribution::ExpectedPickScore two = attribution::chance_pick_score(
      o.model, o.layer, o.table, o.activations, o.zero, o.truth, 2, 3);
  EXPECT_EQ(two.sets, 3U);
  EXPECT_NEAR(two.breaks, 1.0 / 3.0, 1e-15);
  EXPECT_EQ(two.computes, 1.0);
  EXPECT_EQ(two.recall, 1.0);
  EXPECT_NEAR(*two.precision, 1.0 / 2.0, 1e-15);
  // The empty pick is the only set of size 0: its precision is undefined, so the mean's is too.
  const attribution::ExpectedPickScore empty = attribution::chance_pick_score(
      o.model, o.layer, o.table, o.activations, o.zero, o.truth, 0, 3);
  EXPECT_EQ(empty.sets, 1U);
  EXPECT_FALSE(empty.precision.has_value());
  EXPECT_THROW(attribution::chance_pick_score(o.model, o.layer, o.table, o.activations, o.zero,
                                              o.truth, 4, 3),
               std::invalid_argument);
}

// h1 = h2 = relu(x1 + x2), f = sigmoid(10 h1 + 0 h2 + 10 x1 + 10 x2 - 5): the skip path alone
// computes OR.
nn::StateDict or_by_the_skip_path() {
  return {{"model.0.linear.weight", {1, 1, 1, 1}},
          {"model.0.linear.bias", {0, 0}},
          {"model.1.weight", {10, 0, 10, 10}},
          {"model.1.bias", {-5}}};
}

// or_by_the_skip_path, searched over the hidden neurons only: no set breaks
// OR and the empty set suffices (the skip path carries the gate); searched over the whole
// activation, the copies of x become components: h1 with either copy ablated breaks OR, and h1
// kept alone computes it.
TEST(Ch11Ablation, OnlyTheFirstColumnsAreSearchedWhenAskedFor) {
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, 2, 2, or_by_the_skip_path());
  const nn::TruthTable table = nn::truth_table(nn::Gate::or_gate);
  const attribution::GroundTruth hidden = attribution::find_ground_truth(
      model, "layer_0.output", table, attribution::Ablation::zero, 2);
  EXPECT_EQ(hidden.movable, (ComponentSet{0, 1}));
  EXPECT_TRUE(hidden.smallest_breaking.empty());
  EXPECT_EQ(hidden.smallest_sufficient, (std::vector<ComponentSet>{{}}));
  const attribution::GroundTruth whole =
      attribution::find_ground_truth(model, "layer_0.output", table, attribution::Ablation::zero);
  EXPECT_EQ(whole.movable, (ComponentSet{0, 1, 2, 3}));
  EXPECT_EQ(whole.smallest_breaking, (std::vector<ComponentSet>{{0, 2}, {0, 3}}));
  EXPECT_EQ(whole.smallest_sufficient, (std::vector<ComponentSet>{{0}}));
  EXPECT_TRUE(test_support::contains(test_support::invalid_argument_message([&] {
                                       attribution::find_ground_truth(
                                           model, "layer_0.output", table,
                                           attribution::Ablation::zero, 5);
                                     }),
                                     "5 components asked of an activation with 4 columns"));
}

// The same network's picks of hidden neurons, by hand. Against the truth {{}} (the skip path alone
// computes OR) recall is undefined, and so, with no set matched, is precision; ablating h1 leaves
// f = sigmoid(10 x1 + 10 x2 - 5), OR, so nothing breaks, and every pick kept alone computes OR,
// even the empty one, because the copies of x are never ablated. Ablate them too (components 4)
// and the empty pick leaves z = -5 on every row: OR's three true rows fail.
TEST(Ch11Ablation, APickAgainstTheEmptyTruthHasNoRecall) {
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, 2, 2, or_by_the_skip_path());
  const nn::TruthTable table = nn::truth_table(nn::Gate::or_gate);
  const std::string layer = "layer_0.output";
  const auto activations = attribution::activations_on_table(model, layer, table);
  const std::vector<double> zero =
      attribution::ablation_values(activations, attribution::Ablation::zero);
  const attribution::GroundTruth hidden =
      attribution::find_ground_truth(model, layer, table, attribution::Ablation::zero, 2);
  ASSERT_EQ(hidden.smallest_sufficient, (std::vector<ComponentSet>{{}}));
  for (const ComponentSet& pick : {ComponentSet{0}, ComponentSet{1}, ComponentSet{}}) {
    const attribution::PickScore s =
        attribution::score_pick(model, layer, table, activations, zero, hidden, pick, 2);
    EXPECT_FALSE(s.recall.has_value()) << pick.size();
    EXPECT_FALSE(s.precision.has_value()) << pick.size();
    EXPECT_FALSE(s.matched.has_value()) << pick.size();
    EXPECT_FALSE(s.breaks) << pick.size();
    EXPECT_TRUE(s.computes) << pick.size();
  }
  const attribution::ExpectedPickScore chance =
      attribution::chance_pick_score(model, layer, table, activations, zero, hidden, 1, 2);
  EXPECT_EQ(chance.sets, 2U);
  EXPECT_FALSE(chance.recall.has_value());
  EXPECT_FALSE(chance.precision.has_value());
  EXPECT_EQ(chance.breaks, 0.0);
  EXPECT_EQ(chance.computes, 1.0);
  // A copy of x is no hidden neuron: a pick cannot hold it.
  EXPECT_TRUE(test_support::contains(test_support::invalid_argument_message([&] {
                                       attribution::score_pick(model, layer, table, activations,
                                                               zero, hidden, ComponentSet{2}, 2);
                                     }),
                                     "component 2"));
  // Over the whole activation the truth is {h1} (see above): the empty pick kept alone fails.
  const attribution::GroundTruth whole =
      attribution::find_ground_truth(model, layer, table, attribution::Ablation::zero);
  const attribution::PickScore none =
      attribution::score_pick(model, layer, table, activations, zero, whole, ComponentSet{}, 4);
  EXPECT_EQ(none.recall, 0.0);
  EXPECT_FALSE(none.computes);
  const attribution::PickScore first =
      attribution::score_pick(model, layer, table, activations, zero, whole, ComponentSet{0}, 4);
  EXPECT_EQ(first.recall, 1.0);
  EXPECT_EQ(first.precision, 1.0);
  EXPECT_TRUE(first.computes);  // z = 10 h1 - 5: -5, 5, 5, 15
}

// From the corrupt run's activation the steps are chapter 4's layer IG, term by term summed.
TEST(Ch11SplitIg, StepsAddUpToLayerIntegratedGradients) {
  const attribution::Experiment e = attribution::run_experiment(nn::Gate::xor_gate, 8, 2);
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, 2, 2, e.network.parameters);
  const auto steps =
      attribution::integrated_gradients_steps(model, e.layer, e.pair.clean, e.corrupt_activation);
  ASSERT_EQ(steps.attributions.size(), 2U);
  for (std::size_t j = 0; j < 2; ++j)
    EXPECT_NEAR(steps.attributions[j], e.ig.attributions[j], 1e-15);
  EXPECT_NEAR(steps.convergence_delta, e.ig.convergence_delta, 1e-15);
  EXPECT_EQ(steps.outputs.size(), 50U);
  EXPECT_THROW(attribution::integrated_gradients_steps(model, e.layer, e.pair.clean,
                                                       std::vector<double>{0.0}),
               std::invalid_argument);
}

// f = sigmoid(v.h + c) on the straight path: every component's term at node k is
// v_j (h_j - h'_j) sigmoid'(z_k) w_k, so the left part is IG times one factor,
// sum over the left nodes of sigmoid'(z_k) w_k (v.(h - h')) / (f(h) - f(h')).
TEST(Ch11SplitIg, LeftPartIsOneCommonFactorInClosedForm) {
  const attribution::Experiment e = attribution::run_experiment(nn::Gate::xor_gate, 8, 2);
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, 2, 2, e.network.parameters);
  const auto steps =
      attribution::integrated_gradients_steps(model, e.layer, e.pair.clean, e.corrupt_activation);
  const auto split = attribution::split_integrated_gradients(steps, 0.9);
  EXPECT_FALSE(split.reversed);  // f rises from corrupt (0.0006) to clean (0.999)
  const std::vector<double>& v = e.network.parameters.at("model.2.weight");
  const double c = e.network.parameters.at("model.2.bias")[0];
  const auto rule = attribution::quadrature_rule(attribution::Method::gausslegendre, 50);
  double dz = 0.0, left_factor = 0.0;
  for (std::size_t j = 0; j < 2; ++j)
    dz += v[j] * (e.clean_activation[j] - e.corrupt_activation[j]);
  double z0 = c;
  for (std::size_t j = 0; j < 2; ++j) z0 += v[j] * e.corrupt_activation[j];
  std::size_t left_steps = 0;
  const double threshold = split.threshold;
  for (std::size_t k = 0; k < rule.alphas.size(); ++k) {
    const double f = sigmoid(z0 + rule.alphas[k] * dz);
    if (f > threshold) break;
    ++left_steps;
    left_factor += rule.weights[k] * f * (1 - f);
  }
  EXPECT_EQ(split.left_steps, left_steps);
  for (std::size_t j = 0; j < 2; ++j) {
    const double term = v[j] * (e.clean_activation[j] - e.corrupt_activation[j]);
    EXPECT_NEAR(split.left[j], term * left_factor, 1e-12);
    EXPECT_NEAR(split.left[j] + split.right[j], steps.attributions[j], 1e-12);
  }
  // The threshold is min + 0.9 (max - min) of the node outputs.
  double lo = steps.outputs[0], hi = steps.outputs[0];
  for (double f : steps.outputs) lo = std::min(lo, f), hi = std::max(hi, f);
  EXPECT_DOUBLE_EQ(split.threshold, lo + 0.9 * (hi - lo));
}

TEST(Ch11SplitIg, RatioOneIsIgAndTheReversedPath) {
  const attribution::Experiment e = attribution::run_experiment(nn::Gate::xor_gate, 8, 2);
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, 2, 2, e.network.parameters);
  const auto steps =
      attribution::integrated_gradients_steps(model, e.layer, e.pair.clean, e.corrupt_activation);
  const auto whole = attribution::split_integrated_gradients(steps, 1.0);
  EXPECT_EQ(whole.left_steps, 50U);
  for (std::size_t j = 0; j < 2; ++j) {
    EXPECT_NEAR(whole.left[j], steps.attributions[j], 1e-15);
    EXPECT_EQ(whole.right[j], 0.0);
  }
  // From clean to corrupt the output falls: the scan starts at alpha = 1, where it is lowest.
  const auto back =
      attribution::integrated_gradients_steps(model, e.layer, e.pair.corrupt, e.clean_activation);
  const auto split_back = attribution::split_integrated_gradients(back, 0.9);
  EXPECT_TRUE(split_back.reversed);
  EXPECT_GT(split_back.left_steps, 0U);
  EXPECT_LT(split_back.left_steps, 50U);
  EXPECT_THROW(attribution::split_integrated_gradients(steps, 1.5), std::invalid_argument);
  EXPECT_THROW(attribution::split_integrated_gradients(steps, std::nan("")), std::invalid_argument);
  EXPECT_THROW(attribution::split_integrated_gradients({}, 0.9), std::invalid_argument);
}

// A residual network with hand-set weights on AND's pair (clean [1, 1], corrupt [0, 0]):
// h = relu(x) exactly, v = [2, -1], u = [0.5, 0.5], c = -1. Along either IG path the logit moves
// linearly, so IG_j = v_j (h_j(end) - h_j(start)) (f(end) - f(start)) / (z(end) - z(start)).
TEST(Ch11SkipPath, ScoresInClosedForm) {
  attribution::ResidualNetwork network;
  network.gate = nn::Gate::and_gate;
  network.hidden = 2;
  network.parameters = {{"model.0.linear.weight", {1.0, 0.0, 0.0, 1.0}},
                        {"model.0.linear.bias", {0.0, 0.0}},
                        {"model.1.weight", {2.0, -1.0, 0.5, 0.5}},
                        {"model.1.bias", {-1.0}}};
  const auto scores = attribution::skip_path_scores(network);
  ASSERT_TRUE(scores.has_value());
  // z(clean) = 2 - 1 + 1 - 1 = 1, z(corrupt) = -1.
  const double d = sigmoid(1.0) - sigmoid(-1.0);
  // Denoising: base corrupt, z from -1 to 0; noising: base clean, z from 1 to 0.
  const double tol = 1e-12;
  EXPECT_NEAR(scores->ig_denoising[0], 2.0 * (sigmoid(0.0) - sigmoid(-1.0)) / d, tol);
  EXPECT_NEAR(scores->ig_denoising[1], -1.0 * (sigmoid(0.0) - sigmoid(-1.0)) / d, tol);
  EXPECT_NEAR(scores->ig_noising[0], 2.0 * (sigmoid(1.0) - sigmoid(0.0)) / d, tol);
  EXPECT_NEAR(scores->ig_noising[1], -1.0 * (sigmoid(1.0) - sigmoid(0.0)) / d, tol);
  // Patching h1 alone: z = 1 into the corrupt run, z = -1 into the clean run; h2: -2 and 2.
  EXPECT_NEAR(scores->denoising[0], 1.0, tol);
  EXPECT_NEAR(scores->denoising[1], (sigmoid(-2.0) - sigmoid(-1.0)) / d, tol);
  EXPECT_NEAR(scores->noising[0], 1.0, tol);
  EXPECT_NEAR(scores->noising[1], (sigmoid(1.0) - sigmoid(2.0)) / d, tol);
  // The whole hidden layer patched: z = 0 both ways, so neither direction's layer score is 1.
  EXPECT_NEAR(scores->layer_denoising, (sigmoid(0.0) - sigmoid(-1.0)) / d, tol);
  EXPECT_NEAR(scores->layer_noising, (sigmoid(1.0) - sigmoid(0.0)) / d, tol);
  EXPECT_LT(scores->layer_denoising, 0.9);
}

// On a trained model the scores are chapter 10's measurements divided by f(clean) - f(corrupt):
// patching_effects (a separate code path from chapter 5's patching) and study_layer_ig.
TEST(Ch11SkipPath, ScoresAreChapter10sMeasurementsAsShares) {
  const attribution::ResidualNetwork network =
      attribution::train_residual_network(nn::Gate::and_gate, 1, 8);
  ASSERT_TRUE(network.classifies_all_rows);
  const auto scores = attribution::skip_path_scores(network);
  ASSERT_TRUE(scores.has_value());
  const nn::InputPair pair = nn::gate_pair(nn::Gate::and_gate);
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, 2, 8, network.parameters);
  const std::string layer = nn::layer_output_name(0);
  const std::vector<std::size_t> neurons = attribution::hidden_columns(8);
  using attribution::Direction;
  const auto eff_den = attribution::patching_effects(model, layer, pair.clean, pair.corrupt,
                                                     Direction::denoising, neurons);
  const auto eff_noise = attribution::patching_effects(model, layer, pair.clean, pair.corrupt,
                                                       Direction::noising, neurons);
  const auto ig_den = attribution::study_layer_ig(model, layer, pair.clean, pair.corrupt,
                                                  Direction::denoising, neurons);
  const auto ig_noise = attribution::study_layer_ig(model, layer, pair.clean, pair.corrupt,
                                                    Direction::noising, neurons);
  // f(clean) is the noising path's start, f(corrupt) the denoising path's.
  const double d = ig_noise.f_start - ig_den.f_start;
  ASSERT_GT(d, 0.5);
  double den_sum = 0.0, noise_sum = 0.0;
  for (std::size_t j = 0; j < 8; ++j) {
    EXPECT_NEAR(scores->denoising[j], eff_den[j] / d, 1e-13) << j;
    EXPECT_NEAR(scores->noising[j], -eff_noise[j] / d, 1e-13) << j;
    EXPECT_NEAR(scores->ig_denoising[j], ig_den.attributions[j] / d, 1e-13) << j;
    EXPECT_NEAR(scores->ig_noising[j], -ig_noise.attributions[j] / d, 1e-13) << j;
    den_sum += scores->ig_denoising[j];
    noise_sum += scores->ig_noising[j];
  }
  // Completeness: each sum is its direction's whole-layer score, and here the two are far apart
  // (the skip path carries half of AND's denoising effect in this model).
  EXPECT_NEAR(den_sum, scores->layer_denoising, 1e-6);
  EXPECT_NEAR(noise_sum, scores->layer_noising, 1e-6);
  EXPECT_NEAR(scores->layer_denoising, 0.48, 0.01);
  EXPECT_GT(scores->layer_noising, 0.99);
  // Within the model the two IGs are proportional: one common factor per direction.
  EXPECT_GT(*attribution::pearson(scores->ig_denoising, scores->ig_noising), 1.0 - 1e-12);
}

// With the skip path cut (u = 0) the whole hidden layer is the whole run: both layer scores are 1
// and the two IGs are one.
TEST(Ch11SkipPath, WithoutTheSkipPathBothIgsAreOneAndSumToOne) {
  attribution::ResidualNetwork network =
      attribution::train_residual_network(nn::Gate::or_gate, 0, 8);
  network.parameters = nn::without_skip(network.parameters, 2, 8);
  const auto scores = attribution::skip_path_scores(network);
  ASSERT_TRUE(scores.has_value());
  EXPECT_NEAR(scores->layer_denoising, 1.0, 1e-15);
  EXPECT_NEAR(scores->layer_noising, 1.0, 1e-15);
  double sum = 0.0;
  for (std::size_t j = 0; j < 8; ++j) {
    EXPECT_NEAR(scores->ig_denoising[j], scores->ig_noising[j], 1e-12) << j;
    sum += scores->ig_denoising[j];
  }
  EXPECT_NEAR(sum, 1.0, 1e-6);
}

// The chapter's pooled claim at H = 8: over the neurons of the 30 models, IG agrees better with
// patching in its own direction than across, in both directions (chapter 11's printed r's).
TEST(Ch11SkipPath, PooledIgTracksItsOwnDirectionAtWidthEight) {
  std::vector<double> ig_den, ig_noise, den, noise;
  for (nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::xor_gate})
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      const auto network = attribution::train_residual_network(gate, seed, 8);
      if (!network.classifies_all_rows) continue;
      const auto s = attribution::skip_path_scores(network);
      ASSERT_TRUE(s.has_value());
      ig_den.insert(ig_den.end(), s->ig_denoising.begin(), s->ig_denoising.end());
      ig_noise.insert(ig_noise.end(), s->ig_noising.begin(), s->ig_noising.end());
      den.insert(den.end(), s->denoising.begin(), s->denoising.end());
      noise.insert(noise.end(), s->noising.begin(), s->noising.end());
    }
  ASSERT_EQ(den.size(), 240U);
  const double same_den = *attribution::pearson(ig_den, den);
  const double same_noise = *attribution::pearson(ig_noise, noise);
  EXPECT_GT(same_den, *attribution::pearson(ig_den, noise) + 0.03);
  EXPECT_GT(same_noise, *attribution::pearson(ig_noise, den) + 0.03);
  EXPECT_NEAR(same_den, 0.798, 5e-4);
  EXPECT_NEAR(same_noise, 0.798, 5e-4);
}

}  // namespace

// The chapter's README shows what its program prints (tests/chapter_output.hpp).
TEST(Ch11Chapter, ReadmeShowsTheProgramOutput) {
  chapter_output::expect_readme_matches_program("ch11");
}
