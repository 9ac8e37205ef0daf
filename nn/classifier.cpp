#include "nn/classifier.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <utility>

#include "autodiff/operations.hpp"
#include "nn/activations.hpp"
#include "nn/cross_entropy_loss.hpp"
#include "nn/linear.hpp"
#include "nn/network.hpp"

namespace nn {

LogitDifference::LogitDifference(std::size_t correct, std::size_t incorrect)
    : correct_(correct), incorrect_(incorrect) {
  if (correct == incorrect)
    throw std::invalid_argument("LogitDifference: the correct and incorrect class are both " +
                                std::to_string(correct) + "; the difference would always be 0");
}

std::string LogitDifference::name() const {
  return "LogitDifference(correct=" + std::to_string(correct_) +
         ", incorrect=" + std::to_string(incorrect_) + ")";
}

void LogitDifference::forward(const Matrix<autodiff::Var>& input,
                              Matrix<autodiff::Var>& output) const {
  const std::size_t needed = std::max(correct_, incorrect_) + 1;
  if (input.cols() < needed)
    throw std::invalid_argument(name() + ": the input has " + std::to_string(input.cols()) +
                                " columns but needs at least " + std::to_string(needed));
  output.resize(input.rows(), 1);
  // BEGIN EXERCISE 9.2 [input, output]
  for (std::size_t r = 0; r < input.rows(); ++r)
    output(r, 0) = input(r, correct_) - input(r, incorrect_);
  // END EXERCISE 9.2
}

namespace {

std::vector<std::unique_ptr<Layer>> classifier_layers(std::size_t n_inputs, std::size_t hidden,
                                                      std::size_t classes) {
  if (n_inputs == 0) throw std::invalid_argument("classifier: no inputs");
  if (classes < 2)
    throw std::invalid_argument("classifier: " + std::to_string(classes) +
                                " classes; a classifier needs at least 2");
  if (hidden > max_hidden)
    throw std::invalid_argument("classifier: " + std::to_string(hidden) +
                                " hidden neurons; give 0 to " + std::to_string(max_hidden));
  std::vector<std::unique_ptr<Layer>> layers;
  if (hidden == 0) {
    layers.push_back(std::make_unique<Linear>(n_inputs, classes));
  } else {
    layers.push_back(std::make_unique<Linear>(n_inputs, hidden));
    layers.push_back(std::make_unique<ReLU>());
    layers.push_back(std::make_unique<Linear>(hidden, classes));
  }
  return layers;
}

}  // namespace

Sequential classifier(autodiff::Tape& tape, Generator& generator, std::size_t n_inputs,
                      std::size_t hidden, std::size_t classes) {
  return Sequential(tape, generator, classifier_layers(n_inputs, hidden, classes));
}

Sequential classifier(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                      std::size_t classes, const StateDict& parameters) {
  Generator generator;  // the drawn values are replaced at once
  Sequential model = classifier(tape, generator, n_inputs, hidden, classes);
  model.load_state_dict(parameters);
  return model;
}

Sequential classifier(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                      std::size_t classes, const StateDict& parameters,
                      const LogitDifference& measured_by) {
  if (std::max(measured_by.correct(), measured_by.incorrect()) >= classes)
    throw std::invalid_argument(measured_by.name() + ": a class is outside [0, " +
                                std::to_string(classes) + ")");
  std::vector<std::unique_ptr<Layer>> layers = classifier_layers(n_inputs, hidden, classes);
  layers.push_back(std::make_unique<LogitDifference>(measured_by));
  Generator generator;
  Sequential model(tape, generator, std::move(layers));
  model.load_state_dict(parameters);
  return model;
}

std::string classifier_architecture(std::size_t n_inputs, std::size_t hidden, std::size_t classes) {
  const std::string n = std::to_string(n_inputs), h = std::to_string(hidden),
                    c = std::to_string(classes);
  if (hidden == 0) return "Sequential(Linear(" + n + ", " + c + "))";
  return "Sequential(Linear(" + n + ", " + h + "), ReLU(), Linear(" + h + ", " + c + "))";
}

TrainingResult train_classifier(Sequential& model, const Matrix<double>& inputs,
                                std::span<const std::size_t> labels, Generator& generator,
                                const TrainingOptions& options, const EpochCallback& on_epoch) {
  if (inputs.rows() != labels.size())
    throw std::invalid_argument("train_classifier: " + std::to_string(inputs.rows()) +
                                " input rows but " + std::to_string(labels.size()) + " labels");
  if (inputs.rows() == 0) throw std::invalid_argument("train_classifier: no training rows");
  if (options.epochs < 1)
    throw std::invalid_argument("train_classifier: epochs must be at least 1, got " +
                                std::to_string(options.epochs));

  // Labels are checked here, by data row, before the shuffle renumbers the rows.
  const std::size_t classes = model.predict(Matrix<double>(1, inputs.cols())).cols();
  for (std::size_t r = 0; r < labels.size(); ++r)
    if (labels[r] >= classes)
      throw std::invalid_argument("train_classifier: label " + std::to_string(r) + " is " +
                                  std::to_string(labels[r]) + ", outside [0, " +
                                  std::to_string(classes) + ") for " + std::to_string(classes) +
                                  " classes");

  const CrossEntropyLoss criterion;
  std::vector<std::size_t> batch_labels(labels.size());
  const BatchLoss loss = [&](const Matrix<autodiff::Var>& outputs,
                             std::span<const std::size_t> order) {
    for (std::size_t i = 0; i < order.size(); ++i) batch_labels[i] = labels[order[i]];
    return criterion(outputs, batch_labels);
  };
  return train_loop(model, inputs, loss, generator, options, on_epoch, "train_classifier");
}

std::vector<std::size_t> class_labels(const Matrix<double>& targets) {
  if (targets.cols() != 1)
    throw std::invalid_argument("class_labels: the targets have " + std::to_string(targets.cols()) +
                                " columns; give one");
  std::vector<std::size_t> labels;
  for (std::size_t r = 0; r < targets.rows(); ++r) {
    const double y = targets(r, 0);
    if (y != 0.0 && y != 1.0)
      throw std::invalid_argument("class_labels: target " + std::to_string(r) +
                                  " is neither 0 nor 1");
    labels.push_back(y == 1.0 ? 1 : 0);
  }
  return labels;
}

}  // namespace nn
