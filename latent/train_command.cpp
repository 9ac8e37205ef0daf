// latent train: the notebook's training of one neuron on a logic gate.
#include <cstdint>
#include <string>

#include "attribution/experiment.hpp"
#include "latent/subcommands.hpp"
#include "nn/gates.hpp"

namespace latent {

namespace {

constexpr std::string_view help =
    "usage: latent train --gate and|or|nand|nor|xor [--seed N] [--epochs N] [--lr X] [--json]\n"
    "\n"
    "Trains the neuron sigmoid(w.x + b) on a gate's four truth-table rows, as the notebook does:\n"
    "weights drawn from the seed, then full-batch SGD on BCELoss, the rows shuffled every epoch.\n"
    "Prints the loss every tenth of the run, the trained parameters and the predictions.\n"
    "\n"
    "  --gate NAME   and, or, nand, nor or xor (xor cannot be learnt by one neuron)\n"
    "  --seed N      0 to 2^63 - 1; default 0. The same seed gives the same bits everywhere.\n"
    "  --epochs N    1 to 10000000; default 1000\n"
    "  --lr X        the learning rate, finite and > 0; default 0.1\n"
    "  --json        {\"gate\", \"seed\", \"epochs\", \"lr\", \"weights\", \"bias\",\n"
    "                 \"losses\": [{\"epoch\", \"loss\"}, ...] (every epoch), \"predictions\"}\n"
    "\n"
    "example: latent train --gate and --seed 0\n";

std::string run(std::span<const std::string_view> words) {
  const Arguments arguments(words, {"gate", "seed", "epochs", "lr"}, {"json"});
  const nn::Gate gate = nn::parse_gate(arguments.required("gate"));
  const long long seed = arguments.integer("seed", 0, 0, max_seed);
  const long long epochs = arguments.integer("epochs", 1000, 1, max_epochs);
  double lr = 0.1;
  if (arguments.has("lr")) {
    lr = arguments.number("lr");
    if (!(lr > 0.0))
      throw UsageError("--lr: '" + std::string(arguments.required("lr")) +
                       "' is not a learning rate; it must be greater than 0");
  }

  const attribution::TrainedNeuron trained = attribution::train_neuron(
      gate, static_cast<std::uint64_t>(seed), static_cast<int>(epochs), lr);
  require_finite(trained.losses, "the training loss");
  require_finite(trained.weights, "a trained weight");
  require_finite({&trained.bias, 1}, "the trained bias");
  require_finite(trained.predictions, "a prediction");
  return arguments.has("json") ? train_json(trained) + "\n" : train_text(trained);
}

}  // namespace

Subcommand train_subcommand() {
  return {"train", "train the neuron on a logic gate (the notebook's training)", help, run};
}

}  // namespace latent
