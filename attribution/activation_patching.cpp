#include "attribution/activation_patching.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "attribution/model_run.hpp"

namespace attribution {

PatchingResult activation_patching(nn::Sequential& model, std::string_view layer,
                                   std::span<const double> base, std::span<const double> source,
                                   std::span<const ComponentSet> sets) {
  check_same_length(base, source, "base", "source");
  const ModelRun base_run = run_model(model, layer, base);
  const ModelRun source_run = run_model(model, layer, source);
  const std::size_t width = base_run.activation.size();

  PatchingResult result;
  result.layer = std::string(layer);
  result.f_base = base_run.output;
  result.f_source = source_run.output;
  if (sets.empty())
    for (std::size_t i = 0; i < width; ++i) result.sets.push_back({i});
  else
    result.sets.assign(sets.begin(), sets.end());
  // BEGIN EXERCISE 5.1
  for (const ComponentSet& set : result.sets) {
    std::vector<double> patched = base_run.activation;
    for (std::size_t i : set) {
      if (i >= width)
        throw std::invalid_argument("component " + std::to_string(i) + " of " + std::string(layer) +
                                    ", which has " + std::to_string(width) + " components");
      patched[i] = source_run.activation[i];
    }
    result.differences.push_back(result.f_base -
                                 output_with_activation(model, layer, base, patched));
  }
  // END EXERCISE 5.1
  // BEGIN EXERCISE 5.2
  if (!gap_is_zero(result.f_base, result.f_source)) {
    const double gap = result.f_base - result.f_source;
    std::vector<double> scores;
    for (double difference : result.differences) scores.push_back(difference / gap);
    result.scores = std::move(scores);
  }
  // END EXERCISE 5.2
  return result;
}

TwoWayPatching patch_both_directions(nn::Sequential& model, std::string_view layer,
                                     std::span<const double> clean, std::span<const double> corrupt,
                                     std::span<const ComponentSet> sets) {
  return {activation_patching(model, layer, corrupt, clean, sets),
          activation_patching(model, layer, clean, corrupt, sets)};
}

std::vector<double> attribution_patching(nn::Sequential& model, std::string_view layer,
                                         std::span<const double> base,
                                         std::span<const double> source) {
  check_same_length(base, source, "base", "source");
  const ModelRun base_run = run_model(model, layer, base);
  const ModelRun source_run = run_model(model, layer, source);
  const std::size_t width = base_run.activation.size();
  std::vector<double> estimate(width);
  // BEGIN EXERCISE 5.3 [source_run]
  nn::Matrix<double> at_base(1, width);
  for (std::size_t i = 0; i < width; ++i) at_base(0, i) = base_run.activation[i];
  const nn::Matrix<double> gradient = gradients_with_activation(model, layer, base, at_base);
  for (std::size_t i = 0; i < estimate.size(); ++i)
    estimate[i] = gradient(0, i) * (base_run.activation[i] - source_run.activation[i]) + 0.0;
  // END EXERCISE 5.3
  return estimate;
}

std::vector<std::optional<double>> asymmetry(const TwoWayPatching& patching) {
  const std::size_t n = patching.noising.differences.size();
  std::vector<std::optional<double>> result(n);
  if (!patching.noising.scores || !patching.denoising.scores) return result;
  for (std::size_t i = 0; i < n; ++i) {
    const double noising = (*patching.noising.scores)[i];
    const double denoising = (*patching.denoising.scores)[i];
    const double largest = std::max(std::fabs(noising), std::fabs(denoising));
    if (largest >= asymmetry_floor) result[i] = (noising - denoising) / largest;
  }
  return result;
}

}  // namespace attribution
