// The project's random numbers: one seed gives the same bits on every compiler and standard
// library.
//
// std::mt19937_64 is specified bit for bit by the C++ standard, but std::uniform_real_distribution,
// std::uniform_int_distribution and std::shuffle are not: libstdc++ and libc++ give different
// numbers from the same engine. So only the engine comes from the standard library; everything
// drawn from it is computed here:
//
//   uniform()         (bits >> 11) * 2^-53: the top 53 bits as a double in [0, 1), each of the
//                     2^53 values equally likely
//   uniform(lo, hi)   lo + (hi - lo) * uniform(), in [lo, hi)
//   randint(n)        an integer in [0, n) by rejection sampling, without the bias of bits % n
//   shuffle(items)    Fisher-Yates with randint: every order equally likely
//   randperm(n)       0 .. n-1 shuffled, as torch.randperm
//
// As with torch.manual_seed, one generator drives a whole experiment: the initial weights are
// drawn first, then each epoch's shuffle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace nn {

class Generator {
 public:
  static constexpr std::uint64_t default_seed = 5489;  // std::mt19937_64's own default

  explicit Generator(std::uint64_t seed = default_seed) : engine_(seed) {}
  // Restart the sequence from `seed`, as if newly constructed.
  void manual_seed(std::uint64_t seed) { engine_.seed(seed); }

  // The engine's next 64 bits.
  std::uint64_t next_bits() { return engine_(); }
  double uniform() { return static_cast<double>(next_bits() >> 11) * 0x1.0p-53; }
  // Throws std::invalid_argument unless lo < hi and hi - lo is finite.
  double uniform(double lo, double hi);
  // Uniform in [0, n). Throws std::invalid_argument for n == 0.
  std::uint64_t randint(std::uint64_t n);

  template <class T>
  void shuffle(std::span<T> items) {
    // Walk down from the end: position i takes an item drawn from positions 0..i, itself included
    // (drawing from 0..i-1 instead would give Sattolo's cycles, not all orders).
    for (std::size_t i = items.size(); i-- > 1;) {
      const std::size_t j = static_cast<std::size_t>(randint(i + 1));
      std::swap(items[i], items[j]);
    }
  }
  template <class T>
  void shuffle(std::vector<T>& items) {
    shuffle(std::span<T>(items));
  }

  std::vector<std::size_t> randperm(std::size_t n);
  // The same into a vector the caller keeps, so that a training loop does not allocate.
  void randperm(std::size_t n, std::vector<std::size_t>& permutation);

 private:
  std::mt19937_64 engine_;
};

}  // namespace nn
