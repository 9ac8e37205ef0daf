// Chapter 12: the softmax on numbers (nn::softmax) and the rows both forms refuse.
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "autodiff/tape.hpp"
#include "nn/softmax.hpp"
#include "tests/reference_transformer.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using autodiff::Var;
using test_support::contains;
using test_support::invalid_argument_message;

TEST(Ch12Softmax, NumbersMatchPyTorchRows) {
  for (const auto& row : reference_transformer::softmax_rows) {
    const std::vector<double> p = nn::softmax(row.scores);
    ASSERT_EQ(p.size(), row.probabilities.size());
    for (std::size_t j = 0; j < p.size(); ++j)
      EXPECT_NEAR(p[j], row.probabilities[j], 1e-15) << row.scores.size() << " keys, " << j;
  }
}

// softmax(s + c) = softmax(s), and the probabilities sum to 1.
TEST(Ch12Softmax, ShiftInvariantAndNormalised) {
  const std::vector<double> s = {0.5, -1.25, 2.0, 0.3};
  std::vector<double> shifted = s;
  for (double& x : shifted) x += 700.0;
  const std::vector<double> p = nn::softmax(s), q = nn::softmax(shifted);
  double sum = 0.0;
  for (std::size_t j = 0; j < p.size(); ++j) {
    EXPECT_NEAR(p[j], q[j], 1e-13);
    sum += p[j];
  }
  EXPECT_NEAR(sum, 1.0, 1e-15);
}

TEST(Ch12Softmax, RefusesRowsWithoutAnAnswer) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(
      contains(invalid_argument_message([] { nn::softmax(std::vector<double>{}); }), "no scores"));
  EXPECT_TRUE(contains(invalid_argument_message([] {
                         nn::softmax(std::vector<double>{0.0, std::nan("")});
                       }),
                       "score 1"));
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         nn::softmax(std::vector<double>{inf, 0.0});
                       }),
                       "score 0"));
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         nn::softmax(std::vector<double>{-inf, -inf});
                       }),
                       "-inf"));
  // The tape form checks the same before it makes any node, and the output's length.
  autodiff::Tape tape;
  const std::vector<Var> s = {tape.variable(0.0), tape.variable(-inf)};
  std::vector<Var> p(3);
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { nn::softmax_causal_row(s, p); }), "room for 3"));
  const std::vector<Var> masked = {tape.variable(-inf)};
  EXPECT_TRUE(contains(invalid_argument_message([&] { nn::softmax_causal_row(masked); }), "-inf"));
  EXPECT_EQ(tape.size(), 3u);
}

}  // namespace
