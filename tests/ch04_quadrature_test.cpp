// The quadrature rules of integrated gradients: nodes and weights against their closed forms and
// a 40-digit computation, exactness and convergence order on known integrals, the reference
// integrals of shared/reference/notebook_models.json, and every way to call them wrongly.
#include <cmath>
#include <cstddef>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "attribution/quadrature.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

using attribution::Method;
using attribution::quadrature_rule;
using attribution::QuadratureRule;

namespace {

using test_support::convergence_slope;
using test_support::invalid_argument_message;

const std::vector<Method> all_methods = {Method::riemann_left, Method::riemann_right,
                                         Method::riemann_middle, Method::riemann_trapezoid,
                                         Method::gausslegendre};

// Neumaier's compensated sum: its own rounding (2 eps relative) stays below what the tests
// measure, so a failure points at the rule, not at the summation.
template <class Term>
double compensated_sum(std::size_t count, Term term) {
  double sum = 0.0, compensation = 0.0;
  for (std::size_t k = 0; k < count; ++k) {
    const double value = term(k);
    const double t = sum + value;
    compensation += std::fabs(sum) >= std::fabs(value) ? (sum - t) + value : (value - t) + sum;
    sum = t;
  }
  return sum + compensation;
}

// sum_k weights[k] * f(alphas[k])
template <class Function>
double integrate(const QuadratureRule& rule, Function f) {
  return compensated_sum(rule.alphas.size(),
                         [&](std::size_t k) { return rule.weights[k] * f(rule.alphas[k]); });
}

double weight_sum(const QuadratureRule& rule) {
  return compensated_sum(rule.weights.size(), [&](std::size_t k) { return rule.weights[k]; });
}

}  // namespace

TEST(Ch04Quadrature, NamesRoundTripAndDefaultsAreCaptums) {
  const std::vector<std::string> names = {"riemann_left", "riemann_right", "riemann_middle",
                                          "riemann_trapezoid", "gausslegendre"};
  for (std::size_t i = 0; i < all_methods.size(); ++i) {
    EXPECT_EQ(attribution::method_name(all_methods[i]), names[i]);
    EXPECT_EQ(attribution::parse_method(names[i]), all_methods[i]);
  }
  EXPECT_EQ(attribution::default_n_steps, 50);
  EXPECT_EQ(attribution::default_method, Method::gausslegendre);
  // The overload taking a name gives the same rule.
  const QuadratureRule by_name = quadrature_rule("riemann_middle", 7);
  const QuadratureRule by_enum = quadrature_rule(Method::riemann_middle, 7);
  EXPECT_EQ(by_name.alphas, by_enum.alphas);
  EXPECT_EQ(by_name.weights, by_enum.weights);
}

// Every rule integrates a constant exactly. With weights 1/n the only error is the rounding of
// 1/n itself (eps/2 relative), so the Riemann sums are held to 2.5e-16; Gauss–Legendre's weights
// each carry their own rounding, and are held to 1e-15.
TEST(Ch04Quadrature, WeightsSumToOne) {
  for (Method method : all_methods) {
    for (int n : {1, 2, 3, 7, 50, 301, 1000}) {
      if (method == Method::riemann_trapezoid && n == 1) continue;
      const QuadratureRule rule = quadrature_rule(method, n);
      ASSERT_EQ(rule.alphas.size(), static_cast<std::size_t>(n));
      ASSERT_EQ(rule.weights.size(), static_cast<std::size_t>(n));
      const double tolerance = method == Method::gausslegendre ? 1e-15 : 2.5e-16;
      EXPECT_NEAR(weight_sum(rule), 1.0, tolerance)
          << attribution::method_name(method) << " n_steps = " << n;
    }
  }
}

