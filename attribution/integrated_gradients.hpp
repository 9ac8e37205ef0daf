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

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attribution/quadrature.hpp"
#include "nn/hooks.hpp"
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

// The attribution to each component of the activation named `layer` (see nn/hooks.hpp for names;
// the network's input by default), from the baseline to the input. Throws std::invalid_argument
// when input and baseline differ in length (naming both), for an unknown activation name (naming
// it and listing the valid ones), for a model whose output is not one number, and for the
// quadrature rule's errors (n_steps < 1 or above max_n_steps, riemann_trapezoid with one step);
// the model's shape errors pass through, and a layer that rewinds the tape under the run is a
// std::logic_error (see gradients_with_activation).
IntegratedGradientsResult integrated_gradients(nn::Sequential& model, std::span<const double> input,
                                               std::span<const double> baseline,
                                               int n_steps = default_n_steps,
                                               Method method = default_method,
                                               std::string_view layer = nn::model_input);

// The sum at the heart of integrated gradients, along the straight path from `start` to `end` in
// the activation named `layer`, the model run on `input` with that activation replaced:
//
//   attributions_j    = (end_j - start_j) * sum over k of weights[k] * df/da_j (p_k),
//                       p_k = start + alphas[k] (end - start)
//   convergence_delta = sum over j of attributions_j - (f_end - f_start)
//
// with f_start and f_end the model's output at the two ends, which every caller has already run.
// integrated_gradients walks it from the baseline's activation to the input's; chapter 10 walks it
// between any two points. Throws std::invalid_argument when start and end differ in length or do
// not have the activation's width, and for gradients_with_activation's errors.
struct PathAttributions {
  std::vector<double> attributions;
  double convergence_delta = 0.0;
};
PathAttributions path_attributions(nn::Sequential& model, std::string_view layer,
                                   std::span<const double> input, std::span<const double> start,
                                   std::span<const double> end, double f_start, double f_end,
                                   const QuadratureRule& rule);

// Each attribution as a share of the whole effect, attribution_i / (f(input) - f(baseline)); with
// completeness the shares add up to 1. std::nullopt when the gap is zero (gap_is_zero).
std::optional<std::vector<double>> ig_shares(const IntegratedGradientsResult& ig);

// Captum's LayerIntegratedGradients, with the layer first: integrated_gradients at `layer`.
inline IntegratedGradientsResult layer_integrated_gradients(nn::Sequential& model,
                                                            std::string_view layer,
                                                            std::span<const double> input,
                                                            std::span<const double> baseline,
                                                            int n_steps = default_n_steps,
                                                            Method method = default_method) {
  return integrated_gradients(model, input, baseline, n_steps, method, layer);
}

}  // namespace attribution
