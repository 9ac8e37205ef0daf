// What each verdict of attribution::analyse claims, worked out again from the experiment's own
// numbers (its predictions, attributions, outputs and patching differences), so that the tests
// check that a verdict holds exactly when its claim is true, instead of taking `holds` on trust.
#pragma once

#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attribution/experiment.hpp"
#include "nn/gates.hpp"

#include <gtest/gtest.h>

namespace experiment_claims {

// Every prediction on the truth table rounds to its row's target.
inline bool classifies_every_row(const attribution::TrainedNetwork& network) {
  const nn::TruthTable table = nn::truth_table(network.gate);
  if (network.predictions.size() != table.targets.rows()) return false;
  for (std::size_t r = 0; r < network.predictions.size(); ++r)
    if ((network.predictions[r] > 0.5 ? 1.0 : 0.0) != table.targets(r, 0)) return false;
  return true;
}

// The attributions add up to f(clean) - f(corrupt): within 1e-12 for the neuron, 1e-9 past a
// hidden layer.
inline bool ig_is_complete(const attribution::Experiment& e) {
  double total = 0.0;
  for (double attribution : e.ig.attributions) total += attribution;
  const double tolerance = e.network.hidden == 0 ? 1e-12 : 1e-9;
  return std::fabs(total - (e.ig.f_input - e.ig.f_baseline)) < tolerance;
}

// Each attribution is half of f(clean) - f(corrupt), +- 0.05.
inline bool ig_splits_evenly(const attribution::Experiment& e) {
  const double gap = e.ig.f_input - e.ig.f_baseline;
  if (gap == 0.0 || e.ig.attributions.empty()) return false;
  for (double attribution : e.ig.attributions)
    if (!(std::fabs(attribution / gap - 0.5) <= 0.05)) return false;
  return true;
}

// Every component's score, difference / (f(base) - f(source)), is below (or above) 0.5.
inline bool every_score(const attribution::PatchingResult& direction, bool below) {
  const double gap = direction.f_base - direction.f_source;
  if (gap == 0.0 || direction.differences.empty()) return false;
  for (double difference : direction.differences)
    if (below ? !(difference / gap < 0.5) : !(difference / gap > 0.5)) return false;
  return true;
}

// A hidden neuron that is 0 on both the clean and the corrupt input gets exactly 0 from IG and
// from both patching directions.
inline bool silent_neurons_get_zero(const attribution::Experiment& e) {
  for (std::size_t j = 0; j < e.network.hidden; ++j) {
    if (e.clean_activation.at(j) != 0.0 || e.corrupt_activation.at(j) != 0.0) continue;
    if (e.ig.attributions.at(j) != 0.0 || e.patching.denoising.differences.at(j) != 0.0 ||
        e.patching.noising.differences.at(j) != 0.0)
      return false;
  }
  return true;
}

// Whether the claim of that name is true of the experiment; std::nullopt for a name it does not
// make.
inline std::optional<bool> claim(const attribution::Experiment& e, std::string_view name) {
  if (name == "classifies_all_rows") return classifies_every_row(e.network);
  if (name == "ig_complete") return ig_is_complete(e);
  if (name == "ig_even_split") return ig_splits_evenly(e);
  if (name == "denoising_misses_both") return every_score(e.patching.denoising, true);
  if (name == "noising_finds_both") return every_score(e.patching.noising, false);
  if (name == "denoising_finds_both") return every_score(e.patching.denoising, false);
  if (name == "noising_misses_both") return every_score(e.patching.noising, true);
  if (name == "silent_neurons_get_zero") return silent_neurons_get_zero(e);
  return std::nullopt;
}

// The claims the experiment makes for its network: the neuron on AND and OR gets chapter 6's five,
// the neuron on another gate the two that hold for any gate, a hidden layer chapter 7's three.
inline std::vector<std::string> claims_for(nn::Gate gate, std::size_t hidden) {
  if (hidden > 0) return {"classifies_all_rows", "ig_complete", "silent_neurons_get_zero"};
  if (gate == nn::Gate::and_gate)
    return {"classifies_all_rows", "ig_complete", "ig_even_split", "denoising_misses_both",
            "noising_finds_both"};
  if (gate == nn::Gate::or_gate)
    return {"classifies_all_rows", "ig_complete", "ig_even_split", "denoising_finds_both",
            "noising_misses_both"};
  return {"classifies_all_rows", "ig_complete"};
}

// The experiment makes the claims it should, each verdict holds exactly when its claim is true,
// and all_hold() is all of them.
inline void expect_verdicts_are_their_claims(const attribution::Experiment& e,
                                             const std::string& where) {
  std::vector<std::string> names;
  bool all = true;
  for (const attribution::Verdict& verdict : e.verdicts) {
    names.push_back(verdict.name);
    const std::optional<bool> expected = claim(e, verdict.name);
    ASSERT_TRUE(expected.has_value()) << where << ": unknown verdict " << verdict.name;
    EXPECT_EQ(verdict.holds, *expected)
        << where << ": " << verdict.name << " (" << verdict.claim << ")";
    EXPECT_FALSE(verdict.claim.empty()) << where << ": " << verdict.name;
    all = all && *expected;
  }
  EXPECT_EQ(names, claims_for(e.network.gate, e.network.hidden)) << where;
  EXPECT_EQ(e.all_hold(), all) << where;
}

}  // namespace experiment_claims
