// Looking inside a network: activation names, hooks, and the activation cache.
//
// Names. Every activation of a Sequential has a name, in the style of TransformerLens's hook
// points. Layer K of the Sequential reads `layer_K.input` and writes `layer_K.output`:
//
//   x = layer_0.input -> [Linear] -> layer_0.output = layer_1.input -> [Sigmoid] -> layer_1.output
//
// Layer K's output is layer K+1's input: one activation under two names, and a hook on either
// name sees (and can change) the same matrix. `layer_0.input` is the network's input, the last
// layer's output is its output. The original notebook's cache keys `layer_0`, `layer_1` are
// `layer_0.output`, `layer_1.output` here.
//
// Hooks. A hook is a function called with an activation (the whole batch, one row per example)
// while the forward pass runs, before the next layer reads it. It may only read it, or replace
// entries: one neuron (a column), or all. Replacing an entry with a new leaf, tape.variable(v),
// cuts the path back to the layers before it and lets you read, after backward(), the gradient
// of the output with respect to that activation from the leaf. When both names of one activation
// have hooks, the `layer_K.output` hooks run first, then the `layer_K+1.input` ones; hooks on one
// name run in the order given.
//
// Cache. run_with_cache returns every activation under every name it has, as plain numbers
// detached from the tape (PyTorch's torch.no_grad()).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "autodiff/tape.hpp"
#include "nn/matrix.hpp"

namespace nn {

using Hook = std::function<void(Matrix<autodiff::Var>& activation)>;
// {{"layer_0.input", hook}, ...}, as TransformerLens's fwd_hooks=[(name, hook)].
using Hooks = std::vector<std::pair<std::string, Hook>>;

std::string layer_input_name(std::size_t layer);  // "layer_3.input"
// The network's own input, layer_input_name(0).
inline constexpr std::string_view model_input = "layer_0.input";
std::string layer_output_name(std::size_t layer);  // "layer_3.output"

// A hook replacing neuron (column) `neuron` of the activation with values from `source`: either
// the whole activation from another run (same shape; its column `neuron` is used), typically
// cached from another input — activation patching — or just the values, one column with a row
// per example. The new entries are leaves on the activation's tape. When the hook runs, it throws
// std::invalid_argument naming both shapes if `source` fits neither way, and naming the neuron if
// it is out of range.
Hook patch_neuron(std::size_t neuron, Matrix<double> source);
// Every neuron at once, from a source of the activation's shape. When `leaves` is given, it
// receives the new leaves, so that the gradient of the output with respect to the patched
// activation can be read from them after backward().
Hook patch_activation(Matrix<double> source, Matrix<autodiff::Var>* leaves = nullptr);

class ActivationCache {
 public:
  // The activation of that name. Throws std::invalid_argument naming it and listing the names
  // there are.
  const Matrix<double>& operator[](std::string_view name) const;
  bool contains(std::string_view name) const;
  // In the order of the forward pass: layer_0.input, layer_0.output, layer_1.input, ...
  std::vector<std::string> names() const;
  std::size_t size() const { return entries_.size(); }

  void insert(std::string name, Matrix<double> value);

 private:
  std::vector<std::pair<std::string, Matrix<double>>> entries_;
};

}  // namespace nn
