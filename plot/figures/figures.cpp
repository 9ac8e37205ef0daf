#include "plot/figures/figures.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/comparison.hpp"
#include "attribution/correlation.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/metric.hpp"
#include "attribution/quadrature.hpp"
#include "attribution/residual_stream.hpp"
#include "attribution/skip_path.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "nn/network.hpp"
#include "nn/residual.hpp"
#include "plot/bar_chart.hpp"
#include "plot/line_plot.hpp"
#include "plot/scatter_plot.hpp"
#include "plot/svg.hpp"

namespace figures {

namespace {

// The notebook's AND neuron, as chapter 4 uses it.
const std::vector<double> notebook_and_weights = {3.0482, 3.0556};
constexpr double notebook_and_bias = -4.7946;

constexpr std::uint64_t seed = 0;        // chapters 3 and 6 train from seed 0
constexpr std::size_t hidden_width = 2;  // chapter 7's 2-2-1 network

}  // namespace

std::vector<Figure> all_figures() {
  return {
      loss_curves_figure(),
      convergence_figure(),
      gate_scores_figure(nn::Gate::and_gate),
      gate_scores_figure(nn::Gate::or_gate),
      hidden_layer_scores_figure(nn::Gate::and_gate),
      hidden_layer_scores_figure(nn::Gate::or_gate),
      hidden_layer_scores_figure(nn::Gate::nand_gate),
      hidden_layer_scores_figure(nn::Gate::xor_gate),
      three_input_scores_figure(nn::Gate::and3_gate),
      three_input_scores_figure(nn::Gate::or3_gate),
      three_input_scores_figure(nn::Gate::maj3_gate),
      metric_scores_figure(),
      residual_ig_vs_patching_figure(),
      wide_ig_vs_noising_figure(),
      picks_figure(),
      skip_path_picks_figure(),
      head_attention_figure(nn::Gate::or_gate),
      head_attention_figure(nn::Gate::and_gate),
      head_scores_figure(nn::Gate::or_gate),
      head_scores_figure(nn::Gate::and_gate),
  };
}

std::string index_html(const std::vector<Figure>& figures) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
      "<title>Latent Circuits: figures</title>\n"
      "<style>body { font-family: Helvetica, Arial, sans-serif; max-width: 780px; margin: 2em "
      "auto; color: #222; } figure { margin: 0 0 2.5em 0; } img { max-width: 100%; border: 1px "
      "solid #ddd; } figcaption { margin-top: 0.4em; }</style>\n</head>\n<body>\n"
      "<h1>Latent Circuits: figures</h1>\n";
  for (const Figure& figure : figures)
    html += "<figure>\n<img src=\"" + plot::escape(figure.file) + "\" alt=\"" +
            plot::escape(figure.caption) + "\"/>\n<figcaption>" + plot::escape(figure.caption) +
            "</figcaption>\n</figure>\n";
  return html + "</body>\n</html>\n";
}

// ---- chapter 3 ----------------------------------------------------------------------------------

Figure loss_curves_figure() {
  return {"ch03-loss.svg",
          "Chapter 3: BCELoss at every epoch while the neuron learns AND and OR (seed 0, lr 0.1); "
          "OR's loss falls faster and further.",
          "chapters/03-training/figures/loss.svg", [] {
            plot::LinePlot chart;
            chart.title = "Training the neuron: BCELoss per epoch (seed 0, lr 0.1)";
            chart.x_label = "epoch";
            chart.y_label = "BCELoss (before the epoch's step)";
            for (nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate}) {
              const attribution::TrainedNetwork trained = attribution::train_network(gate, seed);
              const std::vector<double>& losses = trained.training->losses;
              plot::LineSeries series{nn::gate_name_upper(gate), {}, losses, false};
              for (std::size_t epoch = 0; epoch < losses.size(); ++epoch)
                series.x.push_back(static_cast<double>(epoch));
              chart.series.push_back(std::move(series));
            }
            return plot::line_plot_svg(chart);
          }};
}

// ---- chapter 4 ----------------------------------------------------------------------------------

