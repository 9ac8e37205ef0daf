// Chapter 1's exercises: the backward sweep (Tape::backward) and sigmoid's value and local
// derivative (autodiff::sigmoid on a Var). Each expected number is a closed form or a finite
// difference, so that any correct implementation passes, whatever order it sums in.
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "autodiff/autodiff.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using autodiff::Var;

namespace {

// ---- Exercise 1.1: the backward sweep -----------------------------------------------------------
// Ch01Ex1BackwardSweep: gradients from one reverse sweep against closed forms and finite
// differences; a variable used twice, a diamond, a dead node with an infinite partial, leaves
// accumulating over two backward calls, intermediate gradients, and a sweep that starts from a
// node in the middle of the tape.

TEST(Ch01Ex1BackwardSweep, ClosedFormGradientsOfSmallExpressions) {
  // f = x y + e^x / y: df/dx = y + e^x / y, df/dy = x - e^x / y^2.
  Tape tape;
  const Var x = tape.variable(0.7), y = tape.variable(-1.3);
  const Var f = x * y + exp(x) / y;
  f.backward();
  EXPECT_NEAR(x.grad(), -1.3 + std::exp(0.7) / -1.3, 1e-14);
  EXPECT_NEAR(y.grad(), 0.7 - std::exp(0.7) / (1.3 * 1.3), 1e-14);

  // g = tanh(3x) - log(x): dg/dx = 3 (1 - tanh(3x)^2) - 1/x.
  const Var g = tanh(x * 3.0) - log(x);
  tape.zero_grad();
  g.backward();
  const double t = std::tanh(2.1);
  EXPECT_NEAR(x.grad(), 3.0 * (1.0 - t * t) - 1.0 / 0.7, 1e-14);
  EXPECT_EQ(y.grad(), 0.0);  // g does not depend on y
}

TEST(Ch01Ex1BackwardSweep, AgreesWithFiniteDifferences) {
  // Three inputs, every one used more than once, through most of the operations.
  const auto f = [](std::span<const Var> v) {
    const Var a = v[0], b = v[1], c = v[2];
    return sqrt(a * a + b * b) * exp(c * b) - log1p(a * c) / (b - 3.0) + pow(a, 3.0);
  };
  const std::vector<double> point{0.4, -0.9, 1.1};
  const autodiff::GradcheckResult result = autodiff::gradcheck(f, point);
  EXPECT_TRUE(result.passed) << "worst relative error " << result.worst_relative_error
                             << " at input " << result.worst_input;
  for (std::size_t i = 0; i < point.size(); ++i)
    EXPECT_NE(result.analytic[i], 0.0) << "input " << i << " got no gradient";
}

TEST(Ch01Ex1BackwardSweep, AVariableUsedTwiceAddsBothPaths) {
  // y = x * x: the product passes x to the sweep twice, dy/dx = x + x = 2x.
  Tape tape;
  const Var x = tape.variable(1.75);
  const Var y = x * x;
  y.backward();
  EXPECT_EQ(x.grad(), 3.5);  // 1.75 * 1 + 1.75 * 1 is exact
  // And x * x * x * x: 4 x^3.
  Tape other;
  const Var u = other.variable(0.6);
  (u * u * u * u).backward();
  EXPECT_NEAR(u.grad(), 4.0 * 0.6 * 0.6 * 0.6, 1e-15);
}

TEST(Ch01Ex1BackwardSweep, ADiamondSumsItsTwoBranches) {
  // x -> u = e^x and v = x^2 -> y = u v: dy/dx = e^x x^2 + e^x 2x, dy/du = v, dy/dv = u.
  Tape tape;
  const Var x = tape.variable(-0.4);
  const Var u = exp(x);
  const Var v = x * x;
  const Var y = u * v;
  y.backward();
  const double e = std::exp(-0.4);
  EXPECT_NEAR(x.grad(), e * (0.16 - 0.8), 1e-15);
  EXPECT_NEAR(u.grad(), 0.16, 1e-15);
  EXPECT_NEAR(v.grad(), e, 1e-15);
  // A diamond whose branches cancel: (x + 1) - (x - 1) = 2 has derivative 0.
  Tape flat;
  const Var a = flat.variable(5.0);
  ((a + 1.0) - (a - 1.0)).backward();
  EXPECT_EQ(a.grad(), 0.0);
}

TEST(Ch01Ex1BackwardSweep, ADeadNodeWithAnInfinitePartialLeaksNoNaN) {
  // s = sqrt(x) at x = 0 has the local derivative 1/(2 sqrt 0) = infinity, but s does not feed y:
  // its gradient is 0, and 0 * infinity must not reach x (it would be NaN).
  Tape tape;
  const Var x = tape.variable(0.0);
  const Var s = sqrt(x);
  const Var y = x * 2.0 + 1.0;
  ASSERT_TRUE(std::isinf(tape.at(s).partial[0]));
  y.backward();
  EXPECT_EQ(x.grad(), 2.0);
  EXPECT_EQ(s.grad(), 0.0);
  // The same with the dead node made after the output and before another one the output uses.
  Tape later;
  const Var w = later.variable(0.0);
  const Var h = w * 3.0;
  (void)sqrt(w);
  const Var out = h * h + w;
  out.backward();
  EXPECT_EQ(w.grad(), 1.0);  // d/dw (9 w^2 + w) at w = 0
}

TEST(Ch01Ex1BackwardSweep, LeavesAccumulateOverTwoBackwardCalls) {
  Tape tape;
  const Var w = tape.variable(2.5), x = tape.variable(-4.0);
  const Var y = w * x + w;  // dy/dw = x + 1 = -3, dy/dx = w = 2.5
  y.backward();
  EXPECT_EQ(w.grad(), -3.0);
  EXPECT_EQ(x.grad(), 2.5);
  y.backward();
  EXPECT_EQ(w.grad(), -6.0);
  EXPECT_EQ(x.grad(), 5.0);
  const Var z = x * x;  // another output adds into the same leaves: dz/dx = -8
  z.backward();
  EXPECT_EQ(x.grad(), -3.0);
  EXPECT_EQ(w.grad(), -6.0);
}

TEST(Ch01Ex1BackwardSweep, AnIntermediateNodeHoldsTheOutputsDerivativeWithRespectToIt) {
  // u = x y, v = e^u, out = 3 v + u: d out/d v = 3, d out/d u = 3 e^u + 1.
  Tape tape;
  const Var x = tape.variable(0.5), y = tape.variable(0.8);
  const Var u = x * y;
  const Var v = exp(u);
  const Var out = v * 3.0 + u;
  out.backward();
  EXPECT_EQ(out.grad(), 1.0);
  EXPECT_EQ(v.grad(), 3.0);
  EXPECT_NEAR(u.grad(), 3.0 * std::exp(0.4) + 1.0, 1e-14);
  EXPECT_NEAR(x.grad(), (3.0 * std::exp(0.4) + 1.0) * 0.8, 1e-14);
  EXPECT_NEAR(y.grad(), (3.0 * std::exp(0.4) + 1.0) * 0.5, 1e-14);
  // A backward from v alone: intermediates hold dv/d(node) now, not the sum of both outputs.
  v.backward();
  EXPECT_EQ(v.grad(), 1.0);
  EXPECT_NEAR(u.grad(), std::exp(0.4), 1e-15);
}

TEST(Ch01Ex1BackwardSweep, StartsAtTheOutputEvenInTheMiddleOfTheTape) {
  // Nodes made after the output are not part of it: they get no gradient and pass none on.
  Tape tape;
  const Var x = tape.variable(3.0), y = tape.variable(7.0);
  const Var first = x * x;       // d first/dx = 6
  const Var second = first * y;  // made later
  first.backward();
  EXPECT_EQ(x.grad(), 6.0);
  EXPECT_EQ(y.grad(), 0.0);
  EXPECT_EQ(second.grad(), 0.0);
}

TEST(Ch01Ex1BackwardSweep, ALongChainInOneSweep) {
  // x_{k+1} = x_k * c, 100000 times: d x_n / d x_0 = c^n, with c^n of order one.
  Tape tape;
  const Var x0 = tape.variable(1.0);
  const double c = 1.0 + 1e-6;
  Var x = x0;
  for (int k = 0; k < 100000; ++k) x = x * c;
  x.backward();
  EXPECT_NEAR(x0.grad(), std::pow(c, 100000), 1e-9);
}

// ---- Exercise 1.2: sigmoid's value and local derivative ----------------------------------------
// Ch01Ex2Sigmoid: sigmoid(Var)'s value against 1/(1 + e^-x), its derivative against
// sigmoid (1 - sigmoid) and finite differences at moderate x, and the stable form's two promises:
// no overflow or NaN at x = +-1000, and a derivative with full relative accuracy where
// sigmoid (1 - sigmoid) rounds to 0 (x = 40, say).

double sigmoid_gradient(double x) {
  Tape tape;
  const Var v = tape.variable(x);
  const Var s = sigmoid(v);
  s.backward();
  return v.grad();
}

TEST(Ch01Ex2Sigmoid, ValueIsOneOverOnePlusExpMinusX) {
  for (const double x : {-30.0, -5.0, -1.0, -0.25, 0.0, 0.25, 1.0, 5.0, 30.0}) {
    Tape tape;
    const double s = sigmoid(tape.variable(x)).value();
    const double expected = 1.0 / (1.0 + std::exp(-x));
    EXPECT_NEAR(s, expected, 1e-14 * expected) << "x = " << x;
  }
  Tape tape;
  EXPECT_EQ(sigmoid(tape.variable(0.0)).value(), 0.5);
  // e^-700 is a normal double: the small side keeps its full relative accuracy.
  EXPECT_NEAR(sigmoid(tape.variable(-700.0)).value(), std::exp(-700.0), 1e-14 * std::exp(-700.0));
}

TEST(Ch01Ex2Sigmoid, DerivativeIsSigmoidTimesOneMinusSigmoid) {
  for (const double x : {-5.0, -2.0, -0.5, 0.0, 0.5, 2.0, 5.0}) {
    const double s = 1.0 / (1.0 + std::exp(-x));
    EXPECT_NEAR(sigmoid_gradient(x), s * (1.0 - s), 1e-12 * s * (1.0 - s)) << "x = " << x;
  }
  EXPECT_EQ(sigmoid_gradient(0.0), 0.25);
}

TEST(Ch01Ex2Sigmoid, PassesGradcheckAtModerateInputs) {
  for (const double x : {-3.0, -0.7, 0.0, 0.4, 2.5}) {
    const std::vector<double> point{x};
    const auto result =
        autodiff::gradcheck([](std::span<const Var> v) { return sigmoid(v[0]); }, point);
    EXPECT_TRUE(result.passed) << "x = " << x << ": " << result.worst_relative_error;
  }
  // Inside a neuron: sigmoid(w x + b), gradients towards all three.
  const std::vector<double> point{1.5, -0.8, 0.3};
  const auto neuron = autodiff::gradcheck(
      [](std::span<const Var> v) { return sigmoid(v[0] * v[1] + v[2]); }, point);
  EXPECT_TRUE(neuron.passed) << neuron.worst_relative_error;
}

TEST(Ch01Ex2Sigmoid, NoOverflowAndNoNaNAtPlusMinus1000) {
  for (const double x : {1000.0, -1000.0}) {
    Tape tape;
    const Var v = tape.variable(x);
    const Var s = sigmoid(v);
    const Var out = s * 2.0;  // the derivative passes through the sweep too
    out.backward();
    EXPECT_EQ(s.value(), x > 0 ? 1.0 : 0.0) << "x = " << x;
    EXPECT_TRUE(std::isfinite(v.grad())) << "x = " << x << ": " << v.grad();
    EXPECT_EQ(v.grad(), 0.0) << "x = " << x;  // e^-1000 is below the smallest double
  }
}

TEST(Ch01Ex2Sigmoid, DerivativeKeepsItsRelativeAccuracyWhereOneMinusSigmoidRoundsToZero) {
  // sigmoid'(x) = e^-|x| / (1 + e^-|x|)^2 for either sign. At x = 40, sigmoid(x) rounds to exactly
  // 1, so sigmoid (1 - sigmoid) would give 0 instead of about e^-40 = 4.2e-18.
  for (const double x : {20.0, 30.0, 40.0, 100.0, 700.0, -40.0, -700.0}) {
    const double e = std::exp(-std::fabs(x));
    const double expected = e / ((1.0 + e) * (1.0 + e));
    EXPECT_NEAR(sigmoid_gradient(x), expected, 1e-12 * expected) << "x = " << x;
  }
  EXPECT_NEAR(sigmoid_gradient(40.0), std::exp(-40.0), 1e-12 * std::exp(-40.0));
}

}  // namespace
