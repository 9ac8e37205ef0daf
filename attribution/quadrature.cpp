#include "attribution/quadrature.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

namespace attribution {

namespace {

constexpr std::array<Method, 5> all_methods = {Method::riemann_left, Method::riemann_right,
                                               Method::riemann_middle, Method::riemann_trapezoid,
                                               Method::gausslegendre};

std::string known_method_names() {
  std::string names;
  for (Method method : all_methods) {
    if (!names.empty()) names += ", ";
    names += method_name(method);
  }
  return names;
}

void check_n_steps(int n_steps, const char* method) {
  if (n_steps < 1 || n_steps > max_n_steps)
    throw std::invalid_argument(std::string(method) + ": n_steps = " + std::to_string(n_steps) +
                                " is outside the allowed range 1 .. " +
                                std::to_string(max_n_steps) + " (max_n_steps)");
}

void check_trapezoid_n_steps(int n_steps, const char* function) {
  check_n_steps(n_steps, function);
  if (n_steps < 2)
    throw std::invalid_argument(std::string(function) + ": n_steps = " + std::to_string(n_steps) +
                                " is too few; riemann_trapezoid needs n_steps >= 2, one node at "
                                "each end of [0, 1]");
}

// The four Riemann rules on n nodes (n already checked by quadrature_rule: n >= 2 for the
// trapezoid). Each node is one correctly rounded division of two exact numbers, so no error
// accumulates along the interval.
QuadratureRule riemann_rule(Method method, int n) {
  QuadratureRule rule;
  // BEGIN EXERCISE 4.1 [method, n]
  rule.alphas.resize(n);
  rule.weights.assign(n, 1.0 / n);
  switch (method) {
    case Method::riemann_left:
      for (int k = 0; k < n; ++k) rule.alphas[k] = static_cast<double>(k) / n;
      break;
    case Method::riemann_right:
      for (int k = 0; k < n; ++k) rule.alphas[k] = (k + 1.0) / n;
      break;
    case Method::riemann_middle:
      // (k + 1/2) / n as (2k + 1) / (2n): both exact integers, one rounding.
      for (int k = 0; k < n; ++k) rule.alphas[k] = (2.0 * k + 1.0) / (2.0 * n);
      break;
    case Method::riemann_trapezoid: {
      // n nodes make n - 1 intervals of width 1 / (n - 1); each end node borders only one.
      const double interior_weight = 1.0 / (n - 1);
      for (int k = 0; k < n; ++k) rule.alphas[k] = static_cast<double>(k) / (n - 1);
      rule.weights.assign(n, interior_weight);
      rule.weights.front() = 0.5 * interior_weight;
      rule.weights.back() = 0.5 * interior_weight;
      break;
    }
    case Method::gausslegendre:
      throw std::logic_error("riemann_rule: gausslegendre is not a Riemann rule");
  }
  // END EXERCISE 4.1
  return rule;
}

// How many roots are refined together. Each root's recurrence is one long chain of dependent
// operations; interleaving independent chains keeps the processor's arithmetic units busy instead
// of waiting on each result, and a fixed count lets the compiler use vector instructions. A root's
// arithmetic does not depend on its neighbours, so the batch size changes no result.
constexpr int batch_size = 16;
using Lanes = std::array<double, batch_size>;

// Newton's step dx is accepted once |dx| <= newton_tolerance * (1 - x^2). The step's own error is
// about x dx^2 / (1 - x^2) <= 1e-18 (1 - x^2): below rounding, near the ends as in the middle.
constexpr double newton_tolerance = 1e-9;
// Near the ends 1 - x^2 can be as small as 6e-10 (n = 1e5), and then a double cannot hold x to
// that relative accuracy: a step of a few units in the last place is converged as well.
constexpr double resolution = 4.0 * std::numeric_limits<double>::epsilon();
// Tricomi's estimate misses a root by at most 2e-3 (1 - x^2), at the ends, and by far less in the
// middle: Newton needs three evaluations there and one elsewhere once n is in the hundreds. This
// bound only turns a would-be endless loop into an error.
constexpr int max_newton_iterations = 20;

// Bonnet's recurrence (j + 1) P_{j+1} = (2j + 1) x P_j - j P_{j-1}, written as
//   P_{j+1} = x P_j + u - c_j u,  u = x P_j - P_{j-1},  c_j = 1 / (j + 1),
// so that the one rounded coefficient, c_j, multiplies a correction instead of P_j itself: rounding
// (2j+1)/(j+1) and j/(j+1) instead would give every weight the same relative error, growing with n.
struct LegendreRecurrence {
  explicit LegendreRecurrence(int n) : n(n), c(n) {
    for (int j = 1; j < n; ++j) c[j] = 1.0 / (j + 1.0);
  }