Figure convergence_figure() {
  return {
      "ch04-convergence.svg",
      "Chapter 4: |completeness error| of integrated gradients against n_steps on the "
      "notebook's AND neuron: left and right Riemann sums fall as 1/n, midpoint and "
      "trapezoid as 1/n\u00b2, Gauss\u2013Legendre reaches rounding by n = 20.",
      "chapters/04-integrated-gradients/figures/convergence.svg", [] {
        using attribution::Method;
        autodiff::Tape tape;
        nn::Sequential model = nn::neuron(tape, notebook_and_weights, notebook_and_bias);
        const std::vector<int> steps = {1,  2,  3,   4,   5,   7,   10,  15,  20,  30,
                                        50, 70, 100, 150, 200, 300, 500, 700, 1000};
        plot::LinePlot chart;
        chart.title = "Integrated gradients: completeness error against n_steps";
        chart.x_label = "n_steps";
        chart.y_label = "|sum of IG \u2212 (f(x) \u2212 f(x\u2032))|";
        chart.x_scale = chart.y_scale = plot::Scale::log;
        for (Method method : {Method::riemann_left, Method::riemann_right, Method::riemann_middle,
                              Method::riemann_trapezoid, Method::gausslegendre}) {
          plot::LineSeries series{attribution::method_name(method), {}, {}, true};
          for (int n : steps) {
            if (method == Method::riemann_trapezoid && n == 1) continue;  // needs two nodes
            const double error =
                std::fabs(attribution::integrated_gradients(model, nn::notebook_clean_input,
                                                            nn::notebook_corrupt_input, n, method)
                              .convergence_delta);
            // An error of exactly 0 (the rounding happened to cancel) has no place on a log
            // axis; it says no more than the 1e-16 around it.
            if (error == 0.0) continue;
            series.x.push_back(n);
            series.y.push_back(error);
          }
          chart.series.push_back(std::move(series));
        }
        // Through the left sum's error at n = 10 and the midpoint's, a third of the way down,
        // so that each reference runs beside the rules it describes.
        const plot::LineSeries& left = chart.series[0];
        const plot::LineSeries& middle = chart.series[2];
        const auto at_ten = [](const plot::LineSeries& s) {
          for (std::size_t i = 0; i < s.x.size(); ++i)
            if (s.x[i] == 10.0) return s.y[i];
          throw std::logic_error("convergence figure: no n_steps = 10");
        };
        chart.slopes = {{"1/n", -1.0, 10.0, at_ten(left) / 3.0},
                        {"1/n\u00b2", -2.0, 10.0, at_ten(middle) / 3.0}};
        return plot::line_plot_svg(chart);
      }};
}

// ---- chapter 6 ----------------------------------------------------------------------------------

std::string attribution_scores_svg(const std::string& title,
                                   const std::vector<std::string>& components,
                                   const std::vector<double>& ig_shares,
                                   const std::vector<double>& denoising,
                                   const std::vector<double>& noising) {
  plot::BarChart chart;
  chart.title = title;
  chart.x_label = "component";
  chart.y_label = "share of f(clean) \u2212 f(corrupt)";
  chart.categories = components;
  chart.series = {{"IG share", ig_shares},
                  {"denoising (clean \u2192 corrupt)", denoising},
                  {"noising (corrupt \u2192 clean)", noising}};
  chart.lines = {{0.5, "0.5"}};
  return plot::bar_chart_svg(chart);
}

Figure gate_scores_figure(nn::Gate gate) {
  const std::string name = nn::gate_name(gate), label = nn::gate_name_upper(gate);
  return {"ch06-" + name + ".svg",
          "Chapter 6: " + label + " neuron (seed 0): IG gives each input half the effect; " +
              (gate == nn::Gate::and_gate ? "denoising misses both inputs, noising finds them."
                                          : "denoising finds both inputs, noising misses them."),
          "chapters/06-latent-circuits/figures/" + name + ".svg", [gate, label] {
            const attribution::Experiment result = attribution::run_experiment(gate, seed);
            if (!result.ig_shares || !result.patching.denoising.scores ||
                !result.patching.noising.scores)
              throw std::runtime_error("figure: the scores of " + label + " are undefined");
            std::vector<std::string> components;
            for (std::size_t i = 0; i < result.ig_shares->size(); ++i)
              components.push_back("x" + std::to_string(i + 1));
            return attribution_scores_svg(label + " neuron, seed 0: which inputs carry the gate?",
                                          components, *result.ig_shares,
                                          *result.patching.denoising.scores,
                                          *result.patching.noising.scores);
          }};
}

Figure hidden_layer_scores_figure(nn::Gate gate) {
  const std::string name = nn::gate_name(gate), label = nn::gate_name_upper(gate);
  return {"ch07-" + name + ".svg",
          "Chapter 7: " + label +
              " with two hidden ReLU neurons (first seed that learns it): which neurons carry it?",
          "chapters/07-hidden-layer/figures/" + name + ".svg", [gate, label] {
            for (std::uint64_t first = 0; first < 10; ++first) {
              attribution::TrainedNetwork network =
                  attribution::train_network(gate, first, hidden_width);
              if (!network.classifies_all_rows) continue;
              const attribution::Experiment result = attribution::analyse(std::move(network));
              if (!result.ig_shares || !result.patching.denoising.scores ||
                  !result.patching.noising.scores)
                throw std::runtime_error("figure: the scores of " + label + " are undefined");
              std::vector<std::string> components;
              for (std::size_t j = 0; j < result.ig_shares->size(); ++j)
                components.push_back("h" + std::to_string(j + 1));
              return attribution_scores_svg(
                  label + ", 2-2-1 network, seed " + std::to_string(first) +
                      ": which hidden neurons carry it?",
                  components, *result.ig_shares, *result.patching.denoising.scores,
                  *result.patching.noising.scores);
            }
            throw std::runtime_error("figure: no seed 0-9 learns " + label);
          }};
}