TEST(Ch04Quadrature, RiemannNodesMatchClosedForms) {
  // Small cases written out: every number here is exact in binary.
  const QuadratureRule left = quadrature_rule(Method::riemann_left, 4);
  EXPECT_EQ(left.alphas, (std::vector<double>{0.0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(left.weights, (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
  const QuadratureRule right = quadrature_rule(Method::riemann_right, 4);
  EXPECT_EQ(right.alphas, (std::vector<double>{0.25, 0.5, 0.75, 1.0}));
  EXPECT_EQ(right.weights, (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
  const QuadratureRule middle = quadrature_rule(Method::riemann_middle, 4);
  EXPECT_EQ(middle.alphas, (std::vector<double>{0.125, 0.375, 0.625, 0.875}));
  EXPECT_EQ(middle.weights, (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
  const QuadratureRule trapezoid = quadrature_rule(Method::riemann_trapezoid, 5);
  EXPECT_EQ(trapezoid.alphas, (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
  EXPECT_EQ(trapezoid.weights, (std::vector<double>{0.125, 0.25, 0.25, 0.25, 0.125}));
  EXPECT_EQ(quadrature_rule(Method::riemann_left, 1).alphas, std::vector<double>{0.0});
  EXPECT_EQ(quadrature_rule(Method::riemann_right, 1).alphas, std::vector<double>{1.0});
  EXPECT_EQ(quadrature_rule(Method::riemann_middle, 1).alphas, std::vector<double>{0.5});
  EXPECT_EQ(quadrature_rule(Method::riemann_trapezoid, 2).weights, (std::vector<double>{0.5, 0.5}));

  // And the general formulas, to within one rounding.
  for (int n = 2; n <= 12; ++n) {
    const QuadratureRule rules[] = {
        quadrature_rule(Method::riemann_left, n), quadrature_rule(Method::riemann_right, n),
        quadrature_rule(Method::riemann_middle, n), quadrature_rule(Method::riemann_trapezoid, n)};
    for (int k = 0; k < n; ++k) {
      EXPECT_NEAR(rules[0].alphas[k], k / static_cast<double>(n), 1e-16);
      EXPECT_NEAR(rules[1].alphas[k], (k + 1) / static_cast<double>(n), 1e-16);
      EXPECT_NEAR(rules[2].alphas[k], (k + 0.5) / n, 1e-16);
      EXPECT_NEAR(rules[3].alphas[k], k / (n - 1.0), 1e-16);
      for (int r = 0; r < 3; ++r) EXPECT_NEAR(rules[r].weights[k], 1.0 / n, 1e-17);
      const bool end = k == 0 || k == n - 1;
      EXPECT_NEAR(rules[3].weights[k], (end ? 0.5 : 1.0) / (n - 1), 1e-17);
    }
  }
}

// The textbook rules, mapped from [-1, 1] to [0, 1]; 3e-16 is a few units in the last place.
TEST(Ch04Quadrature, GaussLegendreMatchesClosedForms) {
  const double tolerance = 3e-16;
  const QuadratureRule one = quadrature_rule(Method::gausslegendre, 1);
  ASSERT_EQ(one.alphas.size(), 1u);
  EXPECT_NEAR(one.alphas[0], 0.5, tolerance);
  EXPECT_NEAR(one.weights[0], 1.0, tolerance);

  const QuadratureRule two = quadrature_rule(Method::gausslegendre, 2);
  const double offset2 = 1.0 / (2.0 * std::sqrt(3.0));
  EXPECT_NEAR(two.alphas[0], 0.5 - offset2, tolerance);
  EXPECT_NEAR(two.alphas[1], 0.5 + offset2, tolerance);
  EXPECT_NEAR(two.weights[0], 0.5, tolerance);
  EXPECT_NEAR(two.weights[1], 0.5, tolerance);

  const QuadratureRule three = quadrature_rule(Method::gausslegendre, 3);
  const double offset3 = std::sqrt(3.0 / 5.0) / 2.0;
  EXPECT_NEAR(three.alphas[0], 0.5 - offset3, tolerance);
  EXPECT_NEAR(three.alphas[1], 0.5, tolerance);
  EXPECT_NEAR(three.alphas[2], 0.5 + offset3, tolerance);
  EXPECT_NEAR(three.weights[0], 5.0 / 18.0, tolerance);
  EXPECT_NEAR(three.weights[1], 4.0 / 9.0, tolerance);
  EXPECT_NEAR(three.weights[2], 5.0 / 18.0, tolerance);
}

// numpy (whose leggauss Captum calls) was not available where this test was written. These values
// come instead from an independent 40-digit computation with Python's decimal module (Newton's
// method on the same recurrence, iterated to 1e-42), rounded here to 20 digits. Over all 50 nodes
// the largest differences were 7.7e-17 (alphas) and 6.8e-17 (weights); 2e-16 is allowed.
TEST(Ch04Quadrature, GaussLegendreMatchesHighPrecisionReference) {
  struct Node {
    int index;
    double alpha, weight;
  };
  const Node reference[] = {
      {0, 5.6679778996447490727e-4, 1.4543112765775704792e-3},
      {1, 2.9840152839546437074e-3, 3.3798995978727007514e-3},
      {10, 1.0772208354980036805e-1, 1.9284378306293837622e-2},
      {24, 4.8445083083640556194e-1, 3.1088308327673631161e-2},
      {25, 5.1554916916359443806e-1, 3.1088308327673631161e-2},
      {40, 9.1079103542966797418e-1, 1.7729917807573077080e-2},
      {49, 9.9943320221003552509e-1, 1.4543112765775704792e-3},
  };
  const QuadratureRule rule = quadrature_rule(Method::gausslegendre, 50);
  for (const Node& node : reference) {
    EXPECT_NEAR(rule.alphas[node.index], node.alpha, 2e-16) << "node " << node.index;
    EXPECT_NEAR(rule.weights[node.index], node.weight, 2e-16) << "node " << node.index;
  }
}

TEST(Ch04Quadrature, GaussLegendreNodesAscendAndMirror) {
  for (int n : {2, 5, 50, 51, 300, 10000}) {
    const QuadratureRule rule = quadrature_rule(Method::gausslegendre, n);
    EXPECT_GT(rule.alphas.front(), 0.0);
    EXPECT_LT(rule.alphas.back(), 1.0);
    for (int k = 0; k < n; ++k) {
      if (k + 1 < n) {
        EXPECT_LT(rule.alphas[k], rule.alphas[k + 1]) << "n = " << n << ", k = " << k;
      }
      EXPECT_GT(rule.weights[k], 0.0);
      EXPECT_NEAR(rule.alphas[k] + rule.alphas[n - 1 - k], 1.0, 2.3e-16);
      EXPECT_EQ(rule.weights[k], rule.weights[n - 1 - k]);
    }
    EXPECT_NEAR(weight_sum(rule), 1.0, 1e-15) << "n = " << n;
  }
}

// n points integrate every polynomial of degree <= 2n - 1 exactly: integral of a^k over [0, 1] is
// 1 / (k + 1). Measured: below 9e-17; allowed: 1e-15. Degree 2n is the first
// that fails, by the classical remainder (n!)^4 / ((2n + 1) ((2n)!)^2) for a^(2n).
TEST(Ch04Quadrature, GaussLegendreIsExactUpToDegreeTwoNMinusOne) {
  for (int n : {5, 20, 50, 300}) {
    const QuadratureRule rule = quadrature_rule(Method::gausslegendre, n);
    for (int degree = 0; degree <= 2 * n - 1; ++degree) {
      const double quadrature = integrate(rule, [&](double a) { return std::pow(a, degree); });
      ASSERT_NEAR(quadrature, 1.0 / (degree + 1), 1e-15) << "n = " << n << ", degree " << degree;
    }
  }
  for (int n : {1, 3, 5}) {
    const QuadratureRule rule = quadrature_rule(Method::gausslegendre, n);
    const double quadrature = integrate(rule, [&](double a) { return std::pow(a, 2 * n); });
    const double remainder =
        std::pow(std::tgamma(n + 1.0), 4) / ((2 * n + 1) * std::pow(std::tgamma(2 * n + 1.0), 2));
    EXPECT_NEAR(1.0 / (2 * n + 1) - quadrature, remainder, 1e-15) << "n = " << n;
  }
  // The three values, by hand: 1/12 (midpoint rule on a^2), 1/2800 and 1.4315490505966697e-6.
  EXPECT_NEAR(1.0 / 3.0 - integrate(quadrature_rule(Method::gausslegendre, 1),
                                    [](double a) { return a * a; }),
              1.0 / 12.0, 1e-16);
}

// On a smooth integrand the error of the left and right sums falls as 1/n, that of the midpoint
// and trapezoid rules as 1/n^2: the slope of log(error) against log(steps) is -1 or -2. The
// trapezoid's step is 1 / (n - 1), so its error is fitted against n - 1 (against n the slope is
// -2.054 over this range, the n / (n - 1) showing through). Over n = 10 .. 320 the fitted slopes
// are -0.996, -1.004, -2.000 and -2.000; 0.02 is allowed.
TEST(Ch04Quadrature, ErrorsFallAtEachRulesOrder) {
  const double exact = std::numbers::e - 1.0;
  const auto f = [](double a) { return std::exp(a); };
  const std::vector<int> ns = {10, 20, 40, 80, 160, 320};
  const struct {
    Method method;
    double order;
  } cases[] = {{Method::riemann_left, 1.0},
               {Method::riemann_right, 1.0},
               {Method::riemann_middle, 2.0},
               {Method::riemann_trapezoid, 2.0}};
  for (const auto& c : cases) {
    std::vector<int> steps;
    std::vector<double> errors;
    for (int n : ns) {
      steps.push_back(c.method == Method::riemann_trapezoid ? n - 1 : n);
      errors.push_back(std::fabs(integrate(quadrature_rule(c.method, n), f) - exact));
    }
    EXPECT_NEAR(convergence_slope(steps, errors), -c.order, 0.02)
        << attribution::method_name(c.method);
  }
  // The leading error terms, to fix the constants too: left -(e - 1) / (2n), middle
  // (e - 1) / (24 n^2) below the exact value, trapezoid (e - 1) / (12 n'^2) above, n' = n - 1.
  const int n = 320;
  EXPECT_NEAR((integrate(quadrature_rule(Method::riemann_left, n), f) - exact) * 2 * n, -exact,
              1e-2);
  EXPECT_NEAR((integrate(quadrature_rule(Method::riemann_middle, n), f) - exact) * 24 * n * n,
              -exact, 1e-4);
  EXPECT_NEAR((integrate(quadrature_rule(Method::riemann_trapezoid, n), f) - exact) * 12 * (n - 1) *
                  (n - 1),
              exact, 1e-4);
  // Gauss–Legendre's error is 6.5e-13 at n = 5 and at rounding level (below 2e-16) from n = 7.
  for (int gauss_n : {7, 10, 50, 300})
    EXPECT_NEAR(integrate(quadrature_rule(Method::gausslegendre, gauss_n), f), exact, 1e-15)
        << "n = " << gauss_n;
}

// Integrated gradients of the notebook's AND neuron sigmoid(w.x + b) on the non-binary pair,
// computed with each rule: IG_i = (x_i - x'_i) w_i sum_k weight_k sigmoid'(z(alpha_k)).
// Expected values: shared/reference/notebook_models.json, models[0] ("AND_notebook"),
// pairs[2] ("nonbinary"), ig_quadrature.clean_from_corrupt.<method>.<n>, computed there with
// float64 sums of the exact nodes (Gauss–Legendre from numpy's leggauss). Rounding differs only
// in the order of the sums: 3e-16 apart at most; 1e-15 is allowed.
TEST(Ch04Quadrature, ReproducesReferenceIntegratedGradients) {
  const double weights[2] = {3.0482, 3.0556}, bias = -4.7946;
  const double input[2] = {0.7, -0.3}, baseline[2] = {0.2, 0.9};
  const auto attributions = [&](const QuadratureRule& rule) {
    const double slope_integral = integrate(rule, [&](double alpha) {
      double z = bias;
      for (int i = 0; i < 2; ++i)
        z += weights[i] * (baseline[i] + alpha * (input[i] - baseline[i]));
      const double s = 1.0 / (1.0 + std::exp(-z));
      return s * (1.0 - s);
    });
    std::vector<double> result(2);
    for (int i = 0; i < 2; ++i) result[i] = (input[i] - baseline[i]) * weights[i] * slope_integral;
    return result;
  };
  const struct {
    Method method;
    int n;
    double expected[2];
  } cases[] = {
      {Method::riemann_left, 2, {0.17151854840928915, -0.4126438500251353}},
      {Method::riemann_left, 50, {0.11944653559778308, -0.2873676274569275}},
      {Method::riemann_right, 3, {0.0868925464389878, -0.20904838126026207}},
      {Method::riemann_right, 50, {0.11551754358008176, -0.2779151547772177}},
      {Method::riemann_middle, 3, {0.11638480886847298, -0.28000164449459175}},
      {Method::riemann_middle, 50, {0.11747051498035288, -0.2826136649096251}},
      {Method::riemann_trapezoid, 2, {0.13853067684805312, -0.3332807580948057}},
      {Method::riemann_trapezoid, 3, {0.12240614818802267, -0.29448794152876223}},
      {Method::riemann_trapezoid, 50, {0.11748235639450375, -0.28264215329627634}},
      {Method::gausslegendre, 2, {0.11776542064737922, -0.2833231567457243}},
      {Method::gausslegendre, 3, {0.11747957092485553, -0.28263545193989}},
      {Method::gausslegendre, 50, {0.11747435659955803, -0.28262290717848665}},
      {Method::gausslegendre, 300, {0.11747435659955786, -0.2826229071784862}},
  };
  for (const auto& c : cases) {
    const std::vector<double> result = attributions(quadrature_rule(c.method, c.n));
    for (int i = 0; i < 2; ++i)
      EXPECT_NEAR(result[i], c.expected[i], 1e-15)
          << attribution::method_name(c.method) << " n_steps = " << c.n << ", input " << i;
  }
  // Captum's own trapezoid (same file, ig_captum_float64.clean_from_corrupt.riemann_trapezoid.2):
  // at n = 2 its float32 nodes 0, 1 and weights 1/4 are exact, so it matches to rounding, and it
  // is half the correct rule's value: (n - 1) / n.
  const std::vector<double> captum = attributions(attribution::captum_riemann_trapezoid_rule(2));
  EXPECT_NEAR(captum[0], 0.06926533842402656, 1e-15);
  EXPECT_NEAR(captum[1], -0.16664037904740284, 1e-15);
}

TEST(Ch04Quadrature, CaptumTrapezoidFallsShortByOneStepInN) {
  for (int n : {2, 3, 10, 50}) {
    const QuadratureRule captum = attribution::captum_riemann_trapezoid_rule(n);
    const QuadratureRule correct = quadrature_rule(Method::riemann_trapezoid, n);
    EXPECT_EQ(captum.alphas, correct.alphas);
    EXPECT_NEAR(weight_sum(captum), (n - 1.0) / n, 2.5e-16) << "n = " << n;
    for (int k = 0; k < n; ++k)
      EXPECT_NEAR(captum.weights[k], correct.weights[k] * (n - 1.0) / n, 1e-17);
  }
}

TEST(Ch04Quadrature, RejectsBadArguments) {
  for (Method method : all_methods) {
    const std::string name = attribution::method_name(method);
    for (int n : {0, -3, attribution::max_n_steps + 1}) {
      const std::string message = invalid_argument_message([&] { quadrature_rule(method, n); });
      EXPECT_NE(message.find(name), std::string::npos) << message;
      EXPECT_NE(message.find("n_steps = " + std::to_string(n)), std::string::npos) << message;
      EXPECT_NE(message.find("1 .. 100000"), std::string::npos) << message;
    }
  }
  // The limit itself is allowed (cheap for a Riemann rule).
  EXPECT_EQ(quadrature_rule(Method::riemann_middle, attribution::max_n_steps).alphas.size(),
            static_cast<std::size_t>(attribution::max_n_steps));

  for (const std::string& message :
       {invalid_argument_message([] { quadrature_rule(Method::riemann_trapezoid, 1); }),
        invalid_argument_message([] { attribution::captum_riemann_trapezoid_rule(1); })}) {
    EXPECT_NE(message.find("n_steps = 1"), std::string::npos) << message;
    EXPECT_NE(message.find("n_steps >= 2"), std::string::npos) << message;
  }
  EXPECT_NE(invalid_argument_message([] { attribution::captum_riemann_trapezoid_rule(0); }), "");

  for (const char* bad : {"", "gauss_legendre", "Riemann_left", "riemann", "trapezoid"}) {
    const std::string message = invalid_argument_message([&] { attribution::parse_method(bad); });
    EXPECT_NE(message.find("'" + std::string(bad) + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("riemann_left, riemann_right, riemann_middle, riemann_trapezoid, "
                           "gausslegendre"),
              std::string::npos)
        << message;
    EXPECT_NE(invalid_argument_message([&] { quadrature_rule(bad, 10); }), "");
  }

  const Method not_a_method = static_cast<Method>(99);
  EXPECT_NE(invalid_argument_message([&] { attribution::method_name(not_a_method); }).find("99"),
            std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { quadrature_rule(not_a_method, 10); }).find("99"),
            std::string::npos);
}

// The memo must give exactly quadrature_rule's numbers, follow a change of method or n_steps, and
// still reject what quadrature_rule rejects (leaving no stale rule behind).
TEST(Ch04Quadrature, CachedRuleIsTheComputedRule) {
  using attribution::Method;
  for (const auto& [method, n] :
       {std::pair{Method::gausslegendre, 50}, std::pair{Method::gausslegendre, 300},
        std::pair{Method::riemann_trapezoid, 7}, std::pair{Method::gausslegendre, 50}}) {
    const attribution::QuadratureRule expected = attribution::quadrature_rule(method, n);
    const attribution::QuadratureRule& cached = attribution::cached_quadrature_rule(method, n);
    EXPECT_EQ(cached.alphas, expected.alphas);
    EXPECT_EQ(cached.weights, expected.weights);
    EXPECT_EQ(&attribution::cached_quadrature_rule(method, n), &cached);
  }
  EXPECT_THROW(attribution::cached_quadrature_rule(Method::gausslegendre, 0),
               std::invalid_argument);
  EXPECT_EQ(attribution::cached_quadrature_rule(Method::riemann_left, 4).alphas,
            (std::vector<double>{0.0, 0.25, 0.5, 0.75}));
}
