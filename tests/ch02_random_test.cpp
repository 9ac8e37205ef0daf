// The project's generator: pinned numbers for a seed, ranges, unbiased integers and shuffles.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <vector>

#include "nn/random.hpp"

#include <gtest/gtest.h>

namespace {

TEST(Ch02Random, EngineIsTheStandardMt19937x64) {
  // The C++ standard requires the 10000th number of a default-constructed mt19937_64 to be this.
  nn::Generator generator;
  std::uint64_t bits = 0;
  for (int i = 0; i < 10000; ++i) bits = generator.next_bits();
  EXPECT_EQ(bits, 9981545732273789042ULL);
}

TEST(Ch02Random, FirstNumbersOfSeedZeroArePinned) {
  // Computed once by this generator; mt19937_64 and the arithmetic below are exact, so any
  // compiler and standard library must give these bits.
  nn::Generator bits(0);
  EXPECT_EQ(bits.next_bits(), 2947667278772165694ULL);
  EXPECT_EQ(bits.next_bits(), 18301848765998365067ULL);
  EXPECT_EQ(bits.next_bits(), 729919693006235833ULL);

  nn::Generator uniform(0);
  EXPECT_EQ(uniform.uniform(), 0.15979336337046079);
  EXPECT_EQ(uniform.uniform(), 0.99214520962982877);
  EXPECT_EQ(uniform.uniform(), 0.039569025844865657);
  // uniform() is the top 53 bits times 2^-53.
  EXPECT_EQ(0.15979336337046079, static_cast<double>(2947667278772165694ULL >> 11) * 0x1.0p-53);
}

TEST(Ch02Random, SameSeedSameNumbersAndManualSeedRestarts) {
  nn::Generator a(1234), b(1234);
  std::vector<double> first;
  for (int i = 0; i < 100; ++i) {
    first.push_back(a.uniform(-2.0, 3.0));
    EXPECT_EQ(first.back(), b.uniform(-2.0, 3.0));
  }
  a.manual_seed(1234);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.uniform(-2.0, 3.0), first[i]);
  nn::Generator c(1235);
  EXPECT_NE(c.uniform(-2.0, 3.0), first[0]);
}

TEST(Ch02Random, UniformStaysInItsHalfOpenInterval) {
  nn::Generator generator(7);
  double lowest = 1.0, highest = -1.0, sum = 0.0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double x = generator.uniform(-0.5, 0.5);
    ASSERT_GE(x, -0.5);
    ASSERT_LT(x, 0.5);
    lowest = std::min(lowest, x);
    highest = std::max(highest, x);
    sum += x;
  }
  EXPECT_LT(lowest, -0.499);
  EXPECT_GT(highest, 0.499);
  // Mean 0, standard deviation of the mean sqrt(1/12 / n) ~ 0.0009: 5 sigma.
  EXPECT_NEAR(sum / n, 0.0, 0.0046);
}

TEST(Ch02Random, UniformRejectsAnEmptyOrInfiniteInterval) {
  nn::Generator generator;
  EXPECT_THROW(generator.uniform(1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(generator.uniform(2.0, 1.0), std::invalid_argument);
  EXPECT_THROW(generator.uniform(0.0, INFINITY), std::invalid_argument);
  EXPECT_THROW(generator.uniform(NAN, 1.0), std::invalid_argument);
  EXPECT_THROW(generator.uniform(-1e308, 1e308), std::invalid_argument);  // hi - lo overflows
}

TEST(Ch02Random, RandintIsUnbiased) {
  // n = 3 * 2^62: bits % n alone would make 0 .. 2^62 - 1 twice as likely as the rest (those
  // values would come up half the time). Rejection sampling makes each third equally likely.
  nn::Generator generator(11);
  const std::uint64_t n = 3ULL << 62;
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 30000; ++i) ++counts[generator.randint(n) >> 62];
  for (int third = 0; third < 3; ++third) EXPECT_NEAR(counts[third], 10000, 400) << third;

  nn::Generator small(3);
  EXPECT_THROW(small.randint(0), std::invalid_argument);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(small.randint(1), 0u);
}

// randint skips computing 2^64 mod n when the draw is n or more (the threshold is below n); the
// numbers must be those of the plain rejection rule, draw for draw, also where it rejects often.
TEST(Ch02Random, RandintIsThePlainRejectionRuleDrawForDraw) {
  const std::uint64_t sizes[] = {
      1, 2, 4, 7, 1000003, (std::uint64_t{1} << 63) + 1, std::uint64_t{3} << 62, ~std::uint64_t{0}};
  for (const std::uint64_t n : sizes) {
    nn::Generator generator(n), reference(n);
    const std::uint64_t threshold = (0 - n) % n;
    for (int i = 0; i < 2000; ++i) {
      std::uint64_t bits = reference.next_bits();
      while (bits < threshold) bits = reference.next_bits();
      ASSERT_EQ(generator.randint(n), bits % n) << "n = " << n << ", draw " << i;
    }
  }
}

TEST(Ch02Random, ShuffleGivesEveryOrderEquallyOften) {
  // All 24 orders of four rows, each near 1000 of 24000 (sd ~31; bound ~5 sd). A Sattolo-style
  // bug (drawing j from 0..i-1) would never give the identity, among 18 others.
  nn::Generator generator(5);
  std::map<std::vector<std::size_t>, int> counts;
  std::vector<std::size_t> order;
  for (int i = 0; i < 24000; ++i) {
    generator.randperm(4, order);
    ++counts[order];
  }
  ASSERT_EQ(counts.size(), 24u);
  for (const auto& [permutation, count] : counts) EXPECT_NEAR(count, 1000, 160);
}

TEST(Ch02Random, RandpermIsAShuffledIota) {
  nn::Generator a(9), b(9);
  std::vector<int> items = {0, 1, 2, 3, 4, 5, 6, 7};
  b.shuffle(items);
  const std::vector<std::size_t> permutation = a.randperm(8);
  ASSERT_EQ(permutation.size(), 8u);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(permutation[i], static_cast<std::size_t>(items[i]));
  std::vector<std::size_t> sorted = permutation;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_TRUE(a.randperm(0).empty());
  EXPECT_EQ(a.randperm(1), std::vector<std::size_t>{0});
}

}  // namespace
