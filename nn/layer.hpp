// Layer: what every layer of a Sequential is.
//
// A layer maps a batch (one row per example) to a batch: forward reads a Matrix<Var> and writes
// another, appending its operations to the tape of its input. The virtual call happens once per
// layer and batch, never per number: inside forward everything is plain arithmetic on Vars.
//
// A layer with parameters (Linear) creates them as leaves on a tape in initialize(), drawing
// their values from the generator; a layer without (Sigmoid, ReLU) ignores initialize.
// Sequential calls initialize for each of its layers in order, so parameters exist before any
// training loop takes its tape mark, and rewinding never removes them.
#pragma once

#include <string>
#include <vector>

#include "autodiff/tape.hpp"
#include "nn/matrix.hpp"
#include "nn/random.hpp"

namespace nn {

// A parameter and its name as PyTorch would give it: "weight" inside a layer, "model.0.weight"
// inside the notebook's network. Its Vars are handles to the leaves (copying it copies handles, not
// values): a weight of Linear(in, out) is out x in, a bias is 1 x out.
struct NamedParameter {
  std::string name;
  Matrix<autodiff::Var> value;
};

class Layer {
 public:
  virtual ~Layer() = default;

  // How PyTorch prints the layer: "Linear(in_features=2, out_features=1, bias=True)", "Sigmoid()".
  virtual std::string name() const = 0;

  // Create this layer's parameters on `tape` with values drawn from `generator`; called again on
  // the same tape, it draws new values into the same leaves.
  virtual void initialize(autodiff::Tape& tape, Generator& generator) = 0;

  // output = layer(input), resized to fit (so a reused output matrix stops allocating); input and
  // output must be two different matrices. Throws std::invalid_argument naming both sizes when the
  // input has the wrong number of columns.
  virtual void forward(const Matrix<autodiff::Var>& input, Matrix<autodiff::Var>& output) const = 0;

  // The same on plain numbers: the network's input, which takes no gradient (a tensor without
  // requires_grad in PyTorch). A layer that can read the numbers directly does so and returns
  // true (Linear: a weight times a number is one node, with no leaf for the number); the default
  // returns false, and Sequential then puts the numbers on the tape as leaves and calls forward.
  virtual bool forward_numbers(const Matrix<double>& /*input*/,
                               Matrix<autodiff::Var>& /*output*/) const {
    return false;
  }

  // Parameters in PyTorch's order (weight before bias), named within the layer.
  virtual std::vector<NamedParameter> named_parameters() const { return {}; }

 protected:
  Layer() = default;
  Layer(const Layer&) = default;
  Layer(Layer&&) = default;
  Layer& operator=(const Layer&) = default;
  Layer& operator=(Layer&&) = default;
};

}  // namespace nn
