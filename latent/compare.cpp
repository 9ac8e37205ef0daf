#include "latent/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "attribution/ablation.hpp"
#include "attribution/comparison.hpp"
#include "attribution/correlation.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/model_run.hpp"
#include "attribution/residual_stream.hpp"
#include "attribution/skip_path.hpp"
#include "attribution/split_ig.hpp"
#include "latent/arguments.hpp"
#include "latent/json.hpp"
#include "nn/hooks.hpp"
#include "nn/network.hpp"
#include "nn/residual.hpp"

namespace latent {

namespace {

using attribution::ComponentSet;
using Scores = std::optional<std::vector<double>>;  // undefined when there is no gap to share out
using Statistic = std::optional<double>;
using MethodPair = std::pair<std::size_t, std::size_t>;  // indices into Measured::methods

// One method: its scores per hidden neuron and its pick, none when the scores are undefined.
struct Method {
  const char* name;   // the JSON's key
  const char* label;  // the text's
  Scores scores;
  std::optional<ComponentSet> pick;
};

struct AblationTruth {
  attribution::Ablation ablation = attribution::Ablation::zero;
  attribution::GroundTruth truth;
  std::vector<std::optional<attribution::PickScore>> picks;  // per method; none without a pick
};

// The study's split IG of the report's IG (attribution::split_integrated_gradients).
struct SplitIg {
  attribution::SplitIntegratedGradients split;
  std::size_t n_steps = 0;
  Scores left_share;  // left / its sum; undefined when that sum is 0
};

struct Measured {
  std::string architecture;
  nn::InputPair pair;
  std::vector<double> predictions;
  bool classifies_all_rows = false;
  double f_clean = 0.0, f_corrupt = 0.0;
  // Without the skip path: IG from the baseline asked for, and its shares.
  std::vector<double> ig;
  Scores ig_share;  // ig / (f(clean) - f(baseline))
  double f_baseline = 0.0;
  std::optional<SplitIg> split_ig;  // when asked for
  // With it: the patching score of all hidden neurons together in each direction, what each
  // direction's IG shares add up to.
  Statistic layer_denoising, layer_noising;
  // What the statistics compare, as chapter 11 compares them. Without the skip path: the IG shares
  // from the corrupt baseline, the attributions themselves from the zero baseline (whose gap can be
  // 0: every neuron off on the clean input), then the two patching directions' scores. With it:
  // the study's IG in each direction, then the two patching directions'.
  std::vector<Method> methods;
  std::vector<MethodPair> pairs;     // the pairs r and Jaccard are given for
  std::size_t pick_size = 0;         // selected_count: what each pick has at most
  std::vector<Statistic> asymmetry;  // ours, per neuron; empty without scores
  Scores study_asymmetry;
  std::vector<Statistic> pearson, jaccard;  // per pair
  AblationTruth truths[2];
};

// The two patching directions' methods are the last two of either list.
const Method& denoising_of(const Measured& m) { return m.methods[m.methods.size() - 2]; }
const Method& noising_of(const Measured& m) { return m.methods.back(); }

// Everything after the scores, the same with or without the skip path: the picks, the asymmetries,
// r and Jaccard of each pair, and ablation's ground truth over the hidden neurons, the activation's
// first h columns (with the skip path the columns after them are its copy of the input, which is
// how the input reaches the output past the layer, not a neuron: never ablated).
void compare_methods(Measured& m, const CompareRequest& request, nn::Sequential& model,
                     const std::string& layer) {
  const std::size_t h = request.hidden;
  m.pick_size = attribution::selected_count(h, request.fraction);
  for (Method& method : m.methods)
    if (method.scores) method.pick = attribution::top_fraction(*method.scores, request.fraction);
  const Scores& den = denoising_of(m).scores;
  const Scores& noise = noising_of(m).scores;
  if (den && noise) {
    m.asymmetry = attribution::relative_asymmetry(*noise, *den);
    m.study_asymmetry = attribution::study_asymmetry(*noise, *den);
  }
  for (const auto& [a, b] : m.pairs) {
    const Method &x = m.methods[a], &y = m.methods[b];
    m.pearson.push_back(x.scores && y.scores ? attribution::pearson(*x.scores, *y.scores)
                                             : std::nullopt);
    m.jaccard.push_back(x.pick && y.pick ? attribution::jaccard(*x.pick, *y.pick) : std::nullopt);
  }
  const nn::TruthTable table = nn::truth_table(request.gate);
  const std::vector<std::vector<double>> activations =
      attribution::activations_on_table(model, layer, table);
  const attribution::Ablation ablations[] = {attribution::Ablation::zero,
                                             attribution::Ablation::mean};
  for (std::size_t a = 0; a < 2; ++a) {
    AblationTruth& t = m.truths[a];
    t.ablation = ablations[a];
    t.truth = attribution::find_ground_truth(model, layer, table, t.ablation, h);
    const std::vector<double> values = attribution::ablation_values(activations, t.ablation);
    for (const Method& method : m.methods)
      t.picks.push_back(
          method.pick ? std::optional(attribution::score_pick(model, layer, table, activations,
                                                              values, t.truth, *method.pick, h))
                      : std::nullopt);
  }
}

// Chapter 7's network, as chapter 11 trains and measures it.
Measured measure_without_skip(const CompareRequest& request) {
  Measured m;
  const attribution::Experiment e =
      attribution::run_experiment(request.gate, request.seed, request.hidden);
  const std::size_t h = request.hidden;
  m.architecture = nn::architecture(e.pair.clean.size(), h);
  m.pair = e.pair;
  m.predictions = e.network.predictions;
  m.classifies_all_rows = e.network.classifies_all_rows;
  m.f_clean = e.patching.f_clean();
  m.f_corrupt = e.patching.f_corrupt();
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, nn::input_count(request.gate), h, e.network.parameters);
  Scores ig_scores;
  if (request.baseline == IgBaseline::corrupt) {
    m.ig = e.ig.attributions;
    m.ig_share = e.ig_shares;
    m.f_baseline = e.ig.f_baseline;
    ig_scores = e.ig_shares;
  } else {
    const std::vector<double> zeros(h, 0.0);
    const attribution::IntegratedGradientsSteps steps =
        attribution::integrated_gradients_steps(model, e.layer, e.pair.clean, zeros);
    attribution::IntegratedGradientsResult ig;
    ig.attributions = steps.attributions;
    ig.f_input = steps.f_input;
    ig.f_baseline = steps.f_baseline;
    m.ig = steps.attributions;
    m.ig_share = attribution::ig_shares(ig);
    m.f_baseline = steps.f_baseline;
    ig_scores = steps.attributions;
  }
  if (request.split_ratio) {
    // The same path as the IG above, node by node: from the corrupt run's neurons or from h = 0.
    const std::vector<double> start = request.baseline == IgBaseline::corrupt
                                          ? e.corrupt_activation
                                          : std::vector<double>(h, 0.0);
    const attribution::IntegratedGradientsSteps steps =
        attribution::integrated_gradients_steps(model, e.layer, e.pair.clean, start);
    SplitIg split{attribution::split_integrated_gradients(steps, *request.split_ratio),
                  steps.alphas.size(), std::nullopt};
    const double total = std::accumulate(split.split.left.begin(), split.split.left.end(), 0.0);
    if (total != 0.0) {
      std::vector<double> shares;
      for (const double left : split.split.left) shares.push_back(left / total);
      split.left_share = std::move(shares);
    }
    m.split_ig = std::move(split);
  }
  m.methods = {{"ig", "IG", ig_scores, std::nullopt},
               {"denoising", "denoising", e.patching.denoising.scores, std::nullopt},
               {"noising", "noising", e.patching.noising.scores, std::nullopt}};
  m.pairs = {{0, 1}, {0, 2}, {1, 2}};
  compare_methods(m, request, model, e.layer);
  return m;
}

// Chapter 10's network with the skip path, as chapter 11 compares it (attribution/skip_path.hpp).
Measured measure_with_skip(const CompareRequest& request) {
  Measured m;
  const attribution::ResidualNetwork network =
      attribution::train_residual_network(request.gate, request.seed, request.hidden);
  const std::size_t h = request.hidden;
  m.pair = nn::gate_pair(request.gate);
  m.architecture = nn::residual_architecture(m.pair.clean.size(), h);
  m.predictions = network.predictions;
  m.classifies_all_rows = network.classifies_all_rows;
  const std::string layer = nn::layer_output_name(0);
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, m.pair.clean.size(), h, network.parameters);
  m.f_clean = attribution::run_model(model, layer, m.pair.clean).output;
  m.f_corrupt = attribution::run_model(model, layer, m.pair.corrupt).output;
  const std::optional<attribution::SkipPathScores> s = attribution::skip_path_scores(network);
  const auto scores = [&s](std::vector<double> attribution::SkipPathScores::*member) {
    return s ? Scores((*s).*member) : std::nullopt;
  };
  if (s) {
    m.layer_denoising = s->layer_denoising;
    m.layer_noising = s->layer_noising;
  }
  using attribution::SkipPathScores;
  m.methods = {{"ig_denoising", "IG den", scores(&SkipPathScores::ig_denoising), std::nullopt},
               {"ig_noising", "IG noise", scores(&SkipPathScores::ig_noising), std::nullopt},
               {"denoising", "denoising", scores(&SkipPathScores::denoising), std::nullopt},
               {"noising", "noising", scores(&SkipPathScores::noising), std::nullopt}};
  // Chapter 11's pairs with the skip path, in its order.
  m.pairs = {{0, 2}, {0, 3}, {1, 3}, {1, 2}, {2, 3}, {0, 1}};
  compare_methods(m, request, model, layer);
  return m;
}

