#include "nn/sgd.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace nn {

SGD::SGD(std::vector<autodiff::Var> parameters, double lr)
    : parameters_(std::move(parameters)), lr_(lr) {
  if (!(std::isfinite(lr) && lr >= 0.0))
    throw std::invalid_argument("SGD: invalid learning rate " + std::to_string(lr) +
                                "; it must be finite and >= 0");
  if (parameters_.empty()) throw std::invalid_argument("SGD: the parameter list is empty");
  for (const autodiff::Var& p : parameters_) p.value();  // an empty or stale Var throws here
}

void SGD::zero_grad() const {
  for (const autodiff::Var& p : parameters_) p.zero_grad();
}

void SGD::step() const {
  // BEGIN EXERCISE 3.2
  for (const autodiff::Var& p : parameters_) p.set_value(p.value() - lr_ * p.grad());
  // END EXERCISE 3.2
}

}  // namespace nn
