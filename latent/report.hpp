// How `latent` shows its results: each one (a trained network, integrated gradients, patching, the
// experiment) as a readable report, as one JSON object, or as CSV rows. The experiment's JSON is
// made of the others', so its parts look exactly like the commands that compute them alone.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/metric.hpp"
#include "latent/classifier.hpp"
#include "latent/json.hpp"

namespace latent {

// --json: numbers with 17 significant digits. --csv: a header row, then one row per component
// or epoch, numbers as the shortest text that reads back as the same double, an undefined share
// as an empty cell (no cell ever needs quoting).
enum class Format { text, json, csv };

// Throws UsageError naming the first number in `value` that is NaN or infinite (finite arguments
// can still overflow), `where` being its path ("ig.shares[0]"), so that nothing invalid is printed.
void require_finite(const Json& value, const std::string& where);

// `decimals` digits after the point (printf's %.*f); a value that rounds to zero prints without its
// sign, "0.000000" rather than "-0.000000", as PyTorch prints a tensor.
std::string fixed_point(double value, int decimals);
// The same for a statistic that may be undefined: "undefined" then.
std::string fixed_point(const std::optional<double>& value, int decimals);

// `text` right-aligned (padded on the left), or left-aligned, in a column of `width` characters;
// a longer text is left as it is.
std::string padded(std::string text, std::size_t width);
std::string left_aligned(std::string text, std::size_t width);

// The shortest text that reads back as the same double: 3.0482 prints as the user typed it.
std::string shortest(double value);

// The neuron sigmoid(w.x + b) that `latent ig` and `latent patch` look inside, and the metric
// given with --metric, if any: Metric::logit measures w.x + b. A metric given is named in the
// JSON ("metric"); without --metric the output is what it was before the flag existed.
struct Neuron {
  std::vector<double> weights;
  double bias = 0.0;
  std::optional<attribution::Metric> metric;
};

// Each throws UsageError when a number to show is NaN or infinite (finite arguments can still
// overflow), so that nothing invalid is printed.
std::string train_report(const attribution::TrainedNetwork& network, Format format);
std::string ig_report(const attribution::IntegratedGradientsResult& ig, const Neuron& neuron,
                      std::span<const double> input, std::span<const double> baseline,
                      Format format);
std::string patch_report(const attribution::TwoWayPatching& patching, const Neuron& neuron,
                         std::span<const double> clean, std::span<const double> corrupt,
                         Format format);
// `metric`: the --metric given, if any (named in the JSON; the text says when it is the logit).
std::string experiment_report(const attribution::Experiment& experiment, Format format,
                              std::optional<attribution::Metric> metric = std::nullopt);

// Chapter 9's classifier (latent/classifier.hpp). The training as train_report shows a network's,
// with each row's logits and predicted class; --json: {gate, seed, hidden, architecture, loss,
// epochs, lr, parameters, losses, logits, predictions (classes), dead}; --csv: epoch,loss.
std::string classifier_train_report(const TrainedClassifier& classifier, Format format);
// The experiment as experiment_report shows it, f being the logit difference; the JSON starts
// {gate, metric: "logit_difference", correct, incorrect, train: (as above), ...}.
std::string classifier_experiment_report(const ClassifierExperiment& experiment, Format format);

}  // namespace latent
