// Linear(in, out): y = x W^T + b, PyTorch's nn.Linear.
//
// W is out x in and b has one entry per output, so row r of a batch becomes
//   y(r, j) = sum_i x(r, i) W(j, i) + b(j),
// summed from i = 0 upward and the bias added last. Gradients: dy(r,j)/dW(j,i) = x(r,i),
// dy(r,j)/db(j) = 1, dy(r,j)/dx(r,i) = W(j,i).
//
// Initialisation as PyTorch's default (kaiming_uniform_ with a = sqrt(5), which reduces to this):
// every weight, then every bias, uniform in [-1/sqrt(in), 1/sqrt(in)), weights drawn row by row.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nn/layer.hpp"

namespace nn {

class Linear : public Layer {
 public:
  // Throws std::invalid_argument when in_features or out_features is 0, and std::length_error
  // naming both when the parameters, (in_features + 1) * out_features leaves, are more than one
  // tape can hold (autodiff::Tape::max_nodes).
  Linear(std::size_t in_features, std::size_t out_features);

  std::size_t in_features() const { return in_features_; }
  std::size_t out_features() const { return out_features_; }
  // The bound of the initial values, 1/sqrt(in_features).
  double init_bound() const;

  std::string name() const override;
  // Draws the weights row by row, then the biases. Throws std::logic_error if the parameters
  // already live on another tape.
  void initialize(autodiff::Tape& tape, Generator& generator) override;
  // Throws std::invalid_argument if the input does not have in_features columns, and
  // std::logic_error before initialize.
  void forward(const Matrix<autodiff::Var>& input, Matrix<autodiff::Var>& output) const override;
  // The same y = x W^T + b with x plain numbers: z = W(j,0) x0, then z = z + x_i W(j,i) as one node
  // each (autodiff::add), then + b — half the nodes of the form above, and the same bits.
  bool forward_numbers(const Matrix<double>& input, Matrix<autodiff::Var>& output) const override;
  // {"weight", out x in}, {"bias", 1 x out}
  std::vector<NamedParameter> named_parameters() const override;

  const Matrix<autodiff::Var>& weight() const { return weight_; }
  const Matrix<autodiff::Var>& bias() const { return bias_; }

 private:
  void require_parameters() const;
  // Throws unless the parameters exist and the input has in_features columns.
  void check_input(std::size_t rows, std::size_t cols) const;

  std::size_t in_features_;
  std::size_t out_features_;
  autodiff::Tape* tape_ = nullptr;
  Matrix<autodiff::Var> weight_;  // out x in
  Matrix<autodiff::Var> bias_;    // 1 x out
};

}  // namespace nn
