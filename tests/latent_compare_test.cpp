// `latent compare`: chapter 11's per-model comparison from the command line. Its JSON holds the
// library's own doubles; the numbers obey the chapter's definitions (shares of the gap, the two
// asymmetries, the top fraction, Pearson r and Jaccard recomputed from the printed scores, the
// ground truth's sets), and averaged over chapter 11's models they are the chapter's printed
// agreement table; its text shows the same numbers; bad input is refused naming the flag. With
// --skip (chapter 10's network) the same, and its ground truth is checked set by set with
// ablated_score on the model the library trains for the same seed.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "attribution/ablation.hpp"
#include "attribution/comparison.hpp"
#include "attribution/correlation.hpp"
#include "attribution/experiment.hpp"
#include "attribution/model_run.hpp"
#include "attribution/residual_stream.hpp"
#include "attribution/skip_path.hpp"
#include "attribution/split_ig.hpp"
#include "nn/gates.hpp"
#include "nn/network.hpp"
#include "nn/residual.hpp"
#include "tests/latent_test_support.hpp"

#include <gtest/gtest.h>

namespace {

using namespace latent_test;
using attribution::ComponentSet;

// A JSON array of neuron indices.
ComponentSet set_of(const latent::Json& json) {
  ComponentSet set;
  for (const double j : numbers(json)) set.push_back(static_cast<std::size_t>(j));
  return set;
}

std::vector<ComponentSet> sets_of(const latent::Json& json) {
  std::vector<ComponentSet> sets;
  if (const latent::Json::Array* items = json.get<latent::Json::Array>())
    for (const latent::Json& item : *items) sets.push_back(set_of(item));
  return sets;
}

std::optional<double> optional_number(const latent::Json& json) {
  return is_null(json) ? std::nullopt : std::optional<double>(number(json));
}

std::size_t common(const ComponentSet& a, const ComponentSet& b) {
  return static_cast<std::size_t>(std::count_if(a.begin(), a.end(), [&](std::size_t j) {
    return std::find(b.begin(), b.end(), j) != b.end();
  }));
}

// Pearson's r by its definition, with centred sums.
double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0.0, my = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(y.size());
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

// A JSON value read as a boolean or an array; a value of another kind (a run that failed printed
// nothing) is a failure, never a null pointer read.
bool flag_at(const latent::Json& json, std::initializer_list<std::string_view> keys) {
  const bool* value = at(json, keys).get<bool>();
  EXPECT_NE(value, nullptr) << "not a boolean";
  return value != nullptr && *value;
}
const latent::Json::Array& array_of(const latent::Json& json) {
  static const latent::Json::Array none;
  const latent::Json::Array* items = json.get<latent::Json::Array>();
  EXPECT_NE(items, nullptr) << "not an array";
  return items != nullptr ? *items : none;
}

latent::Json compare_json(const std::vector<std::string>& flags) {
  std::vector<std::string> words = {"compare"};
  words.insert(words.end(), flags.begin(), flags.end());
  words.push_back("--json");
  return json_of(run_strings(words));
}

TEST(LatentCompare, JsonHoldsTheLibrarysDoubles) {
  const latent::Json json = compare_json({"--gate", "or", "--seed", "2"});
  const attribution::Experiment e = attribution::run_experiment(nn::Gate::or_gate, 2, 8);
  ASSERT_TRUE(e.ig_shares && e.patching.denoising.scores && e.patching.noising.scores);
  const std::vector<double>&ig = *e.ig_shares, &den = *e.patching.denoising.scores,
        &noise = *e.patching.noising.scores;
  expect_same_doubles(numbers_at(json, {"ig"}), e.ig.attributions, "ig");
  expect_same_doubles(numbers_at(json, {"ig_share"}), ig, "ig_share");
  expect_same_doubles(numbers_at(json, {"denoising"}), den, "denoising");
  expect_same_doubles(numbers_at(json, {"noising"}), noise, "noising");
  expect_same_doubles(numbers_at(json, {"predictions"}), e.network.predictions, "predictions");
  EXPECT_EQ(number_at(json, {"pearson", "ig_noising"}), *attribution::pearson(ig, noise));
  EXPECT_EQ(number_at(json, {"pearson", "ig_denoising"}), *attribution::pearson(ig, den));
  EXPECT_EQ(set_of(at(json, {"picks", "noising"})), attribution::top_fraction(noise, 0.25));
  EXPECT_EQ(string_at(json, {"architecture"}), nn::architecture(2, 8));

  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, 2, 8, e.network.parameters);
  const attribution::GroundTruth truth = attribution::find_ground_truth(
      model, e.layer, nn::truth_table(nn::Gate::or_gate), attribution::Ablation::mean);
  EXPECT_EQ(set_of(at(json, {"ground_truth", "mean", "movable"})), truth.movable);
  EXPECT_EQ(sets_of(at(json, {"ground_truth", "mean", "smallest_sufficient"})),
            truth.smallest_sufficient);
  EXPECT_EQ(sets_of(at(json, {"ground_truth", "mean", "smallest_breaking"})),
            truth.smallest_breaking);

  // The zero baseline: IG at the layer from h = 0, compared by its attributions.
  const latent::Json zero = compare_json({"--gate", "or", "--seed", "2", "--baseline", "zero"});
  const std::vector<double> zeros(8, 0.0);
  const attribution::IntegratedGradientsSteps steps =
      attribution::integrated_gradients_steps(model, e.layer, e.pair.clean, zeros);
  expect_same_doubles(numbers_at(zero, {"ig"}), steps.attributions, "zero ig");
  EXPECT_EQ(number_at(zero, {"f_baseline"}), steps.f_baseline);
  EXPECT_EQ(number_at(zero, {"pearson", "ig_noising"}),
            *attribution::pearson(steps.attributions, noise));
  EXPECT_EQ(string_at(zero, {"baseline"}), "zero");
}

