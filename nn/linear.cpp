#include "nn/linear.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "autodiff/operations.hpp"

namespace nn {

using autodiff::Var;

namespace {

// y = x W^T + b for inputs that are numbers or Vars: the sum from i = 0 upward, the bias last.
// Each step z + x w is one node when x is a number (autodiff::add), a product and a sum when x is
// a Var on the tape.
template <class Input>
void affine(const Matrix<Input>& input, const Matrix<Var>& weight, const Matrix<Var>& bias,
            Matrix<Var>& output) {
  // BEGIN EXERCISE 2.1 [input, weight, bias, output]
  output.resize(input.rows(), weight.rows());
  for (std::size_t r = 0; r < input.rows(); ++r) {
    const auto x = input.row(r);
    for (std::size_t j = 0; j < weight.rows(); ++j) {
      const auto w = weight.row(j);
      Var z = x[0] * w[0];
      for (std::size_t i = 1; i < w.size(); ++i) {
        if constexpr (std::is_same_v<Input, double>) {
          z = autodiff::add(z, w[i], x[i]);
        } else {
          z = z + x[i] * w[i];
        }
      }
      output(r, j) = z + bias(0, j);
    }
  }
  // END EXERCISE 2.1
}

}  // namespace

Linear::Linear(std::size_t in_features, std::size_t out_features)
    : in_features_(in_features), out_features_(out_features) {
  const std::string sizes =
      "Linear(" + std::to_string(in_features) + ", " + std::to_string(out_features) + ")";
  if (in_features == 0 || out_features == 0)
    throw std::invalid_argument(sizes + ": in_features and out_features must be at least 1");
  // (in + 1) * out <= max_nodes, written so that nothing can overflow.
  if (in_features >= autodiff::Tape::max_nodes / out_features)
    throw std::length_error(sizes +
                            ": in_features * out_features weights and out_features biases are "
                            "more leaves than a tape holds (2^32 - 1 nodes)");
}

double Linear::init_bound() const { return 1.0 / std::sqrt(static_cast<double>(in_features_)); }

std::string Linear::name() const {
  return "Linear(in_features=" + std::to_string(in_features_) +
         ", out_features=" + std::to_string(out_features_) + ", bias=True)";
}

void Linear::initialize(autodiff::Tape& tape, Generator& generator) {
  if (tape_ != nullptr && tape_ != &tape)
    throw std::logic_error(name() + ": its parameters already live on another tape");
  const double bound = init_bound();
  if (tape_ == nullptr) {
    tape_ = &tape;
    weight_ = Matrix<Var>(out_features_, in_features_);
    bias_ = Matrix<Var>(1, out_features_);
    for (Var& w : weight_.flat()) w = tape.variable(generator.uniform(-bound, bound));
    for (Var& b : bias_.flat()) b = tape.variable(generator.uniform(-bound, bound));
  } else {
    for (const Var& w : weight_.flat()) w.set_value(generator.uniform(-bound, bound));
    for (const Var& b : bias_.flat()) b.set_value(generator.uniform(-bound, bound));
  }
}

void Linear::require_parameters() const {
  if (tape_ == nullptr)
    throw std::logic_error(name() +
                           " has no parameters yet: put it in a Sequential, or call "
                           "initialize(tape, generator)");
}

void Linear::check_input(std::size_t rows, std::size_t cols) const {
  require_parameters();
  if (cols != in_features_)
    throw std::invalid_argument(name() + ": the input has " + std::to_string(cols) +
                                " columns but in_features is " + std::to_string(in_features_) +
                                " (input shape " + shape_string(rows, cols) + ")");
}

void Linear::forward(const Matrix<Var>& input, Matrix<Var>& output) const {
  check_input(input.rows(), input.cols());
  affine(input, weight_, bias_, output);
}

bool Linear::forward_numbers(const Matrix<double>& input, Matrix<Var>& output) const {
  check_input(input.rows(), input.cols());
  affine(input, weight_, bias_, output);
  return true;
}

std::vector<NamedParameter> Linear::named_parameters() const {
  require_parameters();
  return {{"weight", weight_}, {"bias", bias_}};
}

}  // namespace nn
