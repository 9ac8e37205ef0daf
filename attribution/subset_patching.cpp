#include "attribution/subset_patching.hpp"

#include <cmath>
#include <stdexcept>

namespace attribution {

std::vector<ComponentSet> all_subsets(std::size_t n) {
  if (n > max_subset_components)
    throw std::invalid_argument("all_subsets: " + std::to_string(n) + " components; at most " +
                                std::to_string(max_subset_components) +
                                " (2^n - 1 runs) are patched in every combination");
  // BEGIN EXERCISE 8.1
  std::vector<ComponentSet> subsets;
  for (std::size_t size = 1; size <= n; ++size) {
    // The first `size` components, then the next combination each time round.
    ComponentSet combination(size);
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
  // END EXERCISE 8.1
}

std::optional<std::size_t> components_needed(const PatchingResult& result, double fraction) {
  if (std::isnan(fraction)) throw std::invalid_argument("components_needed: the fraction is NaN");
  if (result.scores && result.scores->size() != result.sets.size())
    throw std::invalid_argument("components_needed: " + std::to_string(result.scores->size()) +
                                " scores for " + std::to_string(result.sets.size()) + " sets");
  // BEGIN EXERCISE 8.2
  if (!result.scores) return std::nullopt;
  std::optional<std::size_t> needed;
  for (std::size_t k = 0; k < result.sets.size(); ++k)
    if ((*result.scores)[k] >= fraction && (!needed || result.sets[k].size() < *needed))
      needed = result.sets[k].size();
  return needed;
  // END EXERCISE 8.2
}

std::string subset_text(std::span<const std::size_t> components,
                        std::span<const std::string> names) {
  std::string text = "{";
  for (std::size_t k = 0; k < components.size(); ++k) {
    if (k > 0) text += ", ";
    text += components[k] < names.size() ? names[components[k]] : std::to_string(components[k]);
  }
  return text + "}";
}

}  // namespace attribution
