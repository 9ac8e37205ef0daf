// Chapter 7's experiment: components nobody labelled. A network with one hidden ReLU layer,
//
//   Sequential(Linear(n, H), ReLU(), Linear(H, 1), Sigmoid())
//
// is trained on a gate from a seed; then its H hidden neurons (the ReLU's output, hook name
// "layer_1.output") are measured between a clean and a corrupt input, three ways: layer
// integrated gradients with the corrupt run as baseline, and activation patching of each neuron
// in both directions (and of every set of neurons at once), summarised by the asymmetry score.
//
// Past the ReLU the network is smooth (Linear, then Sigmoid), so layer IG at "layer_1.output" has
// a smooth integrand and is complete to rounding at Gauss-Legendre 50. The ReLU's kink only
// enters when IG is taken *before* it (at the input, or at "layer_1.input").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/subset_patching.hpp"
#include "autodiff/tape.hpp"
#include "nn/gates.hpp"
#include "nn/sequential.hpp"

namespace attribution {

// The ReLU's output: the hidden neurons.
inline const std::string hidden_layer = "layer_1.output";

// Training of the hidden-layer network: full-batch SGD on BCELoss (nn::train), rows shuffled
// every epoch. More epochs and a larger step than the single neuron's 1000 at 0.1, so that every
// seed has settled: for seeds 0-9, 2000 epochs at 0.5 classify exactly the rows that 10000 epochs
// at 0.1 do. Whether a seed succeeds is decided by its initial draw (a neuron dead from the start
// never gets a gradient), not by these two numbers: see chapter 7.
inline constexpr int hidden_layer_epochs = 2000;
inline constexpr double hidden_layer_lr = 0.5;
// Hidden widths accepted (1 to this): wide enough for any exercise, small enough that patching
// every set of neurons stays cheap for the default width.
inline constexpr std::size_t max_hidden = 16;

// The network with the given parameters: "model.0.weight" (H x n, row by row), "model.0.bias"
// (H), "model.2.weight" (H), "model.2.bias" (1). Throws std::invalid_argument for n or hidden
// equal to 0 or hidden above max_hidden, and for load_state_dict's errors (missing, unexpected or
// wrongly sized parameters, values that are not finite).
nn::Sequential hidden_layer_network(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                                    const nn::StateDict& state);

struct TrainedNetwork {
  nn::Gate gate = nn::Gate::and_gate;
  std::uint64_t seed = 0;
  std::size_t hidden = 2;
  int epochs = hidden_layer_epochs;
  double lr = hidden_layer_lr;
  nn::StateDict state;
  std::vector<double> losses;       // every epoch's loss, before its step
  std::vector<double> predictions;  // on the truth-table rows, in order
  int correct_rows = 0;             // predictions that round to their target
  bool classifies_all_rows = false;
  // activations[r][j]: hidden neuron j's ReLU output on truth-table row r.
  std::vector<std::vector<double>> activations;
  // dead[j]: neuron j is 0 on every truth-table row (its pre-activation is never positive), so
  // no input of the gate can move the output through it.
  std::vector<bool> dead;
  int dead_count() const;
};

// Draws the network from the seed (PyTorch's initialisation, layer by layer), then trains it.
// Throws std::invalid_argument for hidden out of range and for nn::train's errors (epochs < 1,
// a bad learning rate).
TrainedNetwork train_network(nn::Gate gate, std::uint64_t seed, std::size_t hidden = 2,
                             int epochs = hidden_layer_epochs, double lr = hidden_layer_lr);
// The same bookkeeping (predictions, activations, dead neurons) for given parameters, untrained:
// epochs and lr are 0 and there are no losses.
TrainedNetwork given_network(nn::Gate gate, std::size_t hidden, const nn::StateDict& state);

// The clean and corrupt inputs compared for each gate: two rows with different targets, so that
// there is a behaviour to attribute.
//   and, or, nand, nor    clean [1, 1]     corrupt [0, 0]     (as in chapter 6)
//   xor                   clean [1, 0]     corrupt [1, 1]     (one input flips the output)
//   and3, or3, maj3       clean [1, 1, 1]  corrupt [0, 0, 0]
struct InputPair {
  std::vector<double> clean, corrupt;
};
InputPair gate_pair(nn::Gate gate);

struct HiddenLayerExperiment {
  TrainedNetwork train;
  InputPair pair;
  IntegratedGradientsResult ig;                  // layer IG at hidden_layer, GL 50
  std::optional<std::vector<double>> ig_shares;  // nullopt when f(clean) = f(corrupt)
  TwoWayPatching patching;                       // each hidden neuron alone
  std::vector<std::optional<double>> asymmetry;  // attribution::asymmetry of the above
  std::optional<TwoWaySubsetPatching> subsets;   // every set of neurons, for hidden <= 3
  // The hidden neurons' values on the clean and on the corrupt input.
  std::vector<double> clean_activation, corrupt_activation;
  // A neuron is zero on both inputs of the pair: no method can give it anything.
  std::vector<bool> silent_on_pair;
};

// Analyses a trained (or given) network.
HiddenLayerExperiment analyse_network(TrainedNetwork network);
// train_network, then analyse_network.
HiddenLayerExperiment run_hidden_layer_experiment(nn::Gate gate, std::uint64_t seed,
                                                  std::size_t hidden = 2,
                                                  int epochs = hidden_layer_epochs,
                                                  double lr = hidden_layer_lr);

}  // namespace attribution
