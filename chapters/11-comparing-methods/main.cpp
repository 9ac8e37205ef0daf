// Chapter 11 — comparing methods over many components: agreement, ground truth, ablation.
//
// Wide hidden layers (8 and 16 ReLU neurons) on AND, OR and XOR, seeds 0-9, give enough
// components to compare methods with statistics: Pearson r per model and Jaccard overlap of each
// method's top quarter, the same with chapter 10's skip path (IG in each direction of the study's
// convention against each patching direction), then ablation of every set of neurons as the ground
// truth the methods' picks are scored against, a zero baseline against the corrupt one, and split
// IG on chapter 7's saturated XOR neuron. The program checks what it claims and exits with status 1
// if a check fails.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
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
#include "attribution/subset_patching.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "nn/network.hpp"
#include "nn/residual.hpp"

namespace {

using attribution::ComponentSet;
using attribution::Selection;

const std::vector<nn::Gate> gates = {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::xor_gate};
const std::vector<std::size_t> widths = {8, 16};
constexpr std::uint64_t seeds = 10;
// Each method's pick: its top quarter of the components, ceil(0.25 H) neurons.
constexpr double fraction = 0.25;
// The study's split.
constexpr double split_ratio = 0.9;

bool all_checks_pass = true;
void check(bool holds, const std::string& what) {
  std::printf("  [%s] %s\n", holds ? "holds " : "FAILS ", what.c_str());
  all_checks_pass = all_checks_pass && holds;
}

std::string number(const std::optional<double>& value, const char* format = "%.3f") {
  if (!value) return "undef.";
  char text[32];
  std::snprintf(text, sizeof text, format, *value);
  return text;
}

std::string mean_text(const attribution::DefinedMean& mean) {
  std::string text = number(mean.mean);
  if (mean.undefined > 0) text += " (" + std::to_string(mean.undefined) + " undef.)";
  return text;
}

// Two score vectors of one model, compared.
struct ScorePair {
  const std::vector<double>* a;
  const std::vector<double>* b;
};

// One row of an agreement table: the statistics per model, averaged over the models.
struct Agreement {
  attribution::DefinedMean r, jaccard, signed_jaccard;
  bool r_in_range = true;
};

Agreement agreement(const std::vector<ScorePair>& pairs) {
  std::vector<std::optional<double>> rs, js, signed_js;
  Agreement result;
  for (const ScorePair& pair : pairs) {
    const std::vector<double>&a = *pair.a, &b = *pair.b;
    rs.push_back(attribution::pearson(a, b));
    if (rs.back()) result.r_in_range = result.r_in_range && *rs.back() >= -1.0 && *rs.back() <= 1.0;
    js.push_back(attribution::jaccard(attribution::top_fraction(a, fraction),
                                      attribution::top_fraction(b, fraction)));
    signed_js.push_back(
        attribution::jaccard(attribution::top_fraction(a, fraction, Selection::largest),
                             attribution::top_fraction(b, fraction, Selection::largest)));
  }
  result.r = attribution::defined_mean(rs);
  result.jaccard = attribution::defined_mean(js);
  result.signed_jaccard = attribution::defined_mean(signed_js);
  return result;
}

void print_agreement(const char* name, std::size_t hidden, const Agreement& a) {
  std::printf("%-22s %-4zu %-18s %-18s %-18s\n", name, hidden, mean_text(a.r).c_str(),
              mean_text(a.jaccard).c_str(), mean_text(a.signed_jaccard).c_str());
}

ComponentSet set_intersection(const ComponentSet& a, const ComponentSet& b) {
  ComponentSet result;
  for (std::size_t i : a)
    for (std::size_t j : b)
      if (i == j) result.push_back(i);
  return result;
}

ComponentSet symmetric_difference(const ComponentSet& a, const ComponentSet& b) {
  ComponentSet result;
  for (std::size_t i = 0, n = std::max(a.empty() ? 0 : a.back(), b.empty() ? 0 : b.back()) + 1;
       i < n; ++i) {
    const bool in_a = std::find(a.begin(), a.end(), i) != a.end();
    const bool in_b = std::find(b.begin(), b.end(), i) != b.end();
    if (in_a != in_b) result.push_back(i);
  }
  return result;
}

// One row of a table of picks: each model's recall and precision against its ground truth, and
// in how many models the pick ablated breaks the gate or kept alone computes it.
struct PickTally {
  std::vector<std::optional<double>> recalls, precisions;
  double breaks = 0.0, computes = 0.0;
};

// One model's picks (components 0 .. hidden - 1 of `layer`) scored into tallies[0 ..], and chance
// (every pick of a quarter's size, equally likely: the exact expectation) into tallies.back().
void tally_picks(nn::Sequential& model, const std::string& layer, const nn::TruthTable& table,
                 attribution::Ablation ablation, const attribution::GroundTruth& truth,
                 std::size_t hidden, const std::vector<ComponentSet>& picks,
                 std::vector<PickTally>& tallies) {
  const auto activations = attribution::activations_on_table(model, layer, table);
  const std::vector<double> values = attribution::ablation_values(activations, ablation);
  for (std::size_t i = 0; i < picks.size(); ++i) {
    const attribution::PickScore s =
        attribution::score_pick(model, layer, table, activations, values, truth, picks[i], hidden);
    tallies[i].recalls.push_back(s.recall);
    tallies[i].precisions.push_back(s.precision);
    tallies[i].breaks += s.breaks ? 1.0 : 0.0;
    tallies[i].computes += s.computes ? 1.0 : 0.0;
  }
  const attribution::ExpectedPickScore s =
      attribution::chance_pick_score(model, layer, table, activations, values, truth,
                                     attribution::selected_count(hidden, fraction), hidden);
  PickTally& chance = tallies.back();
  chance.recalls.push_back(s.recall);
  chance.precisions.push_back(s.precision);
  chance.breaks += s.breaks;
  chance.computes += s.computes;
}

void print_picks(const std::vector<const char*>& names, const std::vector<PickTally>& tallies,
                 std::size_t models) {
  std::printf("%-10s %-20s %-20s %-16s %-16s\n", "pick", "recall", "precision", "ablated: breaks",
              "kept: computes");
  for (std::size_t i = 0; i < names.size(); ++i) {
    char b[32], c[32];
    std::snprintf(b, sizeof b, "%.1f of %zu", tallies[i].breaks, models);
    std::snprintf(c, sizeof c, "%.1f of %zu", tallies[i].computes, models);
    std::printf("%-10s %-20s %-20s %-16s %-16s\n", names[i],
                mean_text(attribution::defined_mean(tallies[i].recalls)).c_str(),
                mean_text(attribution::defined_mean(tallies[i].precisions)).c_str(), b, c);
  }
}

// One trained model that classifies its gate, with every score the chapter compares.
struct Model {
  nn::Gate gate = nn::Gate::and_gate;
  std::size_t hidden = 0;
  std::uint64_t seed = 0;
  attribution::Experiment experiment;
  std::vector<double> ig, denoising, noising, ig_zero;  // shares and scores, per neuron
  attribution::GroundTruth truth_zero, truth_mean;
};

}  // namespace

