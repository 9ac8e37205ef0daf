// Quadrature rules on [0, 1]: where integrated gradients evaluates the gradient, and with what
// weight.
//
// Integrated gradients needs, for each input i, the integral over a in [0, 1] of
// df/dx_i(x' + a (x - x')), times (x_i - x'_i). A rule approximates that integral by
//   sum over k of weights[k] * gradient at alphas[k],
// and is nothing but those two lists. Names and defaults are Captum's (n_steps = 50,
// gausslegendre):
//
//   riemann_left       alphas k/n,         k = 0 .. n-1, weights 1/n           error O(1/n)
//   riemann_right      alphas (k+1)/n,                   weights 1/n           error O(1/n)
//   riemann_middle     alphas (k+1/2)/n,                 weights 1/n           error O(1/n^2)
//   riemann_trapezoid  alphas k/(n-1),                   weights 1/(n-1),      error O(1/n^2)
//                                                         both ends halved      (needs n >= 2)
//   gausslegendre      the n roots of the Legendre polynomial P_n, mapped from [-1, 1] to [0, 1],
//                      with their Christoffel weights: exact for polynomials of degree <= 2n - 1.
//
// Every rule's weights sum to 1 (up to rounding), so a constant gradient is integrated exactly.
// Alphas come in ascending order.
//
// Two deliberate differences from Captum 0.8:
//  - Captum gives riemann_trapezoid the weights 1/n, ends halved, which sum to (n-1)/n: every
//    attribution is scaled down by the factor (n-1)/n. quadrature_rule computes the correct
//    rule; captum_riemann_trapezoid_rule reproduces Captum's, to show the difference.
//  - Captum refuses n_steps = 1 for every Riemann rule. Here only riemann_trapezoid does, because
//    only it is undefined there (its two ends would be the same one node).
// Captum also rounds alphas and weights to float32 (errors near 1e-8); these are doubles
// throughout.
#pragma once

#include <string_view>
#include <vector>

namespace attribution {

enum class Method { riemann_left, riemann_right, riemann_middle, riemann_trapezoid, gausslegendre };

inline constexpr int default_n_steps = 50;
inline constexpr Method default_method = Method::gausslegendre;
// gausslegendre's nodes cost O(n_steps^2) to compute (make bench measures it); no integrand met
// in attribution needs anywhere near this many points.
inline constexpr int max_n_steps = 100000;

// Captum's spelling of each method ("riemann_left", ..., "gausslegendre"), case-sensitive.
// Throws std::invalid_argument naming the unknown name and listing the known ones.
Method parse_method(std::string_view name);
// The inverse of parse_method. Throws std::invalid_argument for a value outside the enum.
const char* method_name(Method method);

struct QuadratureRule {
  std::vector<double> alphas;   // nodes in [0, 1], ascending
  std::vector<double> weights;  // one per node
};

// The n_steps-point rule of the given method.
// Throws std::invalid_argument when n_steps < 1 or n_steps > max_n_steps, when method is
// riemann_trapezoid and n_steps == 1, or when method is not one of the enum's values.
//
// gausslegendre is computed, not tabulated: Newton's method on P_n, evaluated with the three-term
// recurrence, from Tricomi's estimate of each root. Every node and weight is within 1e-16
// (absolute) of the exact one: checked against a 40-digit computation up to n_steps = 2000 and
// against the same algorithm in 80-bit long double up to max_n_steps. The smallest weights, near
// the ends, are tiny (4e-10 at n = 1e5), so their relative error is larger (5e-14 at n = 50,
// 1e-7 at n = 1e5): the limit of holding the Legendre node x in a double. Mirror nodes alpha and
// 1 - alpha get the same weight, and g++ and clang++ give the same bits at any optimisation.
QuadratureRule quadrature_rule(Method method, int n_steps);
// The same, by Captum's name of the method (parse_method's errors, then quadrature_rule's).
inline QuadratureRule quadrature_rule(std::string_view method, int n_steps) {
  return quadrature_rule(parse_method(method), n_steps);
}

// The same rule as quadrature_rule(method, n_steps), remembered: each thread keeps the last rule it
// asked for, so integrated gradients called again and again with the same (method, n_steps) (a
// benchmark, a sweep over inputs) does not recompute Gauss-Legendre's O(n_steps^2) nodes every
// time. The reference stays valid until this thread next calls cached_quadrature_rule. Thread-safe:
// the memo is thread_local, so threads never share it. Throws as quadrature_rule does.
const QuadratureRule& cached_quadrature_rule(Method method, int n_steps);

// Captum 0.8's riemann_trapezoid, for comparison only: alphas k/(n-1) as above, but weights 1/n
// with both ends halved, which sum to (n-1)/n. Same errors as quadrature_rule.
QuadratureRule captum_riemann_trapezoid_rule(int n_steps);

}  // namespace attribution
