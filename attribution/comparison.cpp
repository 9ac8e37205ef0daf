#include "attribution/comparison.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "attribution/model_run.hpp"

namespace attribution {

namespace {

void check_finite(std::span<const double> values, const char* function) {
  for (double value : values)
    if (!std::isfinite(value))
      throw std::invalid_argument(std::string(function) + ": a score is not finite (" +
                                  std::to_string(value) + ")");
}

std::vector<std::size_t> as_set(std::span<const std::size_t> components) {
  std::vector<std::size_t> set(components.begin(), components.end());
  std::sort(set.begin(), set.end());
  set.erase(std::unique(set.begin(), set.end()), set.end());
  return set;
}

std::size_t common_count(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b) {
  std::vector<std::size_t> common;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
  return common.size();
}

}  // namespace

std::size_t selected_count(std::size_t n, double fraction) {
  if (!(fraction >= 0.0 && fraction <= 1.0))
    throw std::invalid_argument("top_fraction: the fraction " + std::to_string(fraction) +
                                " is not in [0, 1]");
  const double wanted = fraction * static_cast<double>(n) - 1e-9;
  return wanted <= 0.0 ? 0 : std::min(n, static_cast<std::size_t>(std::ceil(wanted)));
}

ComponentSet top_fraction(std::span<const double> scores, double fraction, Selection selection) {
  check_finite(scores, "top_fraction");
  const std::size_t count = selected_count(scores.size(), fraction);
  // BEGIN EXERCISE 11.2 [count, selection]
  auto key = [&](std::size_t i) {
    switch (selection) {
      case Selection::largest: return scores[i];
      case Selection::smallest: return -scores[i];
      case Selection::by_magnitude: break;
    }
    return std::fabs(scores[i]);
  };
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Higher key first; equal keys in index order, which stable_sort keeps.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
  ComponentSet picked;
  for (std::size_t i : order)
    if (picked.size() < count && key(i) > 0.0) picked.push_back(i);
  std::sort(picked.begin(), picked.end());
  return picked;
  // END EXERCISE 11.2
}

ComponentSet quantile_selection(std::span<const double> scores, double q) {
  if (scores.empty()) throw std::invalid_argument("quantile_selection: no scores");
  check_finite(scores, "quantile_selection");
  if (!(q >= 0.0 && q <= 1.0))
    throw std::invalid_argument("quantile_selection: q = " + std::to_string(q) +
                                " is not in [0, 1]");
  std::vector<double> sorted;
  for (double score : scores) sorted.push_back(std::fabs(score));
  std::sort(sorted.begin(), sorted.end());
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double threshold =
      sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
  ComponentSet picked;
  for (std::size_t i = 0; i < scores.size(); ++i)
    if (std::fabs(scores[i]) >= threshold) picked.push_back(i);
  return picked;
}

std::optional<double> jaccard(std::span<const std::size_t> a, std::span<const std::size_t> b) {
  const std::vector<std::size_t> set_a = as_set(a), set_b = as_set(b);
  // BEGIN EXERCISE 11.1 [set_a, set_b]
  const std::size_t common = common_count(set_a, set_b);
  const std::size_t either = set_a.size() + set_b.size() - common;
  if (either == 0) return std::nullopt;
  return static_cast<double>(common) / static_cast<double>(either);
  // END EXERCISE 11.1
}

DefinedMean defined_mean(std::span<const std::optional<double>> values) {
  DefinedMean result;
  double sum = 0.0;
  for (const std::optional<double>& value : values) {
    if (value) {
      sum += *value;
      ++result.defined;
    } else {
      ++result.undefined;
    }
  }
  if (result.defined > 0) result.mean = sum / static_cast<double>(result.defined);
  return result;
}

std::optional<double> recall(std::span<const std::size_t> pick,
                             std::span<const std::size_t> truth) {
  const std::vector<std::size_t> p = as_set(pick), t = as_set(truth);
  if (t.empty()) return std::nullopt;
  return static_cast<double>(common_count(p, t)) / static_cast<double>(t.size());
}

std::optional<double> precision(std::span<const std::size_t> pick,
                                std::span<const std::size_t> truth) {
  const std::vector<std::size_t> p = as_set(pick), t = as_set(truth);
  if (p.empty()) return std::nullopt;
  return static_cast<double>(common_count(p, t)) / static_cast<double>(p.size());
}

std::vector<std::optional<double>> relative_asymmetry(std::span<const double> noising,
                                                      std::span<const double> denoising) {
  check_same_length(noising, denoising, "noising", "denoising");
  std::vector<std::optional<double>> result;
  for (std::size_t i = 0; i < noising.size(); ++i) {
    const double scale = std::max(std::fabs(noising[i]), std::fabs(denoising[i]));
    if (scale < asymmetry_floor)
      result.push_back(std::nullopt);
    else
      result.push_back((noising[i] - denoising[i]) / scale);
  }
  return result;
}

std::optional<std::vector<double>> study_asymmetry(std::span<const double> noising,
                                                   std::span<const double> denoising) {
  check_same_length(noising, denoising, "noising", "denoising");
  if (noising.empty()) return std::nullopt;
  std::vector<double> differences;
  for (std::size_t i = 0; i < noising.size(); ++i) differences.push_back(noising[i] - denoising[i]);
  const double maximum = *std::max_element(differences.begin(), differences.end());
  if (std::fabs(maximum) < asymmetry_floor) return std::nullopt;
  for (double& difference : differences) difference /= maximum;
  return differences;
}

}  // namespace attribution
