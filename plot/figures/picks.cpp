// Chapter 11's picks against the ablation ground truth, as grouped bars: each method's top quarter
// of the hidden neurons, its mean recall and precision under zero and under mean ablation, with
// chance's exact expectation beside them. The models, picks and ground truth are the chapter's.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "attribution/ablation.hpp"
#include "attribution/comparison.hpp"
#include "attribution/experiment.hpp"
#include "attribution/residual_stream.hpp"
#include "attribution/skip_path.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "nn/network.hpp"
#include "nn/residual.hpp"
#include "plot/bar_chart.hpp"
#include "plot/figures/figures.hpp"

namespace figures {

namespace {

// Chapter 11's models: 8 and 16 hidden neurons, AND, OR and XOR from seeds 0 to 9, each method
// picking its top quarter.
const std::vector<std::size_t> widths = {8, 16};
constexpr std::uint64_t seeds = 10;
constexpr double fraction = 0.25;
const std::vector<attribution::Ablation> ablations = {attribution::Ablation::zero,
                                                      attribution::Ablation::mean};

// One pick's recall and precision in every model, under one ablation.
struct Tally {
  std::vector<std::optional<double>> recalls, precisions;
};

// tallies[a][i]: the i-th pick under ablations[a], chance's last.
using Tallies = std::vector<std::vector<Tally>>;

// One model's picks, of its first `hidden` columns of `layer`, scored against each ablation's
// ground truth, and chance's expectation for a pick of a quarter's size.
void score_model(nn::Sequential& model, const std::string& layer, const nn::TruthTable& table,
                 std::size_t hidden, const std::vector<attribution::ComponentSet>& picks,
                 Tallies& tallies) {
  const auto activations = attribution::activations_on_table(model, layer, table);
  for (std::size_t a = 0; a < ablations.size(); ++a) {
    const std::vector<double> values = attribution::ablation_values(activations, ablations[a]);
    const attribution::GroundTruth truth =
        attribution::find_ground_truth(model, layer, table, ablations[a], hidden);
    for (std::size_t i = 0; i < picks.size(); ++i) {
      const attribution::PickScore s = attribution::score_pick(model, layer, table, activations,
                                                               values, truth, picks[i], hidden);
      tallies[a][i].recalls.push_back(s.recall);
      tallies[a][i].precisions.push_back(s.precision);
    }
    const attribution::ExpectedPickScore chance =
        attribution::chance_pick_score(model, layer, table, activations, values, truth,
                                       attribution::selected_count(hidden, fraction), hidden);
    tallies[a].back().recalls.push_back(chance.recall);
    tallies[a].back().precisions.push_back(chance.precision);
  }
}

double mean_of(const std::vector<std::optional<double>>& values, const std::string& what) {
  const attribution::DefinedMean mean = attribution::defined_mean(values);
  if (!mean.mean) throw std::runtime_error("figure: the mean " + what + " is undefined");
  return *mean.mean;
}

std::string picks_svg(const std::string& title, const std::vector<std::string>& categories,
                      const Tallies& tallies) {
  plot::BarChart chart;
  chart.title = title;
  chart.x_label = "pick: each method's top quarter of the hidden neurons, or chance's";
  chart.y_label = "mean over the models (undefined left out)";
  chart.width = 840.0;
  chart.categories = categories;
  for (std::size_t a = 0; a < ablations.size(); ++a) {
    const std::string ablation = attribution::ablation_name(ablations[a]);
    plot::BarSeries recall{"recall, " + ablation + " ablation", {}},
        precision{"precision, " + ablation + " ablation", {}};
    for (std::size_t i = 0; i < categories.size(); ++i) {
      recall.values.push_back(mean_of(tallies[a][i].recalls, "recall of " + categories[i]));
      precision.values.push_back(
          mean_of(tallies[a][i].precisions, "precision of " + categories[i]));
    }
    chart.series.push_back(std::move(recall));
    chart.series.push_back(std::move(precision));
  }
  return plot::bar_chart_svg(chart);
}

}  // namespace

Figure picks_figure() {
  return {"ch11-picks.svg",
          "Chapter 11: each method's top quarter against the smallest sufficient set (ablation), "
          "recall and precision, with chance's; the network without the skip path.",
          "chapters/11-comparing-methods/figures/picks.svg", [] {
            const std::vector<std::string> categories = {"IG", "denoising", "noising", "chance"};
            Tallies tallies(ablations.size(), std::vector<Tally>(categories.size()));
            std::size_t models = 0;
            for (std::size_t hidden : widths)
              for (nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::xor_gate})
                for (std::uint64_t s = 0; s < seeds; ++s) {
                  const attribution::Experiment e = attribution::run_experiment(gate, s, hidden);
                  if (!e.network.classifies_all_rows) continue;
                  if (!e.ig_shares || !e.patching.denoising.scores || !e.patching.noising.scores)
                    throw std::runtime_error("figure: a model's scores are undefined");
                  autodiff::Tape tape;
                  nn::Sequential model = nn::network(tape, 2, hidden, e.network.parameters);
                  score_model(model, e.layer, nn::truth_table(gate), hidden,
                              {attribution::top_fraction(*e.ig_shares, fraction),
                               attribution::top_fraction(*e.patching.denoising.scores, fraction),
                               attribution::top_fraction(*e.patching.noising.scores, fraction)},
                              tallies);
                  ++models;
                }
            return picks_svg("Without the skip path: the picks against ablation (" +
                                 std::to_string(models) + " models)",
                             categories, tallies);
          }};
}

Figure skip_path_picks_figure() {
  return {"ch11-picks-skip.svg",
          "Chapter 11: the same with the skip path; under zero ablation the skip path alone "
          "computes the gate in some models, whose recall is undefined and left out.",
          "chapters/11-comparing-methods/figures/picks-skip.svg", [] {
            const std::vector<std::string> categories = {"IG den", "IG noise", "denoising",
                                                         "noising", "chance"};
            Tallies tallies(ablations.size(), std::vector<Tally>(categories.size()));
            const std::string layer = nn::layer_output_name(0);
            std::size_t models = 0;
            for (std::size_t hidden : widths)
              for (nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::xor_gate})
                for (std::uint64_t s = 0; s < seeds; ++s) {
                  const attribution::ResidualNetwork network =
                      attribution::train_residual_network(gate, s, hidden);
                  if (!network.classifies_all_rows) continue;
                  const std::optional<attribution::SkipPathScores> scores =
                      attribution::skip_path_scores(network);
                  if (!scores) continue;  // no gap between clean and corrupt: the chapter skips it
                  autodiff::Tape tape;
                  nn::Sequential model = nn::residual_network(tape, 2, hidden, network.parameters);
                  score_model(model, layer, nn::truth_table(gate), hidden,
                              {attribution::top_fraction(scores->ig_denoising, fraction),
                               attribution::top_fraction(scores->ig_noising, fraction),
                               attribution::top_fraction(scores->denoising, fraction),
                               attribution::top_fraction(scores->noising, fraction)},
                              tallies);
                  ++models;
                }
            return picks_svg("With the skip path: the picks against ablation (" +
                                 std::to_string(models) + " models)",
                             categories, tallies);
          }};
}

}  // namespace figures
