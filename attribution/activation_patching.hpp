// Activation patching, in both directions.
//
// Run the model on a base input, but with component i of a named activation taken from a run on a
// source input; see how far the output moves, as a share of the whole gap between the two runs:
//
//   difference_i = f(base) - f(base with component i from source)
//   score_i      = difference_i / (f(base) - f(source))
//
// Denoising ("clean -> corrupt") patches clean components into the corrupt run: base = corrupt,
// source = clean. A high score says component i alone is *sufficient* to bring back much of the
// clean behaviour. Noising ("corrupt -> clean") patches corrupt components into the clean run:
// base = clean, source = corrupt. A high score says component i is *necessary*: losing it loses
// much of the behaviour. The two can disagree, and chapter 5 shows when.
//
// A *set* of components can be patched at once too (chapter 8: components that only matter
// together). Patching one component is patching the set of one, and there is one code path for
// both: patching every component scores exactly 1 (the patched run is the source run).
//
// When f(base) and f(source) agree to rounding there is no gap to share out, and the scores are
// undefined: `scores` is then empty, never inf or NaN. Any real gap, however small, gives scores,
// however large.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nn/sequential.hpp"

namespace attribution {

// A set of components patched together, in any order: {1} is component 1 alone.
using ComponentSet = std::vector<std::size_t>;

struct PatchingResult {
  std::string layer;
  double f_base = 0.0, f_source = 0.0;
  std::vector<ComponentSet> sets;   // what was patched, one set per entry below
  std::vector<double> differences;  // f(base) - f(base with the set from source)
  // differences[k] / (f(base) - f(source)); std::nullopt when the gap is zero (see above).
  std::optional<std::vector<double>> scores;
};

// Patches each set of components of the named activation in turn; with no sets given, each
// component alone: {0}, {1}, ... Throws std::invalid_argument when base and source differ in length
// (naming both), for an unknown activation name, a model whose output is not one number, or a
// component out of range (naming it and the width).
PatchingResult activation_patching(nn::Sequential& model, std::string_view layer,
                                   std::span<const double> base, std::span<const double> source,
                                   std::span<const ComponentSet> sets = {});

struct TwoWayPatching {
  PatchingResult denoising;  // clean -> corrupt: base = corrupt, source = clean
  PatchingResult noising;    // corrupt -> clean: base = clean, source = corrupt
  double f_clean() const { return noising.f_base; }
  double f_corrupt() const { return denoising.f_base; }
};
TwoWayPatching patch_both_directions(nn::Sequential& model, std::string_view layer,
                                     std::span<const double> clean, std::span<const double> corrupt,
                                     std::span<const ComponentSet> sets = {});

// Attribution patching: a first-order estimate of each difference above, in one backward pass
// instead of one run per component,
//   difference_i ~ gradient of f at base, with respect to component i, times (base_i - source_i).
// It is integrated gradients from source to base with a single node at base, and is as good as
// that: poor where the sigmoid bends. A component that base and source share gets +0.
std::vector<double> attribution_patching(nn::Sequential& model, std::string_view layer,
                                         std::span<const double> base,
                                         std::span<const double> source);

// How much the two directions disagree about each component:
//   asymmetry_i = (noising_i - denoising_i) / max(|noising_i|, |denoising_i|)
// 0 when they agree; near +1 when only noising sees the component (denoising misses it, as for
// AND), near -1 when only denoising does (as for OR). std::nullopt for a component both directions
// score below asymmetry_floor (nothing to compare: a dead neuron), and for every component when
// the scores themselves are undefined.
inline constexpr double asymmetry_floor = 1e-9;
std::vector<std::optional<double>> asymmetry(const TwoWayPatching& patching);

}  // namespace attribution
