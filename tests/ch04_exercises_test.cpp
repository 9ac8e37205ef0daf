// Chapter 4's implementation exercises (chapters/exercises.md): 4.1 the Riemann rules' nodes and
// weights, 4.2 the integral of the gradient along the path, 4.3 the attributions and the
// convergence delta. Every expected number is computed here from a closed form or summed by hand
// from the definitions, never read back from the library's own code; the tolerances leave room
// for any summation order.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "attribution/closed_form.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/quadrature.hpp"
#include "autodiff/operations.hpp"
#include "autodiff/tape.hpp"
#include "nn/activations.hpp"
#include "nn/linear.hpp"
#include "nn/network.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"
#include "tests/hand_set_network.hpp"

#include <gtest/gtest.h>

using attribution::integrated_gradients;
using attribution::IntegratedGradientsResult;
using attribution::Method;
using attribution::quadrature_rule;
using attribution::QuadratureRule;

namespace {

const Method riemann_methods[] = {Method::riemann_left, Method::riemann_right,
                                  Method::riemann_middle, Method::riemann_trapezoid};

// The smallest n_steps a rule accepts: the trapezoid needs a node at each end.
int smallest_n(Method method) { return method == Method::riemann_trapezoid ? 2 : 1; }

// Node k of the n-point rule and its weight, from the table in attribution/quadrature.hpp.
double closed_form_alpha(Method method, int k, int n) {
  switch (method) {
    case Method::riemann_left: return static_cast<double>(k) / n;
    case Method::riemann_right: return (k + 1.0) / n;
    case Method::riemann_middle: return (k + 0.5) / n;
    default: return static_cast<double>(k) / (n - 1);
  }
}
double closed_form_weight(Method method, int k, int n) {
  if (method != Method::riemann_trapezoid) return 1.0 / n;
  return (k == 0 || k == n - 1) ? 0.5 / (n - 1) : 1.0 / (n - 1);
}

// The rule applied to f: sum over k of weights[k] * f(alphas[k]).
template <class F>
double apply(const QuadratureRule& rule, F f) {
  double sum = 0.0;
  for (std::size_t k = 0; k < rule.alphas.size(); ++k) sum += rule.weights[k] * f(rule.alphas[k]);
  return sum;
}

double sigmoid_slope(double z) {
  const double s = autodiff::sigmoid(z);
  return s * (1.0 - s);
}

// f(x) = sigmoid(w.x + b) as a network: Sequential(Linear(n, 1), Sigmoid()).
nn::Sequential neuron(autodiff::Tape& tape, const std::vector<double>& weights, double bias) {
  return nn::neuron(tape, weights, bias);  // a vector, so that callers may write {w1, w2}
}

double linear(const std::vector<double>& weights, double bias, const std::vector<double>& x) {
  double z = bias;
  for (std::size_t i = 0; i < x.size(); ++i) z += weights[i] * x[i];
  return z;
}

// Integrated gradients of one neuron, summed by hand with the nodes and weights written out:
//   IG_i = (x_i - x'_i) * sum over k of weight_k * w_i sigmoid'(w.(x' + alpha_k (x - x')) + b).
std::vector<double> neuron_ig_by_hand(const std::vector<double>& w, double b,
                                      const std::vector<double>& x, const std::vector<double>& x0,
                                      Method method, int n) {
  std::vector<double> integral(x.size(), 0.0);
  for (int k = 0; k < n; ++k) {
    const double alpha = closed_form_alpha(method, k, n);
    std::vector<double> point(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) point[i] = x0[i] + alpha * (x[i] - x0[i]);
    const double slope = sigmoid_slope(linear(w, b, point));
    for (std::size_t i = 0; i < x.size(); ++i)
      integral[i] += closed_form_weight(method, k, n) * w[i] * slope;
  }
  std::vector<double> attributions(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) attributions[i] = (x[i] - x0[i]) * integral[i];
  return attributions;
}

// The network of tests/hand_set_network.hpp; its hidden layer h is layer_2.input.
using hand_set::hidden_network;
using hand_set::hidden_of;
using hand_set::output_d;
using hand_set::output_v;
const std::string hidden = "layer_2.input";

void expect_near_all(const std::vector<double>& actual, const std::vector<double>& expected,
                     double tolerance, const std::string& where) {
  ASSERT_EQ(actual.size(), expected.size()) << where;
  for (std::size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], tolerance) << where << ", component " << i;
}

