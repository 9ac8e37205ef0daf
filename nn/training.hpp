// The training loop of the original notebook, reusable: full-batch gradient descent on BCELoss.
//
// Each epoch: shuffle the rows (a fresh permutation from the generator, as torch.randperm),
// forward, loss, zero_grad, backward, step, and rewind the tape to where it stood before the
// first epoch. The parameters were created before that mark and survive; everything else an epoch
// puts on the tape goes, so memory stays flat however many epochs run, and after the first epoch
// no step allocates.
//
// Every row is in every epoch, so the shuffle changes no gradient's value, only the order in
// which the four rows are summed, and therefore the last bits. It is kept to follow the notebook,
// and so that one seed drives both the initial weights and everything after them.
#pragma once

#include <cstddef>
#include <functional>
#include <span>

#include "autodiff/tape.hpp"
#include "nn/matrix.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"

namespace nn {

struct TrainingOptions {
  int epochs = 1000;
  double lr = 0.1;
  bool shuffle = true;
};

struct TrainingResult {
  double final_loss = 0.0;  // the loss of the last epoch, computed before its step
};

// Called after each epoch's step with the epoch (from 0) and its loss (before the step, as the
// notebook prints it).
using EpochCallback = std::function<void(int epoch, double loss)>;

// The loss of one epoch's batch: `outputs` is the model on the shuffled rows, row i being the
// data's row order[i], so the loss reads its targets in that order.
using BatchLoss = std::function<autodiff::Var(const Matrix<autodiff::Var>& outputs,
                                              std::span<const std::size_t> order)>;

// The loop above for any loss: each epoch shuffles the rows, runs the model on them, takes
// loss(outputs, order), then zero_grad, backward, step, and rewinds. nn::train calls it with
// BCELoss, chapter 9's train_classifier with CrossEntropyLoss. Throws std::invalid_argument when
// there are no rows, when options.epochs < 1 (`caller` names the function in the message), or for
// an invalid learning rate; the model's and the loss's own errors pass through. On any error the
// tape is rewound to where it was.
TrainingResult train_loop(Sequential& model, const Matrix<double>& inputs, const BatchLoss& loss,
                          Generator& generator, const TrainingOptions& options,
                          const EpochCallback& on_epoch, const char* caller = "train_loop");

// Trains `model` (whose last layer should give probabilities) on the rows of `inputs` with the
// matching rows of `targets`, by SGD with options.lr. Throws std::invalid_argument when the two
// have different numbers of rows (naming both), when there are no rows, when options.epochs < 1,
// or for an invalid learning rate; the model's and BCELoss's own errors pass through. On any
// error the tape is rewound to where it was.
TrainingResult train(Sequential& model, const Matrix<double>& inputs, const Matrix<double>& targets,
                     Generator& generator, const TrainingOptions& options = {},
                     const EpochCallback& on_epoch = {});

}  // namespace nn