// Every number checked against its definition, from the other numbers printed beside it.
void expect_chapter_elevens_definitions(const latent::Json& json, const std::string& what) {
  const std::size_t h = static_cast<std::size_t>(number_at(json, {"hidden"}));
  const double fraction = number_at(json, {"fraction"});
  const auto pick_size = static_cast<std::size_t>(number_at(json, {"pick_size"}));
  EXPECT_EQ(pick_size,
            static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(h) - 1e-9)))
      << what;
  const std::vector<double> ig = numbers_at(json, {"ig"}), den = numbers_at(json, {"denoising"}),
                            noise = numbers_at(json, {"noising"});
  ASSERT_EQ(ig.size(), h) << what;
  ASSERT_EQ(den.size(), h) << what;
  // Gauss-Legendre at 50 nodes is close to the integral, not at it: completeness to 1e-6.
  const double gap = number_at(json, {"f_clean"}) - number_at(json, {"f_baseline"});
  double sum = 0.0;
  for (const double value : ig) sum += value;
  EXPECT_NEAR(sum, gap, 1e-6) << what << ": completeness";
  // No gap (every neuron off on the clean input, with h = 0 as the baseline): no shares, and
  // every neuron gets exactly 0.
  const latent::Json& shares = at(json, {"ig_share"});
  std::vector<double> share(h, 0.0);
  if (is_null(shares)) {
    EXPECT_TRUE(std::all_of(ig.begin(), ig.end(), [](double v) { return v == 0.0; })) << what;
  } else {
    share = numbers(shares);
    for (std::size_t j = 0; j < h; ++j)
      EXPECT_NEAR(share[j], ig[j] / gap, 1e-12) << what << " h" << j + 1;
  }

  const bool zero_baseline = string_at(json, {"baseline"}) == "zero";
  const std::vector<double>& ig_scores = zero_baseline ? ig : share;
  const std::vector<std::vector<double>> scores = {ig_scores, den, noise};

  // Ours divides by the neuron's own scale, the study's by the signed maximum.
  const latent::Json& ours = at(json, {"asymmetry"});
  double largest = -INFINITY;
  for (std::size_t j = 0; j < h; ++j) largest = std::max(largest, noise[j] - den[j]);
  for (std::size_t j = 0; j < h; ++j) {
    const std::optional<double> a = optional_number(array_of(ours).at(j));
    const double scale = std::max(std::fabs(noise[j]), std::fabs(den[j]));
    ASSERT_EQ(a.has_value(), scale >= 1e-9) << what << " h" << j + 1;
    if (a) {
      EXPECT_NEAR(*a, (noise[j] - den[j]) / scale, 1e-15) << what << " h" << j + 1;
    }
  }
  const latent::Json& study = at(json, {"study_asymmetry"});
  EXPECT_EQ(is_null(study), std::fabs(largest) < 1e-9) << what;
  if (!is_null(study)) {
    for (std::size_t j = 0; j < h; ++j)
      EXPECT_NEAR(numbers(study)[j], (noise[j] - den[j]) / largest, 1e-12) << what;
  }

  // Each pick: at most pick_size neurons, none with score 0, none below one left out.
  const char* names[] = {"ig", "denoising", "noising"};
  std::vector<ComponentSet> picks;
  for (std::size_t k = 0; k < 3; ++k) {
    picks.push_back(set_of(at(json, {"picks", names[k]})));
    const ComponentSet& pick = picks.back();
    EXPECT_LE(pick.size(), pick_size) << what << " " << names[k];
    EXPECT_TRUE(std::is_sorted(pick.begin(), pick.end())) << what;
    for (std::size_t j = 0; j < h; ++j) {
      const bool in = std::find(pick.begin(), pick.end(), j) != pick.end();
      if (in) {
        EXPECT_GT(std::fabs(scores[k][j]), 0.0) << what << " " << names[k];
      }
      if (!in && pick.size() == pick_size) {
        for (const std::size_t p : pick)
          EXPECT_GE(std::fabs(scores[k][p]), std::fabs(scores[k][j])) << what << " " << names[k];
      }
    }
  }

  // r and Jaccard of each pair, from the scores and picks above.
  const std::pair<std::size_t, std::size_t> pairs[] = {{0, 1}, {0, 2}, {1, 2}};
  for (const auto& pair : pairs) {
    const std::size_t a = pair.first, b = pair.second;  // lambdas below capture them
    const std::string name = std::string(names[a]) + "_" + names[b];
    const std::optional<double> r = optional_number(at(json, {"pearson", name}));
    const bool constant = std::all_of(scores[a].begin(), scores[a].end(),
                                      [&](double v) { return v == scores[a][0]; }) ||
                          std::all_of(scores[b].begin(), scores[b].end(),
                                      [&](double v) { return v == scores[b][0]; });
    ASSERT_EQ(r.has_value(), !constant) << what << " " << name;
    if (r) {
      EXPECT_NEAR(*r, correlation(scores[a], scores[b]), 1e-12) << what << " " << name;
    }
    const std::optional<double> j = optional_number(at(json, {"jaccard", name}));
    const std::size_t both = common(picks[a], picks[b]),
                      either = picks[a].size() + picks[b].size() - both;
    ASSERT_EQ(j.has_value(), either > 0) << what << " " << name;
    if (j) {
      EXPECT_EQ(*j, static_cast<double>(both) / static_cast<double>(either)) << what;
    }
  }

  // The ground truth: sets of one size, of movable neurons; each pick scored against the smallest
  // sufficient set it matches best.
  for (const char* ablation : {"zero", "mean"}) {
    const latent::Json& truth = at(json, {"ground_truth", ablation});
    const ComponentSet movable = set_of(at(truth, {"movable"}));
    for (const char* list : {"smallest_breaking", "smallest_sufficient"}) {
      const std::vector<ComponentSet> sets = sets_of(at(truth, {list}));
      for (const ComponentSet& set : sets) {
        EXPECT_EQ(set.size(), sets[0].size()) << what << " " << ablation << " " << list;
        EXPECT_EQ(common(set, movable), set.size()) << what << " " << ablation << " " << list;
      }
    }
    const std::vector<ComponentSet> sufficient = sets_of(at(truth, {"smallest_sufficient"}));
    for (std::size_t k = 0; k < 3; ++k) {
      const latent::Json& score = at(truth, {"picks", names[k]});
      const std::optional<double> recall = optional_number(at(score, {"recall"}));
      ASSERT_EQ(recall.has_value(), !sufficient.empty() && !sufficient[0].empty()) << what;
      if (!recall) continue;
      const ComponentSet matched = set_of(at(score, {"matched"}));
      EXPECT_NE(std::find(sufficient.begin(), sufficient.end(), matched), sufficient.end());
      const std::size_t hit = common(picks[k], matched);
      EXPECT_EQ(*recall, static_cast<double>(hit) / static_cast<double>(matched.size())) << what;
      for (const ComponentSet& other : sufficient)
        EXPECT_LE(common(picks[k], other), hit) << what << " " << ablation << ": not the best";
      if (!picks[k].empty()) {
        EXPECT_EQ(number_at(score, {"precision"}),
                  static_cast<double>(hit) / static_cast<double>(picks[k].size()))
            << what;
      }
    }
  }
}