double sum_of(const std::vector<double>& values) {
  double sum = 0.0;
  for (double value : values) sum += value;
  return sum;
}

}  // namespace

// ---- Exercise 4.1: the Riemann nodes and weights ----------------------------------------------
// quadrature_rule's four Riemann rules: nodes and weights against their closed forms, the weights'
// sum, and integrals of polynomials whose error each rule is known to make.

TEST(Ch04Ex1RiemannRules, NodesAndWeightsMatchTheClosedForms) {
  for (Method method : riemann_methods)
    for (int n = smallest_n(method); n <= 6; ++n) {
      const QuadratureRule rule = quadrature_rule(method, n);
      const std::string where =
          std::string(attribution::method_name(method)) + " n = " + std::to_string(n);
      ASSERT_EQ(rule.alphas.size(), static_cast<std::size_t>(n)) << where;
      ASSERT_EQ(rule.weights.size(), static_cast<std::size_t>(n)) << where;
      for (int k = 0; k < n; ++k) {
        EXPECT_NEAR(rule.alphas[k], closed_form_alpha(method, k, n), 1e-15) << where << " k " << k;
        EXPECT_NEAR(rule.weights[k], closed_form_weight(method, k, n), 1e-15)
            << where << " k " << k;
      }
    }
}

TEST(Ch04Ex1RiemannRules, WeightsSumToOne) {
  for (Method method : riemann_methods)
    for (int n : {smallest_n(method), 3, 7, 50, 1000}) {
      const QuadratureRule rule = quadrature_rule(method, n);
      EXPECT_NEAR(sum_of(rule.weights), 1.0, 1e-13)
          << attribution::method_name(method) << " n = " << n;
    }
}

// For f(a) = a on [0, 1] (integral 1/2) the left sum is (n - 1) / (2n) and the right sum
// (n + 1) / (2n); the middle and trapezoid rules are exact for every linear function.
TEST(Ch04Ex1RiemannRules, LinearFunctionsMiddleAndTrapezoidAreExact) {
  for (int n = 1; n <= 6; ++n) {
    const auto identity = [](double a) { return a; };
    EXPECT_NEAR(apply(quadrature_rule(Method::riemann_left, n), identity), (n - 1.0) / (2.0 * n),
                1e-15)
        << "n = " << n;
    EXPECT_NEAR(apply(quadrature_rule(Method::riemann_right, n), identity), (n + 1.0) / (2.0 * n),
                1e-15)
        << "n = " << n;
    const auto line = [](double a) { return 3.0 * a - 1.25; };  // integral 0.25
    EXPECT_NEAR(apply(quadrature_rule(Method::riemann_middle, n), line), 0.25, 1e-15)
        << "n = " << n;
    if (n >= 2) {
      EXPECT_NEAR(apply(quadrature_rule(Method::riemann_trapezoid, n), line), 0.25, 1e-15)
          << "n = " << n;
    }
  }
}

// For f(a) = a^2 (integral 1/3), from the sums of k and k^2:
//   left      1/3 - 1/(2n) + 1/(6n^2)        right  1/3 + 1/(2n) + 1/(6n^2)
//   middle    1/3 - 1/(12n^2)                 trapezoid on n nodes (m = n - 1 intervals)
//                                              1/3 + 1/(6m^2)
TEST(Ch04Ex1RiemannRules, QuadraticIntegratedWithEachRulesKnownError) {
  const auto square = [](double a) { return a * a; };
  for (int n = 1; n <= 12; ++n) {
    const double inverse = 1.0 / n, inverse2 = inverse * inverse;
    EXPECT_NEAR(apply(quadrature_rule(Method::riemann_left, n), square),
                1.0 / 3.0 - inverse / 2.0 + inverse2 / 6.0, 1e-14)
        << "n = " << n;
    EXPECT_NEAR(apply(quadrature_rule(Method::riemann_right, n), square),
                1.0 / 3.0 + inverse / 2.0 + inverse2 / 6.0, 1e-14)
        << "n = " << n;
    EXPECT_NEAR(apply(quadrature_rule(Method::riemann_middle, n), square),
                1.0 / 3.0 - inverse2 / 12.0, 1e-14)
        << "n = " << n;
    if (n >= 2) {
      const double m = n - 1.0;
      EXPECT_NEAR(apply(quadrature_rule(Method::riemann_trapezoid, n), square),
                  1.0 / 3.0 + 1.0 / (6.0 * m * m), 1e-14)
          << "n = " << n;
    }
  }
}

