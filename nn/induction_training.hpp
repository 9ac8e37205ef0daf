// Training a HookedTransformer on the induction task (nn/induction_task.hpp) with Adam, as
// TransformerLens users train toy models: cross-entropy on the last position's logits, a fresh
// batch of prompts every step.
//
//   nn::induction::TrainedModel trained = nn::induction::train_model(seed);
//   trained.result.steps, trained.result.accuracy;   // how long it took, how well it does
//   model.load_state_dict(trained.state);            // a model of default_config() to study
//
// The seed drives everything, as torch.manual_seed does: one Generator(seed) draws the weights
// first, then every step's batch. The evaluation prompts come from their own generator
// (options.eval_seed), the same for every seed, so that accuracies compare. Every eval_every steps
// the model is scored on them (argmax of the last position's logits == the target); training stops
// at the first check that reaches target_accuracy, or after max_steps.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nn/induction_task.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"
#include "nn/transformer.hpp"

namespace nn::induction {

// Two layers (the circuit needs one head to write "my previous token" and a later one to read it),
// two heads of 4 dimensions each, a 16-wide residual stream: room for the 9 token and 8 position
// directions without much overlap, and small on the tape, 1.7 x 10^5 nodes a step of 8 prompts.
// TL's init scale, 0.8 / sqrt(16).
TransformerConfig default_config();

struct TrainingOptions {
  std::size_t batch_size = 8;
  double lr = 1e-2;  // Adam, torch's betas and eps
  std::size_t max_steps = 4000;
  std::size_t eval_every = 100;
  std::size_t eval_prompts = 500;
  double target_accuracy = 0.99;
  std::uint64_t eval_seed = 1000;
};

struct TrainingResult {
  std::size_t steps = 0;  // steps taken (the last check's step)
  bool reached = false;   // accuracy >= target_accuracy at that check
  double final_loss = 0;  // the last step's batch loss, before its update
  double accuracy = 0;    // on the evaluation prompts, at the last check
  double eval_loss = 0;   // the mean cross-entropy there
};

// The evaluation: accuracy and mean loss of `model` on `prompts` at the last position (in chunks,
// so the tape stays small; the tape is left as it was). Throws std::invalid_argument when the
// model's config does not fit the task's vocabulary and length.
struct Evaluation {
  double accuracy = 0, loss = 0;
};
Evaluation evaluate(HookedTransformer& model, const Batch& prompts);

// Trains `model` in place, drawing its batches from `generator`. Throws std::invalid_argument for
// a batch size, max_steps, eval_every or eval_prompts of 0, a target_accuracy outside (0, 1], a
// model that does not fit the task, and Adam's errors for lr. The tape is rewound after every
// step to where it stood before the first.
TrainingResult train(HookedTransformer& model, Generator& generator,
                     const TrainingOptions& options = {});

struct TrainedModel {
  TransformerConfig config;
  StateDict state;
  TrainingResult result;
};
// A model of `config` made from Generator(seed) and trained on the same generator.
TrainedModel train_model(std::uint64_t seed, const TrainingOptions& options = {},
                         const TransformerConfig& config = default_config());

}  // namespace nn::induction
