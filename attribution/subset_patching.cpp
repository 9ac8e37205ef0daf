#include "attribution/subset_patching.hpp"

#include <stdexcept>

#include "attribution/activation_patching.hpp"
#include "attribution/model_run.hpp"

namespace attribution {

namespace {

// Every non-empty subset of {0, ..., n-1}, by size, then lexicographically.
std::vector<std::vector<std::size_t>> all_subsets(std::size_t n) {
  std::vector<std::vector<std::size_t>> subsets;
  for (std::size_t size = 1; size <= n; ++size) {
    // The first `size` components, then the next combination each time round.
    std::vector<std::size_t> combination(size);
    for (std::size_t i = 0; i < size; ++i) combination[i] = i;
    while (true) {
      subsets.push_back(combination);
      std::size_t i = size;
      while (i > 0 && combination[i - 1] == n - size + (i - 1)) --i;
      if (i == 0) break;
      ++combination[i - 1];
      for (std::size_t j = i; j < size; ++j) combination[j] = combination[j - 1] + 1;
    }
  }
  return subsets;
}

double patched_output(nn::Sequential& model, std::string_view layer, std::span<const double> base,
                      const ModelRun& base_run, const ModelRun& source_run,
                      std::span<const std::size_t> components) {
  std::vector<double> patched = base_run.activation;
  for (std::size_t component : components) {
    if (component >= patched.size())
      throw std::invalid_argument("component " + std::to_string(component) + " of " +
                                  std::string(layer) + ", which has " +
                                  std::to_string(patched.size()) + " components");
    patched[component] = source_run.activation[component];
  }
  return output_with_activation(model, layer, base, patched);
}

}  // namespace

std::string subset_text(std::span<const std::size_t> components,
                        std::span<const std::string> names) {
  std::string text = "{";
  for (std::size_t k = 0; k < components.size(); ++k) {
    if (k > 0) text += ", ";
    text += components[k] < names.size() ? names[components[k]] : std::to_string(components[k]);
  }
  return text + "}";
}

double output_with_components(nn::Sequential& model, std::string_view layer,
                              std::span<const double> base, std::span<const double> source,
                              std::span<const std::size_t> components) {
  check_same_length(base, source, "base", "source");
  return patched_output(model, layer, base, run_model(model, layer, base),
                        run_model(model, layer, source), components);
}

SubsetPatchingResult subset_patching(nn::Sequential& model, std::string_view layer,
                                     std::span<const double> base, std::span<const double> source) {
  check_same_length(base, source, "base", "source");
  const ModelRun base_run = run_model(model, layer, base);
  const ModelRun source_run = run_model(model, layer, source);
  const std::size_t width = base_run.activation.size();
  if (width > max_subset_components)
    throw std::invalid_argument("subset_patching: " + std::string(layer) + " has " +
                                std::to_string(width) + " components; at most " +
                                std::to_string(max_subset_components) +
                                " (2^n - 1 runs) are patched in every combination");

  SubsetPatchingResult result;
  result.layer = std::string(layer);
  result.f_base = base_run.output;
  result.f_source = source_run.output;
  const bool defined = !gap_is_zero(result.f_base, result.f_source);
  const double gap = result.f_base - result.f_source;
  for (std::vector<std::size_t>& components : all_subsets(width)) {
    SubsetPatch patch;
    patch.difference =
        result.f_base - patched_output(model, layer, base, base_run, source_run, components);
    if (defined) patch.score = patch.difference / gap;
    patch.components = std::move(components);
    result.subsets.push_back(std::move(patch));
  }
  return result;
}

TwoWaySubsetPatching subset_patching_both_directions(nn::Sequential& model, std::string_view layer,
                                                     std::span<const double> clean,
                                                     std::span<const double> corrupt) {
  return {subset_patching(model, layer, corrupt, clean),
          subset_patching(model, layer, clean, corrupt)};
}

}  // namespace attribution
