#include "nn/activations.hpp"

#include <cstddef>

#include "autodiff/operations.hpp"

namespace nn {

void Sigmoid::forward(const Matrix<autodiff::Var>& input, Matrix<autodiff::Var>& output) const {
  output.resize(input.rows(), input.cols());
  const auto in = input.flat();
  const auto out = output.flat();
  for (std::size_t k = 0; k < in.size(); ++k) out[k] = autodiff::sigmoid(in[k]);
}

void ReLU::forward(const Matrix<autodiff::Var>& input, Matrix<autodiff::Var>& output) const {
  output.resize(input.rows(), input.cols());
  const auto in = input.flat();
  const auto out = output.flat();
  for (std::size_t k = 0; k < in.size(); ++k) out[k] = autodiff::relu(in[k]);
}

}  // namespace nn
