// latent experiment: the tutorial's whole experiment for one gate, with its claims checked.
#include <cstdint>
#include <string>
#include <utility>

#include "attribution/experiment.hpp"
#include "latent/subcommands.hpp"
#include "nn/gates.hpp"

namespace latent {

namespace {

constexpr std::string_view help =
    "usage: latent experiment --gate and|or [--seed N] [--json]\n"
    "       latent experiment --gate and|or --weights W1,W2 --bias B [--json]\n"
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
    "examples: latent experiment --gate or --seed 3\n"
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

std::string run(std::span<const std::string_view> words) {
  const Arguments arguments(words, {"gate", "seed", "weights", "bias"}, {"json"});
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
