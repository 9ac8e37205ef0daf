#include "nn/adam.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace nn {

namespace {

std::string shown(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

Adam::Adam(std::vector<autodiff::Var> parameters, AdamOptions options)
    : parameters_(std::move(parameters)), options_(options) {
  if (!(std::isfinite(options.lr) && options.lr >= 0.0))
    throw std::invalid_argument("Adam: invalid learning rate " + shown(options.lr) +
                                "; it must be finite and >= 0");
  if (!(std::isfinite(options.eps) && options.eps >= 0.0))
    throw std::invalid_argument("Adam: invalid eps " + shown(options.eps) +
                                "; it must be finite and >= 0");
  if (!(options.beta1 >= 0.0 && options.beta1 < 1.0))
    throw std::invalid_argument("Adam: invalid beta1 " + shown(options.beta1) +
                                "; it must be in [0, 1)");
  if (!(options.beta2 >= 0.0 && options.beta2 < 1.0))
    throw std::invalid_argument("Adam: invalid beta2 " + shown(options.beta2) +
                                "; it must be in [0, 1)");
  if (parameters_.empty()) throw std::invalid_argument("Adam: the parameter list is empty");
  for (const autodiff::Var& p : parameters_) p.value();  // an empty or stale Var throws here
  exp_avg_.assign(parameters_.size(), 0.0);
  exp_avg_sq_.assign(parameters_.size(), 0.0);
}

void Adam::zero_grad() const {
  for (const autodiff::Var& p : parameters_) p.zero_grad();
}

void Adam::step() {
  ++steps_;
  const double t = static_cast<double>(steps_);
  const double beta1 = options_.beta1, beta2 = options_.beta2;
  const double bias_correction1 = 1.0 - std::pow(beta1, t);
  const double bias_correction2 = 1.0 - std::pow(beta2, t);
  const double step_size = options_.lr / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
  // Each line is one of torch's in-place tensor operations, with its operands in the same order
  // (mul_ then add_ with alpha, addcmul_, addcdiv_): the same rounding, up to the vectorised
  // kernels' fused multiply-adds.
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const autodiff::Var& p = parameters_[i];
    const double g = p.grad();
    double& m = exp_avg_[i];
    double& v = exp_avg_sq_[i];
    m = m * beta1 + (1.0 - beta1) * g;
    v = v * beta2 + (1.0 - beta2) * g * g;
    const double denom = std::sqrt(v) / bias_correction2_sqrt + options_.eps;
    p.set_value(p.value() + -step_size * m / denom);
  }
}

}  // namespace nn
