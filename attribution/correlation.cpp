#include "attribution/correlation.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <string>

#include "attribution/model_run.hpp"

namespace attribution {

std::optional<double> pearson(std::span<const double> x, std::span<const double> y) {
  check_same_length(x, y, "x", "y");
  for (std::span<const double> list : {x, y})
    for (double value : list)
      if (!std::isfinite(value))
        throw std::invalid_argument("pearson: a score is not finite (" + std::to_string(value) +
                                    ")");
  // BEGIN EXERCISE 10.2 [x, y]
  const std::size_t n = x.size();
  if (n < 2) return std::nullopt;
  const auto constant = [](std::span<const double> v) {
    return std::all_of(v.begin(), v.end(), [&](double value) { return value == v[0]; });
  };
  if (constant(x) || constant(y)) return std::nullopt;
  // Centred sums (two passes): the one-pass formula loses every digit when the mean is large.
  const double mean_x = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
  const double mean_y = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mean_x) * (y[i] - mean_y);
    sxx += (x[i] - mean_x) * (x[i] - mean_x);
    syy += (y[i] - mean_y) * (y[i] - mean_y);
  }
  // Values that differ only far below their size can still centre to exact zeros.
  if (sxx == 0.0 || syy == 0.0) return std::nullopt;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
  // END EXERCISE 10.2
}

}  // namespace attribution
