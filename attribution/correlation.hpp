// Pearson's correlation coefficient: how well one method's scores over many components follow
// another's, up to scale and shift. Chapter 10 asks how IG in each direction tracks each patching
// direction; chapter 11 averages it over models.
//
//   r = sum (x_i - mean x)(y_i - mean y) / sqrt(sum (x_i - mean x)^2 * sum (y_i - mean y)^2)
#pragma once

#include <optional>
#include <span>

namespace attribution {

// Pearson's correlation coefficient of x and y, in [-1, 1] (clamped against rounding). Undefined
// (std::nullopt) for fewer than two components or when x or y is constant (every value equal):
// its standard deviation is 0. Throws std::invalid_argument when the lengths differ or a value
// is not finite.
std::optional<double> pearson(std::span<const double> x, std::span<const double> y);

}  // namespace attribution
