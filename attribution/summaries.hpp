// Summaries that put integrated gradients and the two patching directions on one scale.
#pragma once

#include <optional>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/integrated_gradients.hpp"

namespace attribution {

// Each attribution as a share of the whole effect, attribution_i / (f(input) - f(baseline)); with
// completeness the shares add up to 1. std::nullopt when the gap is zero (gap_is_zero).
std::optional<std::vector<double>> ig_shares(const IntegratedGradientsResult& ig);

// How much the two patching directions disagree about each component:
//   asymmetry_i = (noising_i - denoising_i) / max(|noising_i|, |denoising_i|)
// 0 when they agree; near +1 when only noising sees the component (denoising misses it, as for
// AND), near -1 when only denoising does (as for OR). std::nullopt for a component both directions
// score below asymmetry_floor (nothing to compare: a dead neuron), and for every component when
// the scores themselves are undefined.
inline constexpr double asymmetry_floor = 1e-9;
std::vector<std::optional<double>> asymmetry(const TwoWayPatching& patching);

}  // namespace attribution