TEST(LatentCompare, TheNumbersObeyChapterElevensDefinitions) {
  for (const char* gate : {"and", "or", "xor", "maj3"})
    for (const char* baseline : {"corrupt", "zero"})
      for (const char* hidden : {"8", "16"}) {
        const std::string what = std::string(gate) + " " + baseline + " H " + hidden;
        const latent::Json json = compare_json(
            {"--gate", gate, "--seed", "1", "--hidden", hidden, "--baseline", baseline});
        ASSERT_TRUE(flag_at(json, {"classifies_all_rows"})) << what;
        expect_chapter_elevens_definitions(json, what);
      }
  expect_chapter_elevens_definitions(compare_json({"--gate", "xor", "--fraction", "0.6"}),
                                     "xor, fraction 0.6");
}

// Averaged over chapter 11's models at H = 8 (seeds 0-9 of AND, OR and XOR that classify every
// row), the command's r and Jaccard are the chapter's agreement table
// (chapters/11-comparing-methods/ README.md, to its three decimals): IG vs noising r 0.909, J
// 0.977; IG0 vs noising r 0.640 with 2 undefined, J 0.483; denoising vs noising J 1.000.
TEST(LatentCompare, AveragedOverTheChaptersModelsItIsTheChaptersTable) {
  std::vector<std::optional<double>> r_ig, j_ig, r_zero, j_zero, j_directions;
  for (const char* gate : {"and", "or", "xor"})
    for (int seed = 0; seed < 10; ++seed) {
      const std::string s = std::to_string(seed);
      const latent::Json json = compare_json({"--gate", gate, "--seed", s});
      if (!flag_at(json, {"classifies_all_rows"})) continue;
      const latent::Json zero = compare_json({"--gate", gate, "--seed", s, "--baseline", "zero"});
      expect_chapter_elevens_definitions(json, std::string(gate) + " seed " + s);
      expect_chapter_elevens_definitions(zero, std::string(gate) + " seed " + s + ", zero");
      r_ig.push_back(optional_number(at(json, {"pearson", "ig_noising"})));
      j_ig.push_back(optional_number(at(json, {"jaccard", "ig_noising"})));
      j_directions.push_back(optional_number(at(json, {"jaccard", "denoising_noising"})));
      r_zero.push_back(optional_number(at(zero, {"pearson", "ig_noising"})));
      j_zero.push_back(optional_number(at(zero, {"jaccard", "ig_noising"})));
    }
  ASSERT_EQ(r_ig.size(), 29u);  // 10 + 10 + 9 of 30
  const auto mean = [](const std::vector<std::optional<double>>& values) {
    return attribution::defined_mean(values);
  };
  EXPECT_NEAR(*mean(r_ig).mean, 0.909, 5e-4);
  EXPECT_NEAR(*mean(j_ig).mean, 0.977, 5e-4);
  EXPECT_NEAR(*mean(r_zero).mean, 0.640, 5e-4);
  EXPECT_EQ(mean(r_zero).undefined, 2u);
  EXPECT_NEAR(*mean(j_zero).mean, 0.483, 5e-4);
  EXPECT_EQ(*mean(j_directions).mean, 1.0);
}

