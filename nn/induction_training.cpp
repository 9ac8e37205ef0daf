#include "nn/induction_training.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/tape.hpp"
#include "nn/adam.hpp"
#include "nn/cross_entropy_loss.hpp"

namespace nn::induction {

namespace {

// The evaluation's chunk: 50 prompts put about 10^6 nodes on the tape, 50 MB, then rewind.
constexpr std::size_t eval_chunk = 50;

void check_model(const HookedTransformer& model, const char* caller) {
  const TransformerConfig& c = model.config();
  if (c.d_vocab != d_vocab || c.n_ctx < n_ctx)
    throw std::invalid_argument(std::string(caller) + ": the model has d_vocab " +
                                std::to_string(c.d_vocab) + " and n_ctx " +
                                std::to_string(c.n_ctx) + "; the induction task needs d_vocab " +
                                std::to_string(d_vocab) + " and n_ctx >= " + std::to_string(n_ctx));
}

// The rows of the last position, b*T + T-1: handles to the same nodes, no new ones.
void last_positions(const Matrix<autodiff::Var>& logits, std::size_t batch,
                    Matrix<autodiff::Var>& out) {
  out.resize(batch, d_vocab);
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t t = 0; t < d_vocab; ++t) out(b, t) = logits(b * n_ctx + n_ctx - 1, t);
}

std::size_t argmax(std::span<const double> values) {
  std::size_t best = 0;
  for (std::size_t j = 1; j < values.size(); ++j)
    if (values[j] > values[best]) best = j;
  return best;
}

}  // namespace

TransformerConfig default_config() {
  return {
      .d_vocab = d_vocab, .n_ctx = n_ctx, .d_model = 16, .d_head = 4, .n_heads = 2, .n_layers = 2};
}

Evaluation evaluate(HookedTransformer& model, const Batch& prompts) {
  check_model(model, "induction::evaluate");
  const std::size_t count = prompts.tokens.rows();
  if (count == 0) throw std::invalid_argument("induction::evaluate: no prompts");
  std::size_t correct = 0;
  double loss = 0;
  for (std::size_t start = 0; start < count; start += eval_chunk) {
    const std::size_t n = std::min(eval_chunk, count - start);
    Tokens chunk(n, n_ctx);
    for (std::size_t b = 0; b < n; ++b)
      for (std::size_t p = 0; p < n_ctx; ++p) chunk(b, p) = prompts.tokens(start + b, p);
    const Matrix<double> logits = model.predict(chunk);
    for (std::size_t b = 0; b < n; ++b) {
      const std::span<const double> last = logits.row(b * n_ctx + n_ctx - 1);
      const std::size_t target = prompts.targets[start + b];
      correct += argmax(last) == target ? 1 : 0;
      loss += cross_entropy(last, target);
    }
  }
  return {static_cast<double>(correct) / static_cast<double>(count),
          loss / static_cast<double>(count)};
}

TrainingResult train(HookedTransformer& model, Generator& generator,
                     const TrainingOptions& options) {
  check_model(model, "induction::train");
  if (options.batch_size == 0 || options.max_steps == 0 || options.eval_every == 0 ||
      options.eval_prompts == 0)
    throw std::invalid_argument(
        "induction::train: batch_size, max_steps, eval_every and eval_prompts must be >= 1");
  if (!(options.target_accuracy > 0.0 && options.target_accuracy <= 1.0))
    throw std::invalid_argument("induction::train: target_accuracy " +
                                std::to_string(options.target_accuracy) + " is not in (0, 1]");
  Adam optimizer(model.parameters(), {.lr = options.lr});
  Generator eval_generator(options.eval_seed);
  const Batch eval_prompts = batch(options.eval_prompts, eval_generator);

  autodiff::Tape& tape = model.tape();
  const autodiff::Tape::Mark mark = tape.mark();
  Matrix<autodiff::Var> last;
  TrainingResult result;
  try {
    for (std::size_t step = 1; step <= options.max_steps; ++step) {
      const Batch prompts = batch(options.batch_size, generator);
      last_positions(model.forward(prompts.tokens), options.batch_size, last);
      const autodiff::Var loss = CrossEntropyLoss()(last, prompts.targets);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      result.final_loss = loss.value();
      tape.rewind(mark);
      if (step % options.eval_every == 0 || step == options.max_steps) {
        const Evaluation evaluation = evaluate(model, eval_prompts);
        result.steps = step;
        result.accuracy = evaluation.accuracy;
        result.eval_loss = evaluation.loss;
        result.reached = evaluation.accuracy >= options.target_accuracy;
        if (result.reached) break;
      }
    }
  } catch (...) {
    tape.rewind(mark);
    throw;
  }
  return result;
}

TrainedModel train_model(std::uint64_t seed, const TrainingOptions& options,
                         const TransformerConfig& config) {
  autodiff::Tape tape;
  Generator generator(seed);
  HookedTransformer model(tape, generator, config);
  const TrainingResult result = train(model, generator, options);
  return {config, model.state_dict(), result};
}

}  // namespace nn::induction
