// Comparing two attribution methods over many components: which components each one picks, how
// much the picks overlap, how well the scores correlate, and how the two patching directions
// disagree. Every function takes score vectors (one number per component), never a model, so that
// any method on any network can be compared: IG, either patching direction, an ablation.
//
// Each statistic has a case where it is undefined, and returns std::nullopt there, never NaN:
//   jaccard      both sets empty (nothing was picked by either method)
//   pearson      fewer than two components, or either vector constant (no spread to correlate);
//                it is chapter 10's, in attribution/correlation.hpp
//   recall       an empty reference set;   precision   an empty pick
//   asymmetry    a component both directions score below asymmetry_floor; the study's version
//                also when its signed maximum is that small
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "attribution/activation_patching.hpp"

namespace attribution {

// Which end of the scores top_fraction takes: the largest |score|, the largest score (the most
// positive), or the smallest score (the most negative).
enum class Selection { by_magnitude, largest, smallest };

// How many components top_fraction picks of n: ceil(fraction * n), so that any fraction above 0
// picks at least one. The product is rounded down by 1e-9 first, so that 0.3 * 10 =
// 3.0000000000000004 picks 3, not 4. Throws std::invalid_argument for a fraction outside [0, 1]
// (NaN included).
std::size_t selected_count(std::size_t n, double fraction);

// The selected_count(n, fraction) components with the highest key: |score|, score or -score as
// `selection` says; of equal keys the lower index comes first (so the result never depends on
// the order of a sort). Only a key above 0 is picked: a score of exactly 0 is no evidence, and
// Selection::largest takes no negative score (nor smallest a positive one), so the pick may be
// smaller than selected_count, even empty (a method that gives every component 0). Returned as
// indices in increasing order; Selection::largest and Selection::smallest are always disjoint.
// Throws std::invalid_argument for a score that is not finite and for selected_count's errors.
ComponentSet top_fraction(std::span<const double> scores, double fraction,
                          Selection selection = Selection::by_magnitude);

// The study's rule, for comparison: the components with |score_i| >= the q-quantile of |score|,
// the quantile by linear interpolation between order statistics (torch.quantile's default,
// position q * (n - 1)). Ties are all taken: an all-zero vector selects every component, and the
// count is not fixed. Throws std::invalid_argument for no scores, a score that is not finite, or
// q outside [0, 1].
ComponentSet quantile_selection(std::span<const double> scores, double q);

// |a n b| / |a u b|, with each argument read as a set (order and repeats do not matter). In
// [0, 1], symmetric, 1 exactly when the sets are equal. Undefined (std::nullopt) when both are
// empty: the study counts J(empty, empty) as 1, which is how layers where neither method picked
// anything raised its average (a third of its pairs were empty in both). Two methods that both
// pick nothing have not agreed on anything; an undefined overlap is reported as undefined.
std::optional<double> jaccard(std::span<const std::size_t> a, std::span<const std::size_t> b);

// The mean of the defined values, and how many were defined and undefined. mean is std::nullopt
// when none was: a statistic over models (a correlation per seed, say) reports how many models it
// could not be computed for instead of hiding them in a NaN.
struct DefinedMean {
  std::optional<double> mean;
  std::size_t defined = 0, undefined = 0;
};
DefinedMean defined_mean(std::span<const std::optional<double>> values);

// |pick n truth| / |truth| and |pick n truth| / |pick|, with the arguments read as sets;
// std::nullopt when truth, respectively pick, is empty.
std::optional<double> recall(std::span<const std::size_t> pick, std::span<const std::size_t> truth);
std::optional<double> precision(std::span<const std::size_t> pick,
                                std::span<const std::size_t> truth);

// The course's asymmetry (chapter 5's attribution::asymmetry) on two score vectors:
//   (noising_i - denoising_i) / max(|noising_i|, |denoising_i|)
// in [-1, 1] per component, with a denominator of the component's own; std::nullopt where both are
// below asymmetry_floor. Throws std::invalid_argument when the lengths differ.
std::vector<std::optional<double>> relative_asymmetry(std::span<const double> noising,
                                                      std::span<const double> denoising);

// The study's asymmetry of activation patching, in the course's sign of the scores:
//   (noising_i - denoising_i) / max over j of (noising_j - denoising_j)
// The maximum is signed, not of |.|: when every difference is negative (an OR, where denoising
// finds what noising misses) the division turns every sign, and the OR looks like an AND. The
// study's own scores are minus the course's in both directions, which leaves its numerator the
// same as this one. std::nullopt when the maximum is below asymmetry_floor in size (division by
// about 0) or there are no components. Throws std::invalid_argument when the lengths differ.
std::optional<std::vector<double>> study_asymmetry(std::span<const double> noising,
                                                   std::span<const double> denoising);

}  // namespace attribution
