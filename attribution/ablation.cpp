#include "attribution/ablation.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

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
  const std::vector<double> values = ablation_values(activations, ablation);
  GroundTruth truth;
  for (std::size_t j = 0; j < values.size(); ++j)
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

}  // namespace attribution
