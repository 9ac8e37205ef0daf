#include "latent/report.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "attribution/summaries.hpp"
#include "latent/arguments.hpp"
#include "nn/gates.hpp"

namespace latent {

// ---- numbers as text ----------------------------------------------------------------------------

std::string shortest(double value) {
  char text[32];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  if (error != std::errc()) return fixed(value, 17);  // cannot happen: 32 characters suffice
  return std::string(text, end);
}

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
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ", ";
    text += shortest(values[i]);
  }
  return text + "]";
}

// ---- tables -------------------------------------------------------------------------------------

namespace {

// A number, or a blank or "undefined" in a column of numbers.
bool is_number(const std::string& cell) {
  if (cell.empty() || cell == "undefined") return true;
  double value = 0.0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return error == std::errc() && end == cell.data() + cell.size();
}

}  // namespace

Table::Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }

void Table::add_row(std::vector<std::string> cells) {
  if (cells.size() != rows_.front().size())
    throw std::logic_error("Table: a row of " + std::to_string(cells.size()) + " cells under " +
                           std::to_string(rows_.front().size()) + " columns");
  rows_.push_back(std::move(cells));
}

std::string Table::text() const {
  const std::size_t columns = rows_.front().size();
  std::vector<std::size_t> widths(columns, 0);
  for (const auto& row : rows_)
    for (std::size_t c = 0; c < columns; ++c) widths[c] = std::max(widths[c], row[c].size());

  // Numbers line up on the right, words on the left; the first column holds labels.
  std::vector<bool> right(columns, false);
  for (std::size_t c = 1; c < columns; ++c) {
    right[c] = true;
    for (std::size_t r = 1; r < rows_.size(); ++r) right[c] = right[c] && is_number(rows_[r][c]);
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string padding(widths[c] - cells[c].size(), ' ');
      if (c > 0) text += "  ";
      text += right[c] ? padding + cells[c] : cells[c] + padding;
    }
    // A left-aligned last column pads nothing worth keeping.
    text.erase(text.find_last_not_of(' ') + 1);
    return text + "\n";
  };
  std::string text = line(rows_.front());
  std::vector<std::string> rule(columns);
  for (std::size_t c = 0; c < columns; ++c) rule[c].assign(widths[c], '-');
  text += line(rule);
  for (std::size_t r = 1; r < rows_.size(); ++r) text += line(rows_[r]);
  return text;
}

// ---- JSON written member by member -----------------------------------------------------------

void JsonObjectText::add(std::string_view key, const Json& value) { add_text(key, value.dump()); }

void JsonObjectText::add_text(std::string_view key, std::string_view json) { add_key(key) += json; }

std::string& JsonObjectText::add_key(std::string_view key) {
  if (text_.size() > 1) text_ += ", ";
  text_ += Json(std::string(key)).dump();
  text_ += ": ";
  return text_;
}

// ---- checks -------------------------------------------------------------------------------------

void require_finite(std::span<const double> values, std::string_view what) {
  for (double value : values)
    if (!std::isfinite(value))
      throw UsageError(std::string(what) +
                       " is not finite: the computation overflowed; use smaller numbers");
}

// ---- results ------------------------------------------------------------------------------------

namespace {

std::string component_name(std::size_t i) { return "x" + std::to_string(i + 1); }

std::string scores_cell(const std::optional<std::vector<double>>& scores, std::size_t i) {
  return scores ? fixed((*scores)[i], 9) : "undefined";
}

Json scores_json(const std::optional<std::vector<double>>& scores) {
  return scores ? Json(*scores) : Json();
}

// The gate's four rows with the neuron's predictions.
std::string truth_table_text(const attribution::TrainedNeuron& trained) {
  std::string text;
  const nn::TruthTable table = nn::truth_table(trained.gate);
  Table rows({"x1", "x2", "target", "prediction"});
  for (std::size_t r = 0; r < table.inputs.rows(); ++r)
    rows.add_row({shortest(table.inputs(r, 0)), shortest(table.inputs(r, 1)),
                  shortest(table.targets(r, 0)), fixed(trained.predictions.at(r), 6)});
  text += rows.text();
  text +=
      trained.classifies_all_rows
          ? "Every prediction rounds to its target.\n"
          : "Not every prediction rounds to its target: the neuron does not compute the gate.\n";
  return text;
}

}  // namespace

std::string neuron_text(const NeuronParameters& neuron) {
  return "sigmoid(w.x + b) with w = " + list_text(neuron.weights) +
         ", b = " + shortest(neuron.bias);
}

std::string train_json(const attribution::TrainedNeuron& trained) {
  JsonObjectText json;
  json.add("gate", nn::gate_name(trained.gate));
  json.add("seed", static_cast<long long>(trained.seed));
  json.add("epochs", trained.epochs);
  json.add("lr", trained.lr);
  json.add("weights", trained.weights);
  json.add("bias", trained.bias);
  std::string& losses = json.add_key("losses");
  // Ten million epochs make half a gigabyte of text: one allocation, no copies.
  losses.reserve(losses.size() + 56 * trained.losses.size() + 512);
  losses += '[';
  for (std::size_t epoch = 0; epoch < trained.losses.size(); ++epoch) {
    if (epoch > 0) losses += ", ";
    losses +=
        Json::object({{"epoch", static_cast<long long>(epoch)}, {"loss", trained.losses[epoch]}})
            .dump();
  }
  losses += ']';
  json.add("predictions", trained.predictions);
  return std::move(json).take();
}

