// Chapter 12's exercise: the stable softmax of a causal row on the tape (12.1,
// nn::softmax_causal_row). Checked against PyTorch's torch.softmax
// (tests/reference_transformer.hpp, to 1e-15), the closed forms of the extreme rows, central
// differences and the node count 3k - 1.
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "autodiff/gradcheck.hpp"
#include "autodiff/operations.hpp"
#include "nn/softmax.hpp"
#include "tests/reference_transformer.hpp"

#include <gtest/gtest.h>

namespace {

using autodiff::Var;

std::vector<Var> leaves(autodiff::Tape& tape, const std::vector<double>& values) {
  std::vector<Var> result;
  for (double v : values) result.push_back(tape.variable(v));
  return result;
}

TEST(Ch12Ex1Softmax, MatchesPyTorchRows) {
  for (const auto& row : reference_transformer::softmax_rows) {
    autodiff::Tape tape;
    const std::vector<Var> p = nn::softmax_causal_row(leaves(tape, row.scores));
    ASSERT_EQ(p.size(), row.probabilities.size());
    for (std::size_t j = 0; j < p.size(); ++j)
      EXPECT_NEAR(p[j].value(), row.probabilities[j], 1e-15) << row.scores.size() << " keys, " << j;
  }
}

// [1000, 0, -1000]: exp(1000) overflows, so the naive form gives inf / inf = NaN; the stable one
// gives [1, e^-1000, e^-2000], which is [1, 0, 0] in doubles, and gradients that are numbers.
TEST(Ch12Ex1Softmax, LargeScoresGiveNoNaN) {
  autodiff::Tape tape;
  const std::vector<Var> s = leaves(tape, {1000.0, 0.0, -1000.0});
  const std::vector<Var> p = nn::softmax_causal_row(s);
  EXPECT_EQ(p[0].value(), 1.0);
  EXPECT_EQ(p[1].value(), 0.0);
  EXPECT_EQ(p[2].value(), 0.0);
  p[0].backward();
  for (const Var& x : s) EXPECT_TRUE(std::isfinite(x.grad()));
  // d p_0 / d s_0 = p_0 (1 - p_0) = 0 here.
  EXPECT_EQ(s[0].grad(), 0.0);
}

TEST(Ch12Ex1Softmax, OneKeyGivesOne) {
  autodiff::Tape tape;
  const std::vector<Var> s = leaves(tape, {-7.5});
  const std::vector<Var> p = nn::softmax_causal_row(s);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].value(), 1.0);
  p[0].backward();
  EXPECT_EQ(s[0].grad(), 0.0);  // p = 1 whatever the score
}

// A masked key (-inf) gets probability exactly 0, the others the softmax of the rest.
TEST(Ch12Ex1Softmax, MinusInfinityIsAKeyNotSeen) {
  autodiff::Tape tape;
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Var> p = nn::softmax_causal_row(leaves(tape, {0.0, -inf, std::log(3.0)}));
  EXPECT_NEAR(p[0].value(), 0.25, 1e-15);
  EXPECT_EQ(p[1].value(), 0.0);
  EXPECT_NEAR(p[2].value(), 0.75, 1e-15);
}

// Each p_j against central differences, and a weighted sum of all of them, on a row of 4.
TEST(Ch12Ex1Softmax, GradientsMatchFiniteDifferences) {
  const std::vector<double> scores = {0.5, -1.25, 2.0, 0.3};
  for (std::size_t j = 0; j < scores.size(); ++j) {
    const auto result = autodiff::gradcheck(
        [j](std::span<const Var> s) { return nn::softmax_causal_row(s)[j]; }, scores);
    EXPECT_TRUE(result.passed) << "p_" << j << ": worst " << result.worst_relative_error;
  }
  const auto weighted = autodiff::gradcheck(
      [](std::span<const Var> s) {
        const std::vector<Var> p = nn::softmax_causal_row(s);
        return p[0] * 1.5 + p[1] * (-2.0) + p[2] * 0.25 + p[3] * 3.0;
      },
      scores);
  EXPECT_TRUE(weighted.passed) << weighted.worst_relative_error;
}

// k exponentials, k - 1 additions, k divisions.
TEST(Ch12Ex1Softmax, RowOfKKeysCostsThreeKMinusOneNodes) {
  for (std::size_t k = 1; k <= 6; ++k) {
    autodiff::Tape tape;
    std::vector<double> values;
    for (std::size_t j = 0; j < k; ++j) values.push_back(0.3 * static_cast<double>(j) - 0.5);
    const std::vector<Var> s = leaves(tape, values);
    const std::size_t before = tape.size();
    nn::softmax_causal_row(s);
    EXPECT_EQ(tape.size() - before, 3 * k - 1) << k << " keys";
  }
}

}  // namespace
