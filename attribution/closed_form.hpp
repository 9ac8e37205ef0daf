// Integrated gradients of one sigmoid neuron, exactly.
//
// For f(x) = sigmoid(w.x + b) the path x' + a(x - x') moves z = w.x + b in a straight line from
// z0 = w.x' + b to z1 = w.x + b, and df/dx_i = w_i sigmoid'(z). The integral is then elementary:
//   IG_i = (x_i - x'_i) w_i (sigmoid(z1) - sigmoid(z0)) / (z1 - z0),
// with the limit (x_i - x'_i) w_i sigmoid'(z0) when z1 = z0. Every quadrature rule converges to
// this.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/operations.hpp"

namespace attribution {

inline std::vector<double> neuron_integrated_gradients(std::span<const double> weights, double bias,
                                                       std::span<const double> input,
                                                       std::span<const double> baseline) {
  if (input.size() != weights.size() || baseline.size() != weights.size())
    throw std::invalid_argument("neuron_integrated_gradients: " + std::to_string(weights.size()) +
                                " weights, input of length " + std::to_string(input.size()) +
                                ", baseline of length " + std::to_string(baseline.size()));
  double z0 = bias, dz = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    z0 += weights[i] * baseline[i];
    dz += weights[i] * (input[i] - baseline[i]);  // z1 - z0 without subtracting two near sums
  }
  const double z1 = z0 + dz;
  // sigmoid(z1) - sigmoid(z0) = sinh(dz/2) / (2 cosh(z1/2) cosh(z0/2)): no cancellation when z1 is
  // close to z0, where subtracting the two sigmoids would cancel most of their digits. Far out,
  // where cosh would overflow, the plain difference is accurate again.
  double slope;
  if (dz == 0.0) {
    const double s = autodiff::sigmoid(z0);
    slope = s * (1.0 - s);
  } else if (std::fmax(std::fabs(z0), std::fabs(z1)) < 1400.0) {
    slope = std::sinh(0.5 * dz) / (2.0 * std::cosh(0.5 * z1) * std::cosh(0.5 * z0)) / dz;
  } else {
    slope = (autodiff::sigmoid(z1) - autodiff::sigmoid(z0)) / dz;
  }
  std::vector<double> attributions(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i)
    attributions[i] = (input[i] - baseline[i]) * weights[i] * slope;
  return attributions;
}

}  // namespace attribution