Measured measure(const CompareRequest& request) {
  return request.skip ? measure_with_skip(request) : measure_without_skip(request);
}

// ---- JSON -------------------------------------------------------------------------------------

Json json_of(const Statistic& value) { return value ? Json(*value) : Json(); }
Json json_of(const Scores& values) { return values ? Json(*values) : Json(); }
Json json_of(const ComponentSet& set) {
  Json::Array items;
  for (const std::size_t j : set) items.emplace_back(static_cast<long long>(j));
  return items;
}
Json json_of(const std::vector<ComponentSet>& sets) {
  Json::Array items;
  for (const ComponentSet& set : sets) items.push_back(json_of(set));
  return items;
}

// With the skip path, whether the empty set computes the gate kept alone: every hidden neuron
// ablated, the skip path alone does.
bool skip_path_alone_computes(const attribution::GroundTruth& truth) {
  return truth.smallest_sufficient.size() == 1 && truth.smallest_sufficient[0].empty();
}

Json json_of(const AblationTruth& t, const Measured& m, bool skip) {
  Json::Object picks;
  for (std::size_t k = 0; k < m.methods.size(); ++k) {
    const std::optional<attribution::PickScore>& s = t.picks[k];
    picks.emplace_back(m.methods[k].name,
                       s ? Json::object({{"recall", json_of(s->recall)},
                                         {"precision", json_of(s->precision)},
                                         {"matched", s->matched ? json_of(*s->matched) : Json()},
                                         {"breaks", s->breaks},
                                         {"computes", s->computes}})
                         : Json());
  }
  Json::Object truth = {{"movable", json_of(t.truth.movable)},
                        {"smallest_breaking", json_of(t.truth.smallest_breaking)},
                        {"smallest_sufficient", json_of(t.truth.smallest_sufficient)}};
  if (skip) truth.emplace_back("skip_path_alone_computes", skip_path_alone_computes(t.truth));
  truth.emplace_back("picks", Json(std::move(picks)));
  return Json(std::move(truth));
}

