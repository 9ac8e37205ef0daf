#include "nn/bce_loss.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "autodiff/operations.hpp"

namespace nn {

using autodiff::Var;

double binary_cross_entropy(double p, double y) {
  // BEGIN EXERCISE 3.1 [p, y]
  // PyTorch's expression, term for term: (y - 1) max(log(1 - p), -100) - y max(log p, -100).
  // log1p(-p) is log(1 - p) without the rounding of 1 - p for small p.
  const double log_p = std::max(std::log(p), bce_log_clamp);
  const double log_not_p = std::max(std::log1p(-p), bce_log_clamp);
  return (y - 1.0) * log_not_p - y * log_p;
  // END EXERCISE 3.1
}

double binary_cross_entropy_gradient(double p, double y) {
  return (p - y) / std::max((1.0 - p) * p, bce_gradient_epsilon);
}

double binary_cross_entropy_with_logits(double z, double y) {
  return autodiff::softplus(z) - y * z;
}

namespace {

std::string number(double x) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

// The messages are built out of line, so that the checks the loss makes on every entry of every
// batch stay a comparison or two.
[[noreturn]] void throw_target_outside(const char* loss, double y, std::size_t r, std::size_t c) {
  throw std::invalid_argument(std::string(loss) + ": target(" + std::to_string(r) + ", " +
                              std::to_string(c) + ") = " + number(y) + " is outside [0, 1]");
}

[[noreturn]] void throw_probability_outside(double p, std::size_t r, std::size_t c) {
  throw std::invalid_argument("BCELoss: input(" + std::to_string(r) + ", " + std::to_string(c) +
                              ") = " + number(p) +
                              " is outside [0, 1]; BCELoss takes probabilities (for logits, use "
                              "BCEWithLogitsLoss)");
}

[[noreturn]] void throw_logit_not_finite(double z, std::size_t r, std::size_t c) {
  throw std::invalid_argument("BCEWithLogitsLoss: input(" + std::to_string(r) + ", " +
                              std::to_string(c) + ") = " + number(z) + " is not a finite logit");
}

template <class T>
void check(const char* loss, const Matrix<T>& input, const Matrix<double>& target) {
  if (input.rows() != target.rows() || input.cols() != target.cols())
    throw std::invalid_argument(std::string(loss) + ": the input is " + shape_string(input) +
                                " but the target is " + shape_string(target) +
                                "; they must have the same shape");
  if (input.empty())
    throw std::invalid_argument(std::string(loss) + ": the batch is empty (" + shape_string(input) +
                                ")");
  for (std::size_t r = 0; r < target.rows(); ++r)
    for (std::size_t c = 0; c < target.cols(); ++c) {
      const double y = target(r, c);
      if (!(y >= 0.0 && y <= 1.0)) throw_target_outside(loss, y, r, c);
    }
}

void check_probability(double p, std::size_t r, std::size_t c) {
  if (!(p >= 0.0 && p <= 1.0)) throw_probability_outside(p, r, c);
}

void check_logit(double z, std::size_t r, std::size_t c) {
  if (!std::isfinite(z)) throw_logit_not_finite(z, r, c);
}

}  // namespace

Var BCELoss::operator()(const Matrix<Var>& input, const Matrix<double>& target) const {
  check("BCELoss", input, target);
  Var sum;
  for (std::size_t r = 0; r < input.rows(); ++r)
    for (std::size_t c = 0; c < input.cols(); ++c) {
      const Var p = input(r, c);
      const double p_value = p.value(), y = target(r, c);
      check_probability(p_value, r, c);
      // One node per entry: the running sum plus this entry's loss, with PyTorch's clamped value
      // and guarded derivative (d/dsum = 1, d/dp = the loss's gradient).
      const double loss = binary_cross_entropy(p_value, y);
      const double gradient = binary_cross_entropy_gradient(p_value, y);
      sum = sum.empty()
                ? p.tape().push(autodiff::Op::custom, loss, p, gradient)
                : p.tape().push(autodiff::Op::custom, sum.value() + loss, sum, 1.0, p, gradient);
    }
  return sum / static_cast<double>(input.size());
}

double BCELoss::operator()(const Matrix<double>& input, const Matrix<double>& target) const {
  check("BCELoss", input, target);
  double sum = 0.0;
  for (std::size_t r = 0; r < input.rows(); ++r)
    for (std::size_t c = 0; c < input.cols(); ++c) {
      check_probability(input(r, c), r, c);
      sum += binary_cross_entropy(input(r, c), target(r, c));
    }
  return sum / static_cast<double>(input.size());
}

Var BCEWithLogitsLoss::operator()(const Matrix<Var>& input, const Matrix<double>& target) const {
  check("BCEWithLogitsLoss", input, target);
  Var sum;
  for (std::size_t r = 0; r < input.rows(); ++r)
    for (std::size_t c = 0; c < input.cols(); ++c) {
      const Var z = input(r, c);
      const double z_value = z.value(), y = target(r, c);
      check_logit(z_value, r, c);
      const double loss = binary_cross_entropy_with_logits(z_value, y);
      const double gradient = autodiff::sigmoid(z_value) - y;
      sum = sum.empty()
                ? z.tape().push(autodiff::Op::custom, loss, z, gradient)
                : z.tape().push(autodiff::Op::custom, sum.value() + loss, sum, 1.0, z, gradient);
    }
  return sum / static_cast<double>(input.size());
}

double BCEWithLogitsLoss::operator()(const Matrix<double>& input,
                                     const Matrix<double>& target) const {
  check("BCEWithLogitsLoss", input, target);
  double sum = 0.0;
  for (std::size_t r = 0; r < input.rows(); ++r)
    for (std::size_t c = 0; c < input.cols(); ++c) {
      check_logit(input(r, c), r, c);
      sum += binary_cross_entropy_with_logits(input(r, c), target(r, c));
    }
  return sum / static_cast<double>(input.size());
}

}  // namespace nn
