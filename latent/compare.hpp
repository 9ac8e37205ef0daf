// `latent compare`: chapter 11's comparison of the methods on one model. The hidden-layer network
// of chapter 7 (nn::network with H ReLU neurons) is trained on a gate from a seed, as the chapter
// trains it; then, per hidden neuron, its IG share (the corrupt baseline, or the zero baseline at
// the layer), both patching scores, both asymmetries (the course's and the study's), and which
// methods pick it (the top fraction by |score|); for the model, Pearson r and the Jaccard overlap
// of the picks for each pair of methods; and the ground truth of ablation (every set of the
// neurons tried, zero and mean ablation) with each pick's recall and precision against it.
//
// With the skip path (CompareRequest::skip) the network is chapter 10's, trained as `latent
// residual` trains it, and compared as chapter 11 compares it (attribution/skip_path.hpp): four
// methods, the study's layer IG in each direction and the two patching directions, all shares of
// f(clean) - f(corrupt); the ground truth ablates the hidden neurons only, never the skip path's
// copy of the input, so the empty set can compute the gate (the skip path alone does).
//
// With a split ratio (CompareRequest::split_ratio, without the skip path) the report adds chapter
// 11's split IG (attribution/split_ig.hpp) of the same IG: the sum of the nodes before the output
// first passes min + ratio (max - min) along the path, per neuron and as shares of its total.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "latent/report.hpp"
#include "nn/gates.hpp"

namespace latent {

// Chapter 11's pick: each method's top quarter of the components.
inline constexpr double default_fraction = 0.25;

// Where integrated gradients starts: the corrupt run's hidden neurons, or h = 0 at the layer.
enum class IgBaseline { corrupt, zero };

struct CompareRequest {
  nn::Gate gate = nn::Gate::and_gate;
  std::uint64_t seed = 0;
  std::size_t hidden = 8;
  double fraction = default_fraction;         // in (0, 1]
  IgBaseline baseline = IgBaseline::corrupt;  // without the skip path only
  // Chapter 10's network with a skip path instead of chapter 7's. Its IG runs both ways between
  // the two runs, so there is no baseline to choose: `baseline` is not read.
  bool skip = false;
  // Also the study's split IG of the IG above, at this ratio in [0, 1] (without the skip path).
  std::optional<double> split_ratio;
};

// The report in the format asked. Throws UsageError when a number to show is not finite, and the
// library's std::invalid_argument for its errors (a fraction outside [0, 1] among them).
std::string compare_report(const CompareRequest& request, Format format);

}  // namespace latent
