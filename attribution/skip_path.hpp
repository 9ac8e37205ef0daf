// Chapter 11's comparison on a network with a skip path (chapter 10's residual network): the scores
// of its hidden neurons, each method's in one unit, so that statistics over score vectors
// (attribution/comparison.hpp) compare them as they compare the scores of a network without one.
//
// Every score is a share of d = f(clean) - f(corrupt), signed so that a neuron that carries the
// clean output scores above 0 in both directions:
//
//   denoising_j    = (f(corrupt, h_j from clean) - f(corrupt)) / d   chapter 5's score, base
//   corrupt noising_j      = (f(clean) - f(clean, h_j from corrupt)) / d     chapter 5's score,
//   base clean ig_denoising_j = IG_j in the study's convention, base corrupt, / d ig_noising_j   =
//   -IG_j in the study's convention, base clean, / d
//
// The study's IG moves every hidden neuron at once with the skip path held at the base run
// (attribution/residual_stream.hpp), so its sum is the patching score of the whole hidden layer in
// that direction, not 1: sum_j ig_denoising_j = the denoising score of the set of all hidden
// neurons, and likewise for noising. Without a skip path that set score is 1 in both directions and
// the two IGs are one (chapter 10).
#pragma once

#include <optional>
#include <vector>

#include "attribution/residual_stream.hpp"

namespace attribution {

struct SkipPathScores {
  std::vector<double> ig_denoising, ig_noising;  // one per hidden neuron, as above
  std::vector<double> denoising, noising;
  // The patching scores of all hidden neurons patched together, what each IG sums to (to the
  // rule's convergence_delta / d).
  double layer_denoising = 0.0, layer_noising = 0.0;
};

// The scores above for the network's hidden neurons at layer_0.output, on the gate's pair
// (nn::gate_pair), IG by Gauss-Legendre at 50 nodes. std::nullopt when f(clean) = f(corrupt) (no
// gap to share out). Errors of nn::residual_network (parameters of other sizes).
std::optional<SkipPathScores> skip_path_scores(const ResidualNetwork& network);

}  // namespace attribution
