// Every operation: its value and derivative against the closed form, and against central
// differences (autodiff::gradcheck), at ordinary points and at extreme ones.
#include <cfenv>
#include <cmath>
#include <functional>
#include <limits>
#include <span>
#include <vector>

#include "autodiff/autodiff.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using autodiff::Var;

namespace {

struct Case {
  const char* name;
  std::function<Var(Var)> op;
  std::function<double(double)> value;       // closed form of the value
  std::function<double(double)> derivative;  // closed form of the derivative
  std::vector<double> points;
};

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

std::vector<Case> unary_cases() {
  return {
      {"negate",
       [](Var a) { return -a; },
       [](double x) { return -x; },
       [](double) { return -1.0; },
       {-3.0, 0.0, 2.5}},
      {"exp",
       [](Var a) { return exp(a); },
       [](double x) { return std::exp(x); },
       [](double x) { return std::exp(x); },
       {-2.0, 0.0, 0.7, 5.0}},
      {"log",
       [](Var a) { return log(a); },
       [](double x) { return std::log(x); },
       [](double x) { return 1.0 / x; },
       {0.01, 0.5, 1.0, 40.0}},
      {"log1p",
       [](Var a) { return log1p(a); },
       [](double x) { return std::log1p(x); },
       [](double x) { return 1.0 / (1.0 + x); },
       {-0.5, 1e-10, 0.3, 9.0}},
      {"pow2.5",
       [](Var a) { return pow(a, 2.5); },
       [](double x) { return std::pow(x, 2.5); },
       [](double x) { return 2.5 * std::pow(x, 1.5); },
       {0.2, 1.0, 3.0}},
      {"pow-1",
       [](Var a) { return pow(a, -1.0); },
       [](double x) { return 1.0 / x; },
       [](double x) { return -1.0 / (x * x); },
       {-2.0, 0.5, 4.0}},
      {"sqrt",
       [](Var a) { return sqrt(a); },
       [](double x) { return std::sqrt(x); },
       [](double x) { return 0.5 / std::sqrt(x); },
       {0.01, 1.0, 16.0}},
      {"tanh",
       [](Var a) { return tanh(a); },
       [](double x) { return std::tanh(x); },
       [](double x) { return 1.0 / (std::cosh(x) * std::cosh(x)); },
       {-3.0, 0.0, 0.4, 2.0}},
      {"sigmoid",
       [](Var a) { return sigmoid(a); },
       logistic,
       [](double x) { return logistic(x) * (1.0 - logistic(x)); },
       {-30.0, -1.0, 0.0, 1.3092, 30.0}},
      {"relu",
       [](Var a) { return relu(a); },
       [](double x) { return x > 0 ? x : 0.0; },
       [](double x) { return x > 0 ? 1.0 : 0.0; },
       {-2.0, 0.5, 3.0}},
      {"softplus",
       [](Var a) { return softplus(a); },
       [](double x) { return std::log(1.0 + std::exp(x)); },
       logistic,
       {-20.0, -1.0, 0.0, 2.0, 20.0}},
      {"plus-number",
       [](Var a) { return a + 2.5; },
       [](double x) { return x + 2.5; },
       [](double) { return 1.0; },
       {-1.0, 3.0}},
      {"number-plus",
       [](Var a) { return 2.5 + a; },
       [](double x) { return 2.5 + x; },
       [](double) { return 1.0; },
       {-1.0, 3.0}},
      {"minus-number",
       [](Var a) { return a - 2.5; },
       [](double x) { return x - 2.5; },
       [](double) { return 1.0; },
       {-1.0, 3.0}},
      {"number-minus",
       [](Var a) { return 2.5 - a; },
       [](double x) { return 2.5 - x; },
       [](double) { return -1.0; },
       {-1.0, 3.0}},
      {"times-number",
       [](Var a) { return a * -3.0; },
       [](double x) { return -3.0 * x; },
       [](double) { return -3.0; },
       {-1.0, 3.0}},
      {"number-times",
       [](Var a) { return -3.0 * a; },
       [](double x) { return -3.0 * x; },
       [](double) { return -3.0; },
       {-1.0, 3.0}},
      {"over-number",
       [](Var a) { return a / 4.0; },
       [](double x) { return x / 4.0; },
       [](double) { return 0.25; },
       {-1.0, 3.0}},
      {"number-over",
       [](Var a) { return 3.0 / a; },
       [](double x) { return 3.0 / x; },
       [](double x) { return -3.0 / (x * x); },
       {-1.5, 0.25, 3.0}},
  };
}

// Closed forms agree with the tape to a few ulps; 1e-14 relative leaves room for the different
// but equivalent formulas (e.g. sigmoid's e/(1+e)^2 against s(1-s)).
constexpr double closed_form_tolerance = 1e-13;
// Central differences with eps = 1e-6 are good to about 1e-9 on these functions.
constexpr double finite_difference_tolerance = 1e-7;

TEST(Ch01Operations, UnaryValueAndDerivativeMatchClosedForm) {
  for (const Case& c : unary_cases()) {
    for (double x : c.points) {
      Tape tape;
      Var a = tape.variable(x);
      Var y = c.op(a);
      y.backward();
      const double value = c.value(x), derivative = c.derivative(x);
      EXPECT_NEAR(y.value(), value, closed_form_tolerance * std::max(1.0, std::fabs(value)))
          << c.name << " at " << x;
      EXPECT_NEAR(a.grad(), derivative,
                  closed_form_tolerance * std::max(1.0, std::fabs(derivative)))
          << c.name << "' at " << x;
    }
  }
}

TEST(Ch01Operations, UnaryDerivativeMatchesFiniteDifferences) {
  for (const Case& c : unary_cases()) {
    for (double x : c.points) {
      const auto result =
          autodiff::gradcheck([&c](std::span<const Var> v) { return c.op(v[0]); },
                              std::vector<double>{x}, 1e-6, finite_difference_tolerance);
      EXPECT_TRUE(result.passed) << c.name << " at " << x << ": error "
                                 << result.worst_relative_error;
    }
  }
}

TEST(Ch01Operations, BinaryOperationsMatchClosedFormAndFiniteDifferences) {
  struct Binary {
    const char* name;
    std::function<Var(Var, Var)> op;
    double value, da, db;  // at a = 1.5, b = -0.4
  };
  const double a0 = 1.5, b0 = -0.4;
  const std::vector<Binary> cases = {
      {"add", [](Var a, Var b) { return a + b; }, a0 + b0, 1.0, 1.0},
      {"subtract", [](Var a, Var b) { return a - b; }, a0 - b0, 1.0, -1.0},
      {"multiply", [](Var a, Var b) { return a * b; }, a0 * b0, b0, a0},
      {"divide", [](Var a, Var b) { return a / b; }, a0 / b0, 1.0 / b0, -a0 / (b0 * b0)},
      {"add with alpha", [](Var a, Var b) { return autodiff::add(a, b, 2.5); }, a0 + 2.5 * b0, 1.0,
       2.5},
  };
  for (const Binary& c : cases) {
    Tape tape;
    Var a = tape.variable(a0), b = tape.variable(b0);
    Var y = c.op(a, b);
    y.backward();
    EXPECT_DOUBLE_EQ(y.value(), c.value) << c.name;
    EXPECT_DOUBLE_EQ(a.grad(), c.da) << c.name;
    EXPECT_DOUBLE_EQ(b.grad(), c.db) << c.name;
    const auto check = autodiff::gradcheck(
        [&c](std::span<const Var> v) { return c.op(v[0], v[1]); }, std::vector<double>{a0, b0});
    EXPECT_LT(check.worst_relative_error, finite_difference_tolerance) << c.name;
  }
}

// torch.add(a, b, alpha=c) folds the product into the sum: one node instead of two, and (the
// product rounded before the sum, with no fused multiply-add) the same bits, value and gradients.
TEST(Ch01Operations, AddWithAlphaIsTheTwoNodeFormInOneNode) {
  const double alpha = 0.1;  // not a power of two, so the product really rounds
  for (const double b0 : {3.0482, -4.7946, 1e-300, 7.0}) {
    Tape one, two;
    const Var a1 = one.variable(0.3), b1 = one.variable(b0);
    const Var a2 = two.variable(0.3), b2 = two.variable(b0);
    const Var y1 = autodiff::add(a1, b1, alpha);
    const Var y2 = a2 + b2 * alpha;
    EXPECT_EQ(one.size(), 3u);
    EXPECT_EQ(two.size(), 4u);
    EXPECT_EQ(y1.value(), y2.value()) << b0;
    (y1 * 1.7).backward();
    (y2 * 1.7).backward();
    EXPECT_EQ(a1.grad(), a2.grad()) << b0;
    EXPECT_EQ(b1.grad(), b2.grad()) << b0;
  }
}

TEST(Ch01Operations, CompoundAssignmentBuildsTheSameNodes) {
  Tape tape;
  Var a = tape.variable(2.0), b = tape.variable(5.0);
  Var y = a;
  y += b;  // 7
  y *= a;  // 14
  y -= b;  // 9
  y /= a;  // 4.5
  y.backward();
  EXPECT_DOUBLE_EQ(y.value(), 4.5);
  // y = ((a + b) a - b) / a = a + b - b/a: dy/da = 1 + b/a^2, dy/db = 1 - 1/a.
  EXPECT_DOUBLE_EQ(a.grad(), 1.0 + 5.0 / 4.0);
  EXPECT_DOUBLE_EQ(b.grad(), 1.0 - 1.0 / 2.0);
}

TEST(Ch01Operations, SigmoidIsExactAndQuietAtExtremes) {
  std::feclearexcept(FE_ALL_EXCEPT);
  Tape tape;
  Var high = tape.variable(800.0), low = tape.variable(-800.0);
  Var up = sigmoid(high), down = sigmoid(low);
  up.backward();
  down.backward();
  EXPECT_FALSE(std::fetestexcept(FE_OVERFLOW | FE_INVALID | FE_DIVBYZERO));
  EXPECT_EQ(up.value(), 1.0);
  EXPECT_EQ(down.value(), 0.0);
  EXPECT_EQ(high.grad(), 0.0);
  EXPECT_EQ(low.grad(), 0.0);
  // Far out but not underflowed: sigmoid(-700) = e^-700 / (1 + e^-700) keeps full relative
  // accuracy, where 1 - sigmoid(700) computed naively would be 0.
  Var x = tape.variable(-700.0);
  Var s = sigmoid(x);
  s.backward();
  EXPECT_NEAR(s.value() / std::exp(-700.0), 1.0, 1e-15);
  EXPECT_NEAR(x.grad() / std::exp(-700.0), 1.0, 1e-15);
  Var y = tape.variable(700.0);
  Var t = sigmoid(y);
  t.backward();
  EXPECT_NEAR(y.grad() / std::exp(-700.0), 1.0, 1e-15);
}

TEST(Ch01Operations, SoftplusIsAccurateAndQuietAtExtremes) {
  std::feclearexcept(FE_ALL_EXCEPT);
  Tape tape;
  Var high = tape.variable(800.0), low = tape.variable(-800.0), far = tape.variable(-700.0);
  Var up = softplus(high), down = softplus(low), small = softplus(far);
  up.backward();
  down.backward();
  small.backward();
  EXPECT_FALSE(std::fetestexcept(FE_OVERFLOW | FE_INVALID | FE_DIVBYZERO));
  EXPECT_EQ(up.value(), 800.0);
  EXPECT_EQ(high.grad(), 1.0);
  EXPECT_EQ(down.value(), 0.0);
  EXPECT_EQ(low.grad(), 0.0);
  // softplus(-700) = log(1 + e^-700) = e^-700 to within e^-1400: no cancellation to 0.
  EXPECT_NEAR(small.value() / std::exp(-700.0), 1.0, 1e-15);
  EXPECT_NEAR(far.grad() / std::exp(-700.0), 1.0, 1e-15);
}

TEST(Ch01Operations, ReluDerivativeAtTheKinkIsZero) {
  Tape tape;
  Var x = tape.variable(0.0);
  Var y = relu(x);
  y.backward();
  EXPECT_EQ(y.value(), 0.0);
  EXPECT_EQ(x.grad(), 0.0);
}

TEST(Ch01Operations, TheNotebookNeuronMatchesPyTorch) {
  // From shared/reference/notebook_models.json: models[AND_notebook].pairs[p11_00].f_clean and
  // .gradients.clean_zero.grad_at_input (PyTorch 1.13, float64). Tolerance: a few ulps.
  Tape tape;
  Var w1 = tape.variable(3.0482), w2 = tape.variable(3.0556), b = tape.variable(-4.7946);
  Var x1 = tape.variable(1.0), x2 = tape.variable(1.0);
  Var z = w1 * x1;
  z = z + w2 * x2;
  Var y = sigmoid(z + b);
  y.backward();
  EXPECT_NEAR(y.value(), 0.7873792561380948, 1e-15);
  EXPECT_NEAR(x1.grad(), 0.510308803887967, 1e-15);
  EXPECT_NEAR(x2.grad(), 0.5115476612952142, 1e-15);
}

}  // namespace
