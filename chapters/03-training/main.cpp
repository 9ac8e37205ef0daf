// Chapter 3 — training: gradient descent finds the AND and OR neurons.
//
// This chapter adds the training loop of the original notebook: binary cross-entropy (BCELoss),
// stochastic gradient descent (SGD), and a seeded generator that draws the initial weights and
// shuffles the four rows every epoch. It trains one sigmoid neuron for AND, then a fresh one for
// OR, 1000 epochs each at learning rate 0.1. Look at the loss falling every 100 epochs, at the
// rounded predictions (every row right), and at the learned parameters: two nearly equal weights,
// and a bias that sets the threshold — below minus one weight for AND, so that both inputs are
// needed, above it for OR, so that either input is enough.
//
//   ch03 [--seed N] [--gate and|or|nand|nor|xor]
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "chapters/03-training/options.hpp"
#include "nn/nn.hpp"

namespace {

constexpr int epochs = 1000;
constexpr double lr = 0.1;
constexpr int report_every = 100;

void print_parameters(const nn::Sequential& model) {
  for (const nn::NamedParameter& parameter : model.named_parameters())
    std::printf("%s: %s\n", parameter.name.c_str(),
                nn::to_string(nn::detach(parameter.value).flat()).c_str());
}

void train_gate(nn::Gate gate, std::uint64_t seed) {
  std::printf("== %s ==\n", nn::gate_name_upper(gate));
  // A fresh generator per gate: each gate's run depends on the seed alone, not on which gates
  // ran before it.
  nn::Generator generator(seed);
  autodiff::Tape tape;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  std::printf("Initial parameters:\n");
  print_parameters(model);

  const nn::TruthTable table = nn::truth_table(gate);
  const nn::TrainingResult result =
      nn::train(model, table.inputs, table.targets, generator,
                {.epochs = epochs, .lr = lr, .shuffle = true}, [](int epoch, double loss) {
                  if (epoch % report_every == 0) std::printf("Epoch %d, Loss: %.4f\n", epoch, loss);
                });
  std::printf("Final loss (epoch %d): %.4f\n", epochs - 1, result.final_loss);

  const nn::Matrix<double> p = model.predict(table.inputs);
  std::printf("Predictions:\n");
  for (std::size_t r = 0; r < p.rows(); ++r)
    // nearbyint rounds half to even, as torch.round does.
    std::printf("%s  p = %.4f  rounded %.0f  target %.0f\n",
                nn::to_string(table.inputs.row(r), 0).c_str(), p(r, 0), std::nearbyint(p(r, 0)),
                table.targets(r, 0));
  print_parameters(model);
}

}  // namespace

int main(int argc, char** argv) {
  chapter03::Options options;
  try {
    const std::vector<std::string_view> words(argv + 1, argv + argc);
    options = chapter03::parse_options(words);
  } catch (const chapter03::UsageError& error) {
    std::fprintf(stderr, "ch03: %s (%s)\n", error.what(), chapter03::usage);
    return 2;
  }
  if (options.help) {
    std::printf("%s\n", chapter03::usage);
    return 0;
  }

  std::printf("Chapter 3: training a neuron for AND and OR\n\n");
  std::printf("Seed %llu (try others with --seed N). For each gate: Sequential(Linear(2, 1),\n",
              static_cast<unsigned long long>(options.seed));
  std::printf("Sigmoid()) drawn from the seed, then %d epochs of SGD (lr %g) on BCELoss over\n",
              epochs, lr);
  std::printf("the four rows of its truth table, shuffled every epoch.\n");

  const std::vector<nn::Gate> gates =
      options.gate ? std::vector<nn::Gate>{*options.gate}
                   : std::vector<nn::Gate>{nn::Gate::and_gate, nn::Gate::or_gate};
  for (nn::Gate gate : gates) {
    std::printf("\n");
    train_gate(gate, options.seed);
  }
  return 0;
}
