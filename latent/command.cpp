#include "latent/command.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "latent/arguments.hpp"
#include "latent/model_file.hpp"
#include "latent/report.hpp"
#include "nn/network.hpp"

namespace latent {

namespace {

// --weights and --bias: the neuron sigmoid(w.x + b) that ig and patch look inside.
Neuron neuron_of(const Arguments& arguments) {
  return {arguments.numbers("weights"), arguments.number("bias")};
}

// A point such as --input 1,1: one number per weight.
std::vector<double> point_of(const Arguments& arguments, const std::string& name,
                             const Neuron& neuron) {
  std::vector<double> point = arguments.numbers(name);
  if (point.size() != neuron.weights.size())
    throw UsageError("--" + name + " has " + std::to_string(point.size()) +
                     (point.size() == 1 ? " number" : " numbers") + " but --weights has " +
                     std::to_string(neuron.weights.size()) + "; give one per weight");
  return point;
}

std::size_t hidden_of(const Arguments& arguments) {
  return static_cast<std::size_t>(
      arguments.integer("hidden", 0, 0, static_cast<long long>(nn::max_hidden)));
}

std::uint64_t seed_of(const Arguments& arguments) {
  return static_cast<std::uint64_t>(arguments.integer("seed", 0, 0, max_seed));
}

std::string train(const Arguments& arguments, Format format) {
  const nn::Gate gate = nn::parse_gate(arguments.text("gate"));
  const std::size_t hidden = hidden_of(arguments);
  nn::TrainingOptions options = attribution::default_training(hidden);
  options.epochs = static_cast<int>(arguments.integer("epochs", options.epochs, 1, max_epochs));
  if (arguments.has("lr")) options.lr = arguments.number("lr");
  if (!(options.lr > 0.0))
    throw UsageError("--lr: '" + std::string(arguments.text("lr")) +
                     "' is not a learning rate; it must be greater than 0");
  const attribution::TrainedNetwork network =
      attribution::train_network(gate, seed_of(arguments), hidden, options);
  std::string report = train_report(network, format);  // refuses a network that is not finite
  if (arguments.has("save")) save_model_file(std::string(arguments.text("save")), network);
  return report;
}

std::string ig(const Arguments& arguments, Format format) {
  const Neuron neuron = neuron_of(arguments);
  const std::vector<double> input = point_of(arguments, "input", neuron);
  const std::vector<double> baseline = point_of(arguments, "baseline", neuron);
  const auto n_steps = static_cast<int>(
      arguments.integer("n-steps", attribution::default_n_steps, 1, attribution::max_n_steps));
  const attribution::Method method = arguments.has("method")
                                         ? attribution::parse_method(arguments.text("method"))
                                         : attribution::default_method;
  autodiff::Tape tape;
  nn::Sequential model = nn::neuron(tape, neuron.weights, neuron.bias);
  return ig_report(attribution::integrated_gradients(model, input, baseline, n_steps, method),
                   neuron, input, baseline, format);
}

std::string patch(const Arguments& arguments, Format format) {
  const Neuron neuron = neuron_of(arguments);
  const std::vector<double> clean = point_of(arguments, "clean", neuron);
  const std::vector<double> corrupt = point_of(arguments, "corrupt", neuron);
  autodiff::Tape tape;
  nn::Sequential model = nn::neuron(tape, neuron.weights, neuron.bias);
  const attribution::TwoWayPatching patching =
      attribution::patch_both_directions(model, nn::model_input, clean, corrupt);
  if (!patching.denoising.scores && std::isfinite(patching.f_clean()))
    throw UsageError("f(clean) = " + shortest(patching.f_clean()) +
                     " and f(corrupt) = " + shortest(patching.f_corrupt()) +
                     " are equal to rounding, so the patching scores (shares of their "
                     "difference) are undefined; choose inputs the neuron tells apart");
  return patch_report(patching, neuron, clean, corrupt, format);
}

std::string experiment(const Arguments& arguments, Format format) {
  for (const char* other : {"gate", "hidden", "seed", "weights", "bias"})
    if (arguments.has("load") && arguments.has(other))
      throw UsageError(std::string("--load takes the model from the file; --") + other +
                       " cannot be given with it");
  for (const char* other : {"seed", "hidden"})
    if (arguments.has("weights") && arguments.has(other))
      throw UsageError(std::string("--weights gives a neuron, which is not trained; --") + other +
                       " cannot be given with it");
  if (arguments.has("load"))
    return experiment_report(
        attribution::analyse(load_model_file(std::string(arguments.text("load")))), format);
  const nn::Gate gate = nn::parse_gate(arguments.text("gate"));
  if (!arguments.has("weights") && !arguments.has("bias"))
    return experiment_report(
        attribution::run_experiment(gate, seed_of(arguments), hidden_of(arguments)), format);
  if (!arguments.has("weights") || !arguments.has("bias"))
    throw UsageError("--weights and --bias go together: give both");
  const std::vector<double> weights = arguments.numbers("weights");
  if (weights.size() != nn::input_count(gate))
    throw UsageError("--weights has " + std::to_string(weights.size()) + " numbers but the " +
                     nn::gate_name(gate) + " gate has " + std::to_string(nn::input_count(gate)) +
                     " inputs; give one weight per input");
  return experiment_report(
      attribution::analyse(attribution::given_network(
          gate, 0, {{"model.0.weight", weights}, {"model.0.bias", {arguments.number("bias")}}})),
      format);
}

// Each flag once: the value it takes, then what it means.
const std::map<std::string, std::pair<std::string, std::string>> flag_help = {
    {"gate", {"NAME", "and, or, nand, nor, xor, and3, or3, maj3"}},
    {"hidden", {"H", "hidden ReLU neurons, 0 (the neuron sigmoid(w.x + b)) to 16; default 0"}},
    {"seed", {"N", "0 to 2^63 - 1; default 0. A seed gives the same bits everywhere."}},
    {"epochs", {"N", "1 to 10000000; default 1000 (2000 with --hidden)"}},
    {"lr", {"X", "the learning rate, > 0; default 0.1 (0.5 with --hidden)"}},
    {"save", {"FILE", "also write the trained model to FILE, for `latent experiment --load`"}},
    {"load", {"FILE", "the model `latent train --save FILE` wrote, analysed as it is"}},
    {"weights", {"W1,W2", "the neuron's weights, comma-separated"}},
    {"bias", {"B", "the neuron's bias"}},
    {"input", {"X1,X2", "the input, one number per weight"}},
    {"baseline", {"Y1,Y2", "the baseline, one number per weight"}},
    {"clean", {"X1,X2", "the clean input, one number per weight"}},
    {"corrupt", {"Y1,Y2", "the corrupt input, one number per weight"}},
    {"n-steps", {"N", "quadrature points, 1 to 100000 (max_n_steps); default 50"}},
    {"method",
     {"NAME",
      "riemann_left, riemann_right, riemann_middle, riemann_trapezoid (needs\n"
      "n_steps >= 2) or gausslegendre; default gausslegendre"}},
    {"json", {"", "one JSON object, numbers with 17 significant digits, instead of tables"}},
    {"csv", {"", "a header row, then one row per epoch or input"}},
};

struct Subcommand {
  std::string name;
  std::string summary;  // one line for `latent --help`
  std::string about;    // `latent NAME --help`: its usage and what it does, then its flags
  std::vector<std::string> flags, switches;
  // Returns everything to print on stdout. Bad input throws (UsageError, or the library's
  // std::invalid_argument) before anything is printed.
  std::string (*run)(const Arguments& arguments, Format format);

