// A network with a skip path: the input reaches the output both through a hidden ReLU layer and
// directly, as a transformer's residual stream carries a layer's input past it.
//
//   f(x) = sigmoid(v . relu(W x + b) + u . x + c)
//
// built as a Sequential, so that hooks, run_with_cache, patching and layer IG work unchanged:
//
//   Sequential(HiddenWithSkip(n, H), Linear(H + n, 1), Sigmoid())
//
// HiddenWithSkip writes [relu(W x + b), x] — the H hidden neurons and a copy of the input side by
// side, H + n columns — and the Linear after it reads both: its first H weights are v, the last n
// are u, its bias is c. The copy is the skip path. Its activation names: layer_0.input is x,
// layer_0.output is [h, x] (the hidden neurons are its columns 0 .. H-1), layer_1.output the
// logit, layer_2.output f.
//
// Parameter names are PyTorch's for that Sequential held in an attribute `model`, with the block
// keeping its Linear in an attribute `linear`:
//
//   model.0.linear.weight  W, H x n      model.0.linear.bias  b, H
//   model.1.weight         [v, u], 1 x (H + n)                 model.1.bias  c
//
// Initialisation is PyTorch's: W and b uniform in [-1/sqrt(n), 1/sqrt(n)), then [v, u] and c
// uniform in [-1/sqrt(H + n), 1/sqrt(H + n)), each weight row by row and the bias after, drawn from
// nn::Generator in that order (the order PyTorch builds the modules in).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "autodiff/tape.hpp"
#include "nn/layer.hpp"
#include "nn/linear.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"

namespace nn {

class HiddenWithSkip : public Layer {
 public:
  // Throws std::invalid_argument when in_features or hidden is 0 (Linear's errors).
  HiddenWithSkip(std::size_t in_features, std::size_t hidden);

  std::size_t in_features() const { return linear_.in_features(); }
  std::size_t hidden() const { return linear_.out_features(); }
  // hidden() + in_features(): the width of the output.
  std::size_t out_features() const { return hidden() + in_features(); }
  const Linear& linear() const { return linear_; }

  // "HiddenWithSkip(in_features=2, hidden=2, out_features=4)"
  std::string name() const override;
  void initialize(autodiff::Tape& tape, Generator& generator) override;
  // Row r of the output is [relu(W x_r + b), x_r]: the copy is the input's own Vars, so a gradient
  // reaching it flows back to the input. Throws std::invalid_argument if the input does not have
  // in_features columns (naming both sizes), std::logic_error before initialize.
  void forward(const Matrix<autodiff::Var>& input, Matrix<autodiff::Var>& output) const override;
  // {"linear.weight", H x n}, {"linear.bias", 1 x H}
  std::vector<NamedParameter> named_parameters() const override;

 private:
  Linear linear_;
  // The Linear's output, reused by every forward pass.
  mutable Matrix<autodiff::Var> pre_activation_;
};

// Hidden widths accepted: 1 to this.
inline constexpr std::size_t max_residual_hidden = 16;

// The network above with parameters drawn from the generator. Throws std::invalid_argument for no
// inputs, or hidden 0 or above max_residual_hidden.
Sequential residual_network(autodiff::Tape& tape, Generator& generator, std::size_t n_inputs,
                            std::size_t hidden);
// The same with the given parameters (load_state_dict's errors pass through).
Sequential residual_network(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                            const StateDict& parameters);
// The same network without its final Sigmoid, Sequential(HiddenWithSkip(n, H), Linear(H + n, 1)):
// its output is the logit v . relu(W x + b) + u . x + c, chapter 9's metric and the study's. The
// parameter names are the same (load_state_dict's errors pass through).
Sequential residual_logit_network(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                                  const StateDict& parameters);
// "Sequential(HiddenWithSkip(2, 2), Linear(4, 1), Sigmoid())"
std::string residual_architecture(std::size_t n_inputs, std::size_t hidden);

// The same parameters with the skip path cut: u = 0, so that f(x) = sigmoid(v . h + c) and the
// input reaches the output only through the hidden neurons. Throws std::invalid_argument when
// `parameters` is not a residual network of these sizes (model.1.weight missing or not H + n wide).
StateDict without_skip(const StateDict& parameters, std::size_t n_inputs, std::size_t hidden);

}  // namespace nn
