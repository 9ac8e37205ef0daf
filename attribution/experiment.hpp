// The tutorial's experiment, whole, for one gate: train a network on the gate from a seed (or take
// given parameters), then compare integrated gradients with activation patching in both directions
// between the gate's clean and corrupt inputs (nn::gate_pair), and check the tutorial's claims.
//
// The network is nn::network's, so there is one experiment for the notebook's neuron (hidden = 0,
// chapters 6 and 8) and for the network with a hidden ReLU layer (chapter 7). What the methods
// measure are its *components*: the neuron's inputs (layer_0.input), or the hidden neurons (the
// ReLU's output, layer_1.output). Past the ReLU the network is smooth, so layer IG there has a
// smooth integrand and Gauss-Legendre converges fast; the ReLU's kink only enters when IG is taken
// before it. Fast is not exact: a steep network can miss completeness at 50 nodes, and then the
// ig_complete verdict says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/integrated_gradients.hpp"
#include "nn/gates.hpp"
#include "nn/sequential.hpp"
#include "nn/training.hpp"

namespace attribution {

// The notebook's training for the neuron: 1000 epochs of SGD at lr 0.1. A hidden layer gets more
// epochs and a larger step, so that every seed has settled: for seeds 0-9, 2000 epochs at 0.5
// classify exactly the rows that 10000 epochs at 0.1 do. Whether a seed succeeds is decided by its
// initial draw (a neuron dead from the start never gets a gradient), not by these two numbers.
nn::TrainingOptions default_training(std::size_t hidden);

// How a network was trained.
struct Training {
  std::uint64_t seed = 0;
  int epochs = 0;
  double lr = 0.0;
  std::vector<double> losses;  // every epoch's loss, before its step
};

// A network of the tutorial with its parameters, and what it does on the gate's truth table.
struct TrainedNetwork {
  nn::Gate gate = nn::Gate::and_gate;
  std::size_t hidden = 0;
  nn::StateDict parameters;
  std::optional<Training> training;  // std::nullopt: the parameters were given, not trained
  std::vector<double> predictions;   // on the truth-table rows, in order
  int correct_rows = 0;              // predictions that round to their target
  bool classifies_all_rows = false;
  // activations[r][j]: hidden neuron j's ReLU output on truth-table row r (none for the neuron).
  std::vector<std::vector<double>> activations;
  // dead[j]: hidden neuron j is 0 on every row (its pre-activation is never positive), so no input
  // of the gate can move the output through it.
  std::vector<bool> dead;
  int dead_count() const;
};

// Draws the network from the seed (PyTorch's initialisation, layer by layer), then trains it on
// BCELoss over the gate's rows, shuffled every epoch (nn::train). Throws std::invalid_argument for
// hidden above nn::max_hidden and for nn::train's errors (epochs < 1, a bad learning rate).
// `on_epoch`, if given, is called after each epoch as nn::train calls it (a progress line, say).
TrainedNetwork train_network(nn::Gate gate, std::uint64_t seed, std::size_t hidden,
                             const nn::TrainingOptions& options,
                             const nn::EpochCallback& on_epoch = {});
inline TrainedNetwork train_network(nn::Gate gate, std::uint64_t seed, std::size_t hidden = 0) {
  return train_network(gate, seed, hidden, default_training(hidden));
}
// The same description of a network with given parameters (nn::network's errors).
TrainedNetwork given_network(nn::Gate gate, std::size_t hidden, const nn::StateDict& parameters);

// The activation whose components the experiment measures: layer_0.input or layer_1.output.
std::string components_layer(std::size_t hidden);

// One claim of the tutorial and whether it held.
struct Verdict {
  std::string name;   // "ig_even_split", ...: the key in `latent experiment --json`
  std::string claim;  // the claim in words
  bool holds = false;
};

// Chapter 6's claim about one patching direction: it finds both inputs (every score above 0.5, when
// finds_both) or misses both (every score below 0.5). direction and arrow name it:
// direction_claim("denoising", "clean -> corrupt", scores, false) is the verdict
// "denoising_misses_both", "denoising (clean -> corrupt) misses both inputs: scores < 0.5", and
// "noising_finds_both", "noising (corrupt -> clean) finds both inputs: scores > 0.5" for the other
// direction and finds_both. No scores (f(base) = f(source), nothing to share out) and the claim
// does not hold.
Verdict direction_claim(std::string_view direction, std::string_view arrow,
                        const std::optional<std::vector<double>>& scores, bool finds_both);

struct Experiment {
  TrainedNetwork network;
  nn::InputPair pair;
  std::string layer;                             // components_layer(network.hidden)
  IntegratedGradientsResult ig;                  // the clean input, the corrupt baseline, GL 50
  std::optional<std::vector<double>> ig_shares;  // std::nullopt when f(clean) = f(corrupt)
  TwoWayPatching patching;                       // each component alone
  std::vector<std::optional<double>> asymmetry;  // attribution::asymmetry of the above
  // The components' values on the clean and on the corrupt input.
  std::vector<double> clean_activation, corrupt_activation;
  // A component is zero on both inputs of the pair: no method can give it anything.
  std::vector<bool> silent_on_pair;
  std::vector<Verdict> verdicts;
  bool all_hold() const;
};

// The claims checked:
//  - the network classifies every row of its gate;
//  - integrated gradients is complete: |convergence_delta| below completeness_tolerance(hidden);
//  - the neuron on AND and OR (chapter 6): each IG share within 0.5 +- even_split_tolerance, and
//    for AND denoising misses both inputs (scores < 0.5) while noising finds both (> 0.5); for OR
//    the reverse;
//  - a hidden layer (chapter 7): a neuron that is 0 on both inputs gets exactly 0 from IG and from
//    both patching directions.
Experiment analyse(TrainedNetwork network);
// analyse's measurements of `network` made on `model`, which has the network's parameters: the
// network itself, or the same without its final Sigmoid (chapter 9 measures the logit). The
// verdicts are left empty.
Experiment measure(TrainedNetwork network, nn::Sequential& model);
// The claims listed for analyse, of an experiment on the network's output (its probability).
std::vector<Verdict> tutorial_verdicts(const Experiment& e);
inline Experiment run_experiment(nn::Gate gate, std::uint64_t seed, std::size_t hidden = 0) {
  return analyse(train_network(gate, seed, hidden));
}

inline constexpr double even_split_tolerance = 0.05;
// Chapter 6's even split: every IG share within even_split_tolerance of 0.5. No shares
// (f(clean) = f(corrupt)), no even split.
bool splits_evenly(const std::optional<std::vector<double>>& shares);

// The neuron's IG is complete to rounding; the hidden layer's sigmoid can move far along the path,
// so its sum keeps a little more of the rule's error (chapter 7).
double completeness_tolerance(std::size_t hidden);

}  // namespace attribution