TEST(LatentCompare, TextShowsTheSameNumbers) {
  const latent::Json json = compare_json({"--gate", "and"});
  const Outcome text = latent_run({"compare", "--gate", "and"});
  ASSERT_EQ(text.status, 0) << text.err;
  // h2 of AND, seed 0: IG, its share, both scores, both asymmetries, then who picks it.
  const std::vector<std::string> h2 = row_of(text.out, "h2");
  ASSERT_GE(h2.size(), 8u) << text.out;
  EXPECT_EQ(h2[1], fixed(numbers_at(json, {"ig"})[1], 6));
  EXPECT_EQ(h2[2], fixed(numbers_at(json, {"ig_share"})[1], 6));
  EXPECT_EQ(h2[3], fixed(numbers_at(json, {"denoising"})[1], 6));
  EXPECT_EQ(h2[4], fixed(numbers_at(json, {"noising"})[1], 6));
  EXPECT_EQ(h2[6], fixed(numbers_at(json, {"study_asymmetry"})[1], 6));
  EXPECT_EQ(set_of(at(json, {"picks", "ig"})), (ComponentSet{1, 4}));
  EXPECT_EQ(h2[7], "IG,") << text.out;
  const std::vector<std::string> r = row_of(text.out, "IG", 5);  // "IG vs noising r J"
  ASSERT_EQ(r.size(), 5u) << text.out;
  EXPECT_EQ(r[3], fixed(number_at(json, {"pearson", "ig_denoising"}), 6));
  EXPECT_EQ(r[4], fixed(number_at(json, {"jaccard", "ig_denoising"}), 6));

  // A dead neuron (h4 of this model) has no asymmetry of ours: null in the JSON, "undefined" here.
  EXPECT_TRUE(is_null(array_of(at(json, {"asymmetry"})).at(3)));
  EXPECT_EQ(row_of(text.out, "h4").at(5), "undefined");

  // No gap (AND, H = 1, seed 0: the one neuron never fires): every score and statistic undefined.
  const latent::Json dead = compare_json({"--gate", "and", "--hidden", "1"});
  for (const char* key : {"ig_share", "denoising", "noising", "asymmetry", "study_asymmetry"})
    EXPECT_TRUE(is_null(at(dead, {key}))) << key;
  EXPECT_TRUE(is_null(at(dead, {"pearson", "ig_noising"})));
  EXPECT_TRUE(is_null(at(dead, {"ground_truth", "zero", "picks", "ig"})));
  const std::vector<std::string> h1 =
      row_of(latent_run({"compare", "--gate", "and", "--hidden", "1"}).out, "h1");
  EXPECT_EQ(h1, (std::vector<std::string>{"h1", "0.000000", "undefined", "undefined", "undefined",
                                          "undefined", "undefined", "-"}));
}

TEST(LatentCompare, BadInputIsRefusedNamingTheFlag) {
  expect_refused(latent_run({"compare"}), "--gate is required", "no gate");
  expect_refused(latent_run({"compare", "--gate", "and", "--hidden", "0"}),
                 "--hidden: '0' is out of range; allowed 1 to 16", "hidden 0");
  expect_refused(latent_run({"compare", "--gate", "and", "--hidden", "17"}), "--hidden: '17'",
                 "hidden 17");
  for (const char* fraction : {"0", "-0.5", "1.0000001", "2"})
    expect_refused(latent_run({"compare", "--gate", "and", "--fraction", fraction}),
                   "--fraction: '" + std::string(fraction) + "' is out of range", fraction);
  expect_refused(latent_run({"compare", "--gate", "and", "--fraction", "nan"}), "--fraction: 'nan'",
                 "fraction nan");
  expect_refused(latent_run({"compare", "--gate", "and", "--baseline", "0,0"}),
                 "--baseline: '0,0' is not a baseline; give corrupt or zero", "baseline 0,0");
  expect_refused(latent_run({"compare", "--gate", "and", "--csv"}), "unknown flag '--csv'", "csv");
  expect_refused(latent_run({"compare", "--gate", "and", "--n-steps", "5"}),
                 "unknown flag '--n-steps'", "n-steps");
  // A fraction of exactly 1 is allowed: every neuron with a score picked.
  const latent::Json all = compare_json({"--gate", "and", "--fraction", "1"});
  EXPECT_EQ(number_at(all, {"pick_size"}), 8.0);
}

// --split-ratio: the JSON's split IG is the library's (integrated_gradients_steps, then
// split_integrated_gradients) to the bit, from either baseline. Two invariants a wrong split
// would break: ratio 1 keeps every node, so left is IG itself; and in chapter 7's network f is a
// sigmoid of v.h, so every node's terms are in one ratio across the neurons and the left part's
// shares are IG's shares (chapter 11's split-IG check), on every model.
TEST(LatentCompare, SplitRatioAddsTheStudysSplitIg) {
  const latent::Json json =
      compare_json({"--gate", "xor", "--hidden", "2", "--seed", "8", "--split-ratio", "0.9"});
  const attribution::Experiment e = attribution::run_experiment(nn::Gate::xor_gate, 8, 2);
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, 2, 2, e.network.parameters);
  const attribution::SplitIntegratedGradients split = attribution::split_integrated_gradients(
      attribution::integrated_gradients_steps(model, e.layer, e.pair.clean, e.corrupt_activation),
      0.9);
  expect_same_doubles(numbers_at(json, {"split_ig", "left"}), split.left, "left");
  EXPECT_EQ(number_at(json, {"split_ig", "threshold"}), split.threshold);
  EXPECT_EQ(number_at(json, {"split_ig", "left_steps"}), static_cast<double>(split.left_steps));
  EXPECT_EQ(number_at(json, {"split_ig", "n_steps"}), 50.0);
  EXPECT_EQ(number_at(json, {"split_ig", "ratio"}), 0.9);
  EXPECT_FALSE(flag_at(json, {"split_ig", "reversed"}));
  // Chapter 11's numbers for this network: 30 of the 50 nodes, h2's share -0.8477.
  EXPECT_EQ(split.left_steps, 30u);
  EXPECT_NEAR(numbers_at(json, {"split_ig", "left_share"}).at(1), -0.8477, 5e-5);

  const latent::Json zero = compare_json({"--gate", "xor", "--hidden", "2", "--seed", "8",
                                          "--split-ratio", "0.5", "--baseline", "zero"});
  const std::vector<double> zeros(2, 0.0);
  expect_same_doubles(
      numbers_at(zero, {"split_ig", "left"}),
      attribution::split_integrated_gradients(
          attribution::integrated_gradients_steps(model, e.layer, e.pair.clean, zeros), 0.5)
          .left,
      "zero baseline left");

  for (const char* gate : {"and", "or", "xor"})
    for (const char* seed : {"0", "1", "2"}) {
      const std::string what = std::string(gate) + " seed " + seed;
      const latent::Json whole =
          compare_json({"--gate", gate, "--seed", seed, "--split-ratio", "1"});
      const std::vector<double> left = numbers_at(whole, {"split_ig", "left"}),
                                ig = numbers_at(whole, {"ig"});
      ASSERT_EQ(left.size(), ig.size()) << what;
      EXPECT_EQ(number_at(whole, {"split_ig", "left_steps"}), 50.0) << what;
      for (std::size_t j = 0; j < ig.size(); ++j) EXPECT_NEAR(left[j], ig[j], 1e-15) << what;
      const latent::Json part =
          compare_json({"--gate", gate, "--seed", seed, "--split-ratio", "0.9"});
      if (is_null(at(part, {"ig_share"})) || is_null(at(part, {"split_ig", "left_share"})))
        continue;
      const std::vector<double> shares = numbers_at(part, {"split_ig", "left_share"}),
                                ig_shares = numbers_at(part, {"ig_share"});
      double total = 0.0, ig_total = 0.0;
      for (std::size_t j = 0; j < shares.size(); ++j) total += shares[j], ig_total += ig_shares[j];
      EXPECT_NEAR(total, 1.0, 1e-12) << what;
      for (std::size_t j = 0; j < shares.size(); ++j)
        EXPECT_NEAR(shares[j], ig_shares[j] / ig_total, 1e-9) << what << " h" << j + 1;
    }

  // Asked for only: without the flag the JSON has no split_ig, and the text shows the same numbers.
  EXPECT_EQ(compare_json({"--gate", "xor", "--hidden", "2", "--seed", "8"}).find("split_ig"),
            nullptr);
  const Outcome text = latent_run(
      {"compare", "--gate", "xor", "--hidden", "2", "--seed", "8", "--split-ratio", "0.9"});
  ASSERT_EQ(text.status, 0) << text.err;
  const std::size_t at_split =
      text.out.find("split IG (ratio 0.9): the left part sums the 30 of 50");
  ASSERT_NE(at_split, std::string::npos) << text.out;
  const std::vector<std::string> h2 = row_of(text.out.substr(at_split), "h2");
  EXPECT_EQ(h2,
            (std::vector<std::string>{"h2", fixed(split.left[1], 6),
                                      fixed(numbers_at(json, {"split_ig", "left_share"})[1], 6)}));
}