Figure three_input_scores_figure(nn::Gate gate) {
  const std::string name = nn::gate_name(gate), label = nn::gate_name_upper(gate);
  return {"ch08-" + name + ".svg",
          "Chapter 8: " + label +
              " neuron (seed 0): a third of IG each; one input patched alone, " + "both ways.",
          "chapters/08-more-inputs/figures/" + name + ".svg", [gate, label] {
            // Chapter 8's schedule: AND3's one true row in eight needs more than chapter 3's.
            const attribution::Experiment result = attribution::analyse(
                attribution::train_network(gate, seed, 0, {.epochs = 2000, .lr = 0.5}));
            const auto& shares = result.ig_shares;
            const auto& patching = result.patching;
            if (!shares || !patching.denoising.scores || !patching.noising.scores)
              throw std::runtime_error("figure: the scores of " + label + " are undefined");
            std::vector<std::string> components;
            for (std::size_t i = 0; i < shares->size(); ++i)
              components.push_back("x" + std::to_string(i + 1));
            return attribution_scores_svg(label + " neuron, seed 0: which inputs carry it?",
                                          components, *shares, *patching.denoising.scores,
                                          *patching.noising.scores);
          }};
}

// ---- chapter 9 ----------------------------------------------------------------------------------

Figure metric_scores_figure() {
  return {
      "ch09-metric.svg",
      "Chapter 9: the notebook's AND and OR neurons patched both ways: on the probability "
      "denoising and noising are far apart, on the logit they are equal.",
      "chapters/09-metric/figures/metric.svg", [] {
        struct Neuron {
          const char* gate;
          std::vector<double> w;
          double b;
        };
        // The notebook's neurons, as chapter 9 measures them.
        const std::vector<Neuron> neurons = {{"AND", notebook_and_weights, notebook_and_bias},
                                             {"OR", {4.0211, 4.0242}, -1.4725}};
        plot::BarChart chart;
        chart.title = "Patching scores of the notebook's neurons: probability or logit?";
        chart.x_label = "input (clean [1, 1], corrupt [0, 0])";
        chart.y_label = "share of f(clean) \u2212 f(corrupt)";
        chart.width = 840.0;
        chart.series = {{"denoising, probability", {}},
                        {"noising, probability", {}},
                        {"denoising, logit", {}},
                        {"noising, logit", {}}};
        for (const Neuron& neuron : neurons) {
          for (std::size_t i = 0; i < neuron.w.size(); ++i)
            chart.categories.push_back(std::string(neuron.gate) + " x" + std::to_string(i + 1));
          std::size_t series = 0;
          for (attribution::Metric metric :
               {attribution::Metric::probability, attribution::Metric::logit}) {
            autodiff::Tape tape;
            nn::Sequential model = attribution::measured_neuron(tape, neuron.w, neuron.b, metric);
            const attribution::TwoWayPatching patching = attribution::patch_both_directions(
                model, nn::model_input, nn::notebook_clean_input, nn::notebook_corrupt_input);
            if (!patching.denoising.scores || !patching.noising.scores)
              throw std::runtime_error(std::string("figure: the scores of ") + neuron.gate +
                                       " are undefined");
            for (const auto* scores : {&*patching.denoising.scores, &*patching.noising.scores}) {
              std::vector<double>& values = chart.series[series++].values;
              values.insert(values.end(), scores->begin(), scores->end());
            }
          }
        }
        return plot::bar_chart_svg(chart);
      }};
}

// ---- chapter 10 ---------------------------------------------------------------------------------

