#include "attribution/experiment.hpp"

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "attribution/summaries.hpp"
#include "nn/activations.hpp"
#include "nn/linear.hpp"
#include "nn/random.hpp"
#include "nn/training.hpp"

namespace attribution {

namespace {

void check_gate(nn::Gate gate) {
  if (gate != nn::Gate::and_gate && gate != nn::Gate::or_gate)
    throw std::invalid_argument(
        std::string("the experiment is defined for the and and or gates, not ") +
        nn::gate_name(gate));
}

std::vector<double> predictions_of(nn::Sequential& model, const nn::TruthTable& table) {
  const nn::Matrix<double> p = model.predict(table.inputs);
  return {p.flat().begin(), p.flat().end()};
}

bool classifies_all(const std::vector<double>& predictions, const nn::TruthTable& table) {
  for (std::size_t r = 0; r < predictions.size(); ++r)
    if (std::nearbyint(predictions[r]) != table.targets(r, 0)) return false;
  return true;
}

bool all_below(const std::optional<std::vector<double>>& scores, double limit) {
  if (!scores) return false;
  for (double s : *scores)
    if (!(s < limit)) return false;
  return true;
}

bool all_above(const std::optional<std::vector<double>>& scores, double limit) {
  if (!scores) return false;
  for (double s : *scores)
    if (!(s > limit)) return false;
  return true;
}

ExperimentResult analyse(TrainedNeuron trained) {
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, trained.weights, trained.bias);
  const nn::TruthTable table = nn::truth_table(trained.gate);
  trained.predictions = predictions_of(model, table);
  trained.classifies_all_rows = classifies_all(trained.predictions, table);

  ExperimentResult result;
  result.ig = integrated_gradients(model, clean_input, corrupt_input);
  result.ig_shares = ig_shares(result.ig).value_or(std::vector<double>{});
  result.patching =
      patch_both_directions(model, nn::layer_input_name(0), clean_input, corrupt_input);

  bool even = !result.ig_shares.empty();
  for (double share : result.ig_shares)
    even = even && std::fabs(share - 0.5) <= even_split_tolerance;
  const bool is_and = trained.gate == nn::Gate::and_gate;
  const auto& denoising = result.patching.denoising.scores;
  const auto& noising = result.patching.noising.scores;
  result.verdicts = {
      {"classifies_all_rows", "the trained neuron classifies all four rows",
       trained.classifies_all_rows},
      {"ig_complete", "IG's attributions add up to f(clean) - f(corrupt) within 1e-12",
       std::fabs(result.ig.convergence_delta) < completeness_tolerance},
      {"ig_even_split",
       "IG with the corrupt baseline splits the effect evenly (each share 0.5 +- 0.05)", even},
  };
  if (is_and) {
    result.verdicts.push_back({"denoising_misses_both",
                               "denoising (clean -> corrupt) misses both inputs: scores < 0.5",
                               all_below(denoising, 0.5)});
    result.verdicts.push_back({"noising_finds_both",
                               "noising (corrupt -> clean) finds both inputs: scores > 0.5",
                               all_above(noising, 0.5)});
  } else {
    result.verdicts.push_back({"denoising_finds_both",
                               "denoising (clean -> corrupt) finds both inputs: scores > 0.5",
                               all_above(denoising, 0.5)});
    result.verdicts.push_back({"noising_misses_both",
                               "noising (corrupt -> clean) misses both inputs: scores < 0.5",
                               all_below(noising, 0.5)});
  }
  result.train = std::move(trained);
  return result;
}

}  // namespace

nn::Sequential neuron(autodiff::Tape& tape, std::span<const double> weights, double bias) {
  if (weights.empty()) throw std::invalid_argument("neuron: no weights");
  nn::Generator generator;  // the drawn values are replaced at once
  nn::Sequential model(tape, generator, nn::Linear(weights.size(), 1), nn::Sigmoid());
  model.load_state_dict(
      {{"model.0.weight", {weights.begin(), weights.end()}}, {"model.0.bias", {bias}}});
  return model;
}

TrainedNeuron train_neuron(nn::Gate gate, std::uint64_t seed, int epochs, double lr) {
  TrainedNeuron trained;
  trained.gate = gate;
  trained.seed = seed;
  trained.epochs = epochs;
  trained.lr = lr;

  nn::Generator generator(seed);
  autodiff::Tape tape;
  nn::Sequential model(tape, generator, nn::Linear(nn::input_count(gate), 1), nn::Sigmoid());
  const nn::TruthTable table = nn::truth_table(gate);
  trained.losses.reserve(static_cast<std::size_t>(epochs > 0 ? epochs : 0));
  nn::train(model, table.inputs, table.targets, generator,
            {.epochs = epochs, .lr = lr, .shuffle = true},
            [&trained](int, double loss) { trained.losses.push_back(loss); });

  const nn::StateDict state = model.state_dict();
  trained.weights = state.at("model.0.weight");
  trained.bias = state.at("model.0.bias").at(0);
  trained.predictions = predictions_of(model, table);
  trained.classifies_all_rows = classifies_all(trained.predictions, table);
  return trained;
}

bool ExperimentResult::all_hold() const {
  for (const Verdict& verdict : verdicts)
    if (!verdict.holds) return false;
  return !verdicts.empty();
}

ExperimentResult run_experiment(nn::Gate gate, std::uint64_t seed) {
  check_gate(gate);
  return analyse(train_neuron(gate, seed));
}

ExperimentResult analyse_neuron(nn::Gate gate, std::span<const double> weights, double bias) {
  check_gate(gate);
  TrainedNeuron given;
  given.gate = gate;
  given.epochs = 0;
  given.lr = 0.0;
  given.weights.assign(weights.begin(), weights.end());
  given.bias = bias;
  return analyse(std::move(given));
}

}  // namespace attribution
