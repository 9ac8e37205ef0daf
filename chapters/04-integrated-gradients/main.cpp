// Chapter 4 — integrated gradients, by Riemann sums and by Gauss–Legendre.
//
// This chapter adds integrated gradients: the gradient of the network's output, integrated along
// the straight path from a baseline input to the input, times the distance travelled in each input.
// It runs on the notebook's AND neuron, clean input [1, 1] against the corrupt baseline [0, 0].
// Look at the table of completeness errors: left and right Riemann sums shrink as 1/n, midpoint and
// trapezoid as 1/n^2, Gauss–Legendre reaches rounding by n = 10. Then look at the exact answer (the
// closed form for one neuron), at Captum's trapezoid weights missing by (n - 1)/n, at what changes
// with the baseline, and at the sign flip when input and baseline trade places.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "attribution/closed_form.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/quadrature.hpp"
#include "nn/gates.hpp"
#include "nn/network.hpp"

using attribution::Method;

namespace {

const std::vector<double> and_weights = {3.0482, 3.0556};
constexpr double and_bias = -4.7946;

const std::vector<Method> methods = {Method::riemann_left, Method::riemann_right,
                                     Method::riemann_middle, Method::riemann_trapezoid,
                                     Method::gausslegendre};

// The slope of the least-squares line through (log n, log error): the order of convergence.
double fitted_slope(const std::vector<int>& steps, const std::vector<double>& errors) {
  const double count = static_cast<double>(steps.size());
  double mean_x = 0.0, mean_y = 0.0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    mean_x += std::log(steps[i]) / count;
    mean_y += std::log(errors[i]) / count;
  }
  double covariance = 0.0, variance = 0.0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const double dx = std::log(steps[i]) - mean_x;
    covariance += dx * (std::log(errors[i]) - mean_y);
    variance += dx * dx;
  }
  return covariance / variance;
}

void print_pair(const char* label, const std::vector<double>& values) {
  std::printf("%-34s [%+.6f, %+.6f]\n", label, values[0], values[1]);
}

}  // namespace

int main() {
  autodiff::Tape tape;
  nn::Sequential model = nn::neuron(tape, and_weights, and_bias);
  const std::vector<double>& clean = nn::notebook_clean_input;
  const std::vector<double>& corrupt = nn::notebook_corrupt_input;

  std::printf("Chapter 4: integrated gradients\n\n");
  std::printf("The notebook's AND neuron, w = [%.4f, %.4f], b = %.4f.\n", and_weights[0],
              and_weights[1], and_bias);
  const auto exact =
      attribution::neuron_integrated_gradients(and_weights, and_bias, clean, corrupt);
  const auto reference = attribution::integrated_gradients(model, clean, corrupt);
  std::printf(
      "Input x = [1, 1], baseline x' = [0, 0]: f(x) = %.6f, f(x') = %.6f, f(x) - f(x') = %.6f\n",
      reference.f_input, reference.f_baseline, reference.f_input - reference.f_baseline);
  std::printf("Exact IG, IG_i = (x_i - x'_i) w_i (sigmoid(z1) - sigmoid(z0)) / (z1 - z0),\n");
  std::printf("with z1 = w.x + b = %.4f and z0 = w.x' + b = %.4f:\n",
              and_weights[0] + and_weights[1] + and_bias, and_bias);
  print_pair("Exact IG (closed form):", exact);
  std::printf("\n");

  std::printf("Completeness error |sum of IG - (f(x) - f(x'))| against n_steps:\n");
  const std::vector<int> steps = {1, 2, 5, 10, 20, 50, 100, 300};
  std::printf("%-18s", "n_steps");
  for (int n : steps) std::printf(" %9d", n);
  std::printf("   slope\n");
  for (Method method : methods) {
    std::printf("%-18s", attribution::method_name(method));
    std::vector<int> fit_steps;
    std::vector<double> fit_errors;
    for (int n : steps) {
      if (method == Method::riemann_trapezoid && n == 1) {
        std::printf(" %9s", "-");
        continue;
      }
      const double error = std::fabs(
          attribution::integrated_gradients(model, clean, corrupt, n, method).convergence_delta);
      std::printf(" %9.2e", error);
      if (n >= 10) {
        fit_steps.push_back(n);
        fit_errors.push_back(error);
      }
    }
    if (method == Method::gausslegendre)
      std::printf("   (rounding)\n");
    else
      std::printf("   %+.2f\n", fitted_slope(fit_steps, fit_errors));
  }
  std::printf("(slope: of log error against log n over n = 10 .. 300; -1 is 1/n, -2 is 1/n^2)\n\n");

  std::printf("Attributions against the exact values, n_steps = 50:\n");
  for (Method method : methods) {
    const auto ig = attribution::integrated_gradients(model, clean, corrupt, 50, method);
    std::printf("%-18s [%.9f, %.9f]  error %.1e\n", attribution::method_name(method),
                ig.attributions[0], ig.attributions[1],
                std::fmax(std::fabs(ig.attributions[0] - exact[0]),
                          std::fabs(ig.attributions[1] - exact[1])));
  }
  std::printf("\n");

  std::printf("Captum 0.8's riemann_trapezoid weighs each node 1/n instead of 1/(n - 1):\n");
  std::printf("%-8s %14s %14s %10s\n", "n_steps", "sum, correct", "sum, Captum", "ratio");
  for (int n : {2, 10, 50}) {
    const auto rule = attribution::quadrature_rule(Method::riemann_trapezoid, n);
    const auto captum = attribution::captum_riemann_trapezoid_rule(n);
    double correct_sum = 0.0, captum_sum = 0.0;
    for (std::size_t k = 0; k < rule.weights.size(); ++k) {
      correct_sum += rule.weights[k];
      captum_sum += captum.weights[k];
    }
    std::printf("%-8d %14.6f %14.6f %10.6f = (n - 1)/n\n", n, correct_sum, captum_sum,
                captum_sum / correct_sum);
  }
  std::printf(
      "so Captum's trapezoid attributions are (n - 1)/n of the right ones: 2%% short at n = "
      "50.\n\n");

  std::printf("The baseline is part of the question:\n");
  const std::vector<double> zero = {0.0, 0.0}, one_zero = {1.0, 0.0}, zero_one = {0.0, 1.0};
  print_pair("x = [1, 1], zero baseline:",
             attribution::integrated_gradients(model, clean, zero).attributions);
  print_pair("x = [1, 1], corrupt [0, 0]:", reference.attributions);
  print_pair("x = [1, 0], zero baseline:",
             attribution::integrated_gradients(model, one_zero, zero).attributions);
  print_pair("x = [1, 0], baseline [0, 1]:",
             attribution::integrated_gradients(model, one_zero, zero_one).attributions);
  std::printf(
      "(the notebook's corrupt input is the zero vector, so there the two agree; against\n");
  std::printf(" [0, 1] the second input is credited with what moving it away from 1 did)\n\n");

  std::printf("Swapping input and baseline flips every sign:\n");
  print_pair("input [1, 1], baseline [0, 0]:", reference.attributions);
  print_pair("input [0, 0], baseline [1, 1]:",
             attribution::integrated_gradients(model, corrupt, clean).attributions);
  return 0;
}
