// Integrated gradients (Sundararajan, Taly and Yan, 2017), as Captum computes it.
//
//   IG_i = (x_i - x'_i) * integral over a in [0, 1] of df/dx_i (x' + a (x - x')) da
//        ~ (x_i - x'_i) * sum over k of weights[k] * df/dx_i (x' + alphas[k] (x - x'))
//
// with the rule's nodes and weights from quadrature.hpp. The attributions add up to
// f(x) - f(x') exactly when the integral is exact (completeness); convergence_delta is how far the
// rule's sum misses it.
//
// Layer integrated gradients takes the same integral at any named activation of the network
// instead of its input (Captum's LayerIntegratedGradients with multiply_by_inputs=True): the
// activation a is interpolated between its values in the baseline run and in the input run, the
// rest of the network runs from there, and the gradient is taken with respect to a. At
// "layer_0.input" it is plain integrated gradients.
//
// The model must give one number per row (a 1-column output); the input and baseline are one row
// each. The tape is left as it was found, and so are the parameters' gradients.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attribution/quadrature.hpp"
#include "nn/sequential.hpp"

namespace attribution {

struct IntegratedGradientsResult {
  Method method = default_method;
  int n_steps = default_n_steps;
  std::string layer;                 // the activation attributed to, "layer_0.input" for plain IG
  std::vector<double> attributions;  // one per component of that activation
  double convergence_delta = 0.0;    // sum(attributions) - (f_input - f_baseline)
  double f_input = 0.0, f_baseline = 0.0;  // the model's output at the input and at the baseline
};

// Throws std::invalid_argument when input and baseline differ in length (naming both), for a
// model whose output is not one number, and for the quadrature rule's errors (n_steps < 1 or above
// max_n_steps, riemann_trapezoid with one step); the model's shape errors pass through.
IntegratedGradientsResult integrated_gradients(nn::Sequential& model, std::span<const double> input,
                                               std::span<const double> baseline,
                                               int n_steps = default_n_steps,
                                               Method method = default_method);

// The same at a named activation (see nn/hooks.hpp for names); an unknown name throws
// std::invalid_argument naming it and listing the valid ones.
IntegratedGradientsResult layer_integrated_gradients(nn::Sequential& model, std::string_view layer,
                                                     std::span<const double> input,
                                                     std::span<const double> baseline,
                                                     int n_steps = default_n_steps,
                                                     Method method = default_method);

// The gradient of the output with respect to a named activation, at one input: the integrand of
// layer integrated gradients at a single point.
std::vector<double> gradient_at(nn::Sequential& model, std::string_view layer,
                                std::span<const double> input);

}  // namespace attribution
