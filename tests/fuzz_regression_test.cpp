// The fuzz targets (tests/fuzz/targets.hpp) without libFuzzer: every seed of the corpus and every
// input a fuzzer crashed on is replayed through them, with this build's compiler and sanitizers.
// A seed named valid-* must be accepted and one named bad-* refused with the reader's documented
// error; a regression named so is held to the same, any other must only run clean. And each
// invariant check of the targets can fail: a check that cannot would let a broken reader pass.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "latent/arguments.hpp"
#include "latent/model_file.hpp"
#include "tests/course/markers.hpp"
#include "tests/fuzz/targets.hpp"

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

const fs::path fuzz_folder = fs::path(PROJECT_ROOT) / "tests" / "fuzz";

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The inputs in a folder, in order of name; a README is none, a missing folder has none.
std::vector<fs::path> inputs_in(const fs::path& folder) {
  std::vector<fs::path> inputs;
  std::error_code error;
  if (!fs::is_directory(folder, error)) return inputs;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file() && entry.path().filename() != "README.md")
      inputs.push_back(entry.path());
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

using Target = fuzz::Outcome (*)(std::string_view);

// Runs each input; returns how many were named valid-* and bad-*.
std::pair<int, int> replay(const fs::path& folder, Target target, bool names_required) {
  int valid = 0, bad = 0;
  for (const fs::path& input : inputs_in(folder)) {
    const std::string name = input.filename().string();
    fuzz::Outcome outcome{};
    try {
      outcome = target(bytes_of(input));
    } catch (const std::exception& error) {
      ADD_FAILURE() << input.string() << ": " << error.what();
      continue;
    }
    if (name.starts_with("valid-")) {
      ++valid;
      EXPECT_EQ(outcome, fuzz::Outcome::accepted) << input.string() << " is refused";
    } else if (name.starts_with("bad-")) {
      ++bad;
      EXPECT_EQ(outcome, fuzz::Outcome::refused) << input.string() << " is accepted";
    } else {
      EXPECT_FALSE(names_required) << input.string() << ": a seed is named valid-* or bad-*";
    }
  }
  return {valid, bad};
}

void replay_target(const std::string& name, Target target) {
  const auto [valid, bad] = replay(fuzz_folder / "corpus" / name, target, true);
  EXPECT_GE(valid, 3) << "tests/fuzz/corpus/" << name << " has too few valid-* seeds";
  EXPECT_GE(bad, 3) << "tests/fuzz/corpus/" << name << " has too few bad-* seeds";
  replay(fuzz_folder / "regressions" / name, target, false);
}

TEST(FuzzReplay, ModelFileSeedsAndRegressions) { replay_target("model_file", fuzz::model_file); }
TEST(FuzzReplay, ArgumentsSeedsAndRegressions) { replay_target("arguments", fuzz::arguments); }
TEST(FuzzReplay, MarkersSeedsAndRegressions) { replay_target("markers", fuzz::markers); }

// Three seeds, read by the readers themselves: each holds what its name says.
TEST(FuzzSeeds, AValidModelFileIsTheTrainedModelAndABadOneIsRefused) {
  const std::string model = bytes_of(fuzz_folder / "corpus" / "model_file" / "valid-xor-hidden2");
  const attribution::TrainedNetwork network = latent::parse_model_file(model, "xor.json");
  EXPECT_EQ(network.gate, nn::Gate::xor_gate);
  EXPECT_EQ(network.hidden, 2u);
  ASSERT_TRUE(network.training.has_value());
  EXPECT_EQ(network.training->seed, 8u);
  EXPECT_EQ(network.training->epochs, 2000);
  EXPECT_EQ(network.training->lr, 0.5);
  EXPECT_EQ(network.parameters.at("model.2.weight"),
            (std::vector<double>{-6.6993254185820392, 4.0971665062990379}));
  EXPECT_THROW(
      latent::parse_model_file(
          bytes_of(fuzz_folder / "corpus" / "model_file" / "bad-inputs-mismatch"), "and.json"),
      latent::UsageError);
}

TEST(FuzzSeeds, ATrainCommandLineGivesItsFlags) {
  const std::string words = bytes_of(fuzz_folder / "corpus" / "arguments" / "valid-train");
  const std::vector<std::string_view> split = fuzz::words_of(words);
  const latent::Arguments arguments(split, {"gate", "hidden", "seed", "epochs", "lr", "save"},
                                    {"json", "csv"});
  EXPECT_EQ(arguments.text("gate"), "xor");
  EXPECT_EQ(arguments.integer("hidden", 0, 0, 16), 2);
  EXPECT_EQ(arguments.number("lr"), 0.5);
  EXPECT_TRUE(arguments.has("json"));
  EXPECT_FALSE(arguments.has("csv"));
}

