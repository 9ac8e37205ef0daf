#include "nn/training.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/bce_loss.hpp"
#include "nn/sgd.hpp"

namespace nn {

TrainingResult train_loop(Sequential& model, const Matrix<double>& inputs, const BatchLoss& loss_of,
                          Generator& generator, const TrainingOptions& options,
                          const EpochCallback& on_epoch, const char* caller) {
  if (inputs.rows() == 0) throw std::invalid_argument(std::string(caller) + ": no training rows");
  if (options.epochs < 1)
    throw std::invalid_argument(std::string(caller) + ": epochs must be at least 1, got " +
                                std::to_string(options.epochs));

  const SGD optimizer(model.parameters(), options.lr);
  autodiff::Tape& tape = model.tape();
  const autodiff::Tape::Mark mark = tape.mark();

  const std::size_t n = inputs.rows();
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  Matrix<double> batch_inputs(n, inputs.cols());

  TrainingResult result;
  try {
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
      if (options.shuffle) generator.randperm(n, order);
      for (std::size_t i = 0; i < n; ++i) {
        const auto x = inputs.row(order[i]);
        std::copy(x.begin(), x.end(), batch_inputs.row(i).begin());
      }
      // BEGIN EXERCISE 3.3 [optimizer, loss_of, order]
      const autodiff::Var loss = loss_of(model.forward(batch_inputs), order);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      result.final_loss = loss.value();
      // END EXERCISE 3.3
      if (on_epoch) on_epoch(epoch, result.final_loss);
      tape.rewind(mark);
    }
  } catch (...) {
    tape.rewind(mark);
    throw;
  }
  return result;
}

TrainingResult train(Sequential& model, const Matrix<double>& inputs, const Matrix<double>& targets,
                     Generator& generator, const TrainingOptions& options,
                     const EpochCallback& on_epoch) {
  if (inputs.rows() != targets.rows())
    throw std::invalid_argument("train: " + std::to_string(inputs.rows()) + " input rows but " +
                                std::to_string(targets.rows()) + " target rows");
  const BCELoss criterion;
  Matrix<double> batch_targets(targets.rows(), targets.cols());
  const BatchLoss loss = [&](const Matrix<autodiff::Var>& outputs,
                             std::span<const std::size_t> order) {
    for (std::size_t i = 0; i < order.size(); ++i) {
      const auto y = targets.row(order[i]);
      std::copy(y.begin(), y.end(), batch_targets.row(i).begin());
    }
    return criterion(outputs, batch_targets);
  };
  return train_loop(model, inputs, loss, generator, options, on_epoch, "train");
}

}  // namespace nn
