// Binary cross-entropy, PyTorch's nn.BCELoss and nn.BCEWithLogitsLoss (reduction = mean).
//
// BCELoss takes probabilities p (a sigmoid's output) and targets y in [0, 1]:
//   loss = mean over all entries of -(y log p + (1 - y) log(1 - p)),
// with PyTorch's two guards. Each log is clamped at -100, so a saturated wrong prediction (p = 0
// for y = 1) costs 100, a large finite loss, not infinity. And the gradient is PyTorch's
//   d loss / d p = (p - y) / max(p (1 - p), 1e-12) / N,
// finite at p = 0 and p = 1 too. Each entry adds one node to the tape, the running sum plus the
// entry's loss (local derivatives 1 and that gradient), and the sum is divided by N.
//
// BCEWithLogitsLoss takes the logit z instead of p = sigmoid(z), and uses
//   -(y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))) = softplus(z) - y z,
// which never overflows and never loses the small probabilities that rounding sigmoid(z) to 0 or
// 1 would: at z = 1000 and y = 0 it is exactly 1000, with gradient sigmoid(z) - y = 1. Prefer it
// whenever the sigmoid is the model's last layer; the notebook's network ends in a Sigmoid, hence
// BCELoss.
//
// Both throw std::invalid_argument naming both shapes when the input and target differ in shape,
// for an empty batch, and naming the entry and its value for a target outside [0, 1] (or NaN), and
// for BCELoss an input outside [0, 1] (PyTorch refuses both too), for BCEWithLogitsLoss a logit
// that is not finite.
#pragma once

#include "autodiff/tape.hpp"
#include "nn/matrix.hpp"

namespace nn {

// PyTorch's lower bound on each log term, and on p (1 - p) in the gradient's denominator.
inline constexpr double bce_log_clamp = -100.0;
inline constexpr double bce_gradient_epsilon = 1e-12;

// One entry's loss and its derivative with respect to p, as above (no range checks).
double binary_cross_entropy(double p, double y);
double binary_cross_entropy_gradient(double p, double y);
// One entry's softplus(z) - y z; its derivative with respect to z is sigmoid(z) - y.
double binary_cross_entropy_with_logits(double z, double y);

class BCELoss {
 public:
  // The mean loss, as a node on the input's tape: call backward() on it.
  autodiff::Var operator()(const Matrix<autodiff::Var>& input, const Matrix<double>& target) const;
  // The same on plain numbers.
  double operator()(const Matrix<double>& input, const Matrix<double>& target) const;
};

class BCEWithLogitsLoss {
 public:
  autodiff::Var operator()(const Matrix<autodiff::Var>& input, const Matrix<double>& target) const;
  double operator()(const Matrix<double>& input, const Matrix<double>& target) const;
};

}  // namespace nn
