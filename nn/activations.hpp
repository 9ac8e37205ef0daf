// Element-wise activations: Sigmoid and ReLU, PyTorch's nn.Sigmoid and nn.ReLU.
//
//   Sigmoid  y = 1 / (1 + e^-x),  dy/dx = y (1 - y), computed without overflow for any x
//   ReLU     y = max(x, 0),       dy/dx = 1 for x > 0, else 0 (0 at the kink, as PyTorch)
//
// They have no parameters and accept any number of columns; the output has the input's shape.
#pragma once

#include <string>

#include "nn/layer.hpp"

namespace nn {

class Sigmoid : public Layer {
 public:
  std::string name() const override { return "Sigmoid()"; }
  void initialize(autodiff::Tape&, Generator&) override {}
  void forward(const Matrix<autodiff::Var>& input, Matrix<autodiff::Var>& output) const override;
};

class ReLU : public Layer {
 public:
  std::string name() const override { return "ReLU()"; }
  void initialize(autodiff::Tape&, Generator&) override {}
  void forward(const Matrix<autodiff::Var>& input, Matrix<autodiff::Var>& output) const override;
};

}  // namespace nn
