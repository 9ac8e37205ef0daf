// Every set of components at once: what patching one component at a time cannot see.
//
// For an AND of n inputs, switching on one input of the corrupt run recovers almost nothing,
// switching on all n recovers everything, and what lies between is the question. Give these sets
// to activation_patching (activation_patching.hpp), which patches each set's components together:
//
//   score_S = (f(base) - f(base with every component in S from source)) / (f(base) - f(source))
//
// The full set always scores exactly 1 (the patched run *is* the source run); the empty set, 0, is
// left out.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attribution/activation_patching.hpp"

namespace attribution {

// 2^n - 1 sets for n components: enough for every layer in this tutorial (n <= 3), and a guard
// against asking for 2^40 runs by mistake.
inline constexpr std::size_t max_subset_components = 10;

// Every non-empty subset of {0, ..., n-1}, by size, then lexicographically: {0}, {1}, {2}, {0, 1},
// {0, 2}, {1, 2}, {0, 1, 2}. Throws std::invalid_argument for n above max_subset_components.
std::vector<ComponentSet> all_subsets(std::size_t n);

// How many components it takes: the size of the smallest set in result.sets whose score is at
// least `fraction` of the whole effect (0.5: half of it), or std::nullopt when there are no
// scores (a zero gap) or no set reaches the fraction. The sets may come in any order; patched over
// all_subsets(n), every size is tried. For AND3's neuron (chapter 8) half the effect takes one
// input by noising, all three by denoising. Throws std::invalid_argument for a NaN fraction, or
// for scores that are not one per set.
std::optional<std::size_t> components_needed(const PatchingResult& result, double fraction);

// "{0, 2}"; with names given, "{h1, h3}" (names[i] for component i).
std::string subset_text(std::span<const std::size_t> components,
                        std::span<const std::string> names = {});

}  // namespace attribution
