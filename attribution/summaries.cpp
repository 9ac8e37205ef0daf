#include "attribution/summaries.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace attribution {

std::optional<std::vector<double>> ig_shares(const IntegratedGradientsResult& ig) {
  if (gap_is_zero(ig.f_input, ig.f_baseline)) return std::nullopt;
  const double gap = ig.f_input - ig.f_baseline;
  std::vector<double> shares;
  for (double attribution : ig.attributions) shares.push_back(attribution / gap);
  return shares;
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