Figure residual_ig_vs_patching_figure() {
  return {
      "ch10-ig-vs-patching.svg",
      "Chapter 10: layer IG of each hidden neuron against its patching effect in the same "
      "direction; points off the diagonal are the neurons' interactions.",
      "chapters/10-residual-stream/figures/ig-vs-patching.svg", [] {
        // Chapter 10's models: four hidden neurons, AND, OR and XOR from seeds 0 to 9.
        constexpr std::size_t hidden = 4;
        constexpr std::uint64_t seeds = 10;
        const std::string layer = nn::layer_output_name(0);
        const std::vector<std::size_t> neurons = attribution::hidden_columns(hidden);
        plot::ScatterSeries denoising{"denoising", {}, {}}, noising{"noising", {}, {}};
        for (nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::xor_gate})
          for (std::uint64_t s = 0; s < seeds; ++s) {
            const attribution::ResidualNetwork network =
                attribution::train_residual_network(gate, s, hidden);
            if (!network.classifies_all_rows) continue;
            const nn::InputPair pair = nn::gate_pair(gate);
            autodiff::Tape tape;
            nn::Sequential model =
                nn::residual_network(tape, pair.clean.size(), hidden, network.parameters);
            for (auto [direction, series] :
                 {std::pair{attribution::Direction::denoising, &denoising},
                  std::pair{attribution::Direction::noising, &noising}}) {
              const attribution::PathIntegratedGradients ig = attribution::study_layer_ig(
                  model, layer, pair.clean, pair.corrupt, direction, neurons);
              const std::vector<double> effects = attribution::patching_effects(
                  model, layer, pair.clean, pair.corrupt, direction, neurons);
              for (std::size_t j : neurons) {
                series->x.push_back(effects[j]);
                series->y.push_back(ig.attributions[j]);
              }
            }
          }
        for (plot::ScatterSeries* series : {&denoising, &noising}) {
          const std::optional<double> r = attribution::pearson(series->x, series->y);
          if (!r)
            throw std::runtime_error("figure: Pearson's r of " + series->name + " is undefined");
          char text[64];
          std::snprintf(text, sizeof text, " (Pearson r %.4f)", *r);
          series->name += text;
        }
        plot::ScatterPlot chart;
        chart.title = "Residual networks: layer IG against patching, neuron by neuron";
        chart.x_label = "patching effect: f(base, the neuron patched) \u2212 f(base)";
        chart.y_label = "layer IG of the neuron (all hidden neurons move)";
        chart.series = {std::move(denoising), std::move(noising)};
        chart.diagonal = "y = x (IG = patching)";
        return plot::scatter_plot_svg(chart);
      }};
}

// ---- chapter 11 ---------------------------------------------------------------------------------

Figure wide_ig_vs_noising_figure() {
  return {
      "ch11-ig-vs-noising.svg",
      "Chapter 11: IG share against the noising score of every hidden neuron of the 16-neuron "
      "networks, without and with the skip path; the legend's r is the chapter's, per model.",
      "chapters/11-comparing-methods/figures/ig-vs-noising.svg", [] {
        // Chapter 11's widest models: 16 hidden neurons, AND, OR and XOR from seeds 0 to 9.
        constexpr std::size_t hidden = 16;
        constexpr std::uint64_t seeds = 10;
        plot::ScatterSeries plain{"no skip path: IG", {}, {}}, skip{"skip path: IG noise", {}, {}};
        std::vector<std::optional<double>> plain_r, skip_r;
        for (nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::xor_gate})
          for (std::uint64_t s = 0; s < seeds; ++s) {
            const attribution::Experiment e = attribution::run_experiment(gate, s, hidden);
            if (e.network.classifies_all_rows) {
              if (!e.ig_shares || !e.patching.noising.scores)
                throw std::runtime_error("figure: a model's scores are undefined");
              const std::vector<double>& noising = *e.patching.noising.scores;
              plain.x.insert(plain.x.end(), noising.begin(), noising.end());
              plain.y.insert(plain.y.end(), e.ig_shares->begin(), e.ig_shares->end());
              plain_r.push_back(attribution::pearson(*e.ig_shares, noising));
            }
            const attribution::ResidualNetwork network =
                attribution::train_residual_network(gate, s, hidden);
            if (!network.classifies_all_rows) continue;
            const std::optional<attribution::SkipPathScores> scores =
                attribution::skip_path_scores(network);
            if (!scores) throw std::runtime_error("figure: a skip model's scores are undefined");
            skip.x.insert(skip.x.end(), scores->noising.begin(), scores->noising.end());
            skip.y.insert(skip.y.end(), scores->ig_noising.begin(), scores->ig_noising.end());
            skip_r.push_back(attribution::pearson(scores->ig_noising, scores->noising));
          }
        for (auto [series, rs] : {std::pair{&plain, &plain_r}, std::pair{&skip, &skip_r}}) {
          const attribution::DefinedMean r = attribution::defined_mean(*rs);
          if (!r.mean || r.undefined > 0)
            throw std::runtime_error("figure: Pearson's r of " + series->name + " is undefined");
          char text[64];
          std::snprintf(text, sizeof text, " (mean r %.3f)", *r.mean);
          series->name += text;
        }
        plot::ScatterPlot chart;
        chart.title = "16 hidden neurons: IG share against noising, neuron by neuron";
        chart.x_label = "noising score of the neuron";
        chart.y_label = "IG share of the neuron";
        chart.series = {std::move(plain), std::move(skip)};
        chart.diagonal = "y = x (IG = patching)";
        return plot::scatter_plot_svg(chart);
      }};
}

}  // namespace figures
