// BCELoss and BCEWithLogitsLoss: values and gradients against closed forms, PyTorch's clamp at
// p = 0 and p = 1, logits at |z| = 1000, and invalid inputs.
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/nn.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using autodiff::Var;
using nn::Matrix;

namespace {

using test_support::contains;
using test_support::invalid_argument_message;

// The mean loss of a column of probabilities, and each probability's gradient.
struct LossAndGradient {
  double loss;
  std::vector<double> gradient;
};
template <class Loss>
LossAndGradient run(const Loss& criterion, const std::vector<double>& inputs,
                    const std::vector<double>& targets) {
  Tape tape;
  Matrix<double> x(inputs.size(), 1), y(targets.size(), 1);
  for (std::size_t r = 0; r < inputs.size(); ++r) x(r, 0) = inputs[r];
  for (std::size_t r = 0; r < targets.size(); ++r) y(r, 0) = targets[r];
  const Matrix<Var> p = nn::leaves(tape, x);
  const Var loss = criterion(p, y);
  loss.backward();
  LossAndGradient result{loss.value(), {}};
  for (std::size_t r = 0; r < inputs.size(); ++r) result.gradient.push_back(p(r, 0).grad());
  EXPECT_EQ(loss.value(), criterion(x, y));  // the plain-number version agrees to the bit
  return result;
}

TEST(Ch03BCELoss, MeanOfCrossEntropiesAndPyTorchsGradient) {
  const std::vector<double> p = {0.2, 0.9, 0.6, 0.35}, y = {0.0, 1.0, 1.0, 0.25};
  const LossAndGradient result = run(nn::BCELoss(), p, y);
  double expected = 0.0;
  for (std::size_t r = 0; r < 4; ++r)
    expected -= y[r] * std::log(p[r]) + (1.0 - y[r]) * std::log(1.0 - p[r]);
  EXPECT_NEAR(result.loss, expected / 4.0, 1e-15);
  for (std::size_t r = 0; r < 4; ++r)  // d/dp = (p - y) / (p (1 - p)) / N
    EXPECT_NEAR(result.gradient[r], (p[r] - y[r]) / (p[r] * (1.0 - p[r])) / 4.0, 1e-15) << r;
}

// BCELoss is a primitive with its own derivative (chapter 3's README says why). Away from the
// clamps it is the loss composed from chapter 1's operations, -(y log p + (1 - y) log(1 - p)) over
// the mean, to rounding: the value, and the gradient backward() takes through either.
TEST(Ch03BCELoss, EqualsTheLossComposedFromTheEnginesOperations) {
  const std::vector<double> p = {0.2, 0.9, 0.6, 0.35, 1e-6, 1.0 - 1e-6, 0.5};
  const std::vector<double> y = {0.0, 1.0, 1.0, 0.25, 1.0, 0.0, 0.5};
  const LossAndGradient primitive = run(nn::BCELoss(), p, y);
  Tape tape;
  std::vector<Var> leaves;
  Var sum = tape.variable(0.0);
  for (std::size_t r = 0; r < p.size(); ++r) {
    leaves.push_back(tape.variable(p[r]));
    sum = sum - (y[r] * autodiff::log(leaves[r]) + (1.0 - y[r]) * autodiff::log(1.0 - leaves[r]));
  }
  const Var composed = sum / static_cast<double>(p.size());
  composed.backward();
  EXPECT_NEAR(primitive.loss, composed.value(), 1e-15 * composed.value());
  for (std::size_t r = 0; r < p.size(); ++r)
    EXPECT_NEAR(primitive.gradient[r], leaves[r].grad(), 1e-12 * std::fabs(leaves[r].grad())) << r;
}

TEST(Ch03BCELoss, OneNodePerEntryAndOneForTheMean) {
  Tape tape;
  const Matrix<Var> p = nn::leaves(tape, Matrix<double>{{0.2}, {0.9}, {0.6}});
  const std::size_t before = tape.size();
  (void)nn::BCELoss()(p, Matrix<double>{{0.0}, {1.0}, {1.0}});
  EXPECT_EQ(tape.size() - before, 3u + 1);
  (void)nn::BCEWithLogitsLoss()(p, Matrix<double>{{0.0}, {1.0}, {1.0}});
  EXPECT_EQ(tape.size() - before, 2 * (3u + 1));
}

TEST(Ch03BCELoss, PassesGradcheckThroughASigmoid) {
  const auto f = [](std::span<const Var> v) {
    Matrix<Var> p(2, 1);
    p(0, 0) = sigmoid(v[0]);
    p(1, 0) = sigmoid(v[1]);
    return nn::BCELoss()(p, Matrix<double>{{1.0}, {0.0}});
  };
  const auto result = autodiff::gradcheck(f, std::vector<double>{0.7, -1.3});
  EXPECT_TRUE(result.passed) << result.worst_relative_error;
  // Through a sigmoid the gradient with respect to the logit is (p - y) / N.
  EXPECT_NEAR(result.analytic[0], (1.0 / (1.0 + std::exp(-0.7)) - 1.0) / 2.0, 1e-15);
}

TEST(Ch03BCELoss, ClampsEachLogAtMinus100AtPZeroAndOne) {
  // Right and certain: no loss, no gradient.
  LossAndGradient result = run(nn::BCELoss(), {0.0, 1.0}, {0.0, 1.0});
  EXPECT_EQ(result.loss, 0.0);
  EXPECT_EQ(result.gradient[0], 0.0);
  EXPECT_EQ(result.gradient[1], 0.0);
  // Wrong and certain: log 0 = -inf clamped to -100, so 100 per entry; the gradient divides by
  // max(p (1 - p), 1e-12) = 1e-12: (0 - 1) / 1e-12 / 2 and (1 - 0) / 1e-12 / 2.
  result = run(nn::BCELoss(), {0.0, 1.0}, {1.0, 0.0});
  EXPECT_EQ(result.loss, 100.0);
  EXPECT_DOUBLE_EQ(result.gradient[0], -0.5e12);
  EXPECT_DOUBLE_EQ(result.gradient[1], 0.5e12);
  // A soft target at a certain prediction: half of 100.
  EXPECT_EQ(nn::binary_cross_entropy(1.0, 0.5), 50.0);
  EXPECT_EQ(nn::binary_cross_entropy(0.0, 0.5), 50.0);
  // The clamp only bites below e^-100: at p = 1e-40, -log p = 92.1 is kept.
  EXPECT_NEAR(nn::binary_cross_entropy(1e-40, 1.0), 40.0 * std::log(10.0), 1e-12);
  EXPECT_EQ(nn::binary_cross_entropy(1e-50, 1.0), 100.0);
}

TEST(Ch03BCELoss, SaturatedSigmoidGivesALargeFiniteLoss) {
  // sigmoid(40) rounds to exactly 1 in double; for target 0 the loss is the clamp's 100, not inf.
  Tape tape;
  Matrix<Var> p(1, 1);
  const Var z = tape.variable(40.0);
  p(0, 0) = sigmoid(z);
  ASSERT_EQ(p(0, 0).value(), 1.0);
  const Var loss = nn::BCELoss()(p, Matrix<double>{{0.0}});
  loss.backward();
  EXPECT_EQ(loss.value(), 100.0);
  EXPECT_TRUE(std::isfinite(z.grad()));
}

TEST(Ch03BCEWithLogitsLoss, IsSoftplusMinusTargetTimesLogit) {
  const std::vector<double> z = {-2.0, 0.0, 0.5, 3.0}, y = {0.0, 1.0, 0.3, 1.0};
  const LossAndGradient result = run(nn::BCEWithLogitsLoss(), z, y);
  double expected = 0.0;
  for (std::size_t r = 0; r < 4; ++r) {
    const double p = 1.0 / (1.0 + std::exp(-z[r]));
    expected -= y[r] * std::log(p) + (1.0 - y[r]) * std::log(1.0 - p);
    EXPECT_NEAR(result.gradient[r], (p - y[r]) / 4.0, 1e-16) << r;
  }
  EXPECT_NEAR(result.loss, expected / 4.0, 1e-15);
  // Equals BCELoss on the sigmoid, away from saturation.
  Matrix<double> p(4, 1), target(4, 1);
  for (std::size_t r = 0; r < 4; ++r) {
    p(r, 0) = 1.0 / (1.0 + std::exp(-z[r]));
    target(r, 0) = y[r];
  }
  EXPECT_NEAR(result.loss, nn::BCELoss()(p, target), 1e-15);
}

TEST(Ch03BCEWithLogitsLoss, ExactAtLogitsOfMagnitude1000) {
  // Right by a mile: loss exactly 0 (softplus(1000) - 1000, softplus(-1000) rounds to 0), gradient
  // 0. Wrong by a mile: loss exactly 1000 with gradient +-1 where BCELoss would stop at 100.
  LossAndGradient result = run(nn::BCEWithLogitsLoss(), {1000.0, -1000.0}, {1.0, 0.0});
  EXPECT_EQ(result.loss, 0.0);
  EXPECT_EQ(result.gradient[0], 0.0);
  EXPECT_EQ(result.gradient[1], 0.0);
  result = run(nn::BCEWithLogitsLoss(), {1000.0, -1000.0}, {0.0, 1.0});
  EXPECT_EQ(result.loss, 1000.0);
  EXPECT_EQ(result.gradient[0], 0.5);  // (sigmoid(1000) - 0) / 2
  EXPECT_EQ(result.gradient[1], -0.5);
}

TEST(Ch03BCELoss, RejectsWrongShapesAndValuesNamingThem) {
  Tape tape;
  const Matrix<Var> p = nn::leaves(tape, Matrix<double>{{0.5}, {0.5}, {0.5}, {0.5}});
  std::string message = invalid_argument_message([&] {
    nn::BCELoss()(p, Matrix<double>{{1}, {0}, {1}});
  });
  EXPECT_TRUE(contains(message, "the input is 4 x 1 but the target is 3 x 1")) << message;
  message = invalid_argument_message([&] {
    nn::BCELoss()(p, Matrix<double>{{1}, {0}, {1.5}, {0}});
  });
  EXPECT_TRUE(contains(message, "target(2, 0) = 1.5 is outside [0, 1]")) << message;
  message = invalid_argument_message([&] {
    nn::BCELoss()(p, Matrix<double>{{1}, {NAN}, {1}, {0}});
  });
  EXPECT_TRUE(contains(message, "target(1, 0) = nan")) << message;
  message = invalid_argument_message(
      [&] { nn::BCELoss()(Matrix<double>{{-0.25}}, Matrix<double>{{0}}); });
  EXPECT_TRUE(contains(message, "input(0, 0) = -0.25 is outside [0, 1]")) << message;
  message =
      invalid_argument_message([&] { nn::BCELoss()(Matrix<double>(0, 1), Matrix<double>(0, 1)); });
  EXPECT_TRUE(contains(message, "empty")) << message;
  message = invalid_argument_message([&] {
    nn::BCEWithLogitsLoss()(Matrix<double>{{std::numeric_limits<double>::infinity()}},
                            Matrix<double>{{1}});
  });
  EXPECT_TRUE(contains(message, "input(0, 0) = inf is not a finite logit")) << message;
  EXPECT_THROW(nn::BCEWithLogitsLoss()(Matrix<double>{{0.0}}, Matrix<double>{{2.0}}),
               std::invalid_argument);
  EXPECT_THROW(nn::BCEWithLogitsLoss()(Matrix<double>{{0.0}}, Matrix<double>{{0.0, 1.0}}),
               std::invalid_argument);
}

}  // namespace
