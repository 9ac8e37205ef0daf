// Activation patching, in both directions, one component at a time.
//
// Run the model on a base input, but with component i of a named activation taken from a run on a
// source input; see how far the output moves, as a share of the whole gap between the two runs:
//
//   score_i = (f(base) - f(base with component i from source)) / (f(base) - f(source))
//
// Denoising ("clean -> corrupt") patches clean components into the corrupt run: base = corrupt,
// source = clean. A high score says component i alone is *sufficient* to bring back much of the
// clean behaviour. Noising ("corrupt -> clean") patches corrupt components into the clean run:
// base = clean, source = corrupt. A high score says component i is *necessary*: losing it loses
// much of the behaviour. The two can disagree, and chapter 5 shows when.
//
// When f(base) and f(source) agree to rounding there is no gap to share out, and the scores are
// undefined: `scores` is then empty, never inf or NaN. Any real gap, however small, gives scores,
// however large.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nn/sequential.hpp"

namespace attribution {

// The gap f(base) - f(source) counts as zero when |gap| <= gap_tolerance * max(1, |f(base)|,
// |f(source)|): a few hundred units in the last place of numbers near 1, far below any real gap
// between two runs (the smallest in this tutorial, clean [1, 0] against corrupt [0, 1], is 2e-4 for
// OR).
inline constexpr double gap_tolerance = 1e-12;
bool gap_is_zero(double f_a, double f_b);

struct PatchingResult {
  std::string layer;
  double f_base = 0.0, f_source = 0.0;
  // f(base) - f(base with component i from source), one per component.
  std::vector<double> differences;
  // differences[i] / (f(base) - f(source)); std::nullopt when the gap is zero (see above).
  std::optional<std::vector<double>> scores;
};

// Patches each component of the named activation in turn. Throws std::invalid_argument when base
// and source differ in length (naming both), for an unknown activation name, or a model whose
// output is not one number.
PatchingResult activation_patching(nn::Sequential& model, std::string_view layer,
                                   std::span<const double> base, std::span<const double> source);

struct TwoWayPatching {
  PatchingResult denoising;  // clean -> corrupt: base = corrupt, source = clean
  PatchingResult noising;    // corrupt -> clean: base = clean, source = corrupt
};
TwoWayPatching patch_both_directions(nn::Sequential& model, std::string_view layer,
                                     std::span<const double> clean,
                                     std::span<const double> corrupt);

// Attribution patching: a first-order estimate of how far the output moves when component i comes
// from source, f(base with component i from source) - f(base), which is -differences[i] above:
//   gradient of f at base, with respect to component i, times (source_i - base_i).
// One backward pass instead of one run per component. It is integrated gradients from base to
// source with a single left Riemann node, and is as good as that: poor where the sigmoid bends.
std::vector<double> attribution_patching(nn::Sequential& model, std::string_view layer,
                                         std::span<const double> base,
                                         std::span<const double> source);

}  // namespace attribution
