// The two-class network of chapter 9, the shape of the study's models at toy scale: logits, one
// per class, trained with softmax cross-entropy, and measured by the logit difference
// logit(correct) - logit(incorrect) instead of a probability.
//
//   Sequential(Linear(n, 2))                                     hidden = 0
//   Sequential(Linear(n, H), ReLU(), Linear(H, 2))               hidden = H
//
// Class k of a gate's row is its target (0 or 1). Parameters are named as PyTorch names them,
// model.0.weight, ..., as for nn::network; appending LogitDifference (no parameters) keeps them.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "autodiff/tape.hpp"
#include "nn/layer.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"
#include "nn/training.hpp"

namespace nn {

// logit(correct) - logit(incorrect): a batch of logits (one column per class) to one column, so
// that every attribution method, which wants one number per row, can measure a classifier. It is
// linear, with no parameters: the gradient is +1 to the correct column, -1 to the incorrect one.
class LogitDifference : public Layer {
 public:
  // Throws std::invalid_argument when correct == incorrect (the difference would be 0 whatever
  // the network does: there is nothing to measure).
  LogitDifference(std::size_t correct, std::size_t incorrect);

  std::size_t correct() const { return correct_; }
  std::size_t incorrect() const { return incorrect_; }
  std::string name() const override;  // "LogitDifference(correct=1, incorrect=0)"
  void initialize(autodiff::Tape&, Generator&) override {}
  // Throws std::invalid_argument naming both sizes when the input has too few columns for the
  // two classes.
  void forward(const Matrix<autodiff::Var>& input, Matrix<autodiff::Var>& output) const override;

 private:
  std::size_t correct_, incorrect_;
};

// The classifier with parameters drawn from the generator, as PyTorch initialises them. Throws
// std::invalid_argument for no inputs, fewer than two classes, or hidden above max_hidden.
Sequential classifier(autodiff::Tape& tape, Generator& generator, std::size_t n_inputs,
                      std::size_t hidden = 0, std::size_t classes = 2);
// The classifier with given parameters (load_state_dict's errors pass through); with
// `measured_by` it ends in that LogitDifference layer, and gives one number per row.
Sequential classifier(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                      std::size_t classes, const StateDict& parameters);
Sequential classifier(autodiff::Tape& tape, std::size_t n_inputs, std::size_t hidden,
                      std::size_t classes, const StateDict& parameters,
                      const LogitDifference& measured_by);
// "Sequential(Linear(2, 2))", "Sequential(Linear(2, 4), ReLU(), Linear(4, 2))".
std::string classifier_architecture(std::size_t n_inputs, std::size_t hidden,
                                    std::size_t classes = 2);

// nn::train's loop (shuffle with the generator, forward, loss, zero_grad, backward, SGD step,
// rewind) on CrossEntropyLoss with class labels, one per row. Throws std::invalid_argument when
// labels and rows differ in number, for no rows, epochs < 1 or an invalid learning rate;
// CrossEntropyLoss's errors (a label out of range) pass through. On any error the tape is
// rewound to where it was.
TrainingResult train_classifier(Sequential& model, const Matrix<double>& inputs,
                                std::span<const std::size_t> labels, Generator& generator,
                                const TrainingOptions& options = {},
                                const EpochCallback& on_epoch = {});

// A gate's targets (one column of 0s and 1s) as class labels. Throws std::invalid_argument for a
// target that is not 0 or 1, or more than one column.
std::vector<std::size_t> class_labels(const Matrix<double>& targets);

}  // namespace nn
