#include "latent/hidden_layer_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "latent/report.hpp"

namespace latent {

namespace {

std::string neuron_name(std::size_t j) { return "h" + std::to_string(j + 1); }

struct Verdicts {
  bool classifies = false, complete = false, silent_zero = false;
};

Verdicts verdicts_of(const attribution::HiddenLayerExperiment& e) {
  Verdicts v;
  v.classifies = e.train.classifies_all_rows;
  v.complete = std::fabs(e.ig.convergence_delta) < hidden_completeness_tolerance;
  v.silent_zero = true;
  for (std::size_t j = 0; j < e.train.hidden; ++j)
    if (e.silent_on_pair[j])
      v.silent_zero = v.silent_zero && e.ig.attributions[j] == 0.0 &&
                      e.patching.denoising.differences[j] == 0.0 &&
                      e.patching.noising.differences[j] == 0.0;
  return v;
}

std::string optional_cell(const std::optional<std::vector<double>>& values, std::size_t j) {
  return values ? fixed((*values)[j], 6) : "undefined";
}

}  // namespace

std::string hidden_train_json(const attribution::TrainedNetwork& network) {
  JsonObjectText json;
  json.add("gate", nn::gate_name(network.gate));
  json.add("seed", static_cast<long long>(network.seed));
  json.add("hidden", static_cast<long long>(network.hidden));
  json.add("epochs", network.epochs);
  json.add("lr", network.lr);
  Json::Object parameters;
  for (const auto& [name, values] : network.state) parameters.emplace_back(name, Json(values));
  json.add("parameters", Json(std::move(parameters)));
  std::string& losses = json.add_key("losses");
  losses.reserve(losses.size() + 56 * network.losses.size() + 512);
  losses += '[';
  for (std::size_t epoch = 0; epoch < network.losses.size(); ++epoch) {
    if (epoch > 0) losses += ", ";
    losses +=
        Json::object({{"epoch", static_cast<long long>(epoch)}, {"loss", network.losses[epoch]}})
            .dump();
  }
  losses += ']';
  json.add("predictions", network.predictions);
  Json::Array dead;
  for (bool d : network.dead) dead.emplace_back(d);
  json.add("dead", Json(std::move(dead)));
  return std::move(json).take();
}

std::string hidden_train_text(const attribution::TrainedNetwork& network) {
  const std::size_t n = nn::input_count(network.gate);
  const std::string shape = "Sequential(Linear(" + std::to_string(n) + ", " +
                            std::to_string(network.hidden) + "), ReLU(), Linear(" +
                            std::to_string(network.hidden) + ", 1), Sigmoid())";
  std::string text;
  if (network.losses.empty()) {
    text = "The given network " + shape + ", not trained, on the " + nn::gate_label(network.gate) +
           " gate's rows\n\n";
  } else {
    text = "Training " + shape + " on the " + nn::gate_label(network.gate) + " gate: seed " +
           std::to_string(network.seed) + ", " + std::to_string(network.epochs) +
           " epochs of SGD at lr " + shortest(network.lr) + " on BCELoss\n\n";
    Table losses({"epoch", "loss"});
    const std::size_t count = network.losses.size();
    const std::size_t every = std::max<std::size_t>(1, count / 10);
    for (std::size_t epoch = 0; epoch < count; ++epoch)
      if (epoch % every == 0 || epoch + 1 == count)
        losses.add_row({std::to_string(epoch), fixed(network.losses[epoch], 6)});
    text += losses.text() + "\n";
  }

  const auto& w1 = network.state.at("model.0.weight");
  const auto& b1 = network.state.at("model.0.bias");
  const auto& w2 = network.state.at("model.2.weight");
  Table neurons({"neuron", "weights", "bias", "output weight", "dead"});
  for (std::size_t j = 0; j < network.hidden; ++j)
    neurons.add_row({neuron_name(j), list_text(std::span<const double>(w1).subspan(j * n, n)),
                     shortest(b1[j]), shortest(w2[j]), network.dead[j] ? "dead" : "no"});
  text += "Hidden neurons h = relu(w.x + b); output sigmoid(v.h + c), c = " +
          shortest(network.state.at("model.2.bias").at(0)) + ":\n" + neurons.text() + "\n";

  const nn::TruthTable table = nn::truth_table(network.gate);
  std::vector<std::string> header;
  for (std::size_t i = 0; i < n; ++i) header.push_back("x" + std::to_string(i + 1));
  header.push_back("target");
  header.push_back("prediction");
  for (std::size_t j = 0; j < network.hidden; ++j) header.push_back(neuron_name(j));
  Table rows(header);
  for (std::size_t r = 0; r < table.inputs.rows(); ++r) {
    std::vector<std::string> cells;
    for (std::size_t i = 0; i < n; ++i) cells.push_back(shortest(table.inputs(r, i)));
    cells.push_back(shortest(table.targets(r, 0)));
    cells.push_back(fixed(network.predictions.at(r), 6));
    for (std::size_t j = 0; j < network.hidden; ++j)
      cells.push_back(fixed(network.activations.at(r).at(j), 4));
    rows.add_row(std::move(cells));
  }
  text += rows.text();
  text += network.classifies_all_rows
              ? "Every prediction rounds to its target.\n"
              : std::to_string(network.correct_rows) + " of " +
                    std::to_string(network.predictions.size()) +
                    " predictions round to their target: the network does not compute the gate.\n";
  return text;
}

std::string hidden_experiment_json(const attribution::HiddenLayerExperiment& e) {
  JsonObjectText json;
  json.add("gate", nn::gate_name(e.train.gate));
  json.add_text("train", hidden_train_json(e.train));
  json.add("ig", ig_json(e.ig));
  json.add("patch", patch_json(e.patching));
  Json::Array asymmetry;
  for (const std::optional<double>& a : e.asymmetry) {
    if (a)
      asymmetry.emplace_back(*a);
    else
      asymmetry.emplace_back();
  }
  json.add("asymmetry", Json(std::move(asymmetry)));
  const Verdicts v = verdicts_of(e);
  Json::Object verdicts;
  verdicts.emplace_back("classifies_all_rows", v.classifies);
  verdicts.emplace_back("ig_complete", v.complete);
  verdicts.emplace_back("silent_neurons_get_zero", v.silent_zero);
  json.add("verdicts", Json(std::move(verdicts)));
  return std::move(json).take() + "\n";
}

std::string hidden_experiment_text(const attribution::HiddenLayerExperiment& e) {
  std::string text = "Experiment on the " + std::string(nn::gate_label(e.train.gate)) +
                     " gate with " + std::to_string(e.train.hidden) +
                     " hidden neurons: layer integrated gradients and activation patching at " +
                     attribution::hidden_layer + ",\nbetween clean " + list_text(e.pair.clean) +
                     " and corrupt " + list_text(e.pair.corrupt) + "\n\n";
  text += hidden_train_text(e.train) + "\n";
  const std::optional<std::vector<double>>& shares = e.ig_shares;
  Table table(
      {"neuron", "h(clean)", "h(corrupt)", "IG", "IG share", "denoising", "noising", "asymmetry"});
  for (std::size_t j = 0; j < e.train.hidden; ++j)
    table.add_row({neuron_name(j), fixed(e.clean_activation[j], 6),
                   fixed(e.corrupt_activation[j], 6), fixed(e.ig.attributions[j] + 0.0, 9),
                   optional_cell(shares, j), optional_cell(e.patching.denoising.scores, j),
                   optional_cell(e.patching.noising.scores, j),
                   e.asymmetry[j] ? fixed(*e.asymmetry[j], 6) : "-"});
  text += table.text();
  text += "\nf(clean) = " + fixed(e.ig.f_input, 9) + ", f(corrupt) = " + fixed(e.ig.f_baseline, 9) +
          "; IG convergence delta " + scientific(e.ig.convergence_delta) + " (" +
          attribution::method_name(e.ig.method) + ", n_steps = " + std::to_string(e.ig.n_steps) +
          ")\n\n";
  const Verdicts v = verdicts_of(e);
  Table verdicts({"name", "verdict", "claim"});
  verdicts.add_row({"classifies_all_rows", v.classifies ? "holds" : "FAILS",
                    "the trained network classifies every row"});
  verdicts.add_row({"ig_complete", v.complete ? "holds" : "FAILS",
                    "IG's attributions add up to f(clean) - f(corrupt) within 1e-9"});
  verdicts.add_row({"silent_neurons_get_zero", v.silent_zero ? "holds" : "FAILS",
                    "a neuron 0 on both inputs gets exactly 0 from IG and both patchings"});
  text += "Checks:\n" + verdicts.text();
  return text;
}

void require_finite(const attribution::TrainedNetwork& network) {
  require_finite(network.losses, "the training loss");
  for (const auto& [name, values] : network.state) require_finite(values, "a trained parameter");
  require_finite(network.predictions, "a prediction");
}

void require_finite(const attribution::HiddenLayerExperiment& e) {
  require_finite(e.train);
  require_finite(e.ig.attributions, "an attribution");
  require_finite({&e.ig.convergence_delta, 1}, "the convergence delta");
  require_finite(e.patching.denoising.differences, "a denoising difference");
  require_finite(e.patching.noising.differences, "a noising difference");
}

}  // namespace latent
