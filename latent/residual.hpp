// `latent residual`: chapter 10's measurements of one network with a skip path,
// f = sigmoid(v . relu(W x + b) + u . x + c), trained on a gate from a seed: layer integrated
// gradients at the hidden neurons in the study's convention (the model runs on the base input,
// only the hidden neurons move) in both directions, each neuron's patching effect in the same
// direction, Captum's convention, and how far one-coordinate IG is from the patching effect.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "attribution/quadrature.hpp"
#include "latent/report.hpp"
#include "nn/gates.hpp"

namespace latent {

struct ResidualRequest {
  nn::Gate gate = nn::Gate::and_gate;
  std::uint64_t seed = 0;
  std::size_t hidden = 4;
  bool skip = true;  // false: the trained network with u set to 0 (nn::without_skip)
  int n_steps = attribution::default_n_steps;
  attribution::Method method = attribution::default_method;
};

// The report in the format asked. Throws UsageError when a number to show is not finite, and the
// library's std::invalid_argument for its errors.
std::string residual_report(const ResidualRequest& request, Format format);

}  // namespace latent
