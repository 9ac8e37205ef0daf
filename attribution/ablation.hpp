// Ablation as ground truth: take components out of the network and see whether it still computes
// its gate, on every row of the truth table.
//
// Ablating a set S of components of a named activation replaces each component in S, on every row,
// by a fixed value, and lets the rest of the network run from there (the same hook as patching):
//   zero ablation   the value 0
//   mean ablation   the component's mean over the truth table's rows, (1/R) sum over rows r of a_r
// The whole set is replaced at once (set ablation), each component with its own value. An
// ablation is scored on the whole truth table: how many rows still round to their target
// (f >= 0.5 for target 1), and the mean |f - target| over the rows.
//
// With few components every set can be tried, which turns "which components carry the gate" into
// a question with an answer: the smallest sets whose ablation breaks the gate (some row wrong), and
// the smallest sets that, kept alone (everything else ablated), still compute it.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "nn/gates.hpp"
#include "nn/sequential.hpp"

namespace attribution {

enum class Ablation { zero, mean };
const char* ablation_name(Ablation ablation);  // "zero", "mean"

struct TableScore {
  int correct_rows = 0, rows = 0;
  double mean_abs_error = 0.0;  // (1/R) sum over rows of |f - target|
  bool all_correct() const { return correct_rows == rows; }
};

// The components' values on every row of the table (rows[r][j]), from one run per row.
std::vector<std::vector<double>> activations_on_table(nn::Sequential& model, std::string_view layer,
                                                      const nn::TruthTable& table);

// The value each component takes when ablated: 0, or its mean over the table's rows.
std::vector<double> ablation_values(const std::vector<std::vector<double>>& activations,
                                    Ablation ablation);

// The network on every row of the table with the components in `ablated` replaced by their
// `values`. An empty set scores the network itself. Throws std::invalid_argument for a component
// out of range or values that are not one per component.
TableScore ablated_score(nn::Sequential& model, std::string_view layer, const nn::TruthTable& table,
                         std::span<const std::size_t> ablated, std::span<const double> values);

// The same with the table's activations already known (activations_on_table): one run per row.
TableScore ablated_score(nn::Sequential& model, std::string_view layer, const nn::TruthTable& table,
                         const std::vector<std::vector<double>>& activations,
                         std::span<const std::size_t> ablated, std::span<const double> values);

// Most components searched over: 2^16 sets, each run on every row.
inline constexpr std::size_t max_searched_components = 16;

// What the search over every set found.
struct GroundTruth {
  // The components ablation moves: those whose value differs from their ablation value on some
  // row. The others (a dead neuron under either ablation) change nothing whether ablated or kept,
  // so the search leaves them out and no set below contains them.
  ComponentSet movable;
  // Every smallest set whose ablation breaks the gate (some row no longer rounds to its target);
  // empty when no set does, even all of them, and when the network fails unablated.
  std::vector<ComponentSet> smallest_breaking;
  // Every smallest set that, with every other component ablated, still classifies every row;
  // empty when not even all of them together do (the network itself fails).
  std::vector<ComponentSet> smallest_sufficient;
};

// Tries every subset of the movable components, by size, and stops at the first size where a set
// does; each list is in lexicographic order. Throws std::invalid_argument when there are more than
// max_searched_components movable components, and for ablated_score's errors.
GroundTruth find_ground_truth(nn::Sequential& model, std::string_view layer,
                              const nn::TruthTable& table, Ablation ablation);
// The same over the activation's first `components` columns only: the columns after them are
// never ablated, kept or searched. A skip path's copy of the input (layer_0.output of
// nn::residual_network, after its H hidden neurons) is such a column: it is how the input reaches
// the output past the layer, not a component of it. Throws std::invalid_argument when the
// activation has fewer columns than `components`.
GroundTruth find_ground_truth(nn::Sequential& model, std::string_view layer,
                              const nn::TruthTable& table, Ablation ablation,
                              std::size_t components);

// How one method's pick fares against the ground truth.
struct PickScore {
  // Against the smallest sufficient set the pick matches best (the highest recall, then the
  // highest precision, the first in the list on a tie): |pick and set| / |set|, and
  // |pick and set| / |pick|. Undefined with no sufficient set, and precision for an empty pick.
  std::optional<double> recall, precision;
  std::optional<ComponentSet> matched;
  bool breaks = false;    // the pick ablated, some row of the table is wrong
  bool computes = false;  // the pick kept alone, every other component ablated, all rows right
};

// The pick, of components 0 .. components - 1, scored against `truth` (from find_ground_truth on
// the same model, layer, table and ablation), with the table's activations and the ablation's
// values known (activations_on_table, ablation_values). Throws std::invalid_argument for a
// component of the pick at or above `components`, and for ablated_score's errors.
PickScore score_pick(nn::Sequential& model, std::string_view layer, const nn::TruthTable& table,
                     const std::vector<std::vector<double>>& activations,
                     std::span<const double> values, const GroundTruth& truth,
                     std::span<const std::size_t> pick, std::size_t components);

// A pick by chance: the exact expectation over every set of `size` of the `components`, each
// equally likely, of PickScore's numbers (breaks and computes become the fraction of the sets
// that break the gate, or compute it kept alone). Recall and precision are undefined when they
// are undefined for some set.
struct ExpectedPickScore {
  std::optional<double> recall, precision;
  double breaks = 0.0, computes = 0.0;
  std::size_t sets = 0;  // how many sets were averaged: components choose size
};

// Throws std::invalid_argument when size > components or components > max_searched_components,
// and for score_pick's errors.
ExpectedPickScore chance_pick_score(nn::Sequential& model, std::string_view layer,
                                    const nn::TruthTable& table,
                                    const std::vector<std::vector<double>>& activations,
                                    std::span<const double> values, const GroundTruth& truth,
                                    std::size_t size, std::size_t components);

}  // namespace attribution
