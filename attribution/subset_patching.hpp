// Activation patching of a *set* of components at once, for every set.
//
// Patching one component at a time (activation_patching.hpp) cannot see components that only
// matter together: for an AND of n inputs, switching on one input of the corrupt run recovers
// almost nothing, switching on all n recovers everything, and what lies between is the question.
// Here the components in a set S all take their values from the source run at once:
//
//   score_S = (f(base) - f(base with every component in S from source)) / (f(base) - f(source))
//
// The full set always scores exactly 1 (the patched run *is* the source run), the empty set 0; it
// is left out. Sets come in order of size, then lexicographically: {0}, {1}, {2}, {0, 1}, {0, 2},
// {1, 2}, {0, 1, 2}. As for single components, scores are std::nullopt when the gap is zero.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nn/sequential.hpp"

namespace attribution {

// 2^n - 1 runs for n components: enough for every layer in this tutorial (n <= 3), and a guard
// against asking for 2^40 runs by mistake.
inline constexpr std::size_t max_subset_components = 10;

struct SubsetPatch {
  std::vector<std::size_t> components;  // ascending
  double difference = 0.0;              // f(base) - f(base with the set from source)
  std::optional<double> score;          // difference / (f(base) - f(source))
};

struct SubsetPatchingResult {
  std::string layer;
  double f_base = 0.0, f_source = 0.0;
  std::vector<SubsetPatch> subsets;  // every non-empty set, in the order above
};

// "{0, 2}"; with names given, "{h1, h3}" (names[i] for component i).
std::string subset_text(std::span<const std::size_t> components,
                        std::span<const std::string> names = {});

// f(base with the given components of the named activation from source). Throws
// std::invalid_argument when base and source differ in length, for an unknown activation name, a
// model whose output is not one number, or a component out of range (naming it and the width).
double output_with_components(nn::Sequential& model, std::string_view layer,
                              std::span<const double> base, std::span<const double> source,
                              std::span<const std::size_t> components);

// Every non-empty set of the activation's components. The same errors as activation_patching,
// and std::invalid_argument for an activation wider than max_subset_components.
SubsetPatchingResult subset_patching(nn::Sequential& model, std::string_view layer,
                                     std::span<const double> base, std::span<const double> source);

struct TwoWaySubsetPatching {
  SubsetPatchingResult denoising;  // base = corrupt, source = clean
  SubsetPatchingResult noising;    // base = clean, source = corrupt
};
TwoWaySubsetPatching subset_patching_both_directions(nn::Sequential& model, std::string_view layer,
                                                     std::span<const double> clean,
                                                     std::span<const double> corrupt);

}  // namespace attribution
