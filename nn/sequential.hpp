// Sequential: layers applied one after another, PyTorch's nn.Sequential, with TransformerLens's
// ways of looking inside (run_with_cache, run_with_hooks).
//
//   autodiff::Tape tape;
//   nn::Generator generator(0);
//   nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
//   const auto& y = model.forward(x);           // x: Matrix<double>, one row per example
//   auto [output, cache] = model.run_with_cache(x);
//   cache["layer_0.output"];                    // the Linear layer's output, as numbers
//
// The model is bound to its tape: building it creates every parameter as a leaf there, drawing
// the initial values from the generator layer by layer (Linear: weight row by row, then bias), as
// PyTorch does after torch.manual_seed. Parameters are named as in the original notebook, whose
// network kept its Sequential in an attribute `model`: "model.0.weight", "model.0.bias", ...
//
// Activations are named layer_K.input and layer_K.output (see nn/hooks.hpp for the scheme and for
// how hooks run).
//
// Memory: the activations live in buffers owned by the model and reused by every forward pass,
// so a training loop that rewinds the tape allocates nothing after its first step. The matrix
// forward() returns is one of those buffers: the next forward pass overwrites it (copy it to keep
// it).
#pragma once

#include <concepts>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "autodiff/tape.hpp"
#include "nn/hooks.hpp"
#include "nn/layer.hpp"
#include "nn/matrix.hpp"
#include "nn/random.hpp"

namespace nn {

// Parameter values by name, each row-major: {"model.0.weight", {3.0482, 3.0556}}.
using StateDict = std::map<std::string, std::vector<double>>;

// What every model does with its parameters, given its named_parameters() (Sequential here, the
// transformer of chapter 12): the leaves in that order, the state dict, and the strict loading
// described at Sequential::load_state_dict.
std::vector<autodiff::Var> parameter_leaves(const std::vector<NamedParameter>& named);
StateDict state_dict_of(const std::vector<NamedParameter>& named);
void load_state_dict_into(const std::vector<NamedParameter>& named, const StateDict& state);

class Sequential {
 public:
  template <class... Layers>
  requires(sizeof...(Layers) > 0 && (std::derived_from<std::remove_cvref_t<Layers>, Layer> && ...))
      Sequential(autodiff::Tape& tape, Generator& generator, Layers&&... layers)
      : tape_(&tape) {
    (layers_.push_back(std::make_unique<std::remove_cvref_t<Layers>>(std::forward<Layers>(layers))),
     ...);
    build(generator);
  }
  // The same with layers chosen at run time. Throws std::invalid_argument for an empty list or a
  // null layer.
  Sequential(autodiff::Tape& tape, Generator& generator,
             std::vector<std::unique_ptr<Layer>> layers);

  Sequential(const Sequential&) = delete;
  Sequential& operator=(const Sequential&) = delete;
  Sequential(Sequential&&) = default;
  Sequential& operator=(Sequential&&) = default;

  // ---- running ----------------------------------------------------------------------------------
  // The output, one row per input row. A Matrix<double> input is data, as a tensor without
  // requires_grad in PyTorch: no gradient is taken with respect to it, and a first Linear layer
  // reads the numbers directly. For d(output)/d(input), pass leaves, nn::leaves(tape, x): a
  // Matrix<Var> input is used as it is (its Vars must be on the model's tape). Throws
  // std::invalid_argument when a layer gets the wrong number of columns, naming the layer and
  // both sizes.
  const Matrix<autodiff::Var>& forward(const Matrix<double>& input);
  const Matrix<autodiff::Var>& forward(const Matrix<autodiff::Var>& input);
  const Matrix<autodiff::Var>& operator()(const Matrix<double>& input) { return forward(input); }
  const Matrix<autodiff::Var>& operator()(const Matrix<autodiff::Var>& input) {
    return forward(input);
  }
  // forward with hooks on named activations. Every name is checked before anything runs: an
  // unknown one throws std::invalid_argument naming it and listing the valid names. A hook on
  // layer_0.input of a Matrix<double> input sees the numbers as new leaves on the tape.
  const Matrix<autodiff::Var>& run_with_hooks(const Matrix<double>& input, const Hooks& hooks);
  const Matrix<autodiff::Var>& run_with_hooks(const Matrix<autodiff::Var>& input,
                                              const Hooks& hooks);

  struct CachedRun {
    Matrix<double> output;
    ActivationCache cache;  // every name of hook_names(), after the hooks ran
  };
  // The output and every activation, as numbers. Like PyTorch under torch.no_grad(), it leaves
  // the tape as it found it: the nodes it made are rewound away before it returns.
  CachedRun run_with_cache(const Matrix<double>& input, const Hooks& hooks = {});
  // Only the output, as numbers; leaves the tape as it found it too.
  Matrix<double> predict(const Matrix<double>& input);

  // ---- structure --------------------------------------------------------------------------------
  std::size_t size() const { return layers_.size(); }
  // Throws std::out_of_range past the last layer.
  const Layer& layer(std::size_t k) const;
  // layer_0.input, layer_0.output, layer_1.input, ... in the order of the forward pass.
  std::vector<std::string> hook_names() const;
  // As PyTorch prints a Sequential: "Sequential(\n  (0): Linear(...)\n  (1): Sigmoid()\n)".
  std::string to_string() const;
  autodiff::Tape& tape() const { return *tape_; }

  // ---- parameters -------------------------------------------------------------------------------
  // "model.0.weight", "model.0.bias", ... layer by layer, weight before bias.
  std::vector<NamedParameter> named_parameters() const;
  // Every parameter's leaf, in the same order, weights row by row: what SGD updates.
  std::vector<autodiff::Var> parameters() const;
  StateDict state_dict() const;
  // Sets every parameter from `state`, by name. Strict, as PyTorch's default: throws
  // std::invalid_argument for a missing or unexpected name, a wrong number of values (naming both
  // counts) or a value that is not finite; nothing is changed unless everything is valid.
  void load_state_dict(const StateDict& state);
  // Draws every parameter anew from `generator`, in the order of construction.
  void reset_parameters(Generator& generator);

 private:
  struct ResolvedHook {
    std::size_t activation;  // index into activations_
    const Hook* hook;
  };

  void build(Generator& generator);
  std::vector<ResolvedHook> resolve(const Hooks& hooks) const;
  const Matrix<autodiff::Var>& run_on_numbers(const Matrix<double>& input,
                                              const std::vector<ResolvedHook>& hooks);
  // Runs the layers from layer `first` on activations_[first], with the hooks of activation
  // `first` and after.
  const Matrix<autodiff::Var>& run(const std::vector<ResolvedHook>& hooks, std::size_t first);

  autodiff::Tape* tape_;
  std::vector<std::unique_ptr<Layer>> layers_;
  // activations_[0] is the input, activations_[K + 1] layer K's output.
  std::vector<Matrix<autodiff::Var>> activations_;
  // False when the last run's first layer read a Matrix<double> directly, so that activations_[0]
  // holds nothing of it.
  bool input_on_tape_ = false;
};

}  // namespace nn
