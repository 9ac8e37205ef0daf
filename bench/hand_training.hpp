// The floor for case 1 of `make bench`: the notebook's training loop (one Linear(n, 1) + Sigmoid,
// BCELoss, SGD, a shuffle each epoch, every epoch's loss kept) with the gradients derived by hand.
// It does what attribution::train_network does for the neuron, without a tape, and exists only to
// measure how much the tape costs; the engine's loop (nn::train) is the one the chapters use.
#pragma once

#include <cstddef>
#include <vector>

#include "autodiff/operations.hpp"
#include "nn/bce_loss.hpp"
#include "nn/gates.hpp"
#include "nn/random.hpp"

namespace bench {

// Starts from `weights`/`bias` and draws each epoch's order from `generator`, as nn::train does, so
// the same starting point and generator state give the engine's weights (to rounding). Returns
// each epoch's loss, as train_network keeps them.
inline std::vector<double> train_by_hand(const nn::TruthTable& table, nn::Generator& generator,
                                         std::vector<double>& weights, double& bias, int epochs,
                                         double lr) {
  const std::size_t rows = table.inputs.rows(), inputs = table.inputs.cols();
  std::vector<std::size_t> order(rows);
  std::vector<double> weight_gradient(inputs), losses;
  losses.reserve(static_cast<std::size_t>(epochs));
  for (int epoch = 0; epoch < epochs; ++epoch) {
    generator.randperm(rows, order);
    for (double& g : weight_gradient) g = 0.0;
    double bias_gradient = 0.0, loss = 0.0;
    for (std::size_t i = 0; i < rows; ++i) {
      const auto x = table.inputs.row(order[i]);
      // The engine adds bias last: z = (x0 w0 + x1 w1 + ...) + b.
      double sum = 0.0;
      for (std::size_t j = 0; j < inputs; ++j)
        sum = j == 0 ? x[j] * weights[j] : sum + x[j] * weights[j];
      const double z = sum + bias;
      const double p = autodiff::sigmoid(z);
      const double y = table.targets(order[i], 0);
      loss += nn::binary_cross_entropy(p, y);  // summed in batch order, as BCELoss sums
      // dL/dp of the mean BCE, times the sigmoid's p (1 - p): the same chain the tape walks.
      const double dl_dp = nn::binary_cross_entropy_gradient(p, y) / static_cast<double>(rows);
      const double dl_dz = dl_dp * (p * (1.0 - p));
      for (std::size_t j = 0; j < inputs; ++j) weight_gradient[j] += dl_dz * x[j];
      bias_gradient += dl_dz;
    }
    for (std::size_t j = 0; j < inputs; ++j) weights[j] -= lr * weight_gradient[j];
    bias -= lr * bias_gradient;
    losses.push_back(loss / static_cast<double>(rows));
  }
  return losses;
}

}  // namespace bench
