#include "attribution/subset_patching.hpp"

#include <stdexcept>

namespace attribution {

std::vector<ComponentSet> all_subsets(std::size_t n) {
  if (n > max_subset_components)
    throw std::invalid_argument("all_subsets: " + std::to_string(n) + " components; at most " +
                                std::to_string(max_subset_components) +
                                " (2^n - 1 runs) are patched in every combination");
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
