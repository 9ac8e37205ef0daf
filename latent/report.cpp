#include "latent/report.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

#include "latent/arguments.hpp"
#include "latent/json.hpp"
#include "nn/classifier.hpp"
#include "nn/gates.hpp"
#include "nn/network.hpp"

namespace latent {

void require_finite(const Json& value, const std::string& where) {
  if (const double* number = value.get<double>(); number != nullptr && !std::isfinite(*number))
    throw UsageError(where + " is not finite: the computation overflowed; use smaller numbers");
  if (const auto* items = value.get<Json::Array>())
    for (std::size_t i = 0; i < items->size(); ++i)
      require_finite((*items)[i], where + "[" + std::to_string(i) + "]");
  if (const auto* members = value.get<Json::Object>())
    for (const auto& [key, member] : *members)
      require_finite(member, std::string(where).append(".").append(key));
}

std::string fixed_point(double value, int decimals) {
  char text[352];  // room for DBL_MAX in %f
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  const std::string printed = text;
  return printed[0] == '-' && printed.find_first_not_of("-0.") == std::string::npos
             ? printed.substr(1)
             : printed;
}

std::string fixed_point(const std::optional<double>& value, int decimals) {
  return value ? fixed_point(*value, decimals) : "undefined";
}

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

std::string left_aligned(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string shortest(double value) {
  char text[32];  // enough for any double, so to_chars cannot fail
  return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
}

namespace {

using Values = std::optional<std::vector<double>>;  // scores and shares, undefined for no gap

std::string fixed(double value, int decimals) {
  char text[352];  // room for DBL_MAX in %f
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string scientific(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2e", value);
  return text;
}

std::string list_text(std::span<const double> values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i > 0 ? ", " : "") + shortest(values[i]);
  return text + "]";
}

// A cell of a report: `decimals` digits in the text, every digit in CSV; a value undefined for want
// of a gap is "undefined" in the text and empty in CSV.
std::string cell(double value, int decimals, Format format) {
  return format == Format::csv ? shortest(value) : fixed(value, decimals);
}
std::string cell(const Values& values, std::size_t i, int decimals, Format format) {
  if (!values) return format == Format::csv ? "" : "undefined";
  return cell((*values)[i], decimals, format);
}

Json optional_json(const Values& values) { return values ? Json(*values) : Json(); }

// Rows of cells. As text: columns padded to their widest cell, two spaces apart, a rule under the
// header; columns of numbers (blanks and "undefined" count) on the right, the first column and
// columns of words on the left. As CSV: the cells joined by commas (none ever needs quoting).
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  std::string text() const {
    const std::size_t columns = rows_.front().size();
    std::vector<std::size_t> widths(columns, 0);
    std::vector<bool> right(columns, false);
    for (std::size_t c = 0; c < columns; ++c) {
      right[c] = c > 0;
      for (std::size_t r = 0; r < rows_.size(); ++r) {
        widths[c] = std::max(widths[c], rows_[r][c].size());
        if (r > 0) right[c] = right[c] && is_number(rows_[r][c]);
      }
    }
    const auto line = [&](const std::vector<std::string>& cells) {
      std::string text;
      for (std::size_t c = 0; c < columns; ++c) {
        const std::string padding(widths[c] - cells[c].size(), ' ');
        text += (c > 0 ? "  " : "") + (right[c] ? padding + cells[c] : cells[c] + padding);
      }
      return text.erase(text.find_last_not_of(' ') + 1) + "\n";
    };
    std::vector<std::string> rule(columns);
    for (std::size_t c = 0; c < columns; ++c) rule[c].assign(widths[c], '-');
    std::string text = line(rows_.front()) + line(rule);
    for (std::size_t r = 1; r < rows_.size(); ++r) text += line(rows_[r]);
    return text;
  }

  std::string csv() const {
    std::string text;
    for (const auto& row : rows_) {
      for (std::size_t c = 0; c < row.size(); ++c) text += (c > 0 ? "," : "") + row[c];
      text += "\n";
    }
    return text;
  }

 private:
  static bool is_number(const std::string& cell) {
    double value = 0.0;
    const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    return cell.empty() || cell == "undefined" ||
           (error == std::errc() && end == cell.data() + cell.size());
  }
  std::vector<std::vector<std::string>> rows_;  // rows_[0] is the header
};

std::span<const double> losses_of(const attribution::TrainedNetwork& network) {
  if (network.training) return network.training->losses;
  return {};
}

// Every epoch's loss as CSV rows or a JSON array, written straight to one string: one allocation
// however many epochs, and no tree of JSON values many times the text's size.
std::string losses_text(std::span<const double> losses, Format format) {
  std::string text = format == Format::csv ? "epoch,loss\n" : "[";
  text.reserve(56 * losses.size() + 16);
  for (std::size_t epoch = 0; epoch < losses.size(); ++epoch) {
    if (!std::isfinite(losses[epoch]))
      throw UsageError("the loss of epoch " + std::to_string(epoch) +
                       " is not finite: the training diverged; use a smaller --lr");
    if (format == Format::csv) {
      text += std::to_string(epoch) + "," + shortest(losses[epoch]) + "\n";
    } else {
      if (epoch > 0) text += ", ";
      text +=
          Json::object({{"epoch", static_cast<long long>(epoch)}, {"loss", losses[epoch]}}).dump();
    }
  }
  return format == Format::csv ? text : text + "]";
}

// x1, x2, ... for the inputs; h1, h2, ... for hidden neurons.
std::string component_name(const std::string& layer, std::size_t j) {
  return (layer == nn::model_input ? "x" : "h") + std::to_string(j + 1);
}

bool is_logit(const std::optional<attribution::Metric>& metric) {
  return metric == attribution::Metric::logit;
}

std::string neuron_text(const Neuron& neuron) {
  return std::string(is_logit(neuron.metric) ? "the logit w.x + b" : "sigmoid(w.x + b)") +
         " with w = " + list_text(neuron.weights) + ", b = " + shortest(neuron.bias);
}

// {"metric": NAME, ...the rest} when a metric was given; the rest alone otherwise.
Json with_metric(const std::optional<attribution::Metric>& metric, const Json& json) {
  if (!metric) return json;
  Json::Object members = {{"metric", attribution::metric_name(*metric)}};
  const auto* rest = json.get<Json::Object>();
  members.insert(members.end(), rest->begin(), rest->end());
  return Json(std::move(members));
}

Json train_json(const attribution::TrainedNetwork& network) {
  const auto& training = network.training;
  Json::Object parameters;
  for (const auto& [name, values] : network.parameters) parameters.emplace_back(name, values);
  return Json::object({{"gate", nn::gate_name(network.gate)},
                       {"seed", training ? Json(static_cast<long long>(training->seed)) : Json()},
                       {"hidden", static_cast<long long>(network.hidden)},
                       {"epochs", training ? Json(training->epochs) : Json()},
                       {"lr", training ? Json(training->lr) : Json()},
                       {"parameters", Json(std::move(parameters))},
                       {"losses", Json::text(losses_text(losses_of(network), Format::json))},
                       {"predictions", network.predictions},
                       {"dead", Json(Json::Array(network.dead.begin(), network.dead.end()))}});
}

// The state dict, weights row by row (one row per neuron), as PyTorch names its entries.
std::string parameters_text(const attribution::TrainedNetwork& network) {
  Table parameters({"parameter", "values"});
  for (const auto& [name, values] : network.parameters) parameters.add({name, list_text(values)});
  return parameters.text() + "\n";
}

// Every tenth of the run's losses and the last, as the notebook prints every 100th of 1000
// epochs; nothing for a loaded model, which has no losses.
std::string losses_table(const attribution::Training& training) {
  Table losses({"epoch", "loss"});
  const std::size_t count = training.losses.size(), every = std::max<std::size_t>(1, count / 10);
  for (std::size_t epoch = 0; epoch < count; ++epoch)
    if (epoch % every == 0 || epoch + 1 == count)
      losses.add({std::to_string(epoch), fixed(training.losses[epoch], 6)});
  return count > 0 ? losses.text() + "\n" : "";
}

// A training report, whatever the model outputs: `header` names the output's columns (after the
// inputs and the target), `cells` gives them row by row, and the last line is `all_right` or, after
// "K of N", `some_wrong`.
struct OutputColumns {
  std::string shape, loss;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> cells;
  std::string all_right, some_wrong;
};

std::string training_text(const attribution::TrainedNetwork& network, OutputColumns output) {
  const std::size_t n = nn::input_count(network.gate);
  const std::string gate = nn::gate_name_upper(network.gate);
  std::string text =
      "The given " + output.shape + ", not trained, on the " + gate + " gate's rows\n\n";
  if (const auto& training = network.training)
    text = "Training " + output.shape + " on the " + gate + " gate: seed " +
           std::to_string(training->seed) + ", " + std::to_string(training->epochs) +
           " epochs of SGD at lr " + shortest(training->lr) + " on " + output.loss + "\n\n" +
           losses_table(*training);
  text += parameters_text(network);

  const nn::TruthTable table = nn::truth_table(network.gate);
  std::vector<std::string> header;
  for (std::size_t i = 0; i < n; ++i) header.push_back("x" + std::to_string(i + 1));
  header.push_back("target");
  header.insert(header.end(), output.header.begin(), output.header.end());
  for (std::size_t j = 0; j < network.hidden; ++j) header.push_back("h" + std::to_string(j + 1));
  Table rows(header);
  for (std::size_t r = 0; r < table.inputs.rows(); ++r) {
    std::vector<std::string> cells;
    for (std::size_t i = 0; i < n; ++i) cells.push_back(shortest(table.inputs(r, i)));
    cells.push_back(shortest(table.targets(r, 0)));
    cells.insert(cells.end(), output.cells[r].begin(), output.cells[r].end());
    for (std::size_t j = 0; j < network.hidden; ++j)
      cells.push_back(fixed(network.activations[r][j], 4));
    rows.add(std::move(cells));
  }
  text += rows.text();
  for (std::size_t j = 0; j < network.hidden; ++j)
    if (network.dead[j]) text += "h" + std::to_string(j + 1) + " is dead: 0 on every row.\n";
  if (network.classifies_all_rows) return text + output.all_right + "\n";
  return text + std::to_string(network.correct_rows) + " of " +
         std::to_string(network.predictions.size()) + output.some_wrong + "\n";
}

std::string train_text(const attribution::TrainedNetwork& network) {
  OutputColumns output{
      nn::architecture(nn::input_count(network.gate), network.hidden),
      "BCELoss",
      {"prediction"},
      {},
      "Every prediction rounds to its target.",
      " predictions round to their target: the network does not compute the gate."};
  for (const double prediction : network.predictions)
    output.cells.push_back({fixed(prediction, 6)});
  return training_text(network, std::move(output));
}

Json ig_json(const attribution::IntegratedGradientsResult& ig) {
  return Json::object({{"method", attribution::method_name(ig.method)},
                       {"n_steps", ig.n_steps},
                       {"attributions", ig.attributions},
                       {"convergence_delta", ig.convergence_delta},
                       {"f_input", ig.f_input},
                       {"f_baseline", ig.f_baseline}});
}

Json patch_json(const attribution::TwoWayPatching& patching) {
  return Json::object({{"f_clean", patching.f_clean()},
                       {"f_corrupt", patching.f_corrupt()},
                       {"denoising", optional_json(patching.denoising.scores)},
                       {"noising", optional_json(patching.noising.scores)},
                       {"denoising_differences", patching.denoising.differences},
                       {"noising_differences", patching.noising.differences}});
}

}  // namespace

std::string train_report(const attribution::TrainedNetwork& network, Format format) {
  const Json json = train_json(network);  // refuses a loss that is not finite
  require_finite(json, "train");
  if (format == Format::csv) return losses_text(losses_of(network), Format::csv);
  return format == Format::json ? json.dump() + "\n" : train_text(network);
}

std::string ig_report(const attribution::IntegratedGradientsResult& ig, const Neuron& neuron,
                      std::span<const double> input, std::span<const double> baseline,
                      Format format) {
  const Json json = with_metric(neuron.metric, ig_json(ig));
  const Values shares = attribution::ig_shares(ig);
  require_finite(json, "ig");
  require_finite(optional_json(shares), "ig.shares");
  if (format == Format::json) return json.dump() + "\n";
  Table table(
      format == Format::csv
          ? std::vector<std::string>{"component", "input", "baseline", "attribution", "share"}
          : std::vector<std::string>{"component", "x", "x'", "attribution",
                                     "share of f(x) - f(x')"});
  double sum = 0.0, share_sum = 0.0;
  for (std::size_t i = 0; i < ig.attributions.size(); ++i) {
    sum += ig.attributions[i];
    share_sum += shares ? (*shares)[i] : 0.0;
    table.add({component_name(ig.layer, i), shortest(input[i]), shortest(baseline[i]),
               cell(ig.attributions[i], 9, format), cell(shares, i, 6, format)});
  }
  if (format == Format::csv) return table.csv();
  table.add({"sum", "", "", fixed(sum, 9), shares ? fixed(share_sum, 6) : "undefined"});
  std::string text =
      "Integrated gradients of " + neuron_text(neuron) +
      ",\nfrom the baseline x' = " + list_text(baseline) + " to the input x = " + list_text(input) +
      ", " + attribution::method_name(ig.method) +
      " rule, n_steps = " + std::to_string(ig.n_steps) + "\n\n" + table.text() +
      "\nf(x) = " + fixed(ig.f_input, 9) + ", f(x') = " + fixed(ig.f_baseline, 9) +
      ", f(x) - f(x') = " + fixed(ig.f_input - ig.f_baseline, 9) +
      "\nconvergence delta, sum - (f(x) - f(x')): " + scientific(ig.convergence_delta) + "\n";
  if (!shares) text += "f(x) and f(x') are equal to rounding: there is no effect to share out.\n";
  return text;
}

std::string patch_report(const attribution::TwoWayPatching& patching, const Neuron& neuron,
                         std::span<const double> clean, std::span<const double> corrupt,
                         Format format) {
  const Json json = with_metric(neuron.metric, patch_json(patching));
  require_finite(json, "patch");
  if (format == Format::json) return json.dump() + "\n";
  const attribution::PatchingResult &denoising = patching.denoising, &noising = patching.noising;
  Table table({"component", "clean", "corrupt", "denoising", "noising",
               format == Format::csv ? "denoising_difference" : "denoising difference",
               format == Format::csv ? "noising_difference" : "noising difference"});
  for (std::size_t i = 0; i < denoising.differences.size(); ++i)
    table.add({component_name(denoising.layer, i), shortest(clean[i]), shortest(corrupt[i]),
               cell(denoising.scores, i, 9, format), cell(noising.scores, i, 9, format),
               cell(denoising.differences[i], 9, format), cell(noising.differences[i], 9, format)});
  if (format == Format::csv) return table.csv();
  const double f_clean = patching.f_clean(), f_corrupt = patching.f_corrupt();
  return "Activation patching of " + neuron_text(neuron) +
         ",\none input component at a time, between clean x = " + list_text(clean) +
         " and corrupt x = " + list_text(corrupt) + "\n\n" + table.text() +
         "\nf(clean) = " + fixed(f_clean, 9) + ", f(corrupt) = " + fixed(f_corrupt, 9) +
         ", f(clean) - f(corrupt) = " + fixed(f_clean - f_corrupt, 9) +
         "\ndifference: f(run) - f(run patched); score: difference / (f(run) - f(other run)).\n"
         "denoising patches clean into corrupt (high: sufficient), noising corrupt into clean "
         "(high: necessary).\n";
}

namespace {

// What an experiment's report says of the model it measured, around what every experiment shows
// (the components' IG, shares, patching scores and asymmetry, and the verdicts).
struct MeasuredModel {
  Json::Object head;        // the JSON's members before "train"
  Json train;               // the JSON's "train"
  std::string train_text;   // the model's report
  std::string measured_by;  // how f was taken, after the pair in the heading ("" for f itself)
  std::string f;            // f's name in the text: "f", "LD"
  std::string claims;       // the heading of the verdicts
};

std::string experiment_text_or_json(const attribution::Experiment& e, Format format,
                                    MeasuredModel model) {
  Json::Array asymmetry;
  for (const std::optional<double>& a : e.asymmetry) asymmetry.push_back(a ? Json(*a) : Json());
  Json::Object verdicts_json;
  for (const attribution::Verdict& verdict : e.verdicts)
    verdicts_json.emplace_back(verdict.name, verdict.holds);
  Json::Object members = std::move(model.head);
  members.emplace_back("train", std::move(model.train));
  members.emplace_back("ig", ig_json(e.ig));
  members.emplace_back("patch", patch_json(e.patching));
  members.emplace_back("asymmetry", Json(std::move(asymmetry)));
  members.emplace_back("verdicts", Json(std::move(verdicts_json)));
  const Json json(std::move(members));
  require_finite(json, "experiment");
  require_finite(optional_json(e.ig_shares), "experiment.ig.shares");
  if (format == Format::json) return json.dump() + "\n";

  Table components(
      {"component", "clean", "corrupt", "IG", "IG share", "denoising", "noising", "asymmetry"});
  for (std::size_t j = 0; j < e.ig.attributions.size(); ++j)
    components.add({component_name(e.layer, j), fixed(e.clean_activation[j], 6),
                    fixed(e.corrupt_activation[j], 6), fixed(e.ig.attributions[j], 9),
                    cell(e.ig_shares, j, 6, format),
                    cell(e.patching.denoising.scores, j, 6, format),
                    cell(e.patching.noising.scores, j, 6, format),
                    e.asymmetry[j] ? fixed(*e.asymmetry[j], 6) : "-"});
  Table verdicts({"name", "verdict", "claim"});
  int holding = 0;
  for (const attribution::Verdict& verdict : e.verdicts) {
    holding += verdict.holds ? 1 : 0;
    verdicts.add({verdict.name, verdict.holds ? "holds" : "FAILS", verdict.claim});
  }
  return "Experiment on the " + std::string(nn::gate_name_upper(e.network.gate)) +
         " gate: integrated gradients and activation patching of each component of " + e.layer +
         ",\nbetween clean " + list_text(e.pair.clean) + " and corrupt " +
         list_text(e.pair.corrupt) + model.measured_by + "\n\n" + model.train_text + "\n" +
         components.text() + "\n" + model.f + "(clean) = " + fixed(e.ig.f_input, 9) + ", " +
         model.f + "(corrupt) = " + fixed(e.ig.f_baseline, 9) + "; IG convergence delta " +
         scientific(e.ig.convergence_delta) + " (" + attribution::method_name(e.ig.method) +
         ", n_steps = " + std::to_string(e.ig.n_steps) + ")\n\n" + model.claims + ":\n" +
         verdicts.text() + std::to_string(holding) + " of " + std::to_string(e.verdicts.size()) +
         " claims hold.\n";
}

std::string architecture_of(const attribution::TrainedNetwork& network) {
  return nn::classifier_architecture(nn::input_count(network.gate), network.hidden);
}

Json classifier_train_json(const attribution::TrainedNetwork& network,
                           const std::vector<std::vector<double>>& logits) {
  const auto& training = network.training;
  Json::Object parameters;
  for (const auto& [name, values] : network.parameters) parameters.emplace_back(name, values);
  Json::Array logits_json(logits.begin(), logits.end()), classes;
  for (double predicted : network.predictions) classes.emplace_back(std::llround(predicted));
  return Json::object({{"gate", nn::gate_name(network.gate)},
                       {"seed", training ? Json(static_cast<long long>(training->seed)) : Json()},
                       {"hidden", static_cast<long long>(network.hidden)},
                       {"architecture", architecture_of(network)},
                       {"loss", "CrossEntropyLoss"},
                       {"epochs", training ? Json(training->epochs) : Json()},
                       {"lr", training ? Json(training->lr) : Json()},
                       {"parameters", Json(std::move(parameters))},
                       {"losses", Json::text(losses_text(losses_of(network), Format::json))},
                       {"logits", Json(std::move(logits_json))},
                       {"predictions", Json(std::move(classes))},
                       {"dead", Json(Json::Array(network.dead.begin(), network.dead.end()))}});
}

std::string classifier_train_text(const attribution::TrainedNetwork& network,
                                  const std::vector<std::vector<double>>& logits) {
  OutputColumns output{
      architecture_of(network),
      "CrossEntropyLoss",
      {"logit 0", "logit 1", "class"},
      {},
      "Every row's class, its larger logit, is its target.",
      " rows are put in their target's class: the classifier does not compute the gate."};
  for (std::size_t r = 0; r < logits.size(); ++r)
    output.cells.push_back(
        {fixed(logits[r][0], 6), fixed(logits[r][1], 6), shortest(network.predictions[r])});
  return training_text(network, std::move(output));
}

}  // namespace

std::string experiment_report(const attribution::Experiment& e, Format format,
                              std::optional<attribution::Metric> metric) {
  MeasuredModel model;
  model.head = {{"gate", nn::gate_name(e.network.gate)}};
  if (metric) model.head.emplace_back("metric", attribution::metric_name(*metric));
  model.train = train_json(e.network);
  if (format == Format::text) model.train_text = train_text(e.network);
  if (is_logit(metric))
    model.measured_by = ", measured on the logit (the network without its final Sigmoid)";
  model.f = "f";
  model.claims = "The tutorial's claims";
  return experiment_text_or_json(e, format, std::move(model));
}

std::string classifier_train_report(const TrainedClassifier& classifier, Format format) {
  const Json json = classifier_train_json(classifier.network, classifier.logits);
  require_finite(json, "train");  // refuses a loss that is not finite
  if (format == Format::csv) return losses_text(losses_of(classifier.network), Format::csv);
  return format == Format::json ? json.dump() + "\n"
                                : classifier_train_text(classifier.network, classifier.logits);
}

std::string classifier_experiment_report(const ClassifierExperiment& e, Format format) {
  const attribution::Experiment& experiment = e.experiment;
  const std::string correct = std::to_string(e.classes.correct),
                    incorrect = std::to_string(e.classes.incorrect);
  MeasuredModel model;
  model.head = {{"gate", nn::gate_name(experiment.network.gate)},
                {"metric", "logit_difference"},
                {"correct", static_cast<long long>(e.classes.correct)},
                {"incorrect", static_cast<long long>(e.classes.incorrect)}};
  model.train = classifier_train_json(experiment.network, e.logits);
  if (format == Format::text)
    model.train_text = classifier_train_text(experiment.network, e.logits);
  model.measured_by = ",\nmeasured by the logit difference LD = logit(" + correct + ") - logit(" +
                      incorrect + "): class " + correct + " is the clean row's, " + incorrect +
                      " the corrupt row's";
  model.f = "LD";
  model.claims = "The claims for a logit difference (chapter 9)";
  return experiment_text_or_json(experiment, format, std::move(model));
}

}  // namespace latent