Json json_report(const CompareRequest& request, const Measured& m) {
  Json::Array asymmetry;
  for (const Statistic& value : m.asymmetry) asymmetry.push_back(json_of(value));
  Json::Object picks, pearson, jaccard, truths;
  for (const Method& method : m.methods)
    picks.emplace_back(method.name, method.pick ? json_of(*method.pick) : Json());
  for (std::size_t p = 0; p < m.pairs.size(); ++p) {
    const std::string name =
        std::string(m.methods[m.pairs[p].first].name) + "_" + m.methods[m.pairs[p].second].name;
    pearson.emplace_back(name, json_of(m.pearson[p]));
    jaccard.emplace_back(name, json_of(m.jaccard[p]));
  }
  for (const AblationTruth& t : m.truths)
    truths.emplace_back(attribution::ablation_name(t.ablation), json_of(t, m, request.skip));
  Json::Object report = {{"gate", nn::gate_name(request.gate)},
                         {"seed", static_cast<long long>(request.seed)},
                         {"hidden", static_cast<long long>(request.hidden)}};
  if (request.skip) report.emplace_back("skip", true);
  report.emplace_back("architecture", m.architecture);
  if (!request.skip)
    report.emplace_back("baseline", request.baseline == IgBaseline::corrupt ? "corrupt" : "zero");
  report.insert(report.end(), {{"fraction", request.fraction},
                               {"pick_size", static_cast<long long>(m.pick_size)},
                               {"predictions", m.predictions},
                               {"classifies_all_rows", m.classifies_all_rows},
                               {"f_clean", m.f_clean},
                               {"f_corrupt", m.f_corrupt}});
  if (request.skip) {
    report.emplace_back("layer_denoising", json_of(m.layer_denoising));
    report.emplace_back("layer_noising", json_of(m.layer_noising));
  } else {
    report.emplace_back("f_baseline", m.f_baseline);
    report.emplace_back("ig", m.ig);
    report.emplace_back("ig_share", json_of(m.ig_share));
    if (const std::optional<SplitIg>& s = m.split_ig)
      report.emplace_back("split_ig",
                          Json::object({{"ratio", s->split.ratio},
                                        {"threshold", s->split.threshold},
                                        {"reversed", s->split.reversed},
                                        {"left_steps", static_cast<long long>(s->split.left_steps)},
                                        {"n_steps", static_cast<long long>(s->n_steps)},
                                        {"left", s->split.left},
                                        {"left_share", json_of(s->left_share)}}));
  }
  // With the skip path the first two methods are the IGs, each a share of the gap.
  for (std::size_t k = request.skip ? 0 : 1; k < m.methods.size(); ++k)
    report.emplace_back(m.methods[k].name, json_of(m.methods[k].scores));
  const bool patched = denoising_of(m).scores && noising_of(m).scores;
  report.emplace_back("asymmetry", patched ? Json(std::move(asymmetry)) : Json());
  report.emplace_back("study_asymmetry", json_of(m.study_asymmetry));
  report.emplace_back("picks", Json(std::move(picks)));
  report.emplace_back("pearson", Json(std::move(pearson)));
  report.emplace_back("jaccard", Json(std::move(jaccard)));
  report.emplace_back("ground_truth", Json(std::move(truths)));
  return Json(std::move(report));
}