TEST(LatentCompare, ABadSplitRatioIsRefusedNamingTheFlag) {
  for (const char* ratio : {"-0.1", "1.5", "nan"})
    expect_refused(latent_run({"compare", "--gate", "and", "--split-ratio", ratio}),
                   "--split-ratio: '" + std::string(ratio) + "'", ratio);
  expect_refused(latent_run({"compare", "--gate", "and", "--split-ratio", "abc"}), "--split-ratio",
                 "abc");
  expect_refused(latent_run({"compare", "--gate", "and", "--skip", "--split-ratio", "0.9"}),
                 "--split-ratio cannot be given with --skip", "with --skip");
}

// ---- with the skip path ------------------------------------------------------------------------

// The four methods with the skip path, and chapter 11's pairs of them, as the JSON names them.
const char* const skip_methods[] = {"ig_denoising", "ig_noising", "denoising", "noising"};
const std::pair<std::size_t, std::size_t> skip_pairs[] = {{0, 2}, {0, 3}, {1, 3},
                                                          {1, 2}, {2, 3}, {0, 1}};
std::string pair_name(const std::pair<std::size_t, std::size_t>& pair) {
  return std::string(skip_methods[pair.first]) + "_" + skip_methods[pair.second];
}

std::vector<std::string> skip_words(const std::vector<std::string>& flags) {
  std::vector<std::string> words = {"compare", "--skip"};
  words.insert(words.end(), flags.begin(), flags.end());
  words.push_back("--json");
  return words;
}

// The network `latent compare --skip` measures, trained again by the library for the same seed.
struct SkipModel {
  attribution::ResidualNetwork network;
  autodiff::Tape tape;
  nn::Sequential model;
  nn::TruthTable table;
  std::vector<std::vector<double>> activations;  // layer_0.output on every row: [h, x]

  SkipModel(nn::Gate gate, std::uint64_t seed, std::size_t hidden)
      : network(attribution::train_residual_network(gate, seed, hidden)),
        model(nn::residual_network(tape, nn::input_count(gate), hidden, network.parameters)),
        table(nn::truth_table(gate)),
        activations(attribution::activations_on_table(model, "layer_0.output", table)) {}

  // The set kept alone: every other hidden neuron ablated, the skip columns never.
  bool computes_kept(const ComponentSet& kept, attribution::Ablation ablation) {
    ComponentSet ablated;
    for (std::size_t j = 0; j < network.hidden; ++j)
      if (std::find(kept.begin(), kept.end(), j) == kept.end()) ablated.push_back(j);
    return classifies(ablated, ablation);
  }
  bool classifies(const ComponentSet& ablated, attribution::Ablation ablation) {
    const std::vector<double> values = attribution::ablation_values(activations, ablation);
    return attribution::ablated_score(model, "layer_0.output", table, ablated, values)
        .all_correct();
  }
};

