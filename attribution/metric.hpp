// What the metric sees: the network's probability, or its logit (chapter 9).
//
// The tutorial's networks end in a Sigmoid, and chapters 4-8 measure its output, a probability
// p = sigmoid(z). The study this tutorial follows measures its models by a logit difference, which
// is linear in the last layer. The logit of a tutorial network is the same network without its
// final Sigmoid:
//
//   Sequential(Linear(n, 1))                         the neuron's logit z = w.x + b
//   Sequential(Linear(n, H), ReLU(), Linear(H, 1))   the hidden-layer network's logit
//
// On the neuron's logit every method has a closed form, because z is linear in each input:
//
//   IG_i            = w_i (x_i - x'_i)                                     (any rule, any n_steps)
//   denoising_i     = noising_i = w_i (x_i - x'_i) / (z(clean) - z(corrupt))
//
// so the two patching directions agree exactly, and chapter 6's asymmetry is the sigmoid's.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "nn/sequential.hpp"

namespace attribution {

enum class Metric { probability, logit };
inline constexpr Metric default_metric = Metric::probability;

// "probability", "logit".
const char* metric_name(Metric metric);
// The metric of that name; std::invalid_argument naming the text and the valid names otherwise.
Metric parse_metric(std::string_view name);

// The tutorial network (nn::network) with these parameters, measured by `metric`: with
// Metric::probability it is nn::network itself; with Metric::logit the same layers without the
// final Sigmoid, the same parameter names. nn::network's errors pass through.
nn::Sequential measured_network(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                                const nn::StateDict& parameters, Metric metric);
// The neuron sigmoid(w.x + b) (nn::neuron), or its logit w.x + b.
nn::Sequential measured_neuron(autodiff::Tape& tape, std::span<const double> weights, double bias,
                               Metric metric);

// Both patching directions give every component the same score within this (the scores of a
// linear metric agree to rounding: a few units in the last place of numbers near 1).
inline constexpr double symmetry_tolerance = 1e-9;
// True when both directions have scores and they agree within symmetry_tolerance, component by
// component.
bool is_symmetric(const TwoWayPatching& patching);

// The experiment of chapter 6 (analyse) measured by `metric`. With Metric::probability it is
// analyse(network), verdicts and all. With Metric::logit the verdicts are: the network classifies
// every row; IG is complete (to completeness_tolerance); for the neuron on AND and OR, the even
// split; and, where the logit is linear in the components (the neuron's inputs, the hidden
// neurons), "patching_symmetric": denoising and noising agree (is_symmetric) and equal IG's
// shares; with a hidden layer, silent neurons get exactly 0.
Experiment analyse(TrainedNetwork network, Metric metric);

}  // namespace attribution
