#include "attribution/hidden_layer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "attribution/model_run.hpp"
#include "attribution/summaries.hpp"
#include "nn/activations.hpp"
#include "nn/linear.hpp"
#include "nn/random.hpp"
#include "nn/training.hpp"

namespace attribution {

namespace {

void check_sizes(std::size_t n_inputs, std::size_t hidden) {
  if (n_inputs == 0) throw std::invalid_argument("hidden_layer_network: no inputs");
  if (hidden == 0 || hidden > max_hidden)
    throw std::invalid_argument("hidden_layer_network: " + std::to_string(hidden) +
                                " hidden neurons; give 1 to " + std::to_string(max_hidden));
}

nn::Sequential untrained(autodiff::Tape& tape, nn::Generator& generator, std::size_t n_inputs,
                         std::size_t hidden) {
  check_sizes(n_inputs, hidden);
  return nn::Sequential(tape, generator, nn::Linear(n_inputs, hidden), nn::ReLU(),
                        nn::Linear(hidden, 1), nn::Sigmoid());
}

// Predictions, correct rows and hidden activations on the truth table.
void describe(nn::Sequential& model, TrainedNetwork& network) {
  const nn::TruthTable table = nn::truth_table(network.gate);
  const auto run = model.run_with_cache(table.inputs);
  const nn::Matrix<double>& hidden = run.cache[hidden_layer];
  network.predictions.assign(run.output.flat().begin(), run.output.flat().end());
  network.correct_rows = 0;
  for (std::size_t r = 0; r < network.predictions.size(); ++r)
    network.correct_rows += std::nearbyint(network.predictions[r]) == table.targets(r, 0) ? 1 : 0;
  network.classifies_all_rows =
      network.correct_rows == static_cast<int>(network.predictions.size());
  network.activations.clear();
  network.dead.assign(network.hidden, true);
  for (std::size_t r = 0; r < hidden.rows(); ++r) {
    const auto row = hidden.row(r);
    network.activations.emplace_back(row.begin(), row.end());
    for (std::size_t j = 0; j < network.hidden; ++j)
      if (row[j] != 0.0) network.dead[j] = false;
  }
}

}  // namespace

int TrainedNetwork::dead_count() const {
  int count = 0;
  for (bool d : dead) count += d ? 1 : 0;
  return count;
}

nn::Sequential hidden_layer_network(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                                    const nn::StateDict& state) {
  nn::Generator generator;  // the drawn values are replaced at once
  nn::Sequential model = untrained(tape, generator, n_inputs, hidden);
  model.load_state_dict(state);
  return model;
}

TrainedNetwork train_network(nn::Gate gate, std::uint64_t seed, std::size_t hidden, int epochs,
                             double lr) {
  TrainedNetwork network;
  network.gate = gate;
  network.seed = seed;
  network.hidden = hidden;
  network.epochs = epochs;
  network.lr = lr;

  nn::Generator generator(seed);
  autodiff::Tape tape;
  nn::Sequential model = untrained(tape, generator, nn::input_count(gate), hidden);
  const nn::TruthTable table = nn::truth_table(gate);
  network.losses.reserve(static_cast<std::size_t>(epochs > 0 ? epochs : 0));
  nn::train(model, table.inputs, table.targets, generator,
            {.epochs = epochs, .lr = lr, .shuffle = true},
            [&network](int, double loss) { network.losses.push_back(loss); });
  network.state = model.state_dict();
  describe(model, network);
  return network;
}

TrainedNetwork given_network(nn::Gate gate, std::size_t hidden, const nn::StateDict& state) {
  TrainedNetwork network;
  network.gate = gate;
  network.hidden = hidden;
  network.epochs = 0;
  network.lr = 0.0;
  autodiff::Tape tape;
  nn::Sequential model = hidden_layer_network(tape, nn::input_count(gate), hidden, state);
  network.state = model.state_dict();
  describe(model, network);
  return network;
}

InputPair gate_pair(nn::Gate gate) {
  switch (gate) {
    case nn::Gate::and_gate:
    case nn::Gate::or_gate:
    case nn::Gate::nand_gate:
    case nn::Gate::nor_gate: return {{1.0, 1.0}, {0.0, 0.0}};
    case nn::Gate::xor_gate: return {{1.0, 0.0}, {1.0, 1.0}};
    case nn::Gate::and3_gate:
    case nn::Gate::or3_gate:
    case nn::Gate::maj3_gate: return {{1.0, 1.0, 1.0}, {0.0, 0.0, 0.0}};
  }
  throw std::invalid_argument("gate_pair: unknown Gate value " +
                              std::to_string(static_cast<int>(gate)));
}

HiddenLayerExperiment analyse_network(TrainedNetwork network) {
  autodiff::Tape tape;
  nn::Sequential model =
      hidden_layer_network(tape, nn::input_count(network.gate), network.hidden, network.state);

  HiddenLayerExperiment result;
  result.pair = gate_pair(network.gate);
  const InputPair& pair = result.pair;
  result.ig = layer_integrated_gradients(model, hidden_layer, pair.clean, pair.corrupt);
  result.ig_shares = ig_shares(result.ig);
  result.patching = patch_both_directions(model, hidden_layer, pair.clean, pair.corrupt);
  result.asymmetry = asymmetry(result.patching);
  // A silent neuron's zeros come out as -0 when its gradient is negative (0 times a negative
  // number); they are the same number, shown as 0.
  auto positive_zeros = [](std::vector<double>& values) {
    for (double& value : values) value += 0.0;
  };
  positive_zeros(result.ig.attributions);
  if (result.ig_shares) positive_zeros(*result.ig_shares);
  for (PatchingResult* direction : {&result.patching.denoising, &result.patching.noising}) {
    positive_zeros(direction->differences);
    if (direction->scores) positive_zeros(*direction->scores);
  }
  if (network.hidden <= 3)
    result.subsets = subset_patching_both_directions(model, hidden_layer, pair.clean, pair.corrupt);

  result.clean_activation = run_model(model, hidden_layer, pair.clean).activation;
  result.corrupt_activation = run_model(model, hidden_layer, pair.corrupt).activation;
  result.silent_on_pair.assign(network.hidden, false);
  for (std::size_t j = 0; j < network.hidden; ++j)
    result.silent_on_pair[j] =
        result.clean_activation[j] == 0.0 && result.corrupt_activation[j] == 0.0;
  result.train = std::move(network);
  return result;
}

HiddenLayerExperiment run_hidden_layer_experiment(nn::Gate gate, std::uint64_t seed,
                                                  std::size_t hidden, int epochs, double lr) {
  return analyse_network(train_network(gate, seed, hidden, epochs, lr));
}

}  // namespace attribution