  std::string help() const {
    std::string text = about + "\n";
    for (const auto* names : {&flags, &switches})
      for (const std::string& flag : *names) {
        const auto& [value, meaning] = flag_help.at(flag);
        std::string line = "  --" + flag;
        line += " " + value;
        line.resize(20, ' ');
        for (const char c : meaning)
          line += c == '\n' ? "\n" + std::string(20, ' ') : std::string(1, c);
        text += line + "\n";
      }
    return text;
  }
};

const std::vector<Subcommand> subcommands = {
    {"train",
     "train a network on a logic gate, as the notebook does",
     "usage: latent train --gate NAME [--hidden H] [--seed N] [--epochs N] [--lr X] [--save FILE]\n"
     "                    [--json | --csv]\n\n"
     "Draws the network's parameters from the seed, then trains it by full-batch SGD on BCELoss\n"
     "over the gate's truth table, the rows shuffled every epoch. --json: {gate, seed, hidden,\n"
     "epochs, lr, parameters, losses: [{epoch, loss}], predictions, dead}; --csv: epoch,loss.\n",
     {"gate", "hidden", "seed", "epochs", "lr", "save"},
     {"json", "csv"},
     train},
    {"ig",
     "integrated gradients of a neuron with given weights and bias",
     "usage: latent ig --weights W1,W2 --bias B --input X1,X2 --baseline Y1,Y2 [--n-steps N]\n"
     "                 [--method NAME] [--json | --csv]\n\n"
     "Integrated gradients of sigmoid(w.x + b) from the baseline to the input, as Captum computes\n"
     "it: each input's share of f(input) - f(baseline). --json: {method, n_steps, attributions,\n"
     "convergence_delta, f_input, f_baseline}; --csv: "
     "component,input,baseline,attribution,share.\n",
     {"weights", "bias", "input", "baseline", "n-steps", "method"},
     {"json", "csv"},
     ig},
    {"patch",
     "activation patching, both directions, of a neuron with given parameters",
     "usage: latent patch --weights W1,W2 --bias B --clean X1,X2 --corrupt Y1,Y2 [--json | "
     "--csv]\n\n"
     "Patches each input of sigmoid(w.x + b) alone: denoising puts the clean value into the\n"
     "corrupt run (a high score: sufficient), noising the corrupt value into the clean run (a\n"
     "high score: necessary). A difference is f(run) - f(run patched), a score the difference\n"
     "over f(clean) - f(corrupt), which must not be zero. --json: {f_clean, f_corrupt, denoising,\n"
     "noising, denoising_differences, noising_differences}; --csv: one row per input.\n",
     {"weights", "bias", "clean", "corrupt"},
     {"json", "csv"},
     patch},
    {"experiment",
     "the tutorial's experiment for one gate: train, IG, patching, verdicts",
     "usage: latent experiment --gate NAME [--hidden H] [--seed N] [--json]\n"
     "       latent experiment --gate NAME --weights W1,W2 --bias B [--json]\n"
     "       latent experiment --load FILE [--json]\n\n"
     "Trains the network as `latent train` does (or takes the neuron or model given), then\n"
     "measures each component, the inputs (layer_0.input) or hidden neurons (layer_1.output),\n"
     "between the gate's clean and corrupt rows (xor: [1, 0] and [1, 1]; the others: all ones\n"
     "and all zeros) with integrated gradients (gausslegendre, n_steps 50) and patching both\n"
     "ways, and checks the tutorial's claims. A claim that fails is reported, not an error: the\n"
     "exit status is 0. --json: {gate, train, ig, patch, asymmetry, verdicts: {name: bool}}.\n",
     {"gate", "hidden", "seed", "weights", "bias", "load"},
     {"json"},
     experiment},
};

std::string usage() {
  std::string text =
      "latent: rerun the Latent Circuits experiments on the tutorial's networks\n\n"
      "usage: latent COMMAND [flags]\n\ncommands:\n";
  for (const Subcommand& subcommand : subcommands)
    text += "  " + subcommand.name + std::string(12 - subcommand.name.size(), ' ') +
            subcommand.summary + "\n";
  return text +
         "\nEvery command takes --json and --help; train, ig and patch also take --csv.\n"
         "`latent COMMAND --help` lists a command's flags. Bad input prints one line on stderr,\n"
         "starting \"latent: \", and exits with status 2.\n";
}

bool asks_for_help(std::string_view word) { return word == "--help" || word == "-h"; }

}  // namespace

int run(std::span<const std::string_view> words, std::ostream& out, std::ostream& err) {
  if (words.empty()) {
    err << usage();
    return 2;
  }
  if (asks_for_help(words.front())) {
    out << usage();
    return 0;
  }
  const auto subcommand = std::find_if(subcommands.begin(), subcommands.end(),
                                       [&](const auto& s) { return s.name == words.front(); });
  const std::span<const std::string_view> rest = words.subspan(1);
  if (subcommand != subcommands.end() && std::any_of(rest.begin(), rest.end(), asks_for_help)) {
    out << subcommand->help();
    return 0;
  }
  std::string message;
  int status = 2;  // bad input, unless the error is not the input's fault
  try {
    if (subcommand == subcommands.end())
      throw UsageError("unknown command '" + std::string(words.front()) +
                       "'; the commands are train, ig, patch, experiment (latent --help)");
    const Arguments arguments(rest, {subcommand->flags.begin(), subcommand->flags.end()},
                              {subcommand->switches.begin(), subcommand->switches.end()});
    const bool json = arguments.has("json"), csv = arguments.has("csv");
    if (json && csv) throw UsageError("--json and --csv exclude each other: choose one");
    out << subcommand->run(arguments, json ? Format::json : csv ? Format::csv : Format::text);
    out.flush();
    return 0;
  } catch (const UsageError& error) {
    message = error.what();
  } catch (const std::invalid_argument& error) {
    message = error.what();
  } catch (const std::bad_alloc&) {
    message = "out of memory";
    status = 1;
  } catch (const std::exception& error) {
    message = std::string("internal error: ") + error.what();
    status = 1;
  }
  std::replace(message.begin(), message.end(), '\n', ' ');  // one line, whatever it held
  std::replace(message.begin(), message.end(), '\r', ' ');
  err << "latent: " << message << "\n";
  return status;
}

}  // namespace latent