int main() {
  std::printf("Chapter 11: comparing methods over many components\n\n");

  // ---- The study's asymmetry on the notebook's neurons ----------------------------------------
  std::printf("The asymmetry of the two patching directions on chapter 6's neurons (seed 0):\n");
  std::printf("ours (noising - denoising) / max(|noising|, |denoising|), per component; the\n");
  std::printf("study's (noising - denoising) / (signed max over components of the same):\n\n");
  std::printf("%-5s %-10s %9s %9s %9s %9s\n", "gate", "input", "denoising", "noising", "ours",
              "study's");
  std::vector<double> or_ours, or_study;
  for (nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate}) {
    const attribution::Experiment e = attribution::run_experiment(gate, 0, 0);
    const std::vector<double>& den = *e.patching.denoising.scores;
    const std::vector<double>& noise = *e.patching.noising.scores;
    const auto ours = attribution::relative_asymmetry(noise, den);
    const auto study = attribution::study_asymmetry(noise, den);
    for (std::size_t i = 0; i < den.size(); ++i) {
      std::printf(
          "%-5s %-10s %9.4f %9.4f %+9.4f %9s\n", nn::gate_name_upper(gate), i == 0 ? "x1" : "x2",
          den[i], noise[i], *ours[i],
          number(study ? std::optional<double>((*study)[i]) : std::nullopt, "%+.4f").c_str());
      if (gate == nn::Gate::or_gate) {
        or_ours.push_back(*ours[i]);
        or_study.push_back(study ? (*study)[i] : 0.0);
      }
    }
  }
  std::printf("\n");
  check(or_ours[0] < -0.5 && or_ours[1] < -0.5 && or_study[0] > 0.5 && or_study[1] > 0.5,
        "the study's signed maximum turns OR's negative asymmetry positive");
  const std::vector<double> or_asymmetry = or_study;
  check(attribution::quantile_selection(or_asymmetry, 0.5) ==
            attribution::quantile_selection(std::vector<double>{-or_asymmetry[0], -or_asymmetry[1]},
                                            0.5),
        "the study's 'AND' and 'OR' sets (quantile of |A| and of |-A|) are the same set");
  std::printf("\n");

  // ---- The models -----------------------------------------------------------------------------
  std::printf("Sequential(Linear(2, H), ReLU(), Linear(H, 1), Sigmoid()), seeds 0-9, trained as\n");
  std::printf("in chapter 7; the models that classify every row, and their live neurons:\n\n");
  std::vector<Model> models;
  std::printf("%-6s", "H");
  for (nn::Gate gate : gates) std::printf(" %-20s", nn::gate_name_upper(gate));
  std::printf("\n");
  for (std::size_t hidden : widths) {
    std::printf("%-6zu", hidden);
    for (nn::Gate gate : gates) {
      int learnt = 0, live = 0;
      for (std::uint64_t seed = 0; seed < seeds; ++seed) {
        attribution::Experiment e = attribution::run_experiment(gate, seed, hidden);
        if (!e.network.classifies_all_rows) continue;
        ++learnt;
        live += static_cast<int>(hidden) - e.network.dead_count();
        Model m;
        m.gate = gate;
        m.hidden = hidden;
        m.seed = seed;
        m.experiment = std::move(e);
        const attribution::Experiment& x = m.experiment;
        m.ig = *x.ig_shares;
        m.denoising = *x.patching.denoising.scores;
        m.noising = *x.patching.noising.scores;
        autodiff::Tape tape;
        nn::Sequential model = nn::network(tape, 2, hidden, x.network.parameters);
        const std::vector<double> zeros(hidden, 0.0);
        const auto steps =
            attribution::integrated_gradients_steps(model, x.layer, x.pair.clean, zeros);
        m.ig_zero = steps.attributions;
        const nn::TruthTable table = nn::truth_table(gate);
        m.truth_zero =
            attribution::find_ground_truth(model, x.layer, table, attribution::Ablation::zero);
        m.truth_mean =
            attribution::find_ground_truth(model, x.layer, table, attribution::Ablation::mean);
        models.push_back(std::move(m));
      }
      char cell[64];
      std::snprintf(cell, sizeof cell, "%d of 10, %.1f live", learnt,
                    learnt > 0 ? static_cast<double>(live) / learnt : 0.0);
      std::printf(" %-20s", cell);
    }
    std::printf("\n");
  }
  std::printf("\n");

  // ---- Agreement ------------------------------------------------------------------------------
  std::printf("Agreement between methods, per model, averaged over the models above: Pearson r\n");
  std::printf("of the per-neuron scores, and Jaccard overlap of each method's top quarter\n");
  std::printf("(ceil(H/4) neurons by |score|). IG: corrupt baseline; IG0: zero baseline at the\n");
  std::printf("layer (h = 0). Undefined values are counted, not averaged:\n\n");
  struct Pairing {
    const char* name;
    std::vector<double> Model::*a;
    std::vector<double> Model::*b;
  };
  const std::vector<Pairing> pairings = {
      {"IG vs denoising", &Model::ig, &Model::denoising},
      {"IG vs noising", &Model::ig, &Model::noising},
      {"denoising vs noising", &Model::denoising, &Model::noising},
      {"IG0 vs noising", &Model::ig_zero, &Model::noising},
      {"IG0 vs IG", &Model::ig_zero, &Model::ig}};
  std::printf("%-22s %-4s %-18s %-18s %-18s\n", "methods", "H", "Pearson r", "Jaccard, |score|",
              "Jaccard, signed");
  bool r_in_range = true;
  std::vector<double> jaccard_corrupt(widths.size()), jaccard_zero(widths.size());
  std::size_t zero_ig_undefined = 0;
  for (const Pairing& p : pairings)
    for (std::size_t w = 0; w < widths.size(); ++w) {
      std::vector<ScorePair> pairs;
      for (const Model& m : models)
        if (m.hidden == widths[w]) pairs.push_back({&(m.*p.a), &(m.*p.b)});
      const Agreement a = agreement(pairs);
      r_in_range = r_in_range && a.r_in_range;
      if (std::string(p.name) == "IG vs noising") jaccard_corrupt[w] = a.jaccard.mean.value_or(0.0);
      if (std::string(p.name) == "IG0 vs noising") {
        jaccard_zero[w] = a.jaccard.mean.value_or(1.0);
        zero_ig_undefined += a.r.undefined;
      }
      print_agreement(p.name, widths[w], a);
    }
  std::printf("\n");
  check(r_in_range, "every defined r lies in [-1, 1]");
  check(jaccard_zero[0] < jaccard_corrupt[0] && jaccard_zero[1] < jaccard_corrupt[1],
        "IG agrees less with noising from the zero baseline than from the corrupt one");
  check(zero_ig_undefined > 0,
        "some models give every neuron 0 from the zero baseline (h(clean) = 0): r undefined");
  std::printf("\n");

  // ---- With the skip path ---------------------------------------------------------------------
  std::printf(
      "With the skip path (chapter 10): Sequential(HiddenWithSkip(2, H), Linear(H + 2, 1),\n");
  std::printf(
      "Sigmoid()), seeds 0-9, trained as in chapter 10; the models that classify every row:\n\n");
  struct SkipModel {
    std::size_t hidden = 0;
    attribution::ResidualNetwork network;
    attribution::SkipPathScores scores;
  };
  std::vector<SkipModel> skip_models;
  std::printf("%-6s", "H");
  for (nn::Gate gate : gates) std::printf(" %-20s", nn::gate_name_upper(gate));
  std::printf("\n");
  double worst_completeness = 0.0;
  std::vector<double> layer_den(widths.size()), layer_noise(widths.size());
  for (std::size_t w = 0; w < widths.size(); ++w) {
    std::printf("%-6zu", widths[w]);
    for (nn::Gate gate : gates) {
      int learnt = 0;
      for (std::uint64_t seed = 0; seed < seeds; ++seed) {
        const attribution::ResidualNetwork network =
            attribution::train_residual_network(gate, seed, widths[w]);
        if (!network.classifies_all_rows) continue;
        std::optional<attribution::SkipPathScores> scores = attribution::skip_path_scores(network);
        if (!scores) continue;
        ++learnt;
        double den = 0.0, noise = 0.0;
        for (std::size_t j = 0; j < widths[w]; ++j)
          den += scores->ig_denoising[j], noise += scores->ig_noising[j];
        worst_completeness = std::max({worst_completeness, std::fabs(den - scores->layer_denoising),
                                       std::fabs(noise - scores->layer_noising)});
        layer_den[w] += scores->layer_denoising;
        layer_noise[w] += scores->layer_noising;
        skip_models.push_back({widths[w], network, std::move(*scores)});
      }
      char cell[64];
      std::snprintf(cell, sizeof cell, "%d of 10", learnt);
      std::printf(" %-20s", cell);
    }
    std::printf("\n");
  }
  std::printf("\n");
  std::printf("IG den, IG noise: layer IG in the study's convention, every hidden neuron moving\n");
  std::printf("and the skip path held at the base run (corrupt for den, clean for noise), as a\n");
  std::printf("share of f(clean) - f(corrupt). Each sums to its direction's patching score of\n");
  std::printf("the whole hidden layer, not to 1; that score, averaged over the models:\n\n");
  for (std::size_t w = 0; w < widths.size(); ++w) {
    std::size_t count = 0;
    for (const SkipModel& m : skip_models) count += m.hidden == widths[w] ? 1 : 0;
    std::printf("  H = %-2zu  denoising %.3f, noising %.3f\n", widths[w],
                layer_den[w] / static_cast<double>(count),
                layer_noise[w] / static_cast<double>(count));
  }
  std::printf("\n");
  struct SkipPairing {
    const char* name;
    std::vector<double> attribution::SkipPathScores::*a;
    std::vector<double> attribution::SkipPathScores::*b;
  };
  using Scores = attribution::SkipPathScores;
  const std::vector<SkipPairing> skip_pairings = {
      {"IG den vs denoising", &Scores::ig_denoising, &Scores::denoising},
      {"IG den vs noising", &Scores::ig_denoising, &Scores::noising},
      {"IG noise vs noising", &Scores::ig_noising, &Scores::noising},
      {"IG noise vs denoising", &Scores::ig_noising, &Scores::denoising},
      {"denoising vs noising", &Scores::denoising, &Scores::noising},
      {"IG den vs IG noise", &Scores::ig_denoising, &Scores::ig_noising}};
  std::printf("%-22s %-4s %-18s %-18s %-18s\n", "methods", "H", "Pearson r", "Jaccard, |score|",
              "Jaccard, signed");
  // skip_r[pairing][width]: the mean r, for the checks below.
  std::vector<std::vector<double>> skip_r(skip_pairings.size(), std::vector<double>(widths.size()));
  bool skip_r_in_range = true;
  for (std::size_t p = 0; p < skip_pairings.size(); ++p)
    for (std::size_t w = 0; w < widths.size(); ++w) {
      std::vector<ScorePair> pairs;
      for (const SkipModel& m : skip_models)
        if (m.hidden == widths[w])
          pairs.push_back({&(m.scores.*skip_pairings[p].a), &(m.scores.*skip_pairings[p].b)});
      const Agreement a = agreement(pairs);
      skip_r_in_range = skip_r_in_range && a.r_in_range;
      skip_r[p][w] = a.r.mean.value_or(0.0);
      print_agreement(skip_pairings[p].name, widths[w], a);
    }
  std::printf("\n");
  check(skip_r_in_range, "every defined r lies in [-1, 1]");
  check(worst_completeness < 1e-6,
        "each IG sums to its direction's whole-layer patching score (within 1e-6)");
  // Within a model both IGs are v_j (h_j(clean) - h_j(corrupt)) times one integral of the sigmoid's
  // slope each (the output is a sigmoid of one number along either path; the skip path only shifts
  // it), so they are proportional and no per-model statistic tells them apart.
  double worst_proportionality = 0.0;
  for (const SkipModel& m : skip_models)
    if (const auto r = attribution::pearson(m.scores.ig_denoising, m.scores.ig_noising))
      worst_proportionality = std::max(worst_proportionality, 1.0 - *r);
  check(worst_proportionality < 1e-12,
        "in every model IG den and IG noise are proportional (r = 1 within 1e-12)");
  bool same_rows = true;
  for (std::size_t w = 0; w < widths.size(); ++w)
    same_rows = same_rows && std::fabs(skip_r[0][w] - skip_r[3][w]) < 1e-12 &&
                std::fabs(skip_r[1][w] - skip_r[2][w]) < 1e-12;
  check(same_rows, "so per model IG den and IG noise have the same r with either direction");
  std::printf("\n");

  // Between models the two IGs differ in scale (each sums to its own direction's layer score), so
  // pooling the neurons of all models can tell the directions apart.
  std::printf("Pooled over the neurons of all models of a width, where each IG's scale (its\n");
  std::printf("sum) counts: Pearson r, and the mean |IG share - patching score|:\n\n");
  std::printf("%-4s %-30s %-30s\n", "H", "same direction (den, noise)", "across (den, noise)");
  std::vector<double> same_r(widths.size()), cross_r(widths.size()), same_diff(widths.size()),
      cross_diff(widths.size());
  bool pooled_defined = true;
  for (std::size_t w = 0; w < widths.size(); ++w) {
    std::vector<double> ig_den, ig_noise, den, noise;
    for (const SkipModel& m : skip_models) {
      if (m.hidden != widths[w]) continue;
      ig_den.insert(ig_den.end(), m.scores.ig_denoising.begin(), m.scores.ig_denoising.end());
      ig_noise.insert(ig_noise.end(), m.scores.ig_noising.begin(), m.scores.ig_noising.end());
      den.insert(den.end(), m.scores.denoising.begin(), m.scores.denoising.end());
      noise.insert(noise.end(), m.scores.noising.begin(), m.scores.noising.end());
    }
    const auto mean_difference = [](const std::vector<double>& a, const std::vector<double>& b) {
      double total = 0.0;
      for (std::size_t i = 0; i < a.size(); ++i) total += std::fabs(a[i] - b[i]);
      return total / static_cast<double>(a.size());
    };
    const auto r = [&](const std::vector<double>& a, const std::vector<double>& b) {
      const std::optional<double> value = attribution::pearson(a, b);
      pooled_defined = pooled_defined && value.has_value();
      return value.value_or(0.0);
    };
    const double r_same[] = {r(ig_den, den), r(ig_noise, noise)};
    const double r_cross[] = {r(ig_den, noise), r(ig_noise, den)};
    same_diff[w] = (mean_difference(ig_den, den) + mean_difference(ig_noise, noise)) / 2.0;
    cross_diff[w] = (mean_difference(ig_den, noise) + mean_difference(ig_noise, den)) / 2.0;
    same_r[w] = std::min(r_same[0], r_same[1]);
    cross_r[w] = std::max(r_cross[0], r_cross[1]);
    char same[64], cross[64];
    std::snprintf(same, sizeof same, "r %.3f, %.3f; |diff| %.4f", r_same[0], r_same[1],
                  same_diff[w]);
    std::snprintf(cross, sizeof cross, "r %.3f, %.3f; |diff| %.4f", r_cross[0], r_cross[1],
                  cross_diff[w]);
    std::printf("%-4zu %-30s %-30s\n", widths[w], same, cross);
  }
  std::printf("\n");
  check(pooled_defined && same_r[0] > cross_r[0] && same_diff[0] < cross_diff[0],
        "pooled, H = 8: IG tracks patching in its own direction better than in the other");
  check(std::fabs(same_r[1] - cross_r[1]) < 0.02 && std::fabs(same_diff[1] - cross_diff[1]) < 0.001,
        "pooled, H = 16: the two are within 0.02 in r and 0.001 in |diff|");
  std::printf("\n");

  // ---- Ground truth by ablation ---------------------------------------------------------------
  std::printf("Ground truth: every set of the neurons that ablation moves is tried; the truth\n");
  std::printf(
      "is the smallest sets that, kept alone (the rest ablated), still classify all four\n");
  std::printf("rows. Each method picks its top quarter; recall and precision against the best-\n");
  std::printf("matching smallest set; then the pick ablated, and the pick kept alone:\n\n");
  for (attribution::Ablation ablation :
       {attribution::Ablation::zero, attribution::Ablation::mean}) {
    std::size_t sizes = 0, unique = 0;
    for (const Model& m : models) {
      const attribution::GroundTruth& t =
          ablation == attribution::Ablation::zero ? m.truth_zero : m.truth_mean;
      sizes += t.smallest_sufficient.empty() ? 0 : t.smallest_sufficient[0].size();
      unique += t.smallest_sufficient.size() == 1 ? 1 : 0;
    }
    std::printf("%s ablation: the smallest sufficient set has %.2f neurons on average; it is\n",
                attribution::ablation_name(ablation),
                static_cast<double>(sizes) / static_cast<double>(models.size()));
    std::printf("unique in %zu of %zu models.\n\n", unique, models.size());
    const std::vector<const char*> names = {"IG",   "denoising", "noising",
                                            "both", "only one",  "chance"};
    std::vector<PickTally> tallies(names.size());
    for (const Model& m : models) {
      autodiff::Tape tape;
      nn::Sequential model = nn::network(tape, 2, m.hidden, m.experiment.network.parameters);
      const ComponentSet den = attribution::top_fraction(m.denoising, fraction);
      const ComponentSet noise = attribution::top_fraction(m.noising, fraction);
      tally_picks(model, m.experiment.layer, nn::truth_table(m.gate), ablation,
                  ablation == attribution::Ablation::zero ? m.truth_zero : m.truth_mean, m.hidden,
                  {attribution::top_fraction(m.ig, fraction), den, noise,
                   set_intersection(den, noise), symmetric_difference(den, noise)},
                  tallies);
    }
    print_picks(names, tallies, models.size());
    std::printf("\n");
  }

  // ---- Ground truth with the skip path --------------------------------------------------------
  std::printf("The same ground truth with the skip path: only the hidden neurons (the first H\n");
  std::printf(
      "columns of layer_0.output) are ablated, kept or searched; the skip path's copy of\n");
  std::printf("the input always reaches the output. IG den and IG noise pick their top quarter\n");
  std::printf("as the other methods do:\n\n");
  const std::string skip_layer = nn::layer_output_name(0);
  bool same_ig_picks = true, xor_needs_neurons = true;
  std::vector<std::size_t> empty_suffices;  // per ablation
  std::vector<std::vector<PickTally>> skip_tallies;
  const std::vector<const char*> skip_names = {"IG den", "IG noise", "denoising", "noising",
                                               "both",   "only one", "chance"};
  for (attribution::Ablation ablation :
       {attribution::Ablation::zero, attribution::Ablation::mean}) {
    std::size_t sizes = 0, unique = 0;
    std::vector<std::size_t> empty_by_gate(gates.size(), 0);
    std::vector<PickTally> tallies(skip_names.size());
    for (const SkipModel& m : skip_models) {
      autodiff::Tape tape;
      nn::Sequential model = nn::residual_network(tape, 2, m.hidden, m.network.parameters);
      const nn::TruthTable table = nn::truth_table(m.network.gate);
      const attribution::GroundTruth truth =
          attribution::find_ground_truth(model, skip_layer, table, ablation, m.hidden);
      sizes += truth.smallest_sufficient.empty() ? 0 : truth.smallest_sufficient[0].size();
      unique += truth.smallest_sufficient.size() == 1 ? 1 : 0;
      const bool empty =
          truth.smallest_sufficient.size() == 1 && truth.smallest_sufficient[0].empty();
      for (std::size_t g = 0; g < gates.size(); ++g)
        empty_by_gate[g] += empty && gates[g] == m.network.gate ? 1 : 0;
      xor_needs_neurons = xor_needs_neurons && !(empty && m.network.gate == nn::Gate::xor_gate);
      const attribution::SkipPathScores& x = m.scores;
      const ComponentSet ig_den = attribution::top_fraction(x.ig_denoising, fraction);
      const ComponentSet ig_noise = attribution::top_fraction(x.ig_noising, fraction);
      same_ig_picks = same_ig_picks && ig_den == ig_noise;
      const ComponentSet den = attribution::top_fraction(x.denoising, fraction);
      const ComponentSet noise = attribution::top_fraction(x.noising, fraction);
      tally_picks(model, skip_layer, table, ablation, truth, m.hidden,
                  {ig_den, ig_noise, den, noise, set_intersection(den, noise),
                   symmetric_difference(den, noise)},
                  tallies);
    }
    std::size_t empty = 0;
    for (std::size_t count : empty_by_gate) empty += count;
    empty_suffices.push_back(empty);
    std::printf("%s ablation: the smallest sufficient set has %.2f neurons on average; it is\n",
                attribution::ablation_name(ablation),
                static_cast<double>(sizes) / static_cast<double>(skip_models.size()));
    std::printf("unique in %zu of %zu models. It is the empty set, the skip path computing the\n",
                unique, skip_models.size());
    std::printf(
        "gate alone, in %zu (AND %zu, OR %zu, XOR %zu); recall against it is undefined.\n\n", empty,
        empty_by_gate[0], empty_by_gate[1], empty_by_gate[2]);
    print_picks(skip_names, tallies, skip_models.size());
    std::printf("\n");
    skip_tallies.push_back(std::move(tallies));
  }
  check(empty_suffices[0] > 0,
        "under zero ablation the empty set suffices in some models (the skip path alone)");
  // The picks (every row but chance's) against each ablation's truth.
  bool undefined_exactly_there = true, above_chance = true;
  for (std::size_t a = 0; a < skip_tallies.size(); ++a) {
    const std::vector<PickTally>& t = skip_tallies[a];
    for (const PickTally& row : t)
      undefined_exactly_there =
          undefined_exactly_there &&
          attribution::defined_mean(row.recalls).undefined == empty_suffices[a];
    const attribution::DefinedMean chance_recall = attribution::defined_mean(t.back().recalls),
                                   chance_precision =
                                       attribution::defined_mean(t.back().precisions);
    for (std::size_t i = 0; i + 2 < t.size(); ++i) {  // not "only one", not chance
      const attribution::DefinedMean r = attribution::defined_mean(t[i].recalls),
                                     p = attribution::defined_mean(t[i].precisions);
      above_chance = above_chance && r.mean && p.mean && chance_recall.mean &&
                     chance_precision.mean && *r.mean > *chance_recall.mean &&
                     *p.mean > *chance_precision.mean;
    }
  }
  check(undefined_exactly_there,
        "recall is undefined in exactly those models, for every pick: counted, not averaged");
  check(above_chance,
        "every method's recall and precision are above chance's, under either ablation");
  check(same_ig_picks, "IG den and IG noise pick the same neurons in every model (proportional)");
  check(xor_needs_neurons,
        "no XOR model's skip path computes it alone (sigmoid(u.x + c') is linear in x)");
  std::printf("\n");

  // ---- Split IG on chapter 7's saturated XOR neuron -------------------------------------------
  const attribution::Experiment xor8 = attribution::run_experiment(nn::Gate::xor_gate, 8, 2);
  autodiff::Tape tape;
  nn::Sequential xor_model = nn::network(tape, 2, 2, xor8.network.parameters);
  const attribution::IntegratedGradientsSteps steps = attribution::integrated_gradients_steps(
      xor_model, xor8.layer, xor8.pair.clean, xor8.corrupt_activation);
  const attribution::SplitIntegratedGradients split =
      attribution::split_integrated_gradients(steps, split_ratio);
  std::printf("Split IG (ratio %.1f) on chapter 7's XOR, seed 8: the left part sums the %zu of\n",
              split_ratio, split.left_steps);
  std::printf("%zu nodes before f first rises above %.4f:\n\n", steps.alphas.size(),
              split.threshold);
  std::printf("%-4s %10s %10s %10s %10s %10s %10s\n", "", "IG", "IG share", "left", "left share",
              "denoising", "noising");
  double left_total = 0.0, ig_total = 0.0;
  for (std::size_t j = 0; j < 2; ++j)
    left_total += split.left[j], ig_total += steps.attributions[j];
  double ratio_spread = 0.0;
  for (std::size_t j = 0; j < 2; ++j) {
    std::printf("h%-3zu %10.6f %10.4f %10.6f %10.4f %10.4f %10.4f\n", j + 1, steps.attributions[j],
                steps.attributions[j] / ig_total, split.left[j], split.left[j] / left_total,
                (*xor8.patching.denoising.scores)[j], (*xor8.patching.noising.scores)[j]);
    ratio_spread = std::max(
        ratio_spread, std::fabs(split.left[j] / steps.attributions[j] - left_total / ig_total));
  }
  std::printf("\n");
  check(ratio_spread < 1e-12,
        "split IG scales every neuron by one factor (f is a sigmoid of v.h): shares unchanged");
  check(std::fabs((*xor8.patching.denoising.scores)[1]) < 0.01 &&
            std::fabs((*xor8.patching.noising.scores)[1]) < 0.01 &&
            split.left[1] / left_total < -0.5,
        "so split IG still gives h2 a large negative share that patching does not see");
  std::printf("\n");
  std::printf("%s\n", all_checks_pass ? "All checks hold." : "SOME CHECK FAILED: see above.");
  return all_checks_pass ? 0 : 1;
}
