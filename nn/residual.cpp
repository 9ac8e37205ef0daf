#include "nn/residual.hpp"

#include <stdexcept>
#include <string>

#include "autodiff/operations.hpp"
#include "nn/activations.hpp"

namespace nn {

using autodiff::Var;

HiddenWithSkip::HiddenWithSkip(std::size_t in_features, std::size_t hidden)
    : linear_(in_features, hidden) {}

std::string HiddenWithSkip::name() const {
  return "HiddenWithSkip(in_features=" + std::to_string(in_features()) +
         ", hidden=" + std::to_string(hidden()) +
         ", out_features=" + std::to_string(out_features()) + ")";
}

void HiddenWithSkip::initialize(autodiff::Tape& tape, Generator& generator) {
  linear_.initialize(tape, generator);
}

void HiddenWithSkip::forward(const Matrix<Var>& input, Matrix<Var>& output) const {
  if (input.cols() != in_features())
    throw std::invalid_argument(name() + ": the input has " + std::to_string(input.cols()) +
                                " columns but in_features is " + std::to_string(in_features()) +
                                " (input shape " + shape_string(input) + ")");
  // BEGIN EXERCISE 10.1 [input, output]
  linear_.forward(input, pre_activation_);
  output.resize(input.rows(), out_features());
  const std::size_t h = hidden();
  for (std::size_t r = 0; r < input.rows(); ++r) {
    for (std::size_t j = 0; j < h; ++j) output(r, j) = autodiff::relu(pre_activation_(r, j));
    for (std::size_t i = 0; i < in_features(); ++i) output(r, h + i) = input(r, i);
  }
  // END EXERCISE 10.1
}

std::vector<NamedParameter> HiddenWithSkip::named_parameters() const {
  std::vector<NamedParameter> parameters = linear_.named_parameters();
  for (NamedParameter& parameter : parameters) parameter.name = "linear." + parameter.name;
  return parameters;
}

namespace {

void check_sizes(std::size_t n_inputs, std::size_t hidden) {
  if (n_inputs == 0) throw std::invalid_argument("residual_network: no inputs");
  if (hidden == 0 || hidden > max_residual_hidden)
    throw std::invalid_argument("residual_network: " + std::to_string(hidden) +
                                " hidden neurons; give 1 to " +
                                std::to_string(max_residual_hidden));
}

}  // namespace

Sequential residual_network(autodiff::Tape& tape, Generator& generator, std::size_t n_inputs,
                            std::size_t hidden) {
  check_sizes(n_inputs, hidden);
  return Sequential(tape, generator, HiddenWithSkip(n_inputs, hidden), Linear(hidden + n_inputs, 1),
                    Sigmoid());
}

Sequential residual_network(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                            const StateDict& parameters) {
  Generator generator;  // the drawn values are replaced at once
  Sequential model = residual_network(tape, generator, n_inputs, hidden);
  model.load_state_dict(parameters);
  return model;
}

Sequential residual_logit_network(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                                  const StateDict& parameters) {
  check_sizes(n_inputs, hidden);
  Generator generator;  // the drawn values are replaced at once
  Sequential model(tape, generator, HiddenWithSkip(n_inputs, hidden), Linear(hidden + n_inputs, 1));
  model.load_state_dict(parameters);
  return model;
}

std::string residual_architecture(std::size_t n_inputs, std::size_t hidden) {
  const std::string n = std::to_string(n_inputs), h = std::to_string(hidden);
  return "Sequential(HiddenWithSkip(" + n + ", " + h + "), Linear(" +
         std::to_string(hidden + n_inputs) + ", 1), Sigmoid())";
}

StateDict without_skip(const StateDict& parameters, std::size_t n_inputs, std::size_t hidden) {
  StateDict cut = parameters;
  const auto found = cut.find("model.1.weight");
  if (found == cut.end()) throw std::invalid_argument("without_skip: no parameter model.1.weight");
  if (found->second.size() != hidden + n_inputs)
    throw std::invalid_argument("without_skip: model.1.weight has " +
                                std::to_string(found->second.size()) +
                                " values, not H + n = " + std::to_string(hidden + n_inputs));
  for (std::size_t i = 0; i < n_inputs; ++i) found->second[hidden + i] = 0.0;
  return cut;
}

}  // namespace nn
