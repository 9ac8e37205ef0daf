#include "latent/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
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
#include "attribution/split_ig.hpp"
#include "latent/arguments.hpp"
#include "latent/json.hpp"
#include "nn/network.hpp"

namespace latent {

namespace {

using attribution::ComponentSet;
using Scores = std::optional<std::vector<double>>;  // undefined when there is no gap to share out
using Statistic = std::optional<double>;

// The three methods, in the order every table shows them.
constexpr const char* method_names[] = {"ig", "denoising", "noising"};
constexpr const char* method_labels[] = {"IG", "denoising", "noising"};
// The pairs r and Jaccard are given for: indices into the methods.
constexpr std::pair<std::size_t, std::size_t> method_pairs[] = {{0, 1}, {0, 2}, {1, 2}};

struct AblationTruth {
  attribution::Ablation ablation = attribution::Ablation::zero;
  attribution::GroundTruth truth;
  std::optional<attribution::PickScore> picks[3];  // per method; none when its scores are undefined
};

struct Measured {
  attribution::Experiment experiment;
  std::vector<double> ig;  // attributions from the baseline asked for
  Scores ig_share;         // ig / (f(clean) - f(baseline))
  double f_baseline = 0.0;
  // What the statistics compare, as chapter 11 compares them: the IG shares from the corrupt
  // baseline, the attributions themselves from the zero baseline (whose gap can be 0: every
  // neuron off on the clean input), then the two patching directions' scores.
  Scores scores[3];
  std::size_t pick_size = 0;  // selected_count: what each pick has at most
  std::optional<ComponentSet> picks[3];
  std::vector<Statistic> asymmetry;  // ours, per neuron; empty without scores
  Scores study_asymmetry;
  Statistic pearson[3], jaccard[3];
  AblationTruth truths[2];
};

Measured measure(const CompareRequest& request) {
  Measured m;
  m.experiment = attribution::run_experiment(request.gate, request.seed, request.hidden);
  const attribution::Experiment& e = m.experiment;
  const std::size_t h = request.hidden;
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, nn::input_count(request.gate), h, e.network.parameters);
  if (request.baseline == IgBaseline::corrupt) {
    m.ig = e.ig.attributions;
    m.ig_share = e.ig_shares;
    m.f_baseline = e.ig.f_baseline;
    m.scores[0] = e.ig_shares;
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
    m.scores[0] = steps.attributions;
  }
  m.scores[1] = e.patching.denoising.scores;
  m.scores[2] = e.patching.noising.scores;
  m.pick_size = attribution::selected_count(h, request.fraction);
  for (std::size_t k = 0; k < 3; ++k)
    if (m.scores[k]) m.picks[k] = attribution::top_fraction(*m.scores[k], request.fraction);
  if (m.scores[1] && m.scores[2]) {
    m.asymmetry = attribution::relative_asymmetry(*m.scores[2], *m.scores[1]);
    m.study_asymmetry = attribution::study_asymmetry(*m.scores[2], *m.scores[1]);
  }
  for (std::size_t p = 0; p < 3; ++p) {
    const auto [a, b] = method_pairs[p];
    if (m.scores[a] && m.scores[b]) m.pearson[p] = attribution::pearson(*m.scores[a], *m.scores[b]);
    if (m.picks[a] && m.picks[b]) m.jaccard[p] = attribution::jaccard(*m.picks[a], *m.picks[b]);
  }
  const nn::TruthTable table = nn::truth_table(request.gate);
  const std::vector<std::vector<double>> activations =
      attribution::activations_on_table(model, e.layer, table);
  const attribution::Ablation ablations[] = {attribution::Ablation::zero,
                                             attribution::Ablation::mean};
  for (std::size_t a = 0; a < 2; ++a) {
    AblationTruth& t = m.truths[a];
    t.ablation = ablations[a];
    t.truth = attribution::find_ground_truth(model, e.layer, table, t.ablation);
    const std::vector<double> values = attribution::ablation_values(activations, t.ablation);
    for (std::size_t k = 0; k < 3; ++k)
      if (m.picks[k])
        t.picks[k] = attribution::score_pick(model, e.layer, table, activations, values, t.truth,
                                             *m.picks[k], h);
  }
  return m;
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

Json json_of(const AblationTruth& t) {
  Json::Object picks;
  for (std::size_t k = 0; k < 3; ++k) {
    const std::optional<attribution::PickScore>& s = t.picks[k];
    picks.emplace_back(method_names[k],
                       s ? Json::object({{"recall", json_of(s->recall)},
                                         {"precision", json_of(s->precision)},
                                         {"matched", s->matched ? json_of(*s->matched) : Json()},
                                         {"breaks", s->breaks},
                                         {"computes", s->computes}})
                         : Json());
  }
  return Json::object({{"movable", json_of(t.truth.movable)},
                       {"smallest_breaking", json_of(t.truth.smallest_breaking)},
                       {"smallest_sufficient", json_of(t.truth.smallest_sufficient)},
                       {"picks", Json(std::move(picks))}});
}

Json json_report(const CompareRequest& request, const Measured& m) {
  const attribution::Experiment& e = m.experiment;
  Json::Array asymmetry;
  for (const Statistic& value : m.asymmetry) asymmetry.push_back(json_of(value));
  Json::Object picks, pearson, jaccard, truths;
  for (std::size_t k = 0; k < 3; ++k)
    picks.emplace_back(method_names[k], m.picks[k] ? json_of(*m.picks[k]) : Json());
  for (std::size_t p = 0; p < 3; ++p) {
    const std::string name = std::string(method_names[method_pairs[p].first]) + "_" +
                             method_names[method_pairs[p].second];
    pearson.emplace_back(name, json_of(m.pearson[p]));
    jaccard.emplace_back(name, json_of(m.jaccard[p]));
  }
  for (const AblationTruth& t : m.truths)
    truths.emplace_back(attribution::ablation_name(t.ablation), json_of(t));
  return Json::object(
      {{"gate", nn::gate_name(request.gate)},
       {"seed", static_cast<long long>(request.seed)},
       {"hidden", static_cast<long long>(request.hidden)},
       {"architecture", nn::architecture(e.pair.clean.size(), request.hidden)},
       {"baseline", request.baseline == IgBaseline::corrupt ? "corrupt" : "zero"},
       {"fraction", request.fraction},
       {"pick_size", static_cast<long long>(m.pick_size)},
       {"predictions", e.network.predictions},
       {"classifies_all_rows", e.network.classifies_all_rows},
       {"f_clean", e.patching.f_clean()},
       {"f_corrupt", e.patching.f_corrupt()},
       {"f_baseline", m.f_baseline},
       {"ig", m.ig},
       {"ig_share", json_of(m.ig_share)},
       {"denoising", json_of(m.scores[1])},
       {"noising", json_of(m.scores[2])},
       {"asymmetry", m.scores[1] && m.scores[2] ? Json(std::move(asymmetry)) : Json()},
       {"study_asymmetry", json_of(m.study_asymmetry)},
       {"picks", Json(std::move(picks))},
       {"pearson", Json(std::move(pearson))},
       {"jaccard", Json(std::move(jaccard))},
       {"ground_truth", Json(std::move(truths))}});
}

// ---- text -------------------------------------------------------------------------------------

std::string fixed(const Statistic& value, int decimals) {
  return value ? fixed_point(*value, decimals) : "undefined";
}

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

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
  const attribution::Experiment& e = m.experiment;
  const std::size_t h = request.hidden;
  const bool corrupt = request.baseline == IgBaseline::corrupt;
  std::string text =
      nn::architecture(e.pair.clean.size(), h) + " on the " + nn::gate_name_upper(request.gate) +
      " gate (seed " + std::to_string(request.seed) + "), " +
      (e.network.classifies_all_rows ? "classifies every row"
                                     : "does not classify every row (chapter 11 leaves it out)") +
      "\nbetween clean " + list_text(e.pair.clean) + " and corrupt " + list_text(e.pair.corrupt) +
      "; IG from the " + (corrupt ? "corrupt baseline" : "zero baseline at the layer (h = 0)") +
      ";\neach method picks its top " + shortest(request.fraction) +
      " of the neurons by |score| (at most " + std::to_string(m.pick_size) + " of " +
      std::to_string(h) + ")\n\n";
  text +=
      "neuron  IG          IG share    denoising   noising     asymmetry   study's     "
      "picked by\n";
  text +=
      "------  ----------  ----------  ----------  ----------  ----------  ----------  "
      "---------\n";
  for (std::size_t j = 0; j < h; ++j) {
    std::string row = "h" + std::to_string(j + 1);
    row.resize(6, ' ');
    for (const Statistic& value :
         {Statistic(m.ig[j]), at(m.ig_share, j), at(m.scores[1], j), at(m.scores[2], j),
          m.asymmetry.empty() ? std::nullopt : m.asymmetry[j], at(m.study_asymmetry, j)})
      row += "  " + padded(fixed(value, 6), 10);  // two spaces even before a wide number
    std::string chosen;
    for (std::size_t k = 0; k < 3; ++k)
      if (m.picks[k] && std::find(m.picks[k]->begin(), m.picks[k]->end(), j) != m.picks[k]->end())
        chosen += (chosen.empty() ? "" : ", ") + std::string(method_labels[k]);
    text += row + "  " + (chosen.empty() ? "-" : chosen) + "\n";
  }
  text += "\nf(clean) = " + fixed(e.patching.f_clean(), 6) +
          ", f(corrupt) = " + fixed(e.patching.f_corrupt(), 6) +
          ", f(baseline) = " + fixed(m.f_baseline, 6) + "\n\nmethods" + std::string(13, ' ') +
          padded("Pearson r", 11) + padded("Jaccard", 12) + "\n";
  for (std::size_t p = 0; p < 3; ++p) {
    std::string row = std::string(method_labels[method_pairs[p].first]) + " vs " +
                      method_labels[method_pairs[p].second];
    row.resize(20, ' ');
    text += row + padded(fixed(m.pearson[p], 6), 11) + padded(fixed(m.jaccard[p], 6), 12) + "\n";
  }
  for (const AblationTruth& t : m.truths) {
    text +=
        std::string("\n") + attribution::ablation_name(t.ablation) +
        " ablation: smallest sets that break the gate: " + sets_text(t.truth.smallest_breaking) +
        "\n  smallest sets that compute it kept alone: " + sets_text(t.truth.smallest_sufficient) +
        "\n  pick" + std::string(6, ' ') + padded("recall", 10) + padded("precision", 12) +
        padded("ablated: breaks", 17) + padded("kept: computes", 16) + "\n";
    for (std::size_t k = 0; k < 3; ++k) {
      std::string row = std::string("  ") + method_labels[k];
      row.resize(12, ' ');
      if (!t.picks[k]) {
        text += row + "no pick: the scores are undefined\n";
        continue;
      }
      const attribution::PickScore& s = *t.picks[k];
      row += padded(fixed(s.recall, 6), 10) + padded(fixed(s.precision, 6), 12);
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