std::string train_text(const attribution::TrainedNeuron& trained) {
  const std::string gate = nn::gate_label(trained.gate);
  // analyse_neuron's parameters were given, not trained: no epochs, no losses.
  if (trained.losses.empty())
    return "The given neuron, not trained, on the " + gate +
           " gate's rows: " + neuron_text({trained.weights, trained.bias}) + "\n\n" +
           truth_table_text(trained);

  std::string text = "Training sigmoid(w.x + b) on the " + gate + " gate: seed " +
                     std::to_string(trained.seed) + ", " + std::to_string(trained.epochs) +
                     " epochs of SGD at lr " + shortest(trained.lr) + " on BCELoss\n\n";

  // As the notebook prints every 100th of 1000 epochs: every tenth of the run, and the last.
  Table losses({"epoch", "loss"});
  const std::size_t n = trained.losses.size();
  const std::size_t every = std::max<std::size_t>(1, n / 10);
  for (std::size_t epoch = 0; epoch < n; ++epoch)
    if (epoch % every == 0 || epoch + 1 == n)
      losses.add_row({std::to_string(epoch), fixed(trained.losses[epoch], 6)});
  text += losses.text();
  text += "\nTrained: " + neuron_text({trained.weights, trained.bias}) + "\n\n";
  return text + truth_table_text(trained);
}

Json ig_json(const attribution::IntegratedGradientsResult& ig) {
  return Json::object({{"method", attribution::method_name(ig.method)},
                       {"n_steps", ig.n_steps},
                       {"attributions", ig.attributions},
                       {"convergence_delta", ig.convergence_delta},
                       {"f_input", ig.f_input},
                       {"f_baseline", ig.f_baseline}});
}

std::string ig_text(const attribution::IntegratedGradientsResult& ig,
                    const NeuronParameters& neuron, std::span<const double> input,
                    std::span<const double> baseline) {
  std::string text = "Integrated gradients of " + neuron_text(neuron) +
                     ",\nfrom the baseline x' = " + list_text(baseline) +
                     " to the input x = " + list_text(input) + ", " +
                     attribution::method_name(ig.method) +
                     " rule, n_steps = " + std::to_string(ig.n_steps) + "\n\n";

  const std::optional<std::vector<double>> shares = attribution::ig_shares(ig);
  Table table({"component", "x", "x'", "attribution", "share of f(x) - f(x')"});
  double sum = 0.0, share_sum = 0.0;
  for (std::size_t i = 0; i < ig.attributions.size(); ++i) {
    sum += ig.attributions[i];
    if (shares) share_sum += (*shares)[i];
    table.add_row({component_name(i), shortest(input[i]), shortest(baseline[i]),
                   fixed(ig.attributions[i], 9), shares ? fixed((*shares)[i], 6) : "undefined"});
  }
  table.add_row({"sum", "", "", fixed(sum, 9), shares ? fixed(share_sum, 6) : "undefined"});
  text += table.text();

  text += "\nf(x) = " + fixed(ig.f_input, 9) + ", f(x') = " + fixed(ig.f_baseline, 9) +
          ", f(x) - f(x') = " + fixed(ig.f_input - ig.f_baseline, 9) + "\n";
  text += "convergence delta, sum - (f(x) - f(x')): " + scientific(ig.convergence_delta) + "\n";
  if (!shares) text += "f(x) and f(x') are equal to rounding: there is no effect to share out.\n";
  return text;
}

Json patch_json(const attribution::TwoWayPatching& patching) {
  return Json::object({{"f_clean", patching.noising.f_base},
                       {"f_corrupt", patching.denoising.f_base},
                       {"denoising", scores_json(patching.denoising.scores)},
                       {"noising", scores_json(patching.noising.scores)},
                       {"denoising_differences", patching.denoising.differences},
                       {"noising_differences", patching.noising.differences}});
}

std::string patch_text(const attribution::TwoWayPatching& patching, const NeuronParameters& neuron,
                       std::span<const double> clean, std::span<const double> corrupt) {
  std::string text = "Activation patching of " + neuron_text(neuron) +
                     ",\none input component at a time, between clean x = " + list_text(clean) +
                     " and corrupt x = " + list_text(corrupt) + "\n\n";
  Table table({"component", "clean", "corrupt", "denoising", "noising", "denoising difference",
               "noising difference"});
  for (std::size_t i = 0; i < patching.denoising.differences.size(); ++i)
    table.add_row(
        {component_name(i), shortest(clean[i]), shortest(corrupt[i]),
         scores_cell(patching.denoising.scores, i), scores_cell(patching.noising.scores, i),
         fixed(patching.denoising.differences[i], 9), fixed(patching.noising.differences[i], 9)});
  text += table.text();

  const double f_clean = patching.noising.f_base, f_corrupt = patching.denoising.f_base;
  text += "\nf(clean) = " + fixed(f_clean, 9) + ", f(corrupt) = " + fixed(f_corrupt, 9) +
          ", f(clean) - f(corrupt) = " + fixed(f_clean - f_corrupt, 9) + "\n";
  text +=
      "denoising: the clean component patched into the corrupt run; the score is the share of\n"
      "  f(clean) - f(corrupt) it brings back on its own (high: the component is sufficient).\n"
      "noising: the corrupt component patched into the clean run; the score is the share it\n"
      "  takes away (high: the component is necessary).\n"
      "difference: f(the run) - f(the same run patched), the score's numerator; the score\n"
      "  divides it by f(the run) - f(the other run).\n";
  if (!patching.denoising.scores)
    text += "f(clean) and f(corrupt) are equal to rounding: the scores are undefined.\n";
  return text;
}

}  // namespace latent
