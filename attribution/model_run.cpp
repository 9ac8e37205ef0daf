#include "attribution/model_run.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>

namespace attribution {

namespace {

nn::Matrix<double> as_row(std::span<const double> values) {
  nn::Matrix<double> row(1, values.size());
  for (std::size_t j = 0; j < values.size(); ++j) row(0, j) = values[j];
  return row;
}

void check_single_output(const auto& output) {
  if (output.rows() != 1 || output.cols() != 1)
    throw std::invalid_argument(
        "attribution needs a model with one output number per input row; this one gives " +
        nn::shape_string(output) + " for one row");
}

// A hook that overwrites the activation's one row with new leaves holding `values`, and remembers
// them so that their gradients can be read after backward().
nn::Hook set_activation(std::span<const double> values, std::vector<autodiff::Var>* leaves) {
  return [values, leaves](nn::Matrix<autodiff::Var>& activation) {
    if (activation.rows() != 1 || activation.cols() != values.size())
      throw std::invalid_argument("activation of shape " + nn::shape_string(activation) +
                                  " cannot take " + std::to_string(values.size()) + " values");
    autodiff::Tape& tape = activation(0, 0).tape();
    for (std::size_t j = 0; j < values.size(); ++j) {
      activation(0, j) = tape.variable(values[j]);
      if (leaves != nullptr) leaves->push_back(activation(0, j));
    }
  };
}

}  // namespace

void check_same_length(std::span<const double> a, std::span<const double> b, const char* a_name,
                       const char* b_name) {
  if (a.size() != b.size())
    throw std::invalid_argument(std::string(a_name) + " has " + std::to_string(a.size()) +
                                " components but " + b_name + " has " + std::to_string(b.size()));
}

ModelRun run_model(nn::Sequential& model, std::string_view layer, std::span<const double> input) {
  const auto run = model.run_with_cache(as_row(input));
  check_single_output(run.output);
  const nn::Matrix<double>& activation = run.cache[layer];
  const auto row = activation.row(0);
  return {run.output(0, 0), std::vector<double>(row.begin(), row.end())};
}

double output_with_activation(nn::Sequential& model, std::string_view layer,
                              std::span<const double> input, std::span<const double> values) {
  const auto run =
      model.run_with_cache(as_row(input), {{std::string(layer), set_activation(values, nullptr)}});
  check_single_output(run.output);
  return run.output(0, 0);
}

std::vector<double> gradient_with_activation(nn::Sequential& model, std::string_view layer,
                                             std::span<const double> input,
                                             std::span<const double> values) {
  // Captum takes gradients with torch.autograd.grad, which leaves .grad alone; backward() here adds
  // into every leaf it reaches, the parameters included. So the step's nodes are rewound and the
  // parameters' gradients put back, whether the run succeeds or throws.
  struct Restore {
    autodiff::Tape& tape;
    autodiff::Tape::Mark mark;
    std::vector<autodiff::Var> parameters;
    std::vector<double> gradients;
    ~Restore() {
      tape.rewind(mark);
      for (std::size_t i = 0; i < parameters.size(); ++i)
        tape.at(parameters[i]).grad = gradients[i];
    }
  } restore{model.tape(), model.tape().mark(), model.parameters(), {}};
  for (const autodiff::Var& p : restore.parameters) restore.gradients.push_back(p.grad());

  std::vector<autodiff::Var> leaves;
  const auto& output =
      model.run_with_hooks(as_row(input), {{std::string(layer), set_activation(values, &leaves)}});
  check_single_output(output);
  output(0, 0).backward();
  std::vector<double> gradient;
  gradient.reserve(leaves.size());
  for (const autodiff::Var& leaf : leaves) gradient.push_back(leaf.grad());
  return gradient;
}

}  // namespace attribution
