// latent train: the notebook's training of one neuron on a logic gate.
#include <cstddef>
#include <cstdint>
#include <string>

#include "attribution/experiment.hpp"
#include "attribution/hidden_layer.hpp"
#include "latent/csv.hpp"
#include "latent/hidden_layer_report.hpp"
#include "latent/model_file.hpp"
#include "latent/subcommands.hpp"
#include "nn/gates.hpp"

namespace latent {

namespace {

constexpr std::string_view help =
    "usage: latent train --gate and|or|nand|nor|xor|and3|or3|maj3 [--hidden H] [--seed N]\n"
    "                    [--epochs N] [--lr X] [--json | --csv]\n"
    "\n"
    "Trains the neuron sigmoid(w.x + b) on a gate's truth-table rows, as the notebook does:\n"
    "weights drawn from the seed, then full-batch SGD on BCELoss, the rows shuffled every epoch.\n"
    "With --hidden H, trains Sequential(Linear(n, H), ReLU(), Linear(H, 1), Sigmoid()) instead\n"
    "(chapter 7). Prints the loss every tenth of the run, the trained parameters and the\n"
    "predictions.\n"
    "\n"
    "  --gate NAME   and, or, nand, nor, xor (two inputs; xor cannot be learnt by one neuron), or\n"
    "                and3, or3, maj3 (three inputs)\n"
    "  --hidden H    0 to 16 hidden neurons; default 0, the single neuron\n"
    "  --seed N      0 to 2^63 - 1; default 0. The same seed gives the same bits everywhere.\n"
    "  --epochs N    1 to 10000000; default 1000 (2000 with --hidden)\n"
    "  --lr X        the learning rate, finite and > 0; default 0.1 (0.5 with --hidden)\n"
    "  --json        {\"gate\", \"seed\", \"epochs\", \"lr\", \"weights\", \"bias\",\n"
    "                 \"losses\": [{\"epoch\", \"loss\"}, ...] (every epoch), \"predictions\"};\n"
    "                with --hidden: {\"gate\", \"seed\", \"hidden\", \"epochs\", \"lr\",\n"
    "                 \"parameters\": {\"model.0.weight\", ...}, \"losses\", \"predictions\",\n"
    "                 \"dead\"}\n"
    "  --csv         a header row \"epoch,loss\", then one row per epoch\n"
    "  --save FILE   also write the trained model to FILE, for `latent experiment --load`\n"
    "                (JSON: gate, inputs, hidden, seed, epochs, lr and the parameters)\n"
    "\n"
    "examples: latent train --gate and --seed 0\n"
    "          latent train --gate xor --hidden 2 --seed 8\n";

std::string run(std::span<const std::string_view> words) {
  const Arguments arguments(words, {"gate", "hidden", "seed", "epochs", "lr", "save"},
                            {"json", "csv"});
  const OutputFormat format = read_output_format(arguments);
  const nn::Gate gate = nn::parse_any_gate(arguments.required("gate"));
  const long long hidden = arguments.integer("hidden", 0, 0, attribution::max_hidden);
  const long long seed = arguments.integer("seed", 0, 0, max_seed);
  const long long epochs = arguments.integer(
      "epochs", hidden > 0 ? attribution::hidden_layer_epochs : 1000, 1, max_epochs);
  double lr = hidden > 0 ? attribution::hidden_layer_lr : 0.1;
  if (arguments.has("lr")) {
    lr = arguments.number("lr");
    if (!(lr > 0.0))
      throw UsageError("--lr: '" + std::string(arguments.required("lr")) +
                       "' is not a learning rate; it must be greater than 0");
  }

  if (hidden > 0) {
    const attribution::TrainedNetwork network =
        attribution::train_network(gate, static_cast<std::uint64_t>(seed),
                                   static_cast<std::size_t>(hidden), static_cast<int>(epochs), lr);
    require_finite(network);
    if (arguments.has("save"))
      save_model_file(
          std::string(arguments.required("save")),
          {gate, network.hidden, network.seed, network.epochs, network.lr, network.state});
    if (format == OutputFormat::csv) return train_csv(network.losses);
    return arguments.has("json") ? hidden_train_json(network) + "\n" : hidden_train_text(network);
  }
  const attribution::TrainedNeuron trained = attribution::train_neuron(
      gate, static_cast<std::uint64_t>(seed), static_cast<int>(epochs), lr);
  require_finite(trained.losses, "the training loss");
  require_finite(trained.weights, "a trained weight");
  require_finite({&trained.bias, 1}, "the trained bias");
  require_finite(trained.predictions, "a prediction");
  if (arguments.has("save"))
    save_model_file(std::string(arguments.required("save")),
                    {gate,
                     0,
                     trained.seed,
                     trained.epochs,
                     trained.lr,
                     {{"model.0.weight", trained.weights}, {"model.0.bias", {trained.bias}}}});
  if (format == OutputFormat::csv) return train_csv(trained.losses);
  return arguments.has("json") ? train_json(trained) + "\n" : train_text(trained);
}

}  // namespace

Subcommand train_subcommand() {
  return {"train", "train the neuron on a logic gate (the notebook's training)", help, run};
}

}  // namespace latent
