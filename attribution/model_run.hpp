// Running a model on one input row with one named activation read or overwritten: the three moves
// every attribution method here is made of.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "nn/sequential.hpp"

namespace attribution {

// Throws std::invalid_argument naming both lengths unless a and b have the same length.
void check_same_length(std::span<const double> a, std::span<const double> b, const char* a_name,
                       const char* b_name);

struct ModelRun {
  double output = 0.0;             // the model's one output number
  std::vector<double> activation;  // the named activation, one entry per component
};

// The model on one input row. Throws std::invalid_argument for an unknown activation name or an
// output that is not one number.
ModelRun run_model(nn::Sequential& model, std::string_view layer, std::span<const double> input);

// The output when the named activation is replaced by `values` (activation patching).
double output_with_activation(nn::Sequential& model, std::string_view layer,
                              std::span<const double> input, std::span<const double> values);

// The gradient of the output with respect to the named activation, when that activation is
// replaced by `values`. The tape and the parameters' gradients are left as they were.
std::vector<double> gradient_with_activation(nn::Sequential& model, std::string_view layer,
                                             std::span<const double> input,
                                             std::span<const double> values);

}  // namespace attribution
