#include "attribution/split_ig.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "attribution/model_run.hpp"

namespace attribution {

IntegratedGradientsSteps integrated_gradients_steps(nn::Sequential& model, std::string_view layer,
                                                    std::span<const double> input,
                                                    std::span<const double> baseline_activation,
                                                    int n_steps, Method method) {
  const QuadratureRule rule = cached_quadrature_rule(method, n_steps);
  const ModelRun at_input = run_model(model, layer, input);
  const std::vector<double>& a = at_input.activation;
  check_same_length(a, baseline_activation, "the layer's activation", "baseline_activation");
  const std::size_t width = a.size(), steps = rule.alphas.size();
  nn::Matrix<double> points(steps, width);
  for (std::size_t k = 0; k < steps; ++k)
    for (std::size_t j = 0; j < width; ++j)
      points(k, j) = baseline_activation[j] + rule.alphas[k] * (a[j] - baseline_activation[j]);
  const nn::Matrix<double> gradients = gradients_with_activation(model, layer, input, points);

  IntegratedGradientsSteps result;
  result.alphas = rule.alphas;
  result.f_input = at_input.output;
  result.f_baseline = output_with_activation(model, layer, input, baseline_activation);
  result.attributions.assign(width, 0.0);
  for (std::size_t k = 0; k < steps; ++k) {
    result.outputs.push_back(output_with_activation(model, layer, input, points.row(k)));
    std::vector<double> terms(width);
    for (std::size_t j = 0; j < width; ++j) {
      terms[j] = rule.weights[k] * gradients(k, j) * (a[j] - baseline_activation[j]);
      result.attributions[j] += terms[j];
    }
    result.terms.push_back(std::move(terms));
  }
  double total = 0.0;
  for (double attribution : result.attributions) total += attribution;
  result.convergence_delta = total - (result.f_input - result.f_baseline);
  return result;
}

SplitIntegratedGradients split_integrated_gradients(const IntegratedGradientsSteps& steps,
                                                    double ratio) {
  if (!(ratio >= 0.0 && ratio <= 1.0))
    throw std::invalid_argument("split_integrated_gradients: the ratio " + std::to_string(ratio) +
                                " is not in [0, 1]");
  const std::vector<double>& f = steps.outputs;
  if (f.empty() || steps.terms.size() != f.size())
    throw std::invalid_argument("split_integrated_gradients: no steps");
  const auto lowest = std::min_element(f.begin(), f.end());
  const auto highest = std::max_element(f.begin(), f.end());
  SplitIntegratedGradients split;
  split.ratio = ratio;
  split.threshold = *lowest + ratio * (*highest - *lowest);
  split.reversed = highest < lowest;
  const std::size_t n = f.size(), width = steps.attributions.size();
  split.left.assign(width, 0.0);
  split.right.assign(width, 0.0);
  bool crossed = false;
  for (std::size_t s = 0; s < n; ++s) {
    const std::size_t k = split.reversed ? n - 1 - s : s;
    crossed = crossed || f[k] > split.threshold;
    if (!crossed) ++split.left_steps;
    std::vector<double>& part = crossed ? split.right : split.left;
    for (std::size_t j = 0; j < width; ++j) part[j] += steps.terms[k][j];
  }
  return split;
}

}  // namespace attribution
