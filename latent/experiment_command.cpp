// latent experiment: the tutorial's whole experiment for one gate, with its claims checked.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "attribution/experiment.hpp"
#include "attribution/hidden_layer.hpp"
#include "latent/hidden_layer_report.hpp"
#include "latent/model_file.hpp"
#include "latent/subcommands.hpp"
#include "nn/gates.hpp"

namespace latent {

namespace {

constexpr std::string_view help =
    "usage: latent experiment --gate and|or [--seed N] [--json]\n"
    "       latent experiment --gate and|or --weights W1,W2 --bias B [--json]\n"
    "       latent experiment --gate NAME --hidden H [--seed N] [--json]\n"
    "\n"
    "The tutorial's experiment for one gate: train the neuron (1000 epochs at lr 0.1, as\n"
    "`latent train`), then integrated gradients of the clean input [1, 1] against the corrupt\n"
    "baseline [0, 0] (gausslegendre, n_steps = 50) and activation patching of that pair in both\n"
    "directions; then check the tutorial's claims about them. A claim that fails is reported,\n"
    "not an error: the exit status is 0 either way.\n"
    "\n"
    "  --gate NAME       and or or\n"
    "  --seed N          0 to 2^63 - 1; default 0\n"
    "  --weights W1,W2   with --bias: analyse this neuron instead of training one (its \"train\"\n"
    "  --bias B          then has epochs 0, lr 0 and no losses)\n"
    "  --json            {\"gate\", \"train\", \"ig\", \"patch\", \"verdicts\": {claim: "
    "true|false}},\n"
    "                    train, ig and patch as `latent train|ig|patch --json` print them\n"
    "\n"
    "With --hidden H (1 to 16), chapter 7's analysis: the network\n"
    "Sequential(Linear(n, H), ReLU(), Linear(H, 1), Sigmoid()) trained on any gate (and, or,\n"
    "nand, nor, xor, and3, or3, maj3; 2000 epochs at lr 0.5), then layer integrated gradients\n"
    "at layer_1.output with the corrupt run as baseline and patching of each hidden neuron,\n"
    "between the gate's clean and corrupt rows (xor: [1, 0] and [1, 1]; the others: all ones\n"
    "and all zeros). Its JSON has the shape\n"
    "above with the hidden neurons as components, \"train\" as `latent train --hidden --json`\n"
    "prints it, an \"asymmetry\" list (null for a neuron neither direction scores) and verdicts\n"
    "{\"classifies_all_rows\", \"ig_complete\", \"silent_neurons_get_zero\"}.\n"
    "\n"
    "With --load FILE, the model `latent train --save FILE` wrote (its gate, its parameters)\n"
    "is analysed as it is, without training; --gate, --hidden, --seed, --weights and --bias\n"
    "cannot be given with it.\n"
    "\n"
    "examples: latent experiment --gate or --seed 3\n"
    "          latent experiment --gate xor --hidden 2 --seed 8\n"
    "          latent experiment --gate and --weights 3.0482,3.0556 --bias -4.7946\n";

void check_finite(const attribution::ExperimentResult& result) {
  require_finite(result.train.losses, "the training loss");
  require_finite(result.train.weights, "a trained weight");
  require_finite({&result.train.bias, 1}, "the trained bias");
  require_finite(result.ig.attributions, "an attribution");
  require_finite({&result.ig.convergence_delta, 1}, "the convergence delta");
  require_finite(result.patching.denoising.differences, "a denoising difference");
  require_finite(result.patching.noising.differences, "a noising difference");
}

std::string json_of(const attribution::ExperimentResult& result) {
  JsonObjectText json;
  json.add("gate", nn::gate_name(result.train.gate));
  json.add_text("train", train_json(result.train));
  json.add("ig", ig_json(result.ig));
  json.add("patch", patch_json(result.patching));
  Json::Object verdicts;
  for (const attribution::Verdict& verdict : result.verdicts)
    verdicts.emplace_back(verdict.name, verdict.holds);
  json.add("verdicts", Json(std::move(verdicts)));
  return std::move(json).take() + "\n";
}

std::string text_of(const attribution::ExperimentResult& result) {
  const NeuronParameters trained{result.train.weights, result.train.bias};
  const bool was_trained = !result.train.losses.empty();
  std::string text = "Experiment on the " + std::string(nn::gate_label(result.train.gate)) +
                     " gate, " +
                     (was_trained ? "seed " + std::to_string(result.train.seed) + ": train, then "
                                  : std::string("a given neuron: ")) +
                     "integrated gradients and activation patching between clean " +
                     list_text(attribution::clean_input) + " and corrupt " +
                     list_text(attribution::corrupt_input) + "\n\n";
  text += train_text(result.train) + "\n";
  text += ig_text(result.ig, trained, attribution::clean_input, attribution::corrupt_input) + "\n";
  text +=
      patch_text(result.patching, trained, attribution::clean_input, attribution::corrupt_input) +
      "\n";

  Table verdicts({"name", "verdict", "claim"});
  int holding = 0;
  for (const attribution::Verdict& verdict : result.verdicts) {
    holding += verdict.holds ? 1 : 0;
    verdicts.add_row({verdict.name, verdict.holds ? "holds" : "FAILS", verdict.claim});
  }
  text += "The tutorial's claims:\n" + verdicts.text();
  text +=
      std::to_string(holding) + " of " + std::to_string(result.verdicts.size()) + " claims hold.\n";
  return text;
}

attribution::ExperimentResult given_neuron(nn::Gate gate, const Arguments& arguments) {
  if (arguments.has("seed"))
    throw UsageError("--seed and --weights exclude each other: a given neuron is not trained");
  if (!arguments.has("bias")) throw UsageError("--weights needs --bias");
  const NeuronParameters neuron = read_neuron(arguments);
  if (neuron.weights.size() != 2)
    throw UsageError("--weights has " + std::to_string(neuron.weights.size()) +
                     (neuron.weights.size() == 1 ? " number" : " numbers") +
                     " but a gate has two inputs; give two");
  return attribution::analyse_neuron(gate, neuron.weights, neuron.bias);
}

// Chapter 7's experiment on a network with a hidden layer.
std::string hidden_layer_run(const Arguments& arguments) {
  if (arguments.has("weights") || arguments.has("bias"))
    throw UsageError("--hidden trains a network: --weights and --bias are for the single neuron");
  const nn::Gate gate = nn::parse_any_gate(arguments.required("gate"));
  const long long hidden = arguments.integer("hidden", 0, 1, attribution::max_hidden);
  const attribution::HiddenLayerExperiment result = attribution::run_hidden_layer_experiment(
      gate, static_cast<std::uint64_t>(arguments.integer("seed", 0, 0, max_seed)),
      static_cast<std::size_t>(hidden));
  require_finite(result);
  return arguments.has("json") ? hidden_experiment_json(result) : hidden_experiment_text(result);
}

// A model saved by `latent train --save`.
std::string loaded_run(const Arguments& arguments) {
  for (const char* flag : {"gate", "hidden", "seed", "weights", "bias"})
    if (arguments.has(flag))
      throw UsageError(std::string("--load takes the model from the file; --") + flag +
                       " cannot be given with it");
  const ModelFile model = load_model_file(std::string(arguments.required("load")));
  if (model.hidden == 0) {
    const auto& weights = model.parameters.at("model.0.weight");
    const attribution::ExperimentResult result =
        attribution::analyse_neuron(model.gate, weights, model.parameters.at("model.0.bias").at(0));
    check_finite(result);
    return arguments.has("json") ? json_of(result) : text_of(result);
  }
  attribution::TrainedNetwork network =
      attribution::given_network(model.gate, model.hidden, model.parameters);
  network.seed = model.seed;
  const attribution::HiddenLayerExperiment result = attribution::analyse_network(network);
  require_finite(result);
  return arguments.has("json") ? hidden_experiment_json(result) : hidden_experiment_text(result);
}

std::string run(std::span<const std::string_view> words) {
  const Arguments arguments(words, {"gate", "hidden", "seed", "weights", "bias", "load"}, {"json"});
  if (arguments.has("load")) return loaded_run(arguments);
  if (arguments.has("hidden")) return hidden_layer_run(arguments);
  const nn::Gate gate = nn::parse_gate(arguments.required("gate"));
  if (arguments.has("bias") && !arguments.has("weights"))
    throw UsageError("--bias needs --weights");
  const attribution::ExperimentResult result =
      arguments.has("weights")
          ? given_neuron(gate, arguments)
          : attribution::run_experiment(
                gate, static_cast<std::uint64_t>(arguments.integer("seed", 0, 0, max_seed)));
  check_finite(result);
  return arguments.has("json") ? json_of(result) : text_of(result);
}

}  // namespace

Subcommand experiment_subcommand() {
  return {"experiment", "the tutorial's experiment for one gate: train, IG, patching, verdicts",
          help, run};
}

}  // namespace latent