TEST(LatentCompareSkip, JsonHoldsTheLibrarysDoubles) {
  const Outcome run = run_strings(skip_words({"--gate", "or", "--seed", "2", "--hidden", "6"}));
  ASSERT_EQ(run.status, 0) << run.err;
  const latent::Json json = json_of(run);
  SkipModel m(nn::Gate::or_gate, 2, 6);
  const std::optional<attribution::SkipPathScores> s = attribution::skip_path_scores(m.network);
  ASSERT_TRUE(s.has_value());
  const std::vector<double>* scores[] = {&s->ig_denoising, &s->ig_noising, &s->denoising,
                                         &s->noising};
  for (std::size_t k = 0; k < 4; ++k) {
    expect_same_doubles(numbers_at(json, {skip_methods[k]}), *scores[k], skip_methods[k]);
    EXPECT_EQ(set_of(at(json, {"picks", skip_methods[k]})),
              attribution::top_fraction(*scores[k], 0.25))
        << skip_methods[k];
  }
  for (const auto& pair : skip_pairs) {
    EXPECT_EQ(number_at(json, {"pearson", pair_name(pair)}),
              attribution::pearson(*scores[pair.first], *scores[pair.second]).value())
        << pair_name(pair);
  }
  EXPECT_EQ(number_at(json, {"layer_denoising"}), s->layer_denoising);
  EXPECT_EQ(number_at(json, {"layer_noising"}), s->layer_noising);
  expect_same_doubles(numbers_at(json, {"predictions"}), m.network.predictions, "predictions");
  const nn::InputPair pair = nn::gate_pair(nn::Gate::or_gate);
  EXPECT_EQ(number_at(json, {"f_clean"}),
            attribution::run_model(m.model, "layer_0.output", pair.clean).output);
  EXPECT_EQ(number_at(json, {"f_corrupt"}),
            attribution::run_model(m.model, "layer_0.output", pair.corrupt).output);
  EXPECT_EQ(string_at(json, {"architecture"}), nn::residual_architecture(2, 6));
  EXPECT_TRUE(flag_at(json, {"skip"}));
  // What has no meaning with the skip path is not there: IG has no one baseline.
  for (const char* key : {"baseline", "f_baseline", "ig", "ig_share"})
    EXPECT_EQ(json.find(key), nullptr) << key;

  for (const attribution::Ablation ablation :
       {attribution::Ablation::zero, attribution::Ablation::mean}) {
    const char* name = attribution::ablation_name(ablation);
    const attribution::GroundTruth truth =
        attribution::find_ground_truth(m.model, "layer_0.output", m.table, ablation, 6);
    const latent::Json& t = at(json, {"ground_truth", name});
    EXPECT_EQ(set_of(at(t, {"movable"})), truth.movable) << name;
    EXPECT_EQ(sets_of(at(t, {"smallest_breaking"})), truth.smallest_breaking) << name;
    EXPECT_EQ(sets_of(at(t, {"smallest_sufficient"})), truth.smallest_sufficient) << name;
    const std::vector<double> values = attribution::ablation_values(m.activations, ablation);
    const attribution::PickScore pick =
        attribution::score_pick(m.model, "layer_0.output", m.table, m.activations, values, truth,
                                attribution::top_fraction(s->noising, 0.25), 6);
    EXPECT_EQ(optional_number(at(t, {"picks", "noising", "recall"})), pick.recall) << name;
    EXPECT_EQ(flag_at(t, {"picks", "noising", "breaks"}), pick.breaks) << name;
  }

  // Without --skip the JSON is what it was: no "skip" key.
  const Outcome plain = run_strings({"compare", "--gate", "or", "--seed", "2", "--json"});
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_EQ(json_of(plain).find("skip"), nullptr);
}