  // P_n and P_{n-1} at batch_size points at once.
  void evaluate(const Lanes& x, Lanes& p_n, Lanes& p_previous) const {
    Lanes current = x;  // P_1
    Lanes previous;     // P_0
    previous.fill(1.0);
    for (int j = 1; j < n; ++j) {
      const double c_j = c[j];
      for (int i = 0; i < batch_size; ++i) {
        const double x_p = x[i] * current[i];
        const double u = x_p - previous[i];
        previous[i] = current[i];
        current[i] = x_p + (u - c_j * u);
      }
    }
    p_n = current;
    p_previous = previous;
  }

  int n;
  std::vector<double> c;
};

// Gauss–Legendre on [-1, 1] has nodes at the roots x of P_n and weights 2 / ((1 - x^2) P_n'(x)^2).
// On [0, 1] the node x becomes (1 - x) / 2 or (1 + x) / 2 and the weight halves.
QuadratureRule gauss_legendre_rule(int n) {
  const LegendreRecurrence legendre(n);
  QuadratureRule rule;
  rule.alphas.resize(n);
  rule.weights.resize(n);
  const double pi = std::acos(-1.0);
  const int pairs = n / 2;  // roots come in pairs +-x; an odd n adds the root 0
  for (int first = 0; first < pairs; first += batch_size) {
    const int count = std::min(batch_size, pairs - first);
    Lanes x{}, slope_at_root{}, p_n{}, p_previous{};
    std::array<bool, batch_size> done{};
    for (int i = 0; i < batch_size; ++i) {
      // Tricomi's asymptotic estimate of the k-th largest root. Lanes past the last root repeat
      // it, only to keep the batch full; their results are dropped.
      const int k = first + std::min(i, count - 1) + 1;
      const double theta = pi * (4.0 * k - 1.0) / (4.0 * n + 2.0);
      x[i] = (1.0 - (n - 1.0) / (8.0 * n * n * n)) * std::cos(theta);
    }
    int remaining = count;
    for (int iteration = 0; remaining > 0; ++iteration) {
      if (iteration == max_newton_iterations)
        throw std::logic_error("gausslegendre: Newton's method did not converge for n_steps = " +
                               std::to_string(n));
      legendre.evaluate(x, p_n, p_previous);
      for (int i = 0; i < count; ++i) {
        if (done[i]) continue;
        const double x_old = x[i];
        const double one_minus_x2 = (1.0 - x_old) * (1.0 + x_old);
        const double slope = n * (p_previous[i] - x_old * p_n[i]) / one_minus_x2;
        const double dx = p_n[i] / slope;
        x[i] = x_old - dx;
        if (std::fabs(dx) <= newton_tolerance * one_minus_x2 ||
            std::fabs(dx) <= resolution * std::fabs(x_old)) {
          // The weight needs P_n' at the new x. One Taylor term carries it there, with P_n''
          // from Legendre's equation (1 - x^2) P'' = 2x P' - n(n+1) P; what is left is
          // O((dx / (1 - x^2))^2) relative, below rounding. This saves a last evaluation.
          const double curvature = (2.0 * x_old * slope - n * (n + 1.0) * p_n[i]) / one_minus_x2;
          slope_at_root[i] = slope - curvature * dx;
          done[i] = true;
          --remaining;
        }
      }
    }
    for (int i = 0; i < count; ++i) {
      const int low = first + i;  // the k-th largest root gives the k-th smallest alpha
      const double slope = slope_at_root[i];
      const double weight = 1.0 / ((1.0 - x[i]) * (1.0 + x[i]) * slope * slope);
      rule.alphas[low] = 0.5 * (1.0 - x[i]);
      rule.alphas[n - 1 - low] = 0.5 * (1.0 + x[i]);
      rule.weights[low] = weight;
      rule.weights[n - 1 - low] = weight;
    }
  }
  if (n % 2 == 1) {
    // x = 0 is a root exactly; there P_n'(0) = n P_{n-1}(0).
    Lanes zero{}, p_n{}, p_previous{};
    legendre.evaluate(zero, p_n, p_previous);
    const double slope = n * p_previous[0];
    rule.alphas[pairs] = 0.5;
    rule.weights[pairs] = 1.0 / (slope * slope);
  }
  // Some rounding error is still shared by all the weights, so their sum misses 1 by more than any
  // one weight misses its exact value. The exact weights sum to 1, so dividing by the computed sum
  // removes the shared part, as numpy's leggauss does.
  double sum = 0.0, compensation = 0.0;  // Neumaier's compensated summation
  for (double weight : rule.weights) {
    const double t = sum + weight;
    compensation += std::fabs(sum) >= std::fabs(weight) ? (sum - t) + weight : (weight - t) + sum;
    sum = t;
  }
  const double scale = 1.0 / (sum + compensation);
  for (double& weight : rule.weights) weight *= scale;
  return rule;
}

}  // namespace

Method parse_method(std::string_view name) {
  for (Method method : all_methods)
    if (name == method_name(method)) return method;
  throw std::invalid_argument("unknown integration method '" + std::string(name) +
                              "'; expected one of " + known_method_names());
}

const char* method_name(Method method) {
  switch (method) {
    case Method::riemann_left: return "riemann_left";
    case Method::riemann_right: return "riemann_right";
    case Method::riemann_middle: return "riemann_middle";
    case Method::riemann_trapezoid: return "riemann_trapezoid";
    case Method::gausslegendre: return "gausslegendre";
  }
  throw std::invalid_argument("method_name: " + std::to_string(static_cast<int>(method)) +
                              " is not a Method");
}

QuadratureRule quadrature_rule(Method method, int n_steps) {
  switch (method) {
    case Method::riemann_left:
    case Method::riemann_right:
    case Method::riemann_middle:
      check_n_steps(n_steps, method_name(method));
      return riemann_rule(method, n_steps);
    case Method::riemann_trapezoid:
      check_trapezoid_n_steps(n_steps, "riemann_trapezoid");
      return riemann_rule(method, n_steps);
    case Method::gausslegendre:
      check_n_steps(n_steps, "gausslegendre");
      return gauss_legendre_rule(n_steps);
  }
  throw std::invalid_argument("quadrature_rule: " + std::to_string(static_cast<int>(method)) +
                              " is not a Method; expected one of " + known_method_names());
}

const QuadratureRule& cached_quadrature_rule(Method method, int n_steps) {
  // One rule per thread: thread_local needs no lock, and the last rule is what repeated calls ask
  // for.
  struct Memo {
    bool filled = false;
    Method method = Method::gausslegendre;
    int n_steps = 0;
    QuadratureRule rule;
  };
  thread_local Memo memo;
  if (!memo.filled || memo.method != method || memo.n_steps != n_steps) {
    memo.filled = false;  // stays empty if quadrature_rule throws
    memo.rule = quadrature_rule(method, n_steps);
    memo.method = method;
    memo.n_steps = n_steps;
    memo.filled = true;
  }
  return memo.rule;
}

QuadratureRule captum_riemann_trapezoid_rule(int n_steps) {
  check_trapezoid_n_steps(n_steps, "captum_riemann_trapezoid_rule");
  // The right nodes, with every weight 1/n instead of 1/(n - 1).
  QuadratureRule rule = riemann_rule(Method::riemann_trapezoid, n_steps);
  const double interior_weight = 1.0 / n_steps;
  rule.weights.assign(n_steps, interior_weight);
  rule.weights.front() = 0.5 * interior_weight;
  rule.weights.back() = 0.5 * interior_weight;
  return rule;
}

}  // namespace attribution
