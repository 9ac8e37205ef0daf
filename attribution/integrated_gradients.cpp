#include "attribution/integrated_gradients.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "attribution/model_run.hpp"

namespace attribution {

PathAttributions path_attributions(nn::Sequential& model, std::string_view layer,
                                   std::span<const double> input, std::span<const double> start,
                                   std::span<const double> end, double f_start, double f_end,
                                   const QuadratureRule& rule) {
  check_same_length(start, end, "start", "end");
  const std::size_t width = start.size();
  // The integral of the gradient along the path, sum over k of weights[k] * df/da at
  // start + alphas[k] (end - start). The points go through the model in batches of rows, as Captum
  // batches them (its internal_batch_size), one backward per batch; the sum runs over the steps in
  // order either way, so the batch size cannot change a bit.
  std::vector<double> integral(width, 0.0);
  // BEGIN EXERCISE 4.2 [model, layer, input, start, end, rule, integral]
  constexpr std::size_t batch_size = 1024;
  const std::size_t steps = rule.alphas.size();
  nn::Matrix<double> points;
  for (std::size_t first = 0; first < steps; first += batch_size) {
    const std::size_t rows = std::min(batch_size, steps - first);
    points.resize(rows, width);
    for (std::size_t k = 0; k < rows; ++k)
      for (std::size_t j = 0; j < width; ++j)
        points(k, j) = start[j] + rule.alphas[first + k] * (end[j] - start[j]);
    const nn::Matrix<double> gradients = gradients_with_activation(model, layer, input, points);
    for (std::size_t k = 0; k < rows; ++k)
      for (std::size_t j = 0; j < width; ++j)
        integral[j] += rule.weights[first + k] * gradients(k, j);
  }
  // END EXERCISE 4.2

  // Each component's attribution is the distance it travels times its mean gradient. Completeness:
  // they add up to f_end - f_start, and the convergence delta is what the rule misses by.
  PathAttributions result;
  // BEGIN EXERCISE 4.3 [start, end, f_start, f_end, integral]
  result.attributions.resize(width);
  double total = 0.0;
  for (std::size_t j = 0; j < width; ++j) {
    result.attributions[j] = (end[j] - start[j]) * integral[j];
    total += result.attributions[j];
  }
  result.convergence_delta = total - (f_end - f_start);
  // END EXERCISE 4.3
  return result;
}

IntegratedGradientsResult integrated_gradients(nn::Sequential& model, std::span<const double> input,
                                               std::span<const double> baseline, int n_steps,
                                               Method method, std::string_view layer) {
  check_same_length(input, baseline, "input", "baseline");
  // The rule's nodes alphas[k] on [0, 1] and their weights. Cached because Gauss-Legendre's nodes
  // cost O(n_steps^2); copied so that a hook that itself runs IG cannot change it under this loop.
  const QuadratureRule rule = cached_quadrature_rule(method, n_steps);  // rejects bad n_steps first

  // The two ends of the straight path: the activation, a at the input and a' at the baseline.
  const ModelRun at_input = run_model(model, layer, input);
  const ModelRun at_baseline = run_model(model, layer, baseline);
  PathAttributions path =
      path_attributions(model, layer, input, at_baseline.activation, at_input.activation,
                        at_baseline.output, at_input.output, rule);
  IntegratedGradientsResult result;
  result.method = method;
  result.n_steps = n_steps;
  result.layer = std::string(layer);
  result.attributions = std::move(path.attributions);
  result.convergence_delta = path.convergence_delta;
  result.f_input = at_input.output;
  result.f_baseline = at_baseline.output;
  return result;
}

std::optional<std::vector<double>> ig_shares(const IntegratedGradientsResult& ig) {
  if (gap_is_zero(ig.f_input, ig.f_baseline)) return std::nullopt;
  const double gap = ig.f_input - ig.f_baseline;
  std::vector<double> shares;
  for (double attribution : ig.attributions) shares.push_back(attribution / gap);
  return shares;
}

}  // namespace attribution
