#include "attribution/integrated_gradients.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>

#include "attribution/model_run.hpp"

namespace attribution {

IntegratedGradientsResult integrated_gradients(nn::Sequential& model, std::span<const double> input,
                                               std::span<const double> baseline, int n_steps,
                                               Method method) {
  return layer_integrated_gradients(model, nn::layer_input_name(0), input, baseline, n_steps,
                                    method);
}

IntegratedGradientsResult layer_integrated_gradients(nn::Sequential& model, std::string_view layer,
                                                     std::span<const double> input,
                                                     std::span<const double> baseline, int n_steps,
                                                     Method method) {
  check_same_length(input, baseline, "input", "baseline");
  // Cached: Gauss-Legendre's nodes cost O(n_steps^2) to compute, more than the integrand at 300+
  // steps; the memo makes IG's cost linear in n_steps when called repeatedly (make bench shows it).
  // A copy (O(n_steps)), so a hook that itself runs IG cannot change the rule under this loop.
  const QuadratureRule rule = cached_quadrature_rule(method, n_steps);  // rejects bad n_steps first
  const ModelRun at_input = run_model(model, layer, input);
  const ModelRun at_baseline = run_model(model, layer, baseline);

  // The points along the path go through the model as batches, as Captum batches them; a bounded
  // batch (Captum's internal_batch_size) keeps the tape small however many steps there are. The
  // sum runs over the steps in order either way, so the batch size cannot change a bit.
  constexpr std::size_t batch_size = 1024;
  const std::size_t width = at_input.activation.size(), steps = rule.alphas.size();
  std::vector<double> integral(width, 0.0);
  nn::Matrix<double> points;
  for (std::size_t first = 0; first < steps; first += batch_size) {
    const std::size_t rows = std::min(batch_size, steps - first);
    points.resize(rows, width);
    for (std::size_t k = 0; k < rows; ++k)
      for (std::size_t j = 0; j < width; ++j)
        points(k, j) =
            at_baseline.activation[j] +
            rule.alphas[first + k] * (at_input.activation[j] - at_baseline.activation[j]);
    const nn::Matrix<double> gradients = gradients_with_activation(model, layer, input, points);
    for (std::size_t k = 0; k < rows; ++k)
      for (std::size_t j = 0; j < width; ++j)
        integral[j] += rule.weights[first + k] * gradients(k, j);
  }

  IntegratedGradientsResult result;
  result.method = method;
  result.n_steps = n_steps;
  result.layer = std::string(layer);
  result.f_input = at_input.output;
  result.f_baseline = at_baseline.output;
  result.attributions.resize(width);
  double total = 0.0;
  for (std::size_t j = 0; j < width; ++j) {
    result.attributions[j] = (at_input.activation[j] - at_baseline.activation[j]) * integral[j];
    total += result.attributions[j];
  }
  result.convergence_delta = total - (result.f_input - result.f_baseline);
  return result;
}

std::vector<double> gradient_at(nn::Sequential& model, std::string_view layer,
                                std::span<const double> input) {
  const ModelRun run = run_model(model, layer, input);
  return gradient_with_activation(model, layer, input, run.activation);
}

}  // namespace attribution
