// What chapter 7 says about each hidden neuron: which of integrated gradients and the two patching
// directions find it, and why a training that did not learn its gate failed.
//
// A hidden neuron h_j = relu(w_j . x + b_j) is *dead* when it is 0 on every row of the truth table
// (TrainedNetwork::dead): its gradient is 0 there too, so no training step moves it again, and
// no method can give it anything. It is *silent on the pair* when it is 0 on both the clean and the
// corrupt input (Experiment::silent_on_pair): alive, but not on the rows the methods compare.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "attribution/experiment.hpp"
#include "nn/gates.hpp"

namespace attribution {

// A method "finds" a neuron when its IG share, denoising score or noising score is at least this
// in size: a large negative share or score counts too (the neuron pushes the other way).
inline constexpr double finds = 0.25;

// Every pattern pattern_of gives, in the order chapter 7's table lists them.
inline constexpr std::array<std::string_view, 8> pattern_names = {
    "all three find it", "denoising misses it",   "noising misses it",  "only IG finds it",
    "none finds it",     "dead (0 on every row)", "silent on the pair", "other"};

// Which methods find hidden neuron j of the experiment. In this order: "dead (0 on every row)",
// then "silent on the pair"; otherwise, with IG, denoising and noising each finding it or not
// (`finds`), "all three find it", "denoising misses it" (IG and noising find it), "noising misses
// it" (IG and denoising do), "only IG finds it", "none finds it", and "other" for the rest (a
// patching direction finds it, IG does not). Throws std::invalid_argument when j is not a hidden
// neuron of the network (the neuron has none), or when the experiment has no shares and scores
// (f(clean) = f(corrupt)).
std::string pattern_of(const Experiment& e, std::size_t j);

// How many hidden neurons of the network drawn from this seed are dead before any training step.
int dead_at_start(nn::Gate gate, std::uint64_t seed, std::size_t hidden);

// Why a network with a hidden layer that does not classify every row failed: "dead network" (every
// hidden neuron dead: the output is a constant), else "dead at start" (dead_before_training, from
// dead_at_start, is above 0), else "died in training" (a neuron is dead now), else "all alive,
// stuck". Throws std::invalid_argument for a network that classifies every row, or has no hidden
// layer.
std::string failure_reason(const TrainedNetwork& network, int dead_before_training);

}  // namespace attribution