// The smallest trapezoid: the two ends of [0, 1], half a weight each.
TEST(Ch04Ex1RiemannRules, TrapezoidOnTwoNodesIsTheTwoEnds) {
  const QuadratureRule rule = quadrature_rule(Method::riemann_trapezoid, 2);
  ASSERT_EQ(rule.alphas.size(), 2u);
  ASSERT_EQ(rule.weights.size(), 2u);
  EXPECT_NEAR(rule.alphas[0], 0.0, 1e-15);
  EXPECT_NEAR(rule.alphas[1], 1.0, 1e-15);
  EXPECT_NEAR(rule.weights[0], 0.5, 1e-15);
  EXPECT_NEAR(rule.weights[1], 0.5, 1e-15);
}

// ---- Exercise 4.2: the IG sum along the path --------------------------------------------------
// The attributions integrated_gradients returns (they also need 4.3's product by a - a'): against
// the closed form for one neuron, against Riemann sums done by hand, at a hidden layer, and with
// more steps than one batch of rows.

TEST(Ch04Ex2IgSum, OneNeuronMatchesTheClosedForm) {
  const std::vector<double> w = {3.0482, 3.0556, -1.25};
  const double b = -4.7946;
  const std::vector<std::vector<double>> points = {
      {1.0, 1.0, 0.0}, {0.0, 0.0, 0.0}, {1.0, 0.0, 2.0}, {-0.5, 2.0, 1.5}};
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, w, b);
  for (std::size_t p = 0; p < points.size(); ++p)
    for (std::size_t q = 0; q < points.size(); ++q) {
      if (p == q) continue;
      // Gauss-Legendre converges geometrically on this smooth integrand: 200 nodes are exact to
      // rounding (attribution/closed_form.hpp has the exact integral).
      const IntegratedGradientsResult ig =
          integrated_gradients(model, points[p], points[q], 200, Method::gausslegendre);
      expect_near_all(ig.attributions,
                      attribution::neuron_integrated_gradients(w, b, points[p], points[q]), 1e-12,
                      "path " + std::to_string(q) + " -> " + std::to_string(p));
    }
}

TEST(Ch04Ex2IgSum, MatchesRiemannSumsDoneByHand) {
  const std::vector<double> w = {1.5, -2.0};
  const double b = 0.25;
  const std::vector<double> x = {2.0, 0.5}, x0 = {-1.0, 1.0};
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, w, b);
  for (Method method : riemann_methods)
    for (int n : {2, 3, 5}) {
      const IntegratedGradientsResult ig = integrated_gradients(model, x, x0, n, method);
      expect_near_all(ig.attributions, neuron_ig_by_hand(w, b, x, x0, method, n), 1e-12,
                      std::string(attribution::method_name(method)) + " n = " + std::to_string(n));
    }
}

// At layer_2.input the rest of the network is one neuron of h, f = sigmoid(v.h + d), so layer IG
// there is that neuron's IG from h(baseline) to h(input): summed by hand with the middle rule, and
// exactly from the closed form.
TEST(Ch04Ex2IgSum, LayerIgAtAHiddenLayerIsTheSumAlongThePathOfActivations) {
  const std::vector<double> x = {1.0, -0.5}, x0 = {0.0, 0.0};
  const std::vector<double> h = hidden_of(x), h0 = hidden_of(x0);
  autodiff::Tape tape;
  nn::Sequential model = hidden_network(tape);

  const IntegratedGradientsResult middle =
      integrated_gradients(model, x, x0, 7, Method::riemann_middle, hidden);
  expect_near_all(middle.attributions,
                  neuron_ig_by_hand(output_v, output_d, h, h0, Method::riemann_middle, 7), 1e-12,
                  "riemann_middle, 7 steps");

  const IntegratedGradientsResult gauss =
      integrated_gradients(model, x, x0, 100, Method::gausslegendre, hidden);
  expect_near_all(gauss.attributions,
                  attribution::neuron_integrated_gradients(output_v, output_d, h, h0), 1e-12,
                  "gausslegendre, 100 steps");
}

