#include "attribution/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "attribution/model_run.hpp"
#include "nn/network.hpp"
#include "nn/random.hpp"

namespace attribution {

namespace {

// Predictions, correct rows and hidden activations on the truth table.
void describe(nn::Sequential& model, TrainedNetwork& network) {
  const nn::TruthTable table = nn::truth_table(network.gate);
  const auto run = model.run_with_cache(table.inputs);
  network.predictions.assign(run.output.flat().begin(), run.output.flat().end());
  network.correct_rows = 0;
  for (std::size_t r = 0; r < network.predictions.size(); ++r)
    network.correct_rows += std::nearbyint(network.predictions[r]) == table.targets(r, 0) ? 1 : 0;
  network.classifies_all_rows =
      network.correct_rows == static_cast<int>(network.predictions.size());
  network.activations.clear();
  network.dead.assign(network.hidden, true);
  if (network.hidden == 0) return;
  const nn::Matrix<double>& hidden = run.cache[components_layer(network.hidden)];
  for (std::size_t r = 0; r < hidden.rows(); ++r) {
    const auto row = hidden.row(r);
    network.activations.emplace_back(row.begin(), row.end());
    for (std::size_t j = 0; j < network.hidden; ++j)
      if (row[j] != 0.0) network.dead[j] = false;
  }
}

}  // namespace

std::vector<Verdict> tutorial_verdicts(const Experiment& e) {
  const TrainedNetwork& network = e.network;
  const std::size_t rows = network.predictions.size();
  const std::string tolerance =  // "1e-12"
      "1e" + std::to_string(std::lround(std::log10(completeness_tolerance(network.hidden))));
  std::vector<Verdict> verdicts = {
      {"classifies_all_rows",
       std::string(network.training ? "the trained " : "the given ") +
           (network.hidden > 0
                ? "network classifies every row"
                : std::string("neuron classifies all ") + (rows == 4 ? "four" : "eight") + " rows"),
       network.classifies_all_rows},
      {"ig_complete", "IG's attributions add up to f(clean) - f(corrupt) within " + tolerance,
       std::fabs(e.ig.convergence_delta) < completeness_tolerance(network.hidden)}};

  const bool is_and = network.gate == nn::Gate::and_gate, is_or = network.gate == nn::Gate::or_gate;
  if (network.hidden == 0 && (is_and || is_or)) {
    verdicts.push_back(
        {"ig_even_split",
         "IG with the corrupt baseline splits the effect evenly (each share 0.5 +- 0.05)",
         splits_evenly(e.ig_shares)});
    // AND's inputs are each necessary, not sufficient (noising finds them, denoising misses them);
    // OR's the reverse.
    verdicts.push_back(
        direction_claim("denoising", "clean -> corrupt", e.patching.denoising.scores, is_or));
    verdicts.push_back(
        direction_claim("noising", "corrupt -> clean", e.patching.noising.scores, is_and));
  }
  if (network.hidden > 0) {
    bool silent_zero = true;
    for (std::size_t j = 0; j < network.hidden; ++j)
      if (e.silent_on_pair[j])
        silent_zero = silent_zero && e.ig.attributions[j] == 0.0 &&
                      e.patching.denoising.differences[j] == 0.0 &&
                      e.patching.noising.differences[j] == 0.0;
    verdicts.push_back({"silent_neurons_get_zero",
                        "a neuron 0 on both inputs gets exactly 0 from IG and both patchings",
                        silent_zero});
  }
  return verdicts;
}

Verdict direction_claim(std::string_view direction, std::string_view arrow,
                        const std::optional<std::vector<double>>& scores, bool finds_both) {
  // BEGIN EXERCISE 6.1 [direction, arrow, scores, finds_both]
  bool holds = scores.has_value();
  if (holds)
    for (double score : *scores) holds = holds && (finds_both ? score > 0.5 : score < 0.5);
  const std::string verb = finds_both ? "finds" : "misses";
  return {std::string(direction) + "_" + verb + "_both",
          std::string(direction) + " (" + std::string(arrow) + ") " + verb +
              " both inputs: scores " + (finds_both ? "> 0.5" : "< 0.5"),
          holds};
  // END EXERCISE 6.1
}

bool splits_evenly(const std::optional<std::vector<double>>& shares) {
  // BEGIN EXERCISE 6.2 [shares]
  if (!shares) return false;
  for (double share : *shares)
    if (!(std::fabs(share - 0.5) <= even_split_tolerance)) return false;
  return true;
  // END EXERCISE 6.2
}

nn::TrainingOptions default_training(std::size_t hidden) {
  return hidden == 0 ? nn::TrainingOptions{.epochs = 1000, .lr = 0.1}
                     : nn::TrainingOptions{.epochs = 2000, .lr = 0.5};
}

double completeness_tolerance(std::size_t hidden) { return hidden == 0 ? 1e-12 : 1e-9; }

std::string components_layer(std::size_t hidden) {
  return hidden == 0 ? std::string(nn::model_input) : nn::layer_output_name(1);
}

int TrainedNetwork::dead_count() const {
  int count = 0;
  for (bool d : dead) count += d ? 1 : 0;
  return count;
}

TrainedNetwork train_network(nn::Gate gate, std::uint64_t seed, std::size_t hidden,
                             const nn::TrainingOptions& options,
                             const nn::EpochCallback& on_epoch) {
  TrainedNetwork network;
  network.gate = gate;
  network.hidden = hidden;
  Training& training = network.training.emplace();
  training.seed = seed;
  training.epochs = options.epochs;
  training.lr = options.lr;

  nn::Generator generator(seed);
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, generator, nn::input_count(gate), hidden);
  const nn::TruthTable table = nn::truth_table(gate);
  training.losses.reserve(static_cast<std::size_t>(std::max(options.epochs, 0)));
  nn::train(model, table.inputs, table.targets, generator, options,
            [&training, &on_epoch](int epoch, double loss) {
              training.losses.push_back(loss);
              if (on_epoch) on_epoch(epoch, loss);
            });
  network.parameters = model.state_dict();
  describe(model, network);
  return network;
}

