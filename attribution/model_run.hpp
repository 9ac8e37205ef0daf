// Running a model on one input row with one named activation read or replaced: the one way every
// attribution method here runs a model. Integrated gradients reads the activation at both ends of
// its path and takes gradients along it; patching reads two runs and replaces components of one
// with the other's; the experiment reads the hidden neurons. The replacing is nn::patch_activation,
// the same hook chapter 2 introduces.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "nn/sequential.hpp"

namespace attribution {

// Throws std::invalid_argument naming both lengths unless a and b have the same length.
void check_same_length(std::span<const double> a, std::span<const double> b, const char* a_name,
                       const char* b_name);

// Two runs' outputs count as equal when |f_a - f_b| <= gap_tolerance * max(1, |f_a|, |f_b|): a few
// hundred units in the last place of numbers near 1, far below any real gap between two runs (the
// smallest in this tutorial, clean [1, 0] against corrupt [0, 1], is 2e-4 for OR). Then there is no
// gap to share out: IG's shares and patching's scores are undefined.
inline constexpr double gap_tolerance = 1e-12;
bool gap_is_zero(double f_a, double f_b);

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

// Row k of the result is the gradient of the output with respect to the named activation when that
// activation is replaced by row k of `values`. One forward pass over values.rows() copies of the
// input and one backward from the sum of the outputs, as Captum batches its steps: rows of a batch
// never interact, so each row's gradient is, to the bit, the one a run on that row alone gives.
// The tape and the parameters' gradients are left as they were. Throws std::invalid_argument when
// `values` has no rows, and std::logic_error when a layer rewound the tape during the run under the
// nodes it held before (the parameters, say), so that they cannot be put back; when the run itself
// failed too, its exception is nested in that one (std::rethrow_if_nested).
nn::Matrix<double> gradients_with_activation(nn::Sequential& model, std::string_view layer,
                                             std::span<const double> input,
                                             const nn::Matrix<double>& values);

}  // namespace attribution
