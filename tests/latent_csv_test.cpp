// `latent ig|patch|train --csv`: a header row, then one row per input or epoch, every number the
// shortest text that reads back as the very double the library computed; an undefined share is an
// empty cell; and --csv with --json is refused as bad input.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "nn/network.hpp"
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
double number_in(const std::string& cell) {
  char* end = nullptr;
  const double value = std::strtod(cell.c_str(), &end);
  EXPECT_TRUE(!cell.empty() && *end == '\0') << "'" << cell << "' is not a number";
  return value;
}

// What a successful --csv run printed, as rows.
std::vector<std::vector<std::string>> csv_of(const Outcome& run) {
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");
  return rows_of(run.out);
}

attribution::IntegratedGradientsResult library_ig(const std::vector<double>& weights, double bias,
                                                  const std::vector<double>& input,
                                                  const std::vector<double>& baseline) {
  autodiff::Tape tape;
  nn::Sequential model = nn::neuron(tape, weights, bias);
  return attribution::integrated_gradients(model, input, baseline);
}

TEST(LatentCsv, IgIsOneRowPerInputOfTheLibrarysDoubles) {
  const auto rows =
      csv_of(latent_run(with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--csv"})));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"component", "input", "baseline", "attribution", "share"}));
  const auto ig = library_ig(and_weights, and_bias, clean, corrupt);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& row = rows[i + 1];
    ASSERT_EQ(row.size(), 5u);
    EXPECT_EQ(row[0], "x" + std::to_string(i + 1));
    EXPECT_EQ(number_in(row[1]), 1.0);
    EXPECT_EQ(number_in(row[2]), 0.0);
    // Read back, the very double the library computed, and the notebook's number.
    EXPECT_EQ(number_in(row[3]), ig.attributions[i]);
    EXPECT_NEAR(number_in(row[3]), reference_ig[i], reference_tolerance);
    EXPECT_EQ(number_in(row[4]), ig.attributions[i] / (ig.f_input - ig.f_baseline));
  }
  // The shares add up to 1 (completeness).
  EXPECT_NEAR(number_in(rows[1][4]) + number_in(rows[2][4]), 1.0, 1e-12);
}

// Inputs and baselines as given, read back as the same doubles, one row per weight.
TEST(LatentCsv, IgEchoesTheInputsExactly) {
  const std::vector<double> weights = {0.5, -2, 1.25}, input = {0.1, 1.0 / 3.0, -7e-5},
                            baseline = {-0.2, 0, 1e10};
  const std::vector<std::string> words = {
      "ig",      "--weights",   list17(weights), "--bias",         "0.3",
      "--input", list17(input), "--baseline",    list17(baseline), "--csv"};
  const auto rows = csv_of(run_strings(words));
  ASSERT_EQ(rows.size(), 4u);
  const auto ig = library_ig(weights, 0.3, input, baseline);
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(rows[i + 1].size(), 5u);
    EXPECT_EQ(number_in(rows[i + 1][1]), input[i]);
    EXPECT_EQ(number_in(rows[i + 1][2]), baseline[i]);
    EXPECT_EQ(number_in(rows[i + 1][3]), ig.attributions[i]);
  }
}

// f(x) = f(x') for w = [1, 1], b = 0 between [1, 0] and [0, 1]: the attributions are there (and
// cancel), the shares are empty cells.
TEST(LatentCsv, AnUndefinedShareIsAnEmptyCell) {
  const auto rows = csv_of(latent_run(
      {"ig", "--weights", "1,1", "--bias", "0", "--input", "1,0", "--baseline", "0,1", "--csv"}));
  ASSERT_EQ(rows.size(), 3u);
  const auto ig = library_ig({1, 1}, 0, {1, 0}, {0, 1});
  ASSERT_EQ(ig.f_input, ig.f_baseline);
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_EQ(rows[i + 1].size(), 5u);
    EXPECT_EQ(number_in(rows[i + 1][3]), ig.attributions[i]);
    EXPECT_NE(ig.attributions[i], 0.0);
    EXPECT_EQ(rows[i + 1][4], "");
  }
}

TEST(LatentCsv, PatchIsOneRowPerInputWithBothDirections) {
  const auto rows =
      csv_of(latent_run(with_neuron("patch", {"--clean", "1,1", "--corrupt", "0,0", "--csv"})));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"component", "clean", "corrupt", "denoising", "noising",
                                      "denoising_difference", "noising_difference"}));
  autodiff::Tape tape;
  nn::Sequential model = nn::neuron(tape, and_weights, and_bias);
  const attribution::TwoWayPatching patching =
      attribution::patch_both_directions(model, nn::model_input, clean, corrupt);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& row = rows[i + 1];
    ASSERT_EQ(row.size(), 7u);
    EXPECT_EQ(row[0], "x" + std::to_string(i + 1));
    EXPECT_EQ(number_in(row[1]), 1.0);
    EXPECT_EQ(number_in(row[2]), 0.0);
    EXPECT_EQ(number_in(row[3]), (*patching.denoising.scores)[i]);
    EXPECT_EQ(number_in(row[4]), (*patching.noising.scores)[i]);
    EXPECT_NEAR(number_in(row[3]), reference_denoising[i], reference_tolerance);
    EXPECT_NEAR(number_in(row[4]), reference_noising[i], reference_tolerance);
    EXPECT_EQ(number_in(row[5]), patching.denoising.differences[i]);
    EXPECT_EQ(number_in(row[6]), patching.noising.differences[i]);
  }
  // Chapter 5's identity: denoising x1 and noising x2 run the same input.
  EXPECT_NEAR(number_in(rows[1][3]) + number_in(rows[2][4]), 1.0, 1e-12);
}

TEST(LatentCsv, TrainIsOneRowPerEpoch) {
  for (const TrainingCase& c : training_cases) {
    std::vector<std::string> words = {"train"};
    words.insert(words.end(), c.flags.begin(), c.flags.end());
    words.push_back("--csv");
    const auto rows = csv_of(run_strings(words));
    const attribution::TrainedNetwork network = c.library();
    const std::vector<double>& losses = network.training->losses;
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(c.epochs) + 1) << line_of(words);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"epoch", "loss"}));
    for (std::size_t epoch = 0; epoch < losses.size(); ++epoch) {
      ASSERT_EQ(rows[epoch + 1].size(), 2u);
      EXPECT_EQ(rows[epoch + 1][0], std::to_string(epoch));
      EXPECT_EQ(number_in(rows[epoch + 1][1]), losses[epoch]) << epoch;
    }
  }
}

TEST(LatentCsv, CsvWithJsonIsBadInput) {
  const std::vector<std::vector<std::string_view>> cases = {
      with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--csv", "--json"}),
      with_neuron("patch", {"--json", "--clean", "1,1", "--corrupt", "0,0", "--csv"}),
      {"train", "--gate", "and", "--csv", "--json"}};
  for (const auto& words : cases) {
    const Outcome run = latent_run(words);
    expect_refused(run, "--json", std::string(words.front()));
    EXPECT_NE(run.err.find("--csv"), std::string::npos) << run.err;
  }
  // The experiment is a report of several tables: it has no CSV form.
  expect_refused(latent_run({"experiment", "--gate", "and", "--csv"}), "unknown flag '--csv'",
                 "experiment --csv");
}

}  // namespace
