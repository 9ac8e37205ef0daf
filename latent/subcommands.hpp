// The subcommands of `latent`, one file each (train_command.cpp, ...), and the argument reading
// they share.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "latent/arguments.hpp"
#include "latent/report.hpp"

namespace latent {

struct Subcommand {
  std::string_view name;
  std::string_view summary;  // one line for `latent --help`
  std::string_view help;     // `latent NAME --help`, starting with its usage line
  // Reads the words after the subcommand's name and returns everything to print on stdout. Bad
  // input throws (UsageError, or the library's std::invalid_argument) before anything is printed.
  std::string (*run)(std::span<const std::string_view> words);
};

Subcommand train_subcommand();
Subcommand ig_subcommand();
Subcommand patch_subcommand();
Subcommand experiment_subcommand();

// --weights and --bias: the neuron sigmoid(w.x + b) that ig and patch look inside.
NeuronParameters read_neuron(const Arguments& arguments);
// A point given as a list flag (--input 1,1), which must have one number per weight; a different
// count throws UsageError naming both flags and both counts.
std::vector<double> read_point(const Arguments& arguments, const std::string& name,
                               std::size_t n_weights);

// The largest --seed: seeds are read as signed 64-bit numbers.
inline constexpr long long max_seed = 9223372036854775807LL;  // 2^63 - 1
inline constexpr long long max_epochs = 10000000;

}  // namespace latent
