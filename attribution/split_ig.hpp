// Integrated gradients step by step, from any baseline activation, and the study's split IG.
//
// integrated_gradients_steps walks the straight path a' + alpha (a - a') at a named activation,
// where a is the activation on the input and a' is given directly (the corrupt run's activation,
// or zeros: a zero baseline *at the layer*), and keeps every node's output and weighted terms:
//   term[k][j] = weights[k] * df/da_j (a' + alphas[k] (a - a')) * (a_j - a'_j)
// Summed over k they are layer IG; with a' the activation on a baseline input they are exactly
// attribution::integrated_gradients at that layer. The rest of the network runs on the input, as
// Captum's LayerIntegratedGradients runs it: only the layer is moved along the path. (A network
// where the input also reaches the output past the layer would see the input's context there.)
//
// Split IG (the study's split_ig.py) keeps only the part of the path before the output has risen
// most of the way: with the node outputs f_k,
//   threshold = min_k f_k + ratio (max_k f_k - min_k f_k)
// the scan starts at the end where the output is smallest (the path is read backwards when the
// maximum comes before the minimum), and `left` sums the terms of the nodes before the first one
// whose output is above the threshold; `right` the rest. ratio = 1 keeps every node: IG itself.
// The idea is that saturation, where the output has stopped moving, hides a component's effect.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "attribution/quadrature.hpp"
#include "nn/sequential.hpp"

namespace attribution {

struct IntegratedGradientsSteps {
  std::vector<double> alphas, outputs;     // each node, and the output there
  std::vector<std::vector<double>> terms;  // terms[k][j], above
  std::vector<double> attributions;        // sum over k of terms[k][j]
  double f_input = 0.0, f_baseline = 0.0;  // the output with the activation at a and at a'
  double convergence_delta = 0.0;          // sum of attributions - (f_input - f_baseline)
};

// Throws std::invalid_argument when baseline_activation is not one value per component of the
// layer, and for integrated_gradients' errors (an unknown layer, a bad n_steps).
IntegratedGradientsSteps integrated_gradients_steps(nn::Sequential& model, std::string_view layer,
                                                    std::span<const double> input,
                                                    std::span<const double> baseline_activation,
                                                    int n_steps = default_n_steps,
                                                    Method method = default_method);

struct SplitIntegratedGradients {
  double ratio = 0.0, threshold = 0.0;
  bool reversed = false;            // the scan ran from alpha = 1 down (the maximum came first)
  std::size_t left_steps = 0;       // how many nodes the left part sums
  std::vector<double> left, right;  // per component; left + right = the attributions
};

// Throws std::invalid_argument for a ratio outside [0, 1] (NaN included) or no steps.
SplitIntegratedGradients split_integrated_gradients(const IntegratedGradientsSteps& steps,
                                                    double ratio);

}  // namespace attribution
