#include "attribution/ablation.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

#include "attribution/comparison.hpp"
#include "attribution/model_run.hpp"

namespace attribution {

namespace {

// The score with the table's activations already known: one patched run per row.
TableScore score_with(nn::Sequential& model, std::string_view layer, const nn::TruthTable& table,
                      const std::vector<std::vector<double>>& activations,
                      std::span<const std::size_t> ablated, std::span<const double> values) {
  TableScore score;
  score.rows = static_cast<int>(table.inputs.rows());
  double error = 0.0;
  for (std::size_t r = 0; r < table.inputs.rows(); ++r) {
    std::vector<double> patched = activations[r];
    for (std::size_t j : ablated) patched[j] = values[j];
    const double f = output_with_activation(model, layer, table.inputs.row(r), patched);
    const double target = table.targets(r, 0);
    if ((f >= 0.5) == (target >= 0.5)) ++score.correct_rows;
    error += std::fabs(f - target);
  }
  score.mean_abs_error = error / static_cast<double>(score.rows);
  return score;
}

void check_components(std::span<const std::size_t> ablated, std::span<const double> values,
                      std::size_t width) {
  if (values.size() != width)
    throw std::invalid_argument("ablated_score: " + std::to_string(values.size()) +
                                " ablation values for " + std::to_string(width) + " components");
  for (std::size_t j : ablated)
    if (j >= width)
      throw std::invalid_argument("ablated_score: component " + std::to_string(j) +
                                  " is out of range for " + std::to_string(width) + " components");
}

// find_ground_truth over the first `components` columns of the activations.
GroundTruth search(nn::Sequential& model, std::string_view layer, const nn::TruthTable& table,
                   const std::vector<std::vector<double>>& activations, Ablation ablation,
                   std::size_t components) {
  const std::vector<double> values = ablation_values(activations, ablation);
  GroundTruth truth;
  for (std::size_t j = 0; j < components; ++j)
    for (const std::vector<double>& row : activations)
      if (row[j] != values[j]) {
        truth.movable.push_back(j);
        break;
      }
  const std::size_t n = truth.movable.size();
  if (n > max_searched_components)
    throw std::invalid_argument("find_ground_truth: " + std::to_string(n) +
                                " components to search; at most " +
                                std::to_string(max_searched_components));
  // Subsets of the movable components as bit masks, grouped by size (all_subsets stops at 10).
  std::vector<std::vector<std::size_t>> by_size(n + 1);
  for (std::size_t mask = 0; mask < (std::size_t{1} << n); ++mask)
    by_size[static_cast<std::size_t>(std::popcount(mask))].push_back(mask);
  const auto members = [&](std::size_t mask, bool inside) {
    ComponentSet set;
    for (std::size_t b = 0; b < n; ++b)
      if (((mask >> b) & 1U) == (inside ? 1U : 0U)) set.push_back(truth.movable[b]);
    return set;
  };
  // A network that already fails has no gate to break.
  const bool intact = score_with(model, layer, table, activations, {}, values).all_correct();
  for (std::size_t size = 1; intact && size <= n && truth.smallest_breaking.empty(); ++size)
    for (std::size_t mask : by_size[size]) {
      const ComponentSet set = members(mask, true);
      if (!score_with(model, layer, table, activations, set, values).all_correct())
        truth.smallest_breaking.push_back(set);
    }
  for (std::size_t size = 0; size <= n && truth.smallest_sufficient.empty(); ++size)
    for (std::size_t mask : by_size[size]) {
      const ComponentSet others = members(mask, false);
      if (score_with(model, layer, table, activations, others, values).all_correct())
        truth.smallest_sufficient.push_back(members(mask, true));
    }
  std::sort(truth.smallest_breaking.begin(), truth.smallest_breaking.end());
  std::sort(truth.smallest_sufficient.begin(), truth.smallest_sufficient.end());
  return truth;
}

}  // namespace

const char* ablation_name(Ablation ablation) {
  return ablation == Ablation::zero ? "zero" : "mean";
}

std::vector<std::vector<double>> activations_on_table(nn::Sequential& model, std::string_view layer,
                                                      const nn::TruthTable& table) {
  std::vector<std::vector<double>> activations;
  for (std::size_t r = 0; r < table.inputs.rows(); ++r)
    activations.push_back(run_model(model, layer, table.inputs.row(r)).activation);
  return activations;
}

std::vector<double> ablation_values(const std::vector<std::vector<double>>& activations,
                                    Ablation ablation) {
  if (activations.empty()) return {};
  std::vector<double> values(activations[0].size(), 0.0);
  if (ablation == Ablation::zero) return values;
  for (const std::vector<double>& row : activations)
    for (std::size_t j = 0; j < values.size(); ++j) values[j] += row[j];
  for (double& value : values) value /= static_cast<double>(activations.size());
  return values;
}

TableScore ablated_score(nn::Sequential& model, std::string_view layer, const nn::TruthTable& table,
                         std::span<const std::size_t> ablated, std::span<const double> values) {
  const std::vector<std::vector<double>> activations = activations_on_table(model, layer, table);
  check_components(ablated, values, activations.empty() ? 0 : activations[0].size());
  return score_with(model, layer, table, activations, ablated, values);
}

TableScore ablated_score(nn::Sequential& model, std::string_view layer, const nn::TruthTable& table,
                         const std::vector<std::vector<double>>& activations,
                         std::span<const std::size_t> ablated, std::span<const double> values) {
  if (activations.size() != table.inputs.rows())
    throw std::invalid_argument("ablated_score: " + std::to_string(activations.size()) +
                                " rows of activations for " + std::to_string(table.inputs.rows()) +
                                " rows of the table");
  for (const std::vector<double>& row : activations) check_components(ablated, values, row.size());
  return score_with(model, layer, table, activations, ablated, values);
}

GroundTruth find_ground_truth(nn::Sequential& model, std::string_view layer,
                              const nn::TruthTable& table, Ablation ablation) {
  const std::vector<std::vector<double>> activations = activations_on_table(model, layer, table);
  return search(model, layer, table, activations, ablation,
                activations.empty() ? 0 : activations[0].size());
}

GroundTruth find_ground_truth(nn::Sequential& model, std::string_view layer,
                              const nn::TruthTable& table, Ablation ablation,
                              std::size_t components) {
  const std::vector<std::vector<double>> activations = activations_on_table(model, layer, table);
  const std::size_t width = activations.empty() ? 0 : activations[0].size();
  if (components > width)
    throw std::invalid_argument("find_ground_truth: " + std::to_string(components) +
                                " components asked of an activation with " + std::to_string(width) +
                                " columns");
  return search(model, layer, table, activations, ablation, components);
}

PickScore score_pick(nn::Sequential& model, std::string_view layer, const nn::TruthTable& table,
                     const std::vector<std::vector<double>>& activations,
                     std::span<const double> values, const GroundTruth& truth,
                     std::span<const std::size_t> pick, std::size_t components) {
  for (std::size_t j : pick)
    if (j >= components)
      throw std::invalid_argument("score_pick: component " + std::to_string(j) +
                                  " of the pick is out of range for " + std::to_string(components) +
                                  " components");
  PickScore score;
  for (const ComponentSet& set : truth.smallest_sufficient) {
    const std::optional<double> r = recall(pick, set), p = precision(pick, set);
    if (r && (!score.recall || *r > *score.recall ||
              (*r == *score.recall && p && (!score.precision || *p > *score.precision)))) {
      score.recall = r;
      score.precision = p;
      score.matched = set;
    }
  }
  ComponentSet others;
  for (std::size_t j = 0; j < components; ++j)
    if (std::find(pick.begin(), pick.end(), j) == pick.end()) others.push_back(j);
  score.breaks = !ablated_score(model, layer, table, activations, pick, values).all_correct();
  score.computes = ablated_score(model, layer, table, activations, others, values).all_correct();
  return score;
}

ExpectedPickScore chance_pick_score(nn::Sequential& model, std::string_view layer,
                                    const nn::TruthTable& table,
                                    const std::vector<std::vector<double>>& activations,
                                    std::span<const double> values, const GroundTruth& truth,
                                    std::size_t size, std::size_t components) {
  if (components > max_searched_components || size > components)
    throw std::invalid_argument("chance_pick_score: sets of " + std::to_string(size) + " of " +
                                std::to_string(components) + " components; at most " +
                                std::to_string(max_searched_components) + " components");
  ExpectedPickScore expected;
  double recall_sum = 0.0, precision_sum = 0.0;
  bool recall_defined = true, precision_defined = true;
  for (std::size_t mask = 0; mask < (std::size_t{1} << components); ++mask) {
    if (static_cast<std::size_t>(std::popcount(mask)) != size) continue;
    ComponentSet pick;
    for (std::size_t j = 0; j < components; ++j)
      if ((mask >> j) & 1U) pick.push_back(j);
    const PickScore s =
        score_pick(model, layer, table, activations, values, truth, pick, components);
    ++expected.sets;
    recall_defined = recall_defined && s.recall.has_value();
    precision_defined = precision_defined && s.precision.has_value();
    recall_sum += s.recall.value_or(0.0);
    precision_sum += s.precision.value_or(0.0);
    expected.breaks += s.breaks ? 1.0 : 0.0;
    expected.computes += s.computes ? 1.0 : 0.0;
  }
  const double n = static_cast<double>(expected.sets);
  if (recall_defined) expected.recall = recall_sum / n;
  if (precision_defined) expected.precision = precision_sum / n;
  expected.breaks /= n;
  expected.computes /= n;
  return expected;
}

}  // namespace attribution