// ---- text -------------------------------------------------------------------------------------

std::string set_text(const ComponentSet& set) {
  std::string text = "{";
  for (std::size_t i = 0; i < set.size(); ++i)
    text += (i > 0 ? ", h" : "h") + std::to_string(set[i] + 1);
  return text + "}";
}

std::string sets_text(const std::vector<ComponentSet>& sets) {
  if (sets.empty()) return "none";
  std::string text;
  for (std::size_t i = 0; i < sets.size(); ++i) text += (i > 0 ? " " : "") + set_text(sets[i]);
  return text;
}

std::string list_text(std::span<const double> values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + shortest(values[i]);
  return text + "]";
}

Statistic at(const Scores& values, std::size_t j) {
  return values ? Statistic((*values)[j]) : std::nullopt;
}

std::string text_report(const CompareRequest& request, const Measured& m) {
  const std::size_t h = request.hidden;
  const bool corrupt = request.baseline == IgBaseline::corrupt;
  const std::string how =
      request.skip
          ? "IG at the hidden neurons in the study's convention:\nthe model on the base run (den: "
            "corrupt, noise: clean), only the hidden neurons moving;\nevery score a share of "
            "f(clean) - f(corrupt);\n"
          : std::string("IG from the ") +
                (corrupt ? "corrupt baseline" : "zero baseline at the layer (h = 0)") + ";\n";
  std::string text =
      m.architecture + " on the " + nn::gate_name_upper(request.gate) + " gate (seed " +
      std::to_string(request.seed) + "), " +
      (m.classifies_all_rows ? "classifies every row"
                             : "does not classify every row (chapter 11 leaves it out)") +
      "\nbetween clean " + list_text(m.pair.clean) + " and corrupt " + list_text(m.pair.corrupt) +
      "; " + how + "each method picks its top " + shortest(request.fraction) +
      " of the neurons by |score| (at most " + std::to_string(m.pick_size) + " of " +
      std::to_string(h) + ")\n\n";
  text += request.skip ? "neuron  IG den      IG noise    denoising   noising     asymmetry   "
                         "study's     picked by\n"
                       : "neuron  IG          IG share    denoising   noising     asymmetry   "
                         "study's     picked by\n";
  text +=
      "------  ----------  ----------  ----------  ----------  ----------  ----------  "
      "---------\n";
  for (std::size_t j = 0; j < h; ++j) {
    std::string row = "h" + std::to_string(j + 1);
    row.resize(6, ' ');
    const Statistic first = request.skip ? at(m.methods[0].scores, j) : Statistic(m.ig[j]);
    const Statistic second = request.skip ? at(m.methods[1].scores, j) : at(m.ig_share, j);
    for (const Statistic& value :
         {first, second, at(denoising_of(m).scores, j), at(noising_of(m).scores, j),
          m.asymmetry.empty() ? std::nullopt : m.asymmetry[j], at(m.study_asymmetry, j)})
      row += "  " + padded(fixed_point(value, 6), 10);  // two spaces even before a wide number
    std::string chosen;
    for (const Method& method : m.methods)
      if (method.pick &&
          std::find(method.pick->begin(), method.pick->end(), j) != method.pick->end())
        chosen += (chosen.empty() ? "" : ", ") + std::string(method.label);
    text += row + "  " + (chosen.empty() ? "-" : chosen) + "\n";
  }
  text +=
      "\nf(clean) = " + fixed_point(m.f_clean, 6) + ", f(corrupt) = " + fixed_point(m.f_corrupt, 6);
  if (request.skip)
    text += "\neach IG adds up to its direction's patching score of all " + std::to_string(h) +
            " hidden neurons together, not to 1:\ndenoising " + fixed_point(m.layer_denoising, 6) +
            ", noising " + fixed_point(m.layer_noising, 6) + "\n";
  else
    text += ", f(baseline) = " + fixed_point(m.f_baseline, 6) + "\n";
  if (const std::optional<SplitIg>& s = m.split_ig) {
    text += "\nsplit IG (ratio " + shortest(s->split.ratio) + "): the left part sums the " +
            std::to_string(s->split.left_steps) + " of " + std::to_string(s->n_steps) +
            " nodes before f first rises above " + fixed_point(s->split.threshold, 6) +
            (s->split.reversed ? ", the path read from its end" : "") +
            "\nneuron  left        left share\n";
    for (std::size_t j = 0; j < h; ++j) {
      std::string row = "h" + std::to_string(j + 1);
      row.resize(6, ' ');
      text += row + "  " + padded(fixed_point(s->split.left[j], 6), 10) + "  " +
              padded(fixed_point(at(s->left_share, j), 6), 10) + "\n";
    }
  }
  // The longest pair with the skip path, "IG noise vs denoising", needs the wider column.
  const std::size_t label_width = request.skip ? 24 : 20;
  text += "\nmethods" + std::string(label_width - 7, ' ') + padded("Pearson r", 11) +
          padded("Jaccard", 12) + "\n";
  for (std::size_t p = 0; p < m.pairs.size(); ++p) {
    std::string row = std::string(m.methods[m.pairs[p].first].label) + " vs " +
                      m.methods[m.pairs[p].second].label;
    row.resize(label_width, ' ');
    text += row + padded(fixed_point(m.pearson[p], 6), 11) +
            padded(fixed_point(m.jaccard[p], 6), 12) + "\n";
  }
  if (request.skip)
    text +=
        "\nAblation takes out hidden neurons only: the skip path's copy of the input is never\n"
        "ablated, so the input reaches the output past them whatever is taken out.\n";
  for (const AblationTruth& t : m.truths) {
    std::string sufficient = sets_text(t.truth.smallest_sufficient);
    if (request.skip && skip_path_alone_computes(t.truth))
      sufficient +=
          "\n  the empty set: with every hidden neuron ablated, the skip path alone computes the "
          "gate\n  (recall and precision against it are undefined)";
    text +=
        std::string("\n") + attribution::ablation_name(t.ablation) +
        " ablation: smallest sets that break the gate: " + sets_text(t.truth.smallest_breaking) +
        "\n  smallest sets that compute it kept alone: " + sufficient + "\n  pick" +
        std::string(6, ' ') + padded("recall", 10) + padded("precision", 12) +
        padded("ablated: breaks", 17) + padded("kept: computes", 16) + "\n";
    for (std::size_t k = 0; k < m.methods.size(); ++k) {
      std::string row = std::string("  ") + m.methods[k].label;
      row.resize(12, ' ');
      if (!t.picks[k]) {
        text += row + "no pick: the scores are undefined\n";
        continue;
      }
      const attribution::PickScore& s = *t.picks[k];
      row += padded(fixed_point(s.recall, 6), 10) + padded(fixed_point(s.precision, 6), 12);
      row += padded(s.breaks ? "yes" : "no", 17) + padded(s.computes ? "yes" : "no", 16);
      text += row + "\n";
    }
  }
  return text;
}

}  // namespace

std::string compare_report(const CompareRequest& request, Format format) {
  const Measured m = measure(request);
  const Json json = json_report(request, m);
  require_finite(json, "compare");
  return format == Format::json ? json.dump() + "\n" : text_report(request, m);
}

}  // namespace latent