// Every number of a --skip run against its definition: the other numbers printed beside it, and
// for the ground truth, the network itself (trained again by the library) ablated set by set.
void expect_skip_definitions(const latent::Json& json, nn::Gate gate, std::uint64_t seed,
                             const std::string& what) {
  const auto h = static_cast<std::size_t>(number_at(json, {"hidden"}));
  const double fraction = number_at(json, {"fraction"});
  const auto pick_size = static_cast<std::size_t>(number_at(json, {"pick_size"}));
  std::vector<std::vector<double>> scores;
  for (const char* method : skip_methods) {
    scores.push_back(numbers_at(json, {method}));
    ASSERT_EQ(scores.back().size(), h) << what << " " << method;
  }
  // Each IG adds up to its direction's whole-layer patching score (Gauss-Legendre at 50 nodes:
  // close to the integral, not at it), and the two are proportional (chapter 11: both are
  // v_j (h_j(clean) - h_j(corrupt)) times one integral each).
  double den = 0.0, noise = 0.0;
  for (std::size_t j = 0; j < h; ++j) den += scores[0][j], noise += scores[1][j];
  EXPECT_NEAR(den, number_at(json, {"layer_denoising"}), 1e-6) << what;
  EXPECT_NEAR(noise, number_at(json, {"layer_noising"}), 1e-6) << what;
  const double ratio = noise / den;
  for (std::size_t j = 0; j < h; ++j)
    EXPECT_NEAR(scores[1][j], ratio * scores[0][j], 1e-12) << what << " h" << j + 1;

  // The asymmetries are of the patching scores, as without the skip path.
  const std::vector<double>&d = scores[2], &n = scores[3];
  double largest = -INFINITY;
  for (std::size_t j = 0; j < h; ++j) largest = std::max(largest, n[j] - d[j]);
  const latent::Json& ours = at(json, {"asymmetry"});
  for (std::size_t j = 0; j < h; ++j) {
    const std::optional<double> a = optional_number(array_of(ours).at(j));
    const double scale = std::max(std::fabs(n[j]), std::fabs(d[j]));
    ASSERT_EQ(a.has_value(), scale >= 1e-9) << what << " h" << j + 1;
    if (a) {
      EXPECT_NEAR(*a, (n[j] - d[j]) / scale, 1e-15) << what << " h" << j + 1;
    }
  }
  const latent::Json& study = at(json, {"study_asymmetry"});
  EXPECT_EQ(is_null(study), std::fabs(largest) < 1e-9) << what;
  if (!is_null(study)) {
    for (std::size_t j = 0; j < h; ++j)
      EXPECT_NEAR(numbers(study).at(j), (n[j] - d[j]) / largest, 1e-12) << what;
  }

  // Each pick is the top fraction of the scores shown: at most pick_size neurons, none with score
  // 0, none below one left out when it is full.
  EXPECT_EQ(pick_size,
            static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(h) - 1e-9)))
      << what;
  std::vector<ComponentSet> picks;
  for (std::size_t k = 0; k < 4; ++k) {
    picks.push_back(set_of(at(json, {"picks", skip_methods[k]})));
    const ComponentSet& pick = picks.back();
    EXPECT_LE(pick.size(), pick_size) << what << " " << skip_methods[k];
    EXPECT_TRUE(std::is_sorted(pick.begin(), pick.end())) << what;
    for (std::size_t j = 0; j < h; ++j) {
      const bool in = std::find(pick.begin(), pick.end(), j) != pick.end();
      if (in) {
        EXPECT_GT(std::fabs(scores[k][j]), 0.0) << what << " " << skip_methods[k];
      }
      if (!in && pick.size() == pick_size) {
        for (const std::size_t p : pick)
          EXPECT_GE(std::fabs(scores[k][p]), std::fabs(scores[k][j]))
              << what << " " << skip_methods[k];
      }
      if (!in && pick.size() < pick_size) {
        EXPECT_EQ(scores[k][j], 0.0) << what << " " << skip_methods[k] << ": left out";
      }
    }
  }
  for (const auto& pair : skip_pairs) {
    const std::size_t a = pair.first, b = pair.second;
    EXPECT_NEAR(number_at(json, {"pearson", pair_name(pair)}), correlation(scores[a], scores[b]),
                1e-12)
        << what << " " << pair_name(pair);
    const std::size_t both = common(picks[a], picks[b]),
                      either = picks[a].size() + picks[b].size() - both;
    ASSERT_GT(either, 0u) << what;
    EXPECT_EQ(number_at(json, {"jaccard", pair_name(pair)}),
              static_cast<double>(both) / static_cast<double>(either))
        << what << " " << pair_name(pair);
  }

  // The ground truth, against the network ablated set by set.
  SkipModel m(gate, seed, h);
  for (const attribution::Ablation ablation :
       {attribution::Ablation::zero, attribution::Ablation::mean}) {
    const std::string where = what + ", " + attribution::ablation_name(ablation) + " ablation";
    const latent::Json& truth = at(json, {"ground_truth", attribution::ablation_name(ablation)});
    const ComponentSet movable = set_of(at(truth, {"movable"}));
    const std::vector<ComponentSet> breaking = sets_of(at(truth, {"smallest_breaking"}));
    const std::vector<ComponentSet> sufficient = sets_of(at(truth, {"smallest_sufficient"}));
    for (const std::size_t j : movable) EXPECT_LT(j, h) << where << ": a skip column is movable";
    for (const std::vector<ComponentSet>* sets : {&breaking, &sufficient})
      for (const ComponentSet& set : *sets)
        for (const std::size_t j : set) EXPECT_LT(j, h) << where << ": a set holds a skip column";
    ASSERT_TRUE(m.classifies({}, ablation)) << where;
    ASSERT_FALSE(sufficient.empty()) << where << ": the network itself computes the gate";
    // Every set of the movable neurons, by size: those of the smallest size that compute the
    // gate kept alone (or break it ablated) are exactly the lists, and no smaller set does.
    const std::size_t s = sufficient[0].size();
    const std::size_t b = breaking.empty() ? movable.size() + 1 : breaking[0].size();
    std::vector<ComponentSet> computing_of_size, breaking_of_size;
    for (std::size_t mask = 0; mask < (std::size_t{1} << movable.size()); ++mask) {
      ComponentSet set;
      for (std::size_t bit = 0; bit < movable.size(); ++bit)
        if ((mask >> bit) & 1U) set.push_back(movable[bit]);
      const bool computes = m.computes_kept(set, ablation);
      const bool breaks = !m.classifies(set, ablation);
      if (set.size() < s) {
        EXPECT_FALSE(computes) << where << ": " << set.size() << " neurons suffice";
      }
      if (set.size() == s && computes) computing_of_size.push_back(set);
      if (set.size() < b) {
        EXPECT_FALSE(breaks) << where << ": " << set.size() << " neurons break it";
      }
      if (set.size() == b && breaks) breaking_of_size.push_back(set);
    }
    std::sort(computing_of_size.begin(), computing_of_size.end());
    std::sort(breaking_of_size.begin(), breaking_of_size.end());
    EXPECT_EQ(computing_of_size, sufficient) << where;
    EXPECT_EQ(breaking_of_size, breaking) << where;
    // The empty set suffices exactly when every hidden neuron ablated leaves the gate computed.
    EXPECT_EQ(flag_at(truth, {"skip_path_alone_computes"}), m.computes_kept({}, ablation)) << where;
    for (std::size_t k = 0; k < 4; ++k) {
      const latent::Json& score = at(truth, {"picks", skip_methods[k]});
      EXPECT_EQ(flag_at(score, {"breaks"}), !m.classifies(picks[k], ablation)) << where;
      EXPECT_EQ(flag_at(score, {"computes"}), m.computes_kept(picks[k], ablation)) << where;
      const std::optional<double> recall = optional_number(at(score, {"recall"}));
      // Recall against the empty set is 0 / 0: undefined.
      ASSERT_EQ(recall.has_value(), !sufficient[0].empty()) << where;
      if (!recall) continue;
      const ComponentSet matched = set_of(at(score, {"matched"}));
      EXPECT_NE(std::find(sufficient.begin(), sufficient.end(), matched), sufficient.end());
      const std::size_t hit = common(picks[k], matched);
      EXPECT_EQ(*recall, static_cast<double>(hit) / static_cast<double>(matched.size())) << where;
      for (const ComponentSet& other : sufficient)
        EXPECT_LE(common(picks[k], other), hit) << where << ": not the best";
    }
  }
}