TrainedNetwork given_network(nn::Gate gate, std::size_t hidden, const nn::StateDict& parameters) {
  TrainedNetwork network;
  network.gate = gate;
  network.hidden = hidden;
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, nn::input_count(gate), hidden, parameters);
  network.parameters = model.state_dict();
  describe(model, network);
  return network;
}

bool Experiment::all_hold() const {
  for (const Verdict& verdict : verdicts)
    if (!verdict.holds) return false;
  return !verdicts.empty();
}

Experiment analyse(TrainedNetwork network) {
  autodiff::Tape tape;
  nn::Sequential model =
      nn::network(tape, nn::input_count(network.gate), network.hidden, network.parameters);
  Experiment e = measure(std::move(network), model);
  e.verdicts = tutorial_verdicts(e);
  return e;
}

Experiment measure(TrainedNetwork network, nn::Sequential& model) {
  Experiment e;
  e.pair = nn::gate_pair(network.gate);
  e.layer = components_layer(network.hidden);
  e.ig = integrated_gradients(model, e.pair.clean, e.pair.corrupt, default_n_steps, default_method,
                              e.layer);
  e.ig_shares = ig_shares(e.ig);
  e.patching = patch_both_directions(model, e.layer, e.pair.clean, e.pair.corrupt);
  e.asymmetry = asymmetry(e.patching);
  // A silent neuron's zeros come out as -0 when its gradient is negative (0 times a negative
  // number); they are the same number, shown as 0.
  auto positive_zeros = [](std::vector<double>& values) {
    for (double& value : values) value += 0.0;
  };
  positive_zeros(e.ig.attributions);
  if (e.ig_shares) positive_zeros(*e.ig_shares);
  for (PatchingResult* direction : {&e.patching.denoising, &e.patching.noising}) {
    positive_zeros(direction->differences);
    if (direction->scores) positive_zeros(*direction->scores);
  }
  e.clean_activation = run_model(model, e.layer, e.pair.clean).activation;
  e.corrupt_activation = run_model(model, e.layer, e.pair.corrupt).activation;
  for (std::size_t j = 0; j < e.clean_activation.size(); ++j)
    e.silent_on_pair.push_back(e.clean_activation[j] == 0.0 && e.corrupt_activation[j] == 0.0);
  e.network = std::move(network);
  return e;
}

}  // namespace attribution
