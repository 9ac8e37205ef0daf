// The original notebook's experiment, whole, for one gate: train the neuron sigmoid(w.x + b) from a
// seed, then compare integrated gradients with activation patching in both directions between the
// clean input [1, 1] and the corrupt input [0, 0], and check the claims the tutorial makes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/integrated_gradients.hpp"
#include "autodiff/tape.hpp"
#include "nn/gates.hpp"
#include "nn/sequential.hpp"

namespace attribution {

// The notebook's network, Sequential(Linear(n, 1), Sigmoid()), with the given parameters. Throws
// std::invalid_argument for no weights or a value that is not finite.
nn::Sequential neuron(autodiff::Tape& tape, std::span<const double> weights, double bias);

struct TrainedNeuron {
  nn::Gate gate = nn::Gate::and_gate;
  std::uint64_t seed = 0;
  int epochs = 1000;
  double lr = 0.1;
  std::vector<double> weights;
  double bias = 0.0;
  std::vector<double> losses;        // every epoch's loss, before its step
  std::vector<double> predictions;   // the trained neuron on the four truth-table rows
  bool classifies_all_rows = false;  // every prediction rounds to its target
};

// The notebook's training: the neuron drawn from the seed, then `epochs` of SGD at `lr` on
// BCELoss over the gate's truth-table rows, shuffled every epoch (nn::train). A three-input gate
// (chapter 8) gets a neuron with three weights.
TrainedNeuron train_neuron(nn::Gate gate, std::uint64_t seed, int epochs = 1000, double lr = 0.1);

inline const std::vector<double> clean_input = {1.0, 1.0};
inline const std::vector<double> corrupt_input = {0.0, 0.0};

// One claim of the tutorial and whether it held.
struct Verdict {
  std::string name;   // "ig_even_split", ...: the key in `latent experiment --json`
  std::string claim;  // the claim in words
  bool holds = false;
};

struct ExperimentResult {
  TrainedNeuron train;
  IntegratedGradientsResult ig;  // clean input, corrupt baseline, Gauss-Legendre, 50 steps
  std::vector<double> ig_shares;
  TwoWayPatching patching;  // clean [1, 1] and corrupt [0, 0]
  std::vector<Verdict> verdicts;
  bool all_hold() const;
};

// The claims, for AND (and OR):
//  - the trained neuron classifies all four rows;
//  - integrated gradients is complete (|convergence_delta| < 1e-12) and splits the effect evenly,
//    each share within 0.5 +- 0.05;
//  - denoising misses both inputs (scores < 0.5) (finds both: > 0.5);
//  - noising finds both inputs (> 0.5) (misses both: < 0.5).
// Only AND and OR are defined; another gate throws std::invalid_argument.
ExperimentResult run_experiment(nn::Gate gate, std::uint64_t seed);
// The same analysis of a neuron with given parameters (no training; `train` holds the parameters
// and the predictions only).
ExperimentResult analyse_neuron(nn::Gate gate, std::span<const double> weights, double bias);

inline constexpr double even_split_tolerance = 0.05;
inline constexpr double completeness_tolerance = 1e-12;

}  // namespace attribution
