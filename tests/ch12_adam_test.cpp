// Adam: three steps against torch.optim.Adam, the first step in closed form, bad arguments.
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/adam.hpp"
#include "tests/reference_adam.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using autodiff::Var;

namespace {

// The function of tests/reference_adam.py, on the tape.
Var f(const std::vector<Var>& w) {
  return (w[0] - 1.0) * (w[0] - 1.0) + 2.0 * w[0] * w[1] + autodiff::tanh(w[2]) * w[1] +
         autodiff::exp(w[2] / 2.0);
}

TEST(Ch12Adam, ThreeStepsMatchPyTorch) {
  // PyTorch computes the gradients with its own kernels and its vectorised Adam kernels may fuse a
  // multiply and an add: last-bit differences, far inside 1e-12.
  const double tolerance = 1e-12;
  for (const reference_adam::Config& config : reference_adam::configs) {
    SCOPED_TRACE(config.name);
    Tape tape;
    std::vector<Var> w;
    for (double x : reference_adam::start) w.push_back(tape.variable(x));
    nn::Adam optimizer(
        w, {.lr = config.lr, .beta1 = config.beta1, .beta2 = config.beta2, .eps = config.eps});
    const Tape::Mark mark = tape.mark();
    for (const reference_adam::Step& expected : config.steps) {
      optimizer.zero_grad();
      const Var loss = f(w);
      loss.backward();
      EXPECT_NEAR(loss.value(), expected.loss, tolerance);
      for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(w[i].grad(), expected.grad[i], tolerance);
      optimizer.step();
      tape.rewind(mark);
      for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_NEAR(w[i].value(), expected.w[i], tolerance) << "parameter " << i;
        EXPECT_NEAR(optimizer.exp_avg()[i], expected.exp_avg[i], tolerance);
        EXPECT_NEAR(optimizer.exp_avg_sq()[i], expected.exp_avg_sq[i], tolerance);
      }
    }
    EXPECT_EQ(optimizer.steps(), 3);
  }
}

TEST(Ch12Adam, FirstStepMovesEveryParameterByLrTimesTheSignOfItsGradient) {
  // At t = 1: m / bc1 = g and sqrt(v) / sqrt(bc2) = |g|, so the step is lr g / (|g| + eps),
  // whatever the gradient's size; it differs from lr sign(g) by lr eps / (|g| + eps).
  Tape tape;
  const std::vector<double> start = {1.0, -2.0, 0.5, 3.0};
  const std::vector<double> scale = {1e-6, 1.0, -1e6, 0.0};  // the gradient of w_i is scale_i
  std::vector<Var> w;
  for (double x : start) w.push_back(tape.variable(x));
  const double lr = 0.01, eps = 1e-8;
  nn::Adam optimizer(w, {.lr = lr, .eps = eps});
  Var loss = w[0] * scale[0];
  for (std::size_t i = 1; i < w.size(); ++i) loss = loss + w[i] * scale[i];
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double g = scale[i];
    const double sign = g > 0 ? 1.0 : g < 0 ? -1.0 : 0.0;
    const double moved = w[i].value() - start[i];
    EXPECT_NEAR(moved, -lr * sign, lr * eps / (std::fabs(g) + eps) + 1e-15) << "parameter " << i;
  }
  EXPECT_EQ(w[3].value(), 3.0);  // no gradient: 0 / (0 + eps), no move
}

TEST(Ch12Adam, ZeroGradClearsTheGradientsNotTheMoments) {
  Tape tape;
  const Var w = tape.variable(2.0);
  nn::Adam optimizer({w}, {.lr = 0.1});
  (w * 3.0).backward();
  optimizer.step();
  optimizer.zero_grad();
  EXPECT_EQ(w.grad(), 0.0);
  // m = 0.1 * 3 survives: with a zero gradient the second step still moves w, by
  // lr / bc1 * m2 / (sqrt(v2) / sqrt(bc2) + eps), m2 = 0.27, v2 = 0.999 * 0.001 * 9.
  const double before = w.value();
  optimizer.step();
  const double m2 = 0.9 * 0.3, v2 = 0.999 * (0.001 * 9.0);
  const double bc1 = 1.0 - 0.9 * 0.9, bc2 = 1.0 - 0.999 * 0.999;
  EXPECT_NEAR(w.value() - before, -0.1 / bc1 * m2 / (std::sqrt(v2) / std::sqrt(bc2) + 1e-8), 1e-14);
}

TEST(Ch12Adam, RejectsBadOptionsAndParameters) {
  Tape tape;
  const Var w = tape.variable(1.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double lr : {-0.1, nan, inf}) EXPECT_THROW(nn::Adam({w}, {.lr = lr}), std::invalid_argument);
  for (double eps : {-1e-8, nan, inf})
    EXPECT_THROW(nn::Adam({w}, {.eps = eps}), std::invalid_argument);
  for (double beta : {-0.1, 1.0, 1.5, nan}) {
    EXPECT_THROW(nn::Adam({w}, {.beta1 = beta}), std::invalid_argument);
    EXPECT_THROW(nn::Adam({w}, {.beta2 = beta}), std::invalid_argument);
  }
  try {
    nn::Adam({w}, {.beta2 = 1.0});
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("beta2"), std::string::npos) << error.what();
  }
  EXPECT_THROW(nn::Adam({}, {}), std::invalid_argument);
  EXPECT_THROW(nn::Adam({Var()}, {}), std::logic_error);
  EXPECT_NO_THROW(nn::Adam({w}, {.lr = 0.0, .beta1 = 0.0, .beta2 = 0.0, .eps = 0.0}));
  nn::Adam computed({w * 2.0}, {});
  EXPECT_THROW(computed.step(), std::logic_error);  // only leaves can be set
}

}  // namespace
