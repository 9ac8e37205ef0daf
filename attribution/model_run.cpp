#include "attribution/model_run.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "autodiff/operations.hpp"

namespace attribution {

namespace {

// `rows` copies of one input row.
nn::Matrix<double> as_rows(std::span<const double> values, std::size_t rows = 1) {
  nn::Matrix<double> batch(rows, values.size());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < values.size(); ++j) batch(r, j) = values[j];
  return batch;
}

void check_single_output(const auto& output, std::size_t rows = 1) {
  if (output.rows() != rows || output.cols() != 1)
    throw std::invalid_argument(
        "attribution needs a model with one output number per input row; this one gives " +
        nn::shape_string(output) + " for " + std::to_string(rows) + (rows == 1 ? " row" : " rows"));
}

// What gradients_with_activation puts back after its run: the tape's length, and the parameters'
// gradients, which backward() adds into.
struct Saved {
  autodiff::Tape& tape;
  autodiff::Tape::Mark mark;
  std::vector<autodiff::Var> parameters;
  std::vector<double> gradients;
};

Saved save(autodiff::Tape& tape, std::vector<autodiff::Var> parameters) {
  std::vector<double> gradients;
  gradients.reserve(parameters.size());
  for (const autodiff::Var& p : parameters) gradients.push_back(p.grad());
  return {tape, tape.mark(), std::move(parameters), std::move(gradients)};
}

// Whether a layer rewound the tape under the mark during the run: then the parameters' nodes, or
// the tape's length at the mark, are gone, and there is nothing to put back.
bool rewound_under(const Saved& saved) {
  if (saved.tape.size() < saved.mark.size) return true;
  for (const autodiff::Var& p : saved.parameters) {
    try {
      (void)saved.tape.at(p);
    } catch (const std::logic_error&) {
      return true;
    }
  }
  return false;
}

// Only once rewound_under is false: the gradients first, as they cannot fail; the rewind can (a
// tape out of generations) and then leaves the step's nodes, not wrong gradients.
void put_back(const Saved& saved) {
  for (std::size_t i = 0; i < saved.parameters.size(); ++i)
    saved.tape.at(saved.parameters[i]).grad = saved.gradients[i];
  saved.tape.rewind(saved.mark);
}

std::logic_error rewound_during_run(std::string_view layer) {
  return std::logic_error("gradients_with_activation at " + std::string(layer) +
                          ": a layer rewound the tape during the run, under the nodes that were "
                          "there before it (the parameters among them); a layer must leave the "
                          "tape's earlier nodes alone");
}

// The run of gradients_with_activation, without the putting back.
nn::Matrix<double> differentiate(nn::Sequential& model, std::string_view layer,
                                 std::span<const double> input, const nn::Matrix<double>& values) {
  nn::Matrix<autodiff::Var> leaves;
  const auto& output = model.run_with_hooks(
      as_rows(input, values.rows()), {{std::string(layer), nn::patch_activation(values, &leaves)}});
  check_single_output(output, values.rows());
  // d(sum of outputs)/d(row k's leaves) = d(output k)/d(row k's leaves): each output's gradient
  // is exactly 1 (torch.autograd.grad with grad_outputs of ones, as Captum calls it).
  autodiff::Var total = output(0, 0);
  for (std::size_t k = 1; k < output.rows(); ++k) total = total + output(k, 0);
  total.backward();
  nn::Matrix<double> gradients(leaves.rows(), leaves.cols());
  const auto from = leaves.flat();
  const auto to = gradients.flat();
  for (std::size_t k = 0; k < from.size(); ++k) to[k] = from[k].grad();
  return gradients;
}

}  // namespace

void check_same_length(std::span<const double> a, std::span<const double> b, const char* a_name,
                       const char* b_name) {
  if (a.size() != b.size())
    throw std::invalid_argument(std::string(a_name) + " has " + std::to_string(a.size()) +
                                " components but " + b_name + " has " + std::to_string(b.size()));
}

bool gap_is_zero(double f_a, double f_b) {
  const double scale = std::max({1.0, std::fabs(f_a), std::fabs(f_b)});
  return std::fabs(f_a - f_b) <= gap_tolerance * scale;
}

ModelRun run_model(nn::Sequential& model, std::string_view layer, std::span<const double> input) {
  const auto run = model.run_with_cache(as_rows(input));
  check_single_output(run.output);
  const auto activation = run.cache[layer].row(0);
  return {run.output(0, 0), std::vector<double>(activation.begin(), activation.end())};
}

double output_with_activation(nn::Sequential& model, std::string_view layer,
                              std::span<const double> input, std::span<const double> values) {
  const auto run = model.run_with_cache(
      as_rows(input), {{std::string(layer), nn::patch_activation(as_rows(values))}});
  check_single_output(run.output);
  return run.output(0, 0);
}

nn::Matrix<double> gradients_with_activation(nn::Sequential& model, std::string_view layer,
                                             std::span<const double> input,
                                             const nn::Matrix<double>& values) {
  if (values.rows() == 0)
    throw std::invalid_argument("gradients_with_activation: no values to put in " +
                                std::string(layer) + " (0 rows)");
  // Captum takes gradients with torch.autograd.grad, which leaves .grad alone; backward() here adds
  // into every leaf it reaches, the parameters included. So the step's nodes are rewound and the
  // parameters' gradients put back, whether the run succeeds or throws: by hand rather than by a
  // destructor, which could neither report a tape it cannot restore nor throw.
  const Saved saved = save(model.tape(), model.parameters());
  nn::Matrix<double> gradients;
  try {
    gradients = differentiate(model, layer, input, values);
  } catch (...) {
    // The run's own error (a Var rewound away, most likely) then follows from the rewind.
    if (rewound_under(saved)) std::throw_with_nested(rewound_during_run(layer));
    try {
      put_back(saved);
    } catch (...) {  // a tape out of generations: the run's error is the one to report
    }
    throw;
  }
  if (rewound_under(saved)) throw rewound_during_run(layer);
  put_back(saved);
  return gradients;
}

}  // namespace attribution
