#include "latent/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "attribution/metric.hpp"
#include "latent/arguments.hpp"
#include "nn/classifier.hpp"
#include "nn/network.hpp"
#include "nn/random.hpp"

namespace latent {

namespace {

constexpr std::size_t classes = 2;

// Logits, predicted classes, correct rows and hidden activations on the truth table.
TrainedClassifier describe(nn::Sequential& model, attribution::TrainedNetwork network) {
  const nn::TruthTable table = nn::truth_table(network.gate);
  const std::vector<std::size_t> labels = nn::class_labels(table.targets);
  const auto run = model.run_with_cache(table.inputs);
  TrainedClassifier classifier;
  network.predictions.clear();
  network.correct_rows = 0;
  for (std::size_t r = 0; r < run.output.rows(); ++r) {
    const auto row = run.output.row(r);
    classifier.logits.emplace_back(row.begin(), row.end());
    const std::size_t predicted = row[1] > row[0] ? 1 : 0;
    network.predictions.push_back(static_cast<double>(predicted));
    network.correct_rows += predicted == labels[r] ? 1 : 0;
  }
  network.classifies_all_rows =
      network.correct_rows == static_cast<int>(network.predictions.size());
  network.activations.clear();
  network.dead.assign(network.hidden, true);
  if (network.hidden > 0) {
    const nn::Matrix<double>& hidden = run.cache[attribution::components_layer(network.hidden)];
    for (std::size_t r = 0; r < hidden.rows(); ++r) {
      const auto row = hidden.row(r);
      network.activations.emplace_back(row.begin(), row.end());
      for (std::size_t j = 0; j < network.hidden; ++j)
        if (row[j] != 0.0) network.dead[j] = false;
    }
  }
  classifier.network = std::move(network);
  return classifier;
}

// The row of the truth table that is `input`.
std::size_t row_of(const nn::TruthTable& table, const std::vector<double>& input) {
  for (std::size_t r = 0; r < table.inputs.rows(); ++r) {
    const auto row = table.inputs.row(r);
    if (std::equal(row.begin(), row.end(), input.begin(), input.end())) return r;
  }
  throw std::invalid_argument("pair_classes: an input of the pair is not a row of the gate");
}

// Denoising and noising agree and equal IG's shares, component by component: on a metric linear
// in the components all three are the component's part of LD(clean) - LD(corrupt).
bool symmetric_and_shares(const attribution::Experiment& e) {
  if (!e.ig_shares || !attribution::is_symmetric(e.patching)) return false;
  for (std::size_t i = 0; i < e.ig_shares->size(); ++i)
    if (!(std::fabs((*e.ig_shares)[i] - (*e.patching.noising.scores)[i]) <=
          attribution::symmetry_tolerance))
      return false;
  return true;
}

std::vector<attribution::Verdict> classifier_verdicts(const attribution::Experiment& e) {
  // Of chapter 6's claims, those that do not depend on a sigmoid: the direction claims and the
  // even split are about the probability; the symmetry replaces them, as in chapter 9.
  std::vector<attribution::Verdict> verdicts;
  for (attribution::Verdict& verdict : attribution::tutorial_verdicts(e)) {
    if (verdict.name == "classifies_all_rows")
      verdict.claim = std::string(e.network.training ? "the trained " : "the given ") +
                      "classifier puts every row in its class (the larger logit)";
    if (verdict.name == "ig_complete")  // f is the logit difference here
      verdict.claim = "IG's attributions add up to LD(clean) - LD(corrupt) within " +
                      verdict.claim.substr(verdict.claim.rfind(' ') + 1);
    if (verdict.name == "classifies_all_rows" || verdict.name == "ig_complete" ||
        verdict.name == "silent_neurons_get_zero")
      verdicts.push_back(std::move(verdict));
  }
  verdicts.push_back(
      {"patching_symmetric",
       "denoising = noising = IG's share, each component, within 1e-9 (LD is "
       "linear in " +
           std::string(e.network.hidden == 0 ? "the inputs)" : "the hidden neurons)"),
       symmetric_and_shares(e)});
  return verdicts;
}

}  // namespace

ClassPair pair_classes(nn::Gate gate, const nn::InputPair& pair) {
  const nn::TruthTable table = nn::truth_table(gate);
  const std::vector<std::size_t> labels = nn::class_labels(table.targets);
  const ClassPair classes{labels[row_of(table, pair.clean)], labels[row_of(table, pair.corrupt)]};
  if (classes.correct == classes.incorrect)
    throw UsageError(std::string("the ") + nn::gate_name(gate) +
                     " gate's clean and corrupt rows are both class " +
                     std::to_string(classes.correct) +
                     ", so the logit difference logit(correct) - logit(incorrect) has no two "
                     "classes to compare");
  return classes;
}

TrainedClassifier train_classifier(nn::Gate gate, std::uint64_t seed, std::size_t hidden,
                                   const nn::TrainingOptions& options,
                                   const nn::EpochCallback& on_epoch) {
  attribution::TrainedNetwork network;
  network.gate = gate;
  network.hidden = hidden;
  attribution::Training& training = network.training.emplace();
  training.seed = seed;
  training.epochs = options.epochs;
  training.lr = options.lr;

  nn::Generator generator(seed);
  autodiff::Tape tape;
  nn::Sequential model = nn::classifier(tape, generator, nn::input_count(gate), hidden, classes);
  const nn::TruthTable table = nn::truth_table(gate);
  training.losses.reserve(static_cast<std::size_t>(std::max(options.epochs, 0)));
  nn::train_classifier(model, table.inputs, nn::class_labels(table.targets), generator, options,
                       [&training, &on_epoch](int epoch, double loss) {
                         training.losses.push_back(loss);
                         if (on_epoch) on_epoch(epoch, loss);
                       });
  network.parameters = model.state_dict();
  return describe(model, std::move(network));
}

TrainedClassifier given_classifier(nn::Gate gate, std::size_t hidden,
                                   const nn::StateDict& parameters) {
  attribution::TrainedNetwork network;
  network.gate = gate;
  network.hidden = hidden;
  autodiff::Tape tape;
  nn::Sequential model = nn::classifier(tape, nn::input_count(gate), hidden, classes, parameters);
  network.parameters = model.state_dict();
  return describe(model, std::move(network));
}

ClassifierExperiment analyse_classifier(TrainedClassifier classifier) {
  const attribution::TrainedNetwork& network = classifier.network;
  ClassifierExperiment result;
  result.classes = pair_classes(network.gate, nn::gate_pair(network.gate));
  autodiff::Tape tape;
  nn::Sequential model = nn::classifier(
      tape, nn::input_count(network.gate), network.hidden, classes, network.parameters,
      nn::LogitDifference(result.classes.correct, result.classes.incorrect));
  result.experiment = attribution::measure(std::move(classifier.network), model);
  result.experiment.verdicts = classifier_verdicts(result.experiment);
  result.logits = std::move(classifier.logits);
  return result;
}

}  // namespace latent
