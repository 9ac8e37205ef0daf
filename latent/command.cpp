#include "latent/command.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/metric.hpp"
#include "attribution/model_run.hpp"
#include "latent/arguments.hpp"
#include "latent/classifier.hpp"
#include "latent/compare.hpp"
#include "latent/heads.hpp"
#include "latent/model_file.hpp"
#include "latent/report.hpp"
#include "latent/residual.hpp"
#include "nn/network.hpp"
#include "nn/residual.hpp"

namespace latent {

namespace {

// What a subcommand reads besides its flags.
struct Context {
  Format format;
  const ProgressSettings& progress;
  std::ostream& err;
};

// --metric, if given.
std::optional<attribution::Metric> metric_of(const Arguments& arguments) {
  if (!arguments.has("metric")) return std::nullopt;
  const std::string_view text = arguments.text("metric");
  if (text == "probability") return attribution::Metric::probability;
  if (text == "logit") return attribution::Metric::logit;
  throw UsageError("--metric: '" + std::string(text) +
                   "' is not a metric; give probability or logit");
}

// --weights and --bias: the neuron sigmoid(w.x + b) that ig and patch look inside, and --metric.
Neuron neuron_of(const Arguments& arguments) {
  Neuron neuron{arguments.numbers("weights"), arguments.number("bias"), metric_of(arguments)};
  if (neuron.weights.size() > max_weights)
    throw UsageError("--weights has " + std::to_string(neuron.weights.size()) +
                     " numbers; at most " + std::to_string(max_weights) + " are allowed");
  return neuron;
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

std::string train(const Arguments& arguments, const Context& context) {
  const nn::Gate gate = nn::parse_gate(arguments.text("gate"));
  const std::size_t hidden = hidden_of(arguments);
  nn::TrainingOptions options = attribution::default_training(hidden);
  options.epochs = static_cast<int>(arguments.integer("epochs", options.epochs, 1, max_epochs));
  if (arguments.has("lr")) options.lr = arguments.number("lr");
  if (!(options.lr > 0.0))
    throw UsageError("--lr: '" + std::string(arguments.text("lr")) +
                     "' is not a learning rate; it must be greater than 0");
  TrainingProgress progress(context.progress, context.err, options.epochs);
  if (arguments.has("classifier")) {
    const TrainedClassifier classifier =
        train_classifier(gate, seed_of(arguments), hidden, options,
                         [&progress](int epoch, double loss) { progress.update(epoch, loss); });
    progress.done();
    std::string report = classifier_train_report(classifier, context.format);
    if (arguments.has("save")) save_model_file(std::string(arguments.text("save")), classifier);
    return report;
  }
  const attribution::TrainedNetwork network = attribution::train_network(
      gate, seed_of(arguments), hidden, options,
      [&progress](int epoch, double loss) { progress.update(epoch, loss); });
  progress.done();
  std::string report = train_report(network, context.format);  // refuses what is not finite
  if (arguments.has("save")) save_model_file(std::string(arguments.text("save")), network);
  return report;
}

std::string ig(const Arguments& arguments, const Context& context) {
  const Neuron neuron = neuron_of(arguments);
  const std::vector<double> input = point_of(arguments, "input", neuron);
  const std::vector<double> baseline = point_of(arguments, "baseline", neuron);
  const auto n_steps = static_cast<int>(
      arguments.integer("n-steps", attribution::default_n_steps, 1, attribution::max_n_steps));
  if (static_cast<long long>(neuron.weights.size()) * n_steps > max_ig_points)
    throw UsageError("--n-steps " + std::to_string(n_steps) + " with " +
                     std::to_string(neuron.weights.size()) + " weights is " +
                     std::to_string(static_cast<long long>(neuron.weights.size()) * n_steps) +
                     " quadrature points; at most " + std::to_string(max_ig_points) +
                     " are allowed (--n-steps times the number of weights)");
  const attribution::Method method = arguments.has("method")
                                         ? attribution::parse_method(arguments.text("method"))
                                         : attribution::default_method;
  autodiff::Tape tape;
  nn::Sequential model = attribution::measured_neuron(
      tape, neuron.weights, neuron.bias, neuron.metric.value_or(attribution::default_metric));
  return ig_report(attribution::integrated_gradients(model, input, baseline, n_steps, method),
                   neuron, input, baseline, context.format);
}

std::string patch(const Arguments& arguments, const Context& context) {
  const Neuron neuron = neuron_of(arguments);
  const std::vector<double> clean = point_of(arguments, "clean", neuron);
  const std::vector<double> corrupt = point_of(arguments, "corrupt", neuron);
  autodiff::Tape tape;
  nn::Sequential model = attribution::measured_neuron(
      tape, neuron.weights, neuron.bias, neuron.metric.value_or(attribution::default_metric));
  // Two runs tell whether there is a gap to share out, before the patched runs (one per weight).
  const double f_clean = attribution::run_model(model, nn::model_input, clean).output;
  const double f_corrupt = attribution::run_model(model, nn::model_input, corrupt).output;
  if (std::isfinite(f_clean) && std::isfinite(f_corrupt) &&
      attribution::gap_is_zero(f_clean, f_corrupt))
    throw UsageError("f(clean) = " + shortest(f_clean) +
                     " and f(corrupt) = " + shortest(f_corrupt) +
                     " are equal to rounding, so the patching scores (shares of their "
                     "difference) are undefined; choose inputs the neuron tells apart");
  return patch_report(attribution::patch_both_directions(model, nn::model_input, clean, corrupt),
                      neuron, clean, corrupt, context.format);
}

// What --classifier cannot be given with, each refused in one line before any work.
void check_classifier_flags(const Arguments& arguments) {
  if (arguments.has("metric"))
    throw UsageError(
        "--metric cannot be given with --classifier: the classifier is measured by the logit "
        "difference logit(correct) - logit(incorrect)");
  if (arguments.has("load"))
    throw UsageError(
        "--load takes the model from the file, which says whether it is a classifier; "
        "--classifier cannot be given with it");
  for (const char* other : {"weights", "bias"})
    if (arguments.has(other))
      throw UsageError(std::string("--classifier trains a classifier from the seed; --") + other +
                       " (a given neuron) cannot be given with it");
}

std::string experiment(const Arguments& arguments, const Context& context) {
  const Format format = context.format;
  if (arguments.has("classifier")) check_classifier_flags(arguments);
  const std::optional<attribution::Metric> metric = metric_of(arguments);
  const attribution::Metric measured = metric.value_or(attribution::default_metric);
  for (const char* other : {"gate", "hidden", "seed", "weights", "bias"})
    if (arguments.has("load") && arguments.has(other))
      throw UsageError(std::string("--load takes the model from the file; --") + other +
                       " cannot be given with it");
  for (const char* other : {"seed", "hidden"})
    if (arguments.has("weights") && arguments.has(other))
      throw UsageError(std::string("--weights gives a neuron, which is not trained; --") + other +
                       " cannot be given with it");
  if (arguments.has("load")) {
    const std::string path(arguments.text("load"));
    Model model = load_any_model_file(path);
    if (auto* classifier = std::get_if<TrainedClassifier>(&model)) {
      if (metric)
        throw UsageError(path +
                         " holds a classifier, measured by the logit difference logit(correct) - "
                         "logit(incorrect); --metric cannot be given with it");
      return classifier_experiment_report(analyse_classifier(std::move(*classifier)), format);
    }
    return experiment_report(
        attribution::analyse(std::get<attribution::TrainedNetwork>(std::move(model)), measured),
        format, metric);
  }
  const nn::Gate gate = nn::parse_gate(arguments.text("gate"));
  if (arguments.has("classifier")) {
    const std::size_t hidden = hidden_of(arguments);
    return classifier_experiment_report(
        analyse_classifier(train_classifier(gate, seed_of(arguments), hidden,
                                            attribution::default_training(hidden))),
        format);
  }
  if (!arguments.has("weights") && !arguments.has("bias"))
    return experiment_report(
        attribution::analyse(
            attribution::train_network(gate, seed_of(arguments), hidden_of(arguments)), measured),
        format, metric);
  if (!arguments.has("weights") || !arguments.has("bias"))
    throw UsageError("--weights and --bias go together: give both");
  const std::vector<double> weights = arguments.numbers("weights");
  if (weights.size() != nn::input_count(gate))
    throw UsageError("--weights has " + std::to_string(weights.size()) + " numbers but the " +
                     nn::gate_name(gate) + " gate has " + std::to_string(nn::input_count(gate)) +
                     " inputs; give one weight per input");
  return experiment_report(
      attribution::analyse(
          attribution::given_network(
              gate, 0, {{"model.0.weight", weights}, {"model.0.bias", {arguments.number("bias")}}}),
          measured),
      format, metric);
}

std::string residual(const Arguments& arguments, const Context& context) {
  ResidualRequest request;
  request.gate = nn::parse_gate(arguments.text("gate"));
  request.seed = seed_of(arguments);
  request.hidden = static_cast<std::size_t>(
      arguments.integer("hidden", 4, 1, static_cast<long long>(nn::max_residual_hidden)));
  request.skip = !arguments.has("no-skip");
  request.n_steps = static_cast<int>(
      arguments.integer("n-steps", attribution::default_n_steps, 1, attribution::max_n_steps));
  if (arguments.has("method")) request.method = attribution::parse_method(arguments.text("method"));
  return residual_report(request, context.format);
}

std::string compare(const Arguments& arguments, const Context& context) {
  CompareRequest request;
  request.gate = nn::parse_gate(arguments.text("gate"));
  request.seed = seed_of(arguments);
  request.hidden = static_cast<std::size_t>(
      arguments.integer("hidden", 8, 1, static_cast<long long>(nn::max_hidden)));
  if (arguments.has("fraction")) {
    request.fraction = arguments.number("fraction");
    if (!(request.fraction > 0.0 && request.fraction <= 1.0))
      throw UsageError("--fraction: '" + std::string(arguments.text("fraction")) +
                       "' is out of range; allowed above 0 up to 1");
  }
  request.skip = arguments.has("skip");
  if (request.skip && arguments.has("baseline"))
    throw UsageError(
        "--baseline cannot be given with --skip: with the skip path IG runs both ways between the "
        "two runs (ig_denoising from the corrupt run, ig_noising from the clean run), so there is "
        "no baseline to choose");
  if (arguments.has("baseline")) {
    const std::string_view baseline = arguments.text("baseline");
    if (baseline != "corrupt" && baseline != "zero")
      throw UsageError("--baseline: '" + std::string(baseline) +
                       "' is not a baseline; give corrupt or zero");
    request.baseline = baseline == "zero" ? IgBaseline::zero : IgBaseline::corrupt;
  }
  if (arguments.has("split-ratio")) {
    if (request.skip)
      throw UsageError(
          "--split-ratio cannot be given with --skip: split IG splits the path from one baseline's "
          "neurons to the clean run's, and with the skip path each IG has a base run of its own");
    const double ratio = arguments.number("split-ratio");
    if (!(ratio >= 0.0 && ratio <= 1.0))
      throw UsageError("--split-ratio: '" + std::string(arguments.text("split-ratio")) +
                       "' is out of range; allowed 0 to 1");
    request.split_ratio = ratio;
  }
  return compare_report(request, context.format);
}

std::string heads(const Arguments& arguments, const Context& context) {
  HeadsRequest request;
  if (arguments.has("induction")) {
    for (const char* other : {"circuit", "sink"})
      if (arguments.has(other))
        throw UsageError(std::string("--") + other +
                         " belongs to the hand-set circuits; --induction trains a model of its "
                         "own and cannot be given with it");
    if (!arguments.has("seed"))
      throw UsageError("--induction needs --seed, the seed the model is trained from");
    request.induction_seed = seed_of(arguments);
  } else if (arguments.has("seed")) {
    throw UsageError(
        "--seed is the training seed of --induction; the hand-set circuits are not "
        "trained");
  } else {
    request.circuit = parse_circuit(arguments.text("circuit"));
  }
  if (arguments.has("sink")) {
    request.sink = arguments.number("sink");
    if (std::fabs(*request.sink) > max_sink)
      throw UsageError("--sink: '" + std::string(arguments.text("sink")) +
                       "' is out of range; allowed -1000000 to 1000000");
  }
  request.n_steps = static_cast<int>(
      arguments.integer("n-steps", attribution::default_n_steps, 1, max_heads_n_steps));
  if (arguments.has("method")) request.method = attribution::parse_method(arguments.text("method"));
  attribution::cached_quadrature_rule(request.method, request.n_steps);  // its errors, before work
  return heads_report(request, context.format);
}

// Each flag once: the value it takes, then what it means.
const std::map<std::string, std::pair<std::string, std::string>> flag_help = {
    {"gate", {"NAME", "and, or, nand, nor, xor, and3, or3, maj3"}},
    {"hidden", {"H", "hidden ReLU neurons, 0 (the neuron sigmoid(w.x + b)) to 16; default 0"}},
    {"seed", {"N", "0 to 2^63 - 1; default 0. A seed gives the same bits everywhere."}},
    {"epochs", {"N", "1 to 10000000; default 1000 (2000 with --hidden)"}},
    {"lr", {"X", "the learning rate, > 0; default 0.1 (0.5 with --hidden)"}},
    {"save",
     {"FILE",
      "also write the trained model to FILE, for `latent experiment --load`:\n"
      "whole or not at all (an old FILE stays as it was if the write fails)"}},
    {"load",
     {"FILE",
      "the model `latent train --save FILE` wrote, analysed as it is; a regular\n"
      "file of at most 1048576 bytes (1 MiB)"}},
    {"weights", {"W1,W2", "the neuron's weights, comma-separated; at most 1000"}},
    {"bias", {"B", "the neuron's bias"}},
    {"input", {"X1,X2", "the input, one number per weight"}},
    {"baseline", {"Y1,Y2", "the baseline, one number per weight"}},
    {"clean", {"X1,X2", "the clean input, one number per weight"}},
    {"corrupt", {"Y1,Y2", "the corrupt input, one number per weight"}},
    {"n-steps",
     {"N",
      "quadrature points, 1 to 100000 (max_n_steps); default 50. N times the\n"
      "number of weights is at most 1000000."}},
    {"method",
     {"NAME",
      "riemann_left, riemann_right, riemann_middle, riemann_trapezoid (needs\n"
      "n_steps >= 2) or gausslegendre; default gausslegendre"}},
    {"metric",
     {"NAME",
      "what is measured: probability (the default: the output sigmoid(z)) or\n"
      "logit (z: the same network without its final Sigmoid). Given, it is\n"
      "named in the JSON as \"metric\"; CSV has no place for it."}},
    {"fraction",
     {"F",
      "each method picks its top F of the neurons by |score|, ceil(F H) of\n"
      "them; 0 < F <= 1, default 0.25"}},
    {"split-ratio",
     {"R",
      "also split IG, the study's: per neuron, the sum of the nodes before f\n"
      "first rises above min + R (max - min) along IG's path; 0 <= R <= 1\n"
      "(1 keeps every node: IG itself); the study uses 0.9"}},
    {"classifier",
     {"",
      "chapter 9's two-class classifier: logits, one per class, trained on\n"
      "CrossEntropyLoss, measured by logit(correct) - logit(incorrect)"}},
    {"json", {"", "one JSON object, numbers with 17 significant digits, instead of tables"}},
    {"no-skip", {"", "cut the skip path (u = 0) after training: IG is antisymmetric again"}},
    {"skip",
     {"",
      "chapter 10's network with a skip path past the hidden layer instead,\n"
      "trained as `latent residual` trains it; ablation never takes out the path"}},
    {"csv", {"", "a header row, then one row per epoch or input"}},
    {"circuit",
     {"NAME",
      "the hand-set circuit: or (two redundant previous-token heads) or and (a\n"
      "previous-token and a current-token head, both needed)"}},
    {"induction",
     {"",
      "chapter 12's trained induction model instead of a hand-set circuit;\n"
      "needs --seed"}},
    {"sink",
     {"S",
      "the induction head's score on BOS (exercise 12.3), -1000000 to 1000000;\n"
      "default the circuit's own, 5 for or, 10 for and"}},
};

struct Subcommand {
  std::string name;
  std::string summary;  // one line for `latent --help`
  std::string about;    // `latent NAME --help`: its usage and what it does, then its flags
  std::vector<std::string> flags, switches;
  // Returns everything to print on stdout. Bad input throws (UsageError, or the library's
  // std::invalid_argument) before anything is printed.
  std::string (*run)(const Arguments& arguments, const Context& context);
  // A flag that means something else here than in flag_help (residual's --hidden).
  std::map<std::string, std::pair<std::string, std::string>> own_help = {};

  std::string help() const {
    std::string text = about + "\n";
    for (const auto* names : {&flags, &switches})
      for (const std::string& flag : *names) {
        const auto& [value, meaning] =
            own_help.contains(flag) ? own_help.at(flag) : flag_help.at(flag);
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
     "                    [--classifier] [--json | --csv]\n\n"
     "Draws the network's parameters from the seed, then trains it by full-batch SGD on BCELoss\n"
     "over the gate's truth table, the rows shuffled every epoch. --json: {gate, seed, hidden,\n"
     "epochs, lr, parameters, losses: [{epoch, loss}], predictions, dead}; --csv: epoch,loss.\n"
     "With --classifier, chapter 9's Sequential(Linear(n, 2)) or Sequential(Linear(n, H), ReLU(),\n"
     "Linear(H, 2)) instead, trained the same way on CrossEntropyLoss, each row's class being its\n"
     "target; a prediction is a row's class, the larger of its two logits. --json: {gate, seed,\n"
     "hidden, architecture, loss, epochs, lr, parameters, losses, logits, predictions, dead}. A\n"
     "file saved from it is a classifier's, which `latent experiment --load` measures as one.\n",
     {"gate", "hidden", "seed", "epochs", "lr", "save"},
     {"classifier", "json", "csv"},
     train},
    {"ig",
     "integrated gradients of a neuron with given weights and bias",
     "usage: latent ig --weights W1,W2 --bias B --input X1,X2 --baseline Y1,Y2 [--n-steps N]\n"
     "                 [--method NAME] [--metric NAME] [--json | --csv]\n\n"
     "Integrated gradients of sigmoid(w.x + b) from the baseline to the input, as Captum computes\n"
     "it: each input's share of f(input) - f(baseline). --json: {method, n_steps, attributions,\n"
     "convergence_delta, f_input, f_baseline}; --csv: "
     "component,input,baseline,attribution,share.\n",
     {"weights", "bias", "input", "baseline", "n-steps", "method", "metric"},
     {"json", "csv"},
     ig},
    {"patch",
     "activation patching, both directions, of a neuron with given parameters",
     "usage: latent patch --weights W1,W2 --bias B --clean X1,X2 --corrupt Y1,Y2 [--metric NAME]\n"
     "                    [--json | --csv]\n\n"
     "Patches each input of sigmoid(w.x + b) alone: denoising puts the clean value into the\n"
     "corrupt run (a high score: sufficient), noising the corrupt value into the clean run (a\n"
     "high score: necessary). A difference is f(run) - f(run patched), a score the difference\n"
     "over f(clean) - f(corrupt), which must not be zero. --json: {f_clean, f_corrupt, denoising,\n"
     "noising, denoising_differences, noising_differences}; --csv: one row per input.\n",
     {"weights", "bias", "clean", "corrupt", "metric"},
     {"json", "csv"},
     patch},
    {"experiment",
     "the tutorial's experiment for one gate: train, IG, patching, verdicts",
     "usage: latent experiment --gate NAME [--hidden H] [--seed N] [--metric NAME] [--json]\n"
     "       latent experiment --gate NAME --classifier [--hidden H] [--seed N] [--json]\n"
     "       latent experiment --gate NAME --weights W1,W2 --bias B [--metric NAME] [--json]\n"
     "       latent experiment --load FILE [--metric NAME] [--json]\n\n"
     "Trains the network as `latent train` does (or takes the neuron or model given), then\n"
     "measures each component, the inputs (layer_0.input) or hidden neurons (layer_1.output),\n"
     "between the gate's clean and corrupt rows (xor: [1, 0] and [1, 1]; the others: all ones\n"
     "and all zeros) with integrated gradients (gausslegendre, n_steps 50) and patching both\n"
     "ways, and checks the tutorial's claims. A claim that fails is reported, not an error: the\n"
     "exit status is 0. --json: {gate, train, ig, patch, asymmetry, verdicts: {name: bool}}.\n"
     "With --metric logit the network is measured without its final Sigmoid, and chapter 6's\n"
     "direction claims give way to patching_symmetric (chapter 9).\n"
     "With --classifier (or --load of a classifier's file), chapter 9's classifier as `latent\n"
     "train --classifier` trains it, measured by the logit difference LD = logit(correct) -\n"
     "logit(incorrect), correct being the clean row's class and incorrect the corrupt row's (they\n"
     "differ for every gate). LD is linear in the inputs of Linear(n, 2) and in the hidden\n"
     "neurons of the ReLU network, so IG is exact there and patching_symmetric checks that\n"
     "denoising = noising = IG's share, within 1e-9. --json: {gate, metric: \"logit_difference\",\n"
     "correct, incorrect, train, ig, patch, asymmetry, verdicts}; --metric is refused.\n",
     {"gate", "hidden", "seed", "weights", "bias", "load", "metric"},
     {"classifier", "json"},
     experiment},
    {"residual",
     "chapter 10: layer IG of a network with a skip path, both directions, beside patching",
     "usage: latent residual --gate NAME [--hidden H] [--seed N] [--n-steps N] [--method NAME]\n"
     "                       [--no-skip] [--json]\n\n"
     "Trains sigmoid(v . relu(W x + b) + u . x + c) on the gate from the seed (2000 epochs of SGD\n"
     "at lr 0.5), then measures its hidden neurons between the gate's clean and corrupt rows: "
     "layer\n"
     "IG in the study's convention (the model runs on the base input, only the hidden neurons "
     "move;\n"
     "denoising: base = corrupt, noising: base = clean), each neuron's patching effect f(base "
     "with\n"
     "it from the other run) - f(base), Captum's convention (the model runs on the clean input,\n"
     "the hidden neurons move from the corrupt run's), and the worst gap between IG moving one\n"
     "neuron alone and its patching effect. --json: {gate, seed, hidden, skip, architecture,\n"
     "method, n_steps, predictions, f_clean, f_corrupt, ig_denoising, effect_denoising,\n"
     "ig_noising, effect_noising, captum, captum_delta, identity_error}.\n",
     {"gate", "hidden", "seed", "n-steps", "method"},
     {"no-skip", "json"},
     residual,
     {{"hidden", {"H", "hidden ReLU neurons, 1 to 16; default 4"}}}},
    {"compare",
     "chapter 11: IG and patching compared on one model's neurons, and ablation",
     "usage: latent compare --gate NAME [--hidden H] [--seed N] [--fraction F]\n"
     "                      [--baseline corrupt|zero] [--split-ratio R] [--json]\n"
     "       latent compare --gate NAME --skip [--hidden H] [--seed N] [--fraction F] [--json]\n\n"
     "Trains Sequential(Linear(n, H), ReLU(), Linear(H, 1), Sigmoid()) on the gate as chapter 11\n"
     "does (2000 epochs of SGD at lr 0.5), then measures its hidden neurons between the gate's\n"
     "clean and corrupt rows: IG (gausslegendre, n_steps 50) from the corrupt run's neurons or\n"
     "from h = 0, as attributions and as shares of f(clean) - f(baseline); both patching scores;\n"
     "the asymmetry (noising - denoising) / max(|noising|, |denoising|) and the study's, over the\n"
     "signed maximum of noising - denoising; and which methods pick each neuron (top F by\n"
     "|score|). For each pair of methods, Pearson r of the scores and the Jaccard overlap of the\n"
     "picks; they compare, as chapter 11 does, IG's shares from the corrupt baseline and its\n"
     "attributions from the zero one. Then ablation as ground truth: of every set of neurons, the\n"
     "smallest whose ablation breaks the gate and the smallest that compute it kept alone (zero\n"
     "and mean ablation), and each pick's recall and precision against the smallest set it\n"
     "matches best. A statistic that is undefined is null in the JSON, \"undefined\" in the\n"
     "text. --json: {gate, seed, hidden, architecture, baseline, fraction, pick_size,\n"
     "predictions, classifies_all_rows, f_clean, f_corrupt, f_baseline, ig, ig_share, denoising,\n"
     "noising, asymmetry, study_asymmetry, picks, pearson, jaccard, ground_truth: {zero, mean}},\n"
     "neurons numbered from 0 (h1 is 0). --split-ratio R adds split_ig: {ratio, threshold,\n"
     "reversed, left_steps, n_steps, left, left_share}.\n\n"
     "--skip compares chapter 10's network, Sequential(HiddenWithSkip(n, H), Linear(H + n, 1),\n"
     "Sigmoid()) trained as `latent residual` trains it, as chapter 11 does: four methods, layer\n"
     "IG in the study's convention in each direction (the model on the base run, only the hidden\n"
     "neurons moving: ig_denoising from the corrupt run, ig_noising from the clean run) and the "
     "two\n"
     "patching scores, all as shares of f(clean) - f(corrupt), and their six pairs. Each IG adds\n"
     "up to its direction's patching score of all hidden neurons together, not to 1. Ablation\n"
     "takes out hidden neurons only, never the skip path's copy of the input, so the empty set "
     "can\n"
     "compute the gate: the skip path alone. --baseline does not apply. The JSON has skip: true,\n"
     "ig_denoising, ig_noising, layer_denoising and layer_noising instead of baseline, "
     "f_baseline,\n"
     "ig and ig_share, methods named ig_denoising, ig_noising, denoising, noising in picks and\n"
     "ground_truth, pairs such as ig_denoising_noising in pearson and jaccard, and each ground\n"
     "truth's skip_path_alone_computes. --split-ratio does not apply either.\n",
     {"gate", "hidden", "seed", "fraction", "baseline", "split-ratio"},
     {"skip", "json"},
     compare,
     {{"hidden", {"H", "hidden ReLU neurons, 1 to 16; default 8"}},
      {"baseline",
       {"NAME",
        "where IG starts: corrupt (the corrupt run's hidden neurons, the\n"
        "default) or zero (h = 0 at the layer)"}}}},
    {"heads",
     "chapter 12: attention heads of a hand-set circuit, patching, AtP and IG per head",
     "usage: latent heads --circuit or|and [--sink S] [--n-steps N] [--method NAME] [--json]\n"
     "       latent heads --induction --seed N [--n-steps N] [--method NAME] [--json]\n\n"
     "Builds chapter 12's hand-set two-layer attention-only transformer (nn/circuits.hpp): heads\n"
     "0.0 and 0.1 feed the induction head 1.0, which copies B at the last position of the clean\n"
     "prompt [BOS F G A B F G A]; 1.1 is all zero. In the OR circuit 0.0 and 0.1 are the same\n"
     "previous-token head and either one is enough, in the AND circuit both are needed. The\n"
     "corrupt prompt hides the earlier A (AND: also the last). Measured by LD = logit[B] -\n"
     "logit[Z] at the last position, every score a share of LD(clean) - LD(corrupt): the\n"
     "induction head's attention from the last position, then per head (hook_z at every\n"
     "position) denoising, noising, attribution patching from either base (gradient . delta z),\n"
     "the study's IG at hook_z from either base (a layer's heads moved together) with each\n"
     "layer's convergence delta, and the asymmetry of the two patching scores, ours and the\n"
     "study's; then both patching directions by position, shown for the heads with a score of\n"
     "at least 1e-06 either way. --json: {circuit, sink, method, n_steps, clean, corrupt,\n"
     "correct, incorrect, f_clean, f_corrupt, attention: {head, clean, corrupt}, heads,\n"
     "denoising, noising, denoising_differences, noising_differences, atp_denoising,\n"
     "atp_noising, atp_denoising_differences, atp_noising_differences, ig_base_corrupt,\n"
     "ig_base_clean: {f_base, f_other, attributions, shares, f_layer_patched,\n"
     "convergence_delta}, asymmetry, study_asymmetry, by_position: {denoising, noising,\n"
     "denoising_differences, noising_differences, heads_that_matter}}, per-head lists in the\n"
     "order of heads (0.0, 0.1, 1.0, 1.1), by_position as [layer][position][head]; an undefined\n"
     "asymmetry is null.\n\n"
     "--induction trains chapter 12's induction model from the seed instead "
     "(nn/induction_training:\n"
     "2 layers of 2 heads, Adam on batches of 8 prompts [BOS c1 .. c6 q], q an earlier c_i, the\n"
     "target c_(i+1), until 99% of the evaluation prompts), reads each head's role from its\n"
     "attention on 100 prompts, and measures one clean prompt against each corruption, K (the\n"
     "earlier c_i becomes an unused letter) and KQ (the query too), by LD = logit[c_(i+1)] -\n"
     "logit[c_(j+1)] for another j. --json: {induction, seed, method, n_steps, config, training:\n"
     "{steps, reached, final_loss, accuracy, eval_loss}, heads, roles, scores: {previous_token,\n"
     "current_token, bos, induction}, pairs: [{corruption, clean, corrupt, correct, incorrect,\n"
     "f_clean, f_corrupt, measured, and when measured the per-head members above}]}.\n",
     {"circuit", "sink", "seed", "n-steps", "method"},
     {"induction", "json"},
     heads,
     {{"n-steps", {"N", "quadrature points of IG, 1 to 10000; default 50"}},
      {"seed", {"N", "with --induction: the training seed, 0 to 2^63 - 1"}}}},
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
         "starting \"latent: \", and exits with status 2; an output that cannot be written exits\n"
         "with status 1.\n\n"
         "Limits, checked before any work: at most 1000 weights (ig, patch); --n-steps times the\n"
         "number of weights at most 1000000; --hidden at most 16; --epochs at most 10000000;\n"
         "model files at most 1048576 bytes; heads: --n-steps at most 10000, --sink at most\n"
         "1000000 in size. Training shows its progress on stderr when stderr is a terminal.\n";
}

bool asks_for_help(std::string_view word) { return word == "--help" || word == "-h"; }

// Writes everything or says why not: the errno of the write that failed, when the stream's
// buffer reports one (std::cout on a full disk does), else only that it failed.
bool write_out(std::ostream& stream, const std::string& text, std::string& failure) {
  errno = 0;
  stream << text;
  stream.flush();
  if (stream) return true;
  failure = "cannot write the output" +
            (errno != 0 ? ": " + std::generic_category().message(errno) : std::string());
  return false;
}

// The status to return once `err` has been written to: a failed stderr is a failure too.
int checked(std::ostream& err, int status) {
  err.flush();
  return !err && status == 0 ? 1 : status;
}

}  // namespace

int run(std::span<const std::string_view> words, std::ostream& out, std::ostream& err,
        const ProgressSettings& progress) {
  std::string message;
  if (words.empty()) {
    err << usage();
    return checked(err, 2);
  }
  if (asks_for_help(words.front())) {
    if (write_out(out, usage(), message)) return checked(err, 0);
    err << "latent: " << message << "\n";
    return checked(err, 1);
  }
  const auto subcommand = std::find_if(subcommands.begin(), subcommands.end(),
                                       [&](const auto& s) { return s.name == words.front(); });
  const std::span<const std::string_view> rest = words.subspan(1);
  if (subcommand != subcommands.end() && std::any_of(rest.begin(), rest.end(), asks_for_help)) {
    if (write_out(out, subcommand->help(), message)) return checked(err, 0);
    err << "latent: " << message << "\n";
    return checked(err, 1);
  }
  int status = 2;  // bad input, unless the error is not the input's fault
  try {
    if (subcommand == subcommands.end())
      throw UsageError(
          "unknown command '" + std::string(words.front()) +
          "'; the commands are train, ig, patch, experiment, residual, compare, heads (latent "
          "--help)");
    const Arguments arguments(rest, {subcommand->flags.begin(), subcommand->flags.end()},
                              {subcommand->switches.begin(), subcommand->switches.end()});
    const bool json = arguments.has("json"), csv = arguments.has("csv");
    if (json && csv) throw UsageError("--json and --csv exclude each other: choose one");
    const Context context{json ? Format::json : csv ? Format::csv : Format::text, progress, err};
    const std::string text = subcommand->run(arguments, context);
    if (write_out(out, text, message)) return checked(err, 0);
    status = 1;
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
  return checked(err, status);
}

}  // namespace latent
