#include "latent/csv.hpp"

#include <cstddef>
#include <optional>
#include <vector>

#include "attribution/summaries.hpp"
#include "latent/report.hpp"

namespace latent {

namespace {

std::string component_name(std::size_t i) { return "x" + std::to_string(i + 1); }

std::string cell(const std::optional<std::vector<double>>& values, std::size_t i) {
  return values ? shortest((*values)[i]) : "";
}

}  // namespace

OutputFormat read_output_format(const Arguments& arguments) {
  const bool json = arguments.has("json"), csv = arguments.has("csv");
  if (json && csv) throw UsageError("--json and --csv exclude each other: choose one");
  return json ? OutputFormat::json : csv ? OutputFormat::csv : OutputFormat::text;
}

std::string train_csv(std::span<const double> losses) {
  std::string text = "epoch,loss\n";
  // Ten million epochs: one allocation, as for --json.
  text.reserve(text.size() + 34 * losses.size());
  for (std::size_t epoch = 0; epoch < losses.size(); ++epoch) {
    text += std::to_string(epoch);
    text += ',';
    text += shortest(losses[epoch]);
    text += '\n';
  }
  return text;
}

std::string ig_csv(const attribution::IntegratedGradientsResult& ig, std::span<const double> input,
                   std::span<const double> baseline) {
  const std::optional<std::vector<double>> shares = attribution::ig_shares(ig);
  std::string text = "component,input,baseline,attribution,share\n";
  for (std::size_t i = 0; i < ig.attributions.size(); ++i)
    text += component_name(i) + "," + shortest(input[i]) + "," + shortest(baseline[i]) + "," +
            shortest(ig.attributions[i]) + "," + cell(shares, i) + "\n";
  return text;
}

std::string patch_csv(const attribution::TwoWayPatching& patching, std::span<const double> clean,
                      std::span<const double> corrupt) {
  std::string text =
      "component,clean,corrupt,denoising,noising,denoising_difference,noising_difference\n";
  for (std::size_t i = 0; i < patching.denoising.differences.size(); ++i)
    text += component_name(i) + "," + shortest(clean[i]) + "," + shortest(corrupt[i]) + "," +
            cell(patching.denoising.scores, i) + "," + cell(patching.noising.scores, i) + "," +
            shortest(patching.denoising.differences[i]) + "," +
            shortest(patching.noising.differences[i]) + "\n";
  return text;
}

}  // namespace latent
