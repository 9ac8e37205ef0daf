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

// The same for many replacements at once: row k of the result is the gradient when the activation
// is replaced by row k of `values`. One forward pass over a batch of values.rows() copies of the
// input and one backward from the sum of the outputs, as Captum batches its steps: rows of a batch
// never interact (nn's layers treat each row alone), so each row's gradient is, to the bit, the
// one a run on that row alone gives. Throws std::invalid_argument when `values` has no rows.
nn::Matrix<double> gradients_with_activation(nn::Sequential& model, std::string_view layer,
                                             std::span<const double> input,
                                             const nn::Matrix<double>& values);

}  // namespace attribution