// Captum sends the steps through the model in batches of rows; 1500 and 2049 steps are more than
// one batch of 1024 (and 2049 one row more than two), and the sum must still run over all of them.
TEST(Ch04Ex2IgSum, MoreStepsThanOneBatchOfRows) {
  const std::vector<double> w = {3.0482, 3.0556};
  const double b = -4.7946;
  const std::vector<double> x = {1.0, 1.0}, x0 = {0.0, 0.0};
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, w, b);
  for (int n : {1500, 2049}) {
    const IntegratedGradientsResult left =
        integrated_gradients(model, x, x0, n, Method::riemann_left);
    expect_near_all(left.attributions, neuron_ig_by_hand(w, b, x, x0, Method::riemann_left, n),
                    1e-12, "riemann_left, n = " + std::to_string(n));
    const IntegratedGradientsResult gauss =
        integrated_gradients(model, x, x0, n, Method::gausslegendre);
    expect_near_all(gauss.attributions, attribution::neuron_integrated_gradients(w, b, x, x0),
                    1e-12, "gausslegendre, n = " + std::to_string(n));
  }
}

// ---- Exercise 4.3: the attributions and the convergence delta ---------------------------------
// attributions = (a - a') * integral and convergence_delta = sum(attributions) - (f(input) -
// f(baseline)) (Captum's sign): completeness, the delta's sign, a component that does not move,
// and the reversed path.

TEST(Ch04Ex3AttributionsAndDelta, DeltaIsWhatTheAttributionsMissTheGapBy) {
  const std::vector<double> w = {1.5, -2.0};
  const double b = 0.25;
  const std::vector<double> x = {2.0, 0.5}, x0 = {-1.0, 1.0};
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, w, b);
  const double gap = autodiff::sigmoid(linear(w, b, x)) - autodiff::sigmoid(linear(w, b, x0));
  for (Method method : {Method::riemann_left, Method::riemann_right, Method::riemann_middle,
                        Method::riemann_trapezoid, Method::gausslegendre})
    for (int n : {2, 5, 50}) {
      const IntegratedGradientsResult ig = integrated_gradients(model, x, x0, n, method);
      const std::string where =
          std::string(attribution::method_name(method)) + " n = " + std::to_string(n);
      // Completeness with its error term: the attributions add up to the gap plus the delta.
      EXPECT_NEAR(ig.convergence_delta, sum_of(ig.attributions) - gap, 1e-12) << where;
    }
  // With Gauss-Legendre the rule is exact to rounding, and so is completeness.
  EXPECT_LT(std::fabs(integrated_gradients(model, x, x0, 50).convergence_delta), 1e-12);
}

// One input, f(x) = sigmoid(x), from 0 to 2, one node. The right rule takes the slope at x = 2,
// where the sigmoid is flat: the attribution 2 sigmoid'(2) = 0.21 falls short of the gap
// sigmoid(2) - 1/2 = 0.38, and the delta is negative. The left rule takes it at 0, where the
// sigmoid is steepest: 2 sigmoid'(0) = 0.5 overshoots, and the delta is positive.
TEST(Ch04Ex3AttributionsAndDelta, DeltaIsAttributionsMinusGapNotTheOtherWay) {
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, {1.0}, 0.0);
  const std::vector<double> x = {2.0}, x0 = {0.0};
  const double gap = autodiff::sigmoid(2.0) - 0.5;

  const IntegratedGradientsResult right =
      integrated_gradients(model, x, x0, 1, Method::riemann_right);
  ASSERT_EQ(right.attributions.size(), 1u);
  EXPECT_NEAR(right.attributions[0], 2.0 * sigmoid_slope(2.0), 1e-15);
  EXPECT_NEAR(right.convergence_delta, 2.0 * sigmoid_slope(2.0) - gap, 1e-15);
  EXPECT_LT(right.convergence_delta, -0.1);

  const IntegratedGradientsResult left =
      integrated_gradients(model, x, x0, 1, Method::riemann_left);
  ASSERT_EQ(left.attributions.size(), 1u);
  EXPECT_NEAR(left.attributions[0], 0.5, 1e-15);
  EXPECT_NEAR(left.convergence_delta, 0.5 - gap, 1e-15);
  EXPECT_GT(left.convergence_delta, 0.1);
}

