// The tutorial's two networks, built in one place. The notebook's neuron, sigmoid(w.x + b), is
//
//   Sequential(Linear(n, 1), Sigmoid())                              hidden = 0
//
// and chapter 7 puts a layer of H ReLU neurons in front of it:
//
//   Sequential(Linear(n, H), ReLU(), Linear(H, 1), Sigmoid())        hidden = H
//
// One network type, so that the neuron is nothing but the network without a hidden layer: the
// same training, the same analysis, the same model file. Parameters are named as PyTorch names
// them: model.0.weight and model.0.bias, then model.2.weight and model.2.bias.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "autodiff/tape.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"

namespace nn {

// Hidden widths accepted, 0 (the neuron) to this: wide enough for any exercise, small enough that
// patching every set of neurons stays cheap.
inline constexpr std::size_t max_hidden = 16;

// The network with parameters drawn from the generator, layer by layer, as PyTorch initialises
// them. Throws std::invalid_argument for no inputs or hidden above max_hidden.
Sequential network(autodiff::Tape& tape, Generator& generator, std::size_t n_inputs,
                   std::size_t hidden = 0);
// The network with the given parameters; load_state_dict's errors (a missing, unexpected or
// wrongly sized parameter, a value that is not finite) pass through.
Sequential network(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                   const StateDict& parameters);
// "Sequential(Linear(2, 1), Sigmoid())", "Sequential(Linear(2, 4), ReLU(), Linear(4, 1),
// Sigmoid())".
std::string architecture(std::size_t n_inputs, std::size_t hidden);
// The neuron sigmoid(w.x + b) with these weights and bias. Throws std::invalid_argument for no
// weights or a value that is not finite.
Sequential neuron(autodiff::Tape& tape, std::span<const double> weights, double bias);

}  // namespace nn
