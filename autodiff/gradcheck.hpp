// gradcheck: the tape's gradients against central differences, as torch.autograd.gradcheck does.
//
// For each input i the numeric derivative is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), whose
// error is O(eps^2) from truncation plus O(rounding / eps): eps = 1e-6 balances the two near 1e-10
// for functions of order one.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <vector>

#include "autodiff/tape.hpp"

namespace autodiff {

struct GradcheckResult {
  std::vector<double> analytic;  // the tape's gradient, one entry per input
  std::vector<double> numeric;   // central differences
  // max over inputs of |analytic - numeric| / max(1, |analytic|, |numeric|): a relative error for
  // gradients larger than one, an absolute one below, so that a gradient of 1e-300 against 0
  // passes.
  double worst_relative_error = 0.0;
  std::size_t worst_input = 0;  // where the worst error is
  bool passed = false;          // worst_relative_error <= tolerance
};

// f takes the inputs as Vars on one tape and returns a Var on that tape:
//   gradcheck([](std::span<const Var> x) { return sigmoid(x[0] * x[1]); },
//             std::vector<double>{0.5, 2.0})
template <class Function>
GradcheckResult gradcheck(Function f, std::span<const double> inputs, double eps = 1e-6,
                          double tolerance = 1e-6) {
  if (inputs.empty()) throw std::invalid_argument("gradcheck: no inputs");
  if (!(eps > 0.0)) throw std::invalid_argument("gradcheck: eps must be positive");
  if (!(tolerance >= 0.0)) throw std::invalid_argument("gradcheck: tolerance must be >= 0");

  const auto evaluate = [&f](std::span<const double> point, GradcheckResult* gradients) {
    Tape tape;
    std::vector<Var> x;
    for (double v : point) x.push_back(tape.variable(v));
    Var y = f(std::span<const Var>(x));
    if (gradients != nullptr) {
      y.backward();
      for (const Var& xi : x) gradients->analytic.push_back(xi.grad());
    }
    return y.value();
  };

  GradcheckResult result;
  evaluate(inputs, &result);
  std::vector<double> point(inputs.begin(), inputs.end());
  for (std::size_t i = 0; i < point.size(); ++i) {
    const double x = point[i];
    point[i] = x + eps;
    const double above = evaluate(point, nullptr);
    point[i] = x - eps;
    const double below = evaluate(point, nullptr);
    point[i] = x;
    const double numeric = (above - below) / (2.0 * eps);
    result.numeric.push_back(numeric);

    const double analytic = result.analytic[i];
    const double scale = std::max({1.0, std::fabs(analytic), std::fabs(numeric)});
    const double error = std::fabs(analytic - numeric) / scale;
    // A NaN error must count as the worst, so compare with !(error <= worst).
    if (i == 0 || !(error <= result.worst_relative_error)) {
      result.worst_relative_error = error;
      result.worst_input = i;
    }
  }
  result.passed = result.worst_relative_error <= tolerance;
  return result;
}

}  // namespace autodiff
