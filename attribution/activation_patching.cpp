#include "attribution/activation_patching.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "attribution/integrated_gradients.hpp"
#include "attribution/model_run.hpp"

namespace attribution {

bool gap_is_zero(double f_a, double f_b) {
  const double scale = std::max({1.0, std::fabs(f_a), std::fabs(f_b)});
  return std::fabs(f_a - f_b) <= gap_tolerance * scale;
}

PatchingResult activation_patching(nn::Sequential& model, std::string_view layer,
                                   std::span<const double> base, std::span<const double> source) {
  check_same_length(base, source, "base", "source");
  const ModelRun base_run = run_model(model, layer, base);
  const ModelRun source_run = run_model(model, layer, source);

  PatchingResult result;
  result.layer = std::string(layer);
  result.f_base = base_run.output;
  result.f_source = source_run.output;
  std::vector<double> patched = base_run.activation;
  for (std::size_t i = 0; i < patched.size(); ++i) {
    patched[i] = source_run.activation[i];
    result.differences.push_back(result.f_base -
                                 output_with_activation(model, layer, base, patched));
    patched[i] = base_run.activation[i];
  }
  if (!gap_is_zero(result.f_base, result.f_source)) {
    const double gap = result.f_base - result.f_source;
    std::vector<double> scores;
    for (double difference : result.differences) scores.push_back(difference / gap);
    result.scores = std::move(scores);
  }
  return result;
}

TwoWayPatching patch_both_directions(nn::Sequential& model, std::string_view layer,
                                     std::span<const double> clean,
                                     std::span<const double> corrupt) {
  return {activation_patching(model, layer, corrupt, clean),
          activation_patching(model, layer, clean, corrupt)};
}

std::vector<double> attribution_patching(nn::Sequential& model, std::string_view layer,
                                         std::span<const double> base,
                                         std::span<const double> source) {
  check_same_length(base, source, "base", "source");
  const ModelRun base_run = run_model(model, layer, base);
  const ModelRun source_run = run_model(model, layer, source);
  const std::vector<double> gradient = gradient_at(model, layer, base);
  std::vector<double> estimate(gradient.size());
  for (std::size_t i = 0; i < gradient.size(); ++i)
    estimate[i] = gradient[i] * (source_run.activation[i] - base_run.activation[i]);
  return estimate;
}

}  // namespace attribution
