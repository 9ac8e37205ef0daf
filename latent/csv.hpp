// `latent ig|patch|train --csv`: the results as comma-separated values, for a spreadsheet or
// pandas. A header row, then one row per component (ig, patch) or per epoch (train). Numbers are
// printed as the shortest text that reads back as the same double; an undefined share is an empty
// cell. No field ever needs quoting: the cells are numbers and component names (x1, x2, ...).
#pragma once

#include <span>
#include <string>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "latent/arguments.hpp"

namespace latent {

enum class OutputFormat { text, json, csv };

// --json or --csv (switches the subcommand must accept), or neither for text. Both at once throw
// UsageError.
OutputFormat read_output_format(const Arguments& arguments);

// epoch,loss: the losses of a training run, one per epoch from 0.
std::string train_csv(std::span<const double> losses);
// component,input,baseline,attribution,share
std::string ig_csv(const attribution::IntegratedGradientsResult& ig, std::span<const double> input,
                   std::span<const double> baseline);
// component,clean,corrupt,denoising,noising,denoising_difference,noising_difference
std::string patch_csv(const attribution::TwoWayPatching& patching, std::span<const double> clean,
                      std::span<const double> corrupt);

}  // namespace latent