TEST(FuzzSeeds, TheLinearLayerHoldsExercise21) {
  const std::string linear = bytes_of(fuzz_folder / "corpus" / "markers" / "valid-linear");
  const std::vector<course::Region> regions = course::find_regions(linear, "nn/linear.cpp");
  ASSERT_EQ(regions.size(), 1u);
  EXPECT_EQ(regions[0].id, "2.1");
  EXPECT_EQ(regions[0].uses, (std::vector<std::string>{"input", "weight", "bias", "output"}));
}

TEST(FuzzTargets, WordsAreLinesAndAFinalNewlineEndsTheLast) {
  EXPECT_EQ(fuzz::words_of("--gate\nxor\n"), (std::vector<std::string_view>{"--gate", "xor"}));
  EXPECT_EQ(fuzz::words_of("a\n\nb"), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_TRUE(fuzz::words_of("").empty());
  EXPECT_EQ(fuzz::words_of("\n"), (std::vector<std::string_view>{""}));
}

TEST(FuzzTargets, TheNetworkCheckSeesOneBitChanged) {
  const attribution::TrainedNetwork network = latent::parse_model_file(
      bytes_of(fuzz_folder / "corpus" / "model_file" / "valid-and-neuron"), "and.json");
  EXPECT_NO_THROW(fuzz::check_same_network(network, network));
  attribution::TrainedNetwork changed = network;
  double& bias = changed.parameters.at("model.0.bias")[0];
  bias = std::nextafter(bias, 0.0);
  EXPECT_THROW(fuzz::check_same_network(network, changed), fuzz::Broken);
  changed = network;
  changed.training->lr = std::nextafter(changed.training->lr, 1.0);
  EXPECT_THROW(fuzz::check_same_network(network, changed), fuzz::Broken);
  changed = network;
  changed.parameters["model.1.bias"] = {0.0};
  EXPECT_THROW(fuzz::check_same_network(network, changed), fuzz::Broken);
  changed = network;
  changed.hidden = 1;
  EXPECT_THROW(fuzz::check_same_network(network, changed), fuzz::Broken);
}

TEST(FuzzTargets, TheRegionCheckSeesABodyOffByOneAndRegionsOutOfOrder) {
  const std::string text = bytes_of(fuzz_folder / "corpus" / "markers" / "valid-three-regions");
  const std::vector<course::Region> regions = course::find_regions(text, "f.cpp");
  ASSERT_EQ(regions.size(), 3u);
  EXPECT_NO_THROW(fuzz::check_regions(text, regions));
  std::vector<course::Region> changed = regions;
  --changed[1].body_end;
  EXPECT_THROW(fuzz::check_regions(text, changed), fuzz::Broken);
  changed = regions;
  ++changed[0].end_line;
  EXPECT_THROW(fuzz::check_regions(text, changed), fuzz::Broken);
  changed = regions;
  std::swap(changed[0], changed[2]);
  EXPECT_THROW(fuzz::check_regions(text, changed), fuzz::Broken);
  changed = regions;
  changed[2].id = "5.4";
  EXPECT_THROW(fuzz::check_regions(text, changed), fuzz::Broken);
}

// Found by the markers target: a file that already included autodiff/exercise.hpp with the stub's
// own line (a student edition, say) lost that line on the way back, as if the student edition had
// added it.
TEST(FuzzRegressions, AFileWithTheStubIncludeAlreadyComesBackWhole) {
  const std::string text =
      bytes_of(fuzz_folder / "regressions" / "markers" / "valid-stub-include-already-there");
  ASSERT_TRUE(text.starts_with(std::string(course::stub_include) + "\n"));
  const std::vector<course::Region> regions = course::find_regions(text, "lib/one.cpp");
  course::Table table;
  table.exercises.push_back({.id = "1.1", .title = "the sum", .file = "lib/one.cpp"});
  const std::string student = course::student_text(text, "lib/one.cpp", regions, table);
  EXPECT_EQ(student, text);  // its stub is the stub already there
  EXPECT_EQ(course::restore(student, text, "lib/one.cpp"), text);
}

}  // namespace
