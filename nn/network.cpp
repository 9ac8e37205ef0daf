#include "nn/network.hpp"

#include <stdexcept>
#include <string>

#include "nn/activations.hpp"
#include "nn/linear.hpp"

namespace nn {

Sequential network(autodiff::Tape& tape, Generator& generator, std::size_t n_inputs,
                   std::size_t hidden) {
  if (n_inputs == 0) throw std::invalid_argument("network: no inputs");
  if (hidden > max_hidden)
    throw std::invalid_argument("network: " + std::to_string(hidden) +
                                " hidden neurons; give 0 to " + std::to_string(max_hidden));
  if (hidden == 0) return Sequential(tape, generator, Linear(n_inputs, 1), Sigmoid());
  return Sequential(tape, generator, Linear(n_inputs, hidden), ReLU(), Linear(hidden, 1),
                    Sigmoid());
}

Sequential network(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                   const StateDict& parameters) {
  Generator generator;  // the drawn values are replaced at once
  Sequential model = network(tape, generator, n_inputs, hidden);
  model.load_state_dict(parameters);
  return model;
}

std::string architecture(std::size_t n_inputs, std::size_t hidden) {
  const std::string n = std::to_string(n_inputs), h = std::to_string(hidden);
  if (hidden == 0) return "Sequential(Linear(" + n + ", 1), Sigmoid())";
  return "Sequential(Linear(" + n + ", " + h + "), ReLU(), Linear(" + h + ", 1), Sigmoid())";
}

Sequential neuron(autodiff::Tape& tape, std::span<const double> weights, double bias) {
  if (weights.empty()) throw std::invalid_argument("neuron: no weights");
  return network(tape, weights.size(), 0,
                 {{"model.0.weight", {weights.begin(), weights.end()}}, {"model.0.bias", {bias}}});
}

}  // namespace nn