TEST(LatentCompareSkip, TheNumbersObeyTheirDefinitions) {
  struct Case {
    const char* gate;
    nn::Gate value;
    std::uint64_t seed;
    const char* hidden;
  };
  // AND seeds 0 and 2: the skip path alone computes the gate under zero ablation, MAJ3 seed 3
  // under mean ablation; NOR seed 1: no neuron's noising - denoising is above 0, so the study's
  // asymmetry is undefined.
  const Case cases[] = {{"and", nn::Gate::and_gate, 0, "8"},
                        {"and", nn::Gate::and_gate, 2, "4"},
                        {"xor", nn::Gate::xor_gate, 1, "8"},
                        {"nor", nn::Gate::nor_gate, 1, "6"},
                        {"maj3", nn::Gate::maj3_gate, 3, "8"}};
  for (const Case& c : cases) {
    const std::string what =
        std::string(c.gate) + " seed " + std::to_string(c.seed) + " H " + c.hidden;
    const Outcome run = run_strings(
        skip_words({"--gate", c.gate, "--seed", std::to_string(c.seed), "--hidden", c.hidden}));
    ASSERT_EQ(run.status, 0) << what << ": " << run.err;
    const latent::Json json = json_of(run);
    ASSERT_TRUE(flag_at(json, {"classifies_all_rows"})) << what;
    expect_skip_definitions(json, c.value, c.seed, what);
  }
  const Outcome wide =
      run_strings(skip_words({"--gate", "or", "--seed", "1", "--fraction", "0.6"}));
  ASSERT_EQ(wide.status, 0) << wide.err;
  expect_skip_definitions(json_of(wide), nn::Gate::or_gate, 1, "or seed 1, fraction 0.6");
}

TEST(LatentCompareSkip, TextShowsTheSameNumbersAndSaysWhenTheSkipPathAloneSuffices) {
  const Outcome json_run = run_strings(skip_words({"--gate", "and"}));
  ASSERT_EQ(json_run.status, 0) << json_run.err;
  const latent::Json json = json_of(json_run);
  const Outcome text = latent_run({"compare", "--gate", "and", "--skip"});
  ASSERT_EQ(text.status, 0) << text.err;
  const std::vector<std::string> h2 = row_of(text.out, "h2");
  ASSERT_GE(h2.size(), 8u) << text.out;
  for (std::size_t k = 0; k < 4; ++k)
    EXPECT_EQ(h2[k + 1], fixed(numbers_at(json, {skip_methods[k]})[1], 6)) << skip_methods[k];
  EXPECT_EQ(h2[6], fixed(numbers_at(json, {"study_asymmetry"})[1], 6));
  // "IG noise vs denoising  r  J": the longest pair's label is whole.
  const std::vector<std::string> r = row_of(text.out, "IG", 6);
  ASSERT_EQ(r.size(), 6u) << text.out;
  EXPECT_EQ(r[3], "denoising") << text.out;  // the first six-word row: IG den vs denoising
  EXPECT_EQ(r[4], fixed(number_at(json, {"pearson", "ig_denoising_denoising"}), 6));
  const std::vector<std::string> lines = lines_of(text.out);
  const auto cross = std::find_if(lines.begin(), lines.end(), [](const std::string& line) {
    return line.starts_with("IG noise vs denoising ");
  });
  ASSERT_NE(cross, lines.end()) << text.out;
  EXPECT_EQ(words_of(*cross).at(4), fixed(number_at(json, {"pearson", "ig_noising_denoising"}), 6));
  EXPECT_NE(text.out.find("denoising " + fixed(number_at(json, {"layer_denoising"}), 6)),
            std::string::npos)
      << text.out;

  // AND, seed 0: zero ablation of every hidden neuron leaves the gate to the skip path, mean
  // ablation does not; the text says so once, under zero ablation.
  ASSERT_TRUE(flag_at(json, {"ground_truth", "zero", "skip_path_alone_computes"}));
  ASSERT_FALSE(flag_at(json, {"ground_truth", "mean", "skip_path_alone_computes"}));
  const std::string said = "the skip path alone computes the gate";
  const std::size_t at_said = text.out.find(said);
  ASSERT_NE(at_said, std::string::npos) << text.out;
  EXPECT_EQ(text.out.find(said, at_said + 1), std::string::npos) << text.out;
  EXPECT_LT(text.out.find("zero ablation:"), at_said);
  EXPECT_GT(text.out.find("mean ablation:"), at_said);
  EXPECT_NE(text.out.find("smallest sets that compute it kept alone: {}\n"), std::string::npos);
  const std::vector<std::string> pick =
      row_of(text.out.substr(text.out.find("zero ablation:")), "IG", 6);  // "IG den r p no yes"
  ASSERT_EQ(pick.size(), 6u) << text.out;
  EXPECT_EQ(pick[2], "undefined") << "IG den's recall against the empty set";

  // XOR, seed 1: the hidden neurons are needed; the text does not say otherwise.
  const Outcome xor_text = latent_run({"compare", "--gate", "xor", "--seed", "1", "--skip"});
  ASSERT_EQ(xor_text.status, 0) << xor_text.err;
  EXPECT_EQ(xor_text.out.find(said), std::string::npos) << xor_text.out;
}

TEST(LatentCompareSkip, BadInputIsRefusedNamingTheFlag) {
  for (const char* baseline : {"zero", "corrupt"})
    expect_refused(latent_run({"compare", "--gate", "and", "--skip", "--baseline", baseline}),
                   "--baseline cannot be given with --skip", baseline);
  // The same whichever comes first.
  expect_refused(latent_run({"compare", "--gate", "and", "--baseline", "zero", "--skip"}),
                 "--baseline cannot be given with --skip", "baseline before skip");
  expect_refused(latent_run({"compare", "--gate", "and", "--skip", "--hidden", "0"}),
                 "--hidden: '0' is out of range; allowed 1 to 16", "hidden 0");
  expect_refused(latent_run({"compare", "--gate", "and", "--skip", "--hidden", "17"}),
                 "--hidden: '17' is out of range; allowed 1 to 16", "hidden 17");
  expect_refused(latent_run({"compare", "--gate", "and", "--skip", "--fraction", "0"}),
                 "--fraction: '0' is out of range", "fraction 0");
  expect_refused(latent_run({"compare", "--gate", "and", "--skip", "--skip"}),
                 "--skip is given twice", "skip twice");
  expect_refused(latent_run({"compare", "--skip"}), "--gate is required", "no gate");
}

}  // namespace
