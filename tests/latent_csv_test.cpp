// `latent ig|patch|train --csv`: a header row, one row per input or epoch, numbers that read back
// as the very doubles the library computed; and --csv with --json refused as bad input.
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "latent/command.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "tests/latent_test_support.hpp"

#include <gtest/gtest.h>

namespace {

using namespace latent_test;

// The rows of a CSV text, each split at its commas. Every line must end with '\n'.
std::vector<std::vector<std::string>> rows_of(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      ADD_FAILURE() << "the last line has no newline: " << text.substr(start);
      break;
    }
    std::vector<std::string> cells;
    std::size_t cell = start;
    while (true) {
      const std::size_t comma = text.find(',', cell);
      if (comma == std::string::npos || comma > end) {
        cells.push_back(text.substr(cell, end - cell));
        break;
      }
      cells.push_back(text.substr(cell, comma - cell));
      cell = comma + 1;
    }
    rows.push_back(cells);
    start = end + 1;
  }
  return rows;
}

// A cell read back as a double; the whole cell must be the number.
double number(const std::string& cell) {
  char* end = nullptr;
  const double value = std::strtod(cell.c_str(), &end);
  EXPECT_TRUE(!cell.empty() && *end == '\0') << "'" << cell << "' is not a number";
  return value;
}

TEST(LatentCsv, IgIsOneRowPerInput) {
  const Outcome run =
      latent_run(with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--csv"}));
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");
  const auto rows = rows_of(run.out);
  ASSERT_EQ(rows.size(), 3u) << run.out;
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"component", "input", "baseline", "attribution", "share"}));
  autodiff::Tape tape;
  nn::Sequential model = attribution::neuron(tape, and_weights, and_bias);
  const auto ig = attribution::integrated_gradients(model, clean, corrupt);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& row = rows[i + 1];
    ASSERT_EQ(row.size(), 5u);
    EXPECT_EQ(row[0], "x" + std::to_string(i + 1));
    EXPECT_EQ(number(row[1]), 1.0);
    EXPECT_EQ(number(row[2]), 0.0);
    // Read back, the very double the library computed, and the notebook's number.
    EXPECT_EQ(number(row[3]), ig.attributions[i]);
    EXPECT_NEAR(number(row[3]), reference_ig[i], reference_tolerance);
    EXPECT_EQ(number(row[4]), ig.attributions[i] / (ig.f_input - ig.f_baseline));
  }
  // The shares add up to 1 (completeness).
  EXPECT_NEAR(number(rows[1][4]) + number(rows[2][4]), 1.0, 1e-12);
}

TEST(LatentCsv, IgWithoutAnEffectLeavesTheShareEmpty) {
  const Outcome run =
      latent_run(with_neuron("ig", {"--input", "1,1", "--baseline", "1,1", "--csv"}));
  ASSERT_EQ(run.status, 0) << run.err;
  const auto rows = rows_of(run.out);
  ASSERT_EQ(rows.size(), 3u) << run.out;
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x1", "1", "1", "0", ""}));
}

TEST(LatentCsv, PatchIsOneRowPerInputWithBothDirections) {
  const Outcome run =
      latent_run(with_neuron("patch", {"--clean", "1,1", "--corrupt", "0,0", "--csv"}));
  ASSERT_EQ(run.status, 0) << run.err;
  const auto rows = rows_of(run.out);
  ASSERT_EQ(rows.size(), 3u) << run.out;
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"component", "clean", "corrupt", "denoising", "noising",
                                      "denoising_difference", "noising_difference"}));
  autodiff::Tape tape;
  nn::Sequential model = attribution::neuron(tape, and_weights, and_bias);
  const attribution::TwoWayPatching patching =
      attribution::patch_both_directions(model, nn::layer_input_name(0), clean, corrupt);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& row = rows[i + 1];
    ASSERT_EQ(row.size(), 7u);
    EXPECT_EQ(row[0], "x" + std::to_string(i + 1));
    EXPECT_EQ(number(row[3]), (*patching.denoising.scores)[i]);
    EXPECT_EQ(number(row[4]), (*patching.noising.scores)[i]);
    EXPECT_NEAR(number(row[3]), reference_denoising[i], reference_tolerance);
    EXPECT_NEAR(number(row[4]), reference_noising[i], reference_tolerance);
    EXPECT_EQ(number(row[5]), patching.denoising.differences[i]);
    EXPECT_EQ(number(row[6]), patching.noising.differences[i]);
  }
}

TEST(LatentCsv, TrainIsOneRowPerEpoch) {
  const Outcome run = latent_run(
      {"train", "--gate", "or", "--seed", "7", "--epochs", "25", "--lr", "0.5", "--csv"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto rows = rows_of(run.out);
  const attribution::TrainedNeuron trained =
      attribution::train_neuron(nn::Gate::or_gate, 7, 25, 0.5);
  ASSERT_EQ(rows.size(), 26u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"epoch", "loss"}));
  for (std::size_t epoch = 0; epoch < 25; ++epoch) {
    ASSERT_EQ(rows[epoch + 1].size(), 2u);
    EXPECT_EQ(rows[epoch + 1][0], std::to_string(epoch));
    EXPECT_EQ(number(rows[epoch + 1][1]), trained.losses[epoch]) << epoch;
  }
  // The default run: 1000 epochs, the loss falling from the first to the last.
  const auto defaults = rows_of(latent_run({"train", "--gate", "and", "--csv"}).out);
  ASSERT_EQ(defaults.size(), 1001u);
  EXPECT_EQ(defaults.back()[0], "999");
  EXPECT_LT(number(defaults.back()[1]), number(defaults[1][1]));
}

TEST(LatentCsv, CsvWithJsonIsBadInput) {
  const std::vector<std::vector<std::string_view>> cases = {
      with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--csv", "--json"}),
      with_neuron("patch", {"--json", "--clean", "1,1", "--corrupt", "0,0", "--csv"}),
      {"train", "--gate", "and", "--csv", "--json"}};
  for (const auto& words : cases) {
    const Outcome run = latent_run(words);
    EXPECT_EQ(run.status, 2) << words.front();
    EXPECT_EQ(run.out, "") << words.front();
    EXPECT_EQ(run.err, "latent: --json and --csv exclude each other: choose one\n")
        << words.front();
  }
  // The experiment is a report of several tables: it has no CSV form.
  const Outcome experiment = latent_run({"experiment", "--gate", "and", "--csv"});
  EXPECT_EQ(experiment.status, 2);
  EXPECT_NE(experiment.err.find("unknown flag '--csv'"), std::string::npos) << experiment.err;
}

TEST(LatentCsv, HelpMentionsCsv) {
  for (const char* command : {"train", "ig", "patch"}) {
    const Outcome run = latent_run({command, "--help"});
    EXPECT_NE(run.out.find("[--json | --csv]"), std::string::npos) << command;
    EXPECT_NE(run.out.find("  --csv "), std::string::npos) << command;
  }
  EXPECT_NE(latent_run({"--help"}).out.find("--csv"), std::string::npos);
}

}  // namespace