// A component that is the same at the input and at the baseline travels no distance: its
// attribution is exactly 0, however large its gradient. At the input here; at the hidden layer,
// a neuron whose weights are all 0 has the same activation in every run.
TEST(Ch04Ex3AttributionsAndDelta, ComponentThatDoesNotMoveGetsZero) {
  autodiff::Tape tape;
  nn::Sequential model = neuron(tape, {1.5, -2.0}, 0.25);
  for (Method method : {Method::riemann_left, Method::riemann_trapezoid, Method::gausslegendre}) {
    const std::vector<double> x = {2.0, 0.7}, x0 = {-1.0, 0.7};
    const IntegratedGradientsResult ig = integrated_gradients(model, x, x0, 4, method);
    ASSERT_EQ(ig.attributions.size(), 2u);
    EXPECT_EQ(ig.attributions[1], 0.0) << attribution::method_name(method);
    EXPECT_NE(ig.attributions[0], 0.0) << attribution::method_name(method);
  }

  autodiff::Tape hidden_tape;
  nn::Sequential network = hidden_network(hidden_tape);
  nn::StateDict state = network.state_dict();
  state["model.0.weight"][2] = 0.0;  // hidden neuron 1 ignores x: h_1 = sigmoid(c_1)
  state["model.0.weight"][3] = 0.0;
  network.load_state_dict(state);
  const std::vector<double> x = {1.0, -0.5}, x0 = {0.0, 0.0};
  const IntegratedGradientsResult ig =
      integrated_gradients(network, x, x0, 10, Method::gausslegendre, hidden);
  ASSERT_EQ(ig.attributions.size(), 3u);
  EXPECT_EQ(ig.attributions[1], 0.0);
  EXPECT_NE(ig.attributions[0], 0.0);
  EXPECT_NE(ig.attributions[2], 0.0);
}

// The middle, trapezoid and Gauss-Legendre rules are symmetric: their nodes mirror (alpha and
// 1 - alpha) with equal weights, so the reversed path visits the same points and every
// attribution, and the delta, changes sign (to rounding), at any n.
TEST(Ch04Ex3AttributionsAndDelta, SwappingInputAndBaselineNegatesTheAttributions) {
  autodiff::Tape tape;
  const std::vector<double> w = {1.5, -2.0, 0.5};
  nn::Sequential model = neuron(tape, w, 0.25);
  const std::vector<double> x = {2.0, 0.5, -1.0}, x0 = {-1.0, 1.0, 0.5};
  for (Method method : {Method::riemann_middle, Method::riemann_trapezoid, Method::gausslegendre})
    for (int n : {3, 4, 50}) {
      const IntegratedGradientsResult forward = integrated_gradients(model, x, x0, n, method);
      const IntegratedGradientsResult backward = integrated_gradients(model, x0, x, n, method);
      const std::string where =
          std::string(attribution::method_name(method)) + " n = " + std::to_string(n);
      ASSERT_EQ(forward.attributions.size(), 3u) << where;
      ASSERT_EQ(backward.attributions.size(), 3u) << where;
      for (std::size_t i = 0; i < 3; ++i)
        EXPECT_NEAR(backward.attributions[i], -forward.attributions[i], 1e-12) << where;
      EXPECT_NEAR(backward.convergence_delta, -forward.convergence_delta, 1e-12) << where;
    }
}
