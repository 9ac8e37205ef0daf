#include "nn/random.hpp"

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace nn {

double Generator::uniform(double lo, double hi) {
  if (!(lo < hi && std::isfinite(hi - lo)))
    throw std::invalid_argument("Generator::uniform: needs finite lo < hi, got lo = " +
                                std::to_string(lo) + ", hi = " + std::to_string(hi));
  const double x = lo + (hi - lo) * uniform();
  // Rounding can carry lo + (hi - lo) * u up to hi itself when u is just below 1; keep the
  // interval half-open.
  return x < hi ? x : std::nextafter(hi, lo);
}

std::uint64_t Generator::randint(std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("Generator::randint: n must be at least 1");
  // Draws below 2^64 mod n are rejected: that leaves 2^64 - (2^64 mod n) possible values, a
  // multiple of n, so bits % n is exactly uniform. At most half the draws are rejected (for n just
  // above 2^63); for a handful of rows, about none. The threshold is below n, so a draw of n or
  // more is always kept, and the threshold's division (computed without 128-bit arithmetic) is
  // only needed for the rare draw below n.
  for (;;) {
    const std::uint64_t bits = next_bits();
    if (bits >= n || bits >= (0 - n) % n) return bits % n;
  }
}

std::vector<std::size_t> Generator::randperm(std::size_t n) {
  std::vector<std::size_t> permutation;
  randperm(n, permutation);
  return permutation;
}

void Generator::randperm(std::size_t n, std::vector<std::size_t>& permutation) {
  permutation.resize(n);
  std::iota(permutation.begin(), permutation.end(), std::size_t{0});
  shuffle(std::span<std::size_t>(permutation));
}

}  // namespace nn
