// `latent train --save FILE` and `latent experiment --load FILE`: a saved model analyses to the
// very bits of the model trained, whatever its shape; what a loaded model reports is the file's;
// and a file that is not a valid model is refused as bad input naming the file.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "latent/json.hpp"
#include "tests/latent_test_support.hpp"

#include <gtest/gtest.h>

namespace {

using latent::Json;
using namespace latent_test;

// Two outputs' values at the keys, the same doubles (or both null).
void expect_same_numbers_at(const Json& actual, const Json& expected,
                            std::initializer_list<std::string_view> keys,
                            const std::string& where) {
  const Json &a = at(actual, keys), &e = at(expected, keys);
  ASSERT_EQ(is_null(a), is_null(e)) << where;
  if (is_null(a)) return;
  if (e.get<Json::Array>() == nullptr) {
    EXPECT_EQ(number(a), number(e)) << where;
    return;
  }
  const Json::Array &as = *a.get<Json::Array>(), &es = *e.get<Json::Array>();
  ASSERT_EQ(as.size(), es.size()) << where;
  for (std::size_t i = 0; i < es.size(); ++i) {
    ASSERT_EQ(is_null(as[i]), is_null(es[i])) << where << "[" << i << "]";
    if (!is_null(es[i])) {
      EXPECT_EQ(number(as[i]), number(es[i])) << where << "[" << i << "]";
    }
  }
}

// The neuron on AND, a hidden layer on XOR (chapter 7's seed 8), and a three-input gate on the
// neuron and with a hidden layer: the experiment on the loaded file computes exactly the numbers
// of the experiment on the network trained, and reports the training the file records, without
// its losses.
TEST(LatentModelFile, SavedModelsAnalyseToTheSameBits) {
  const TemporaryDirectory directory;
  const std::vector<std::vector<std::string>> networks = {
      {"--gate", "and"},
      {"--gate", "xor", "--hidden", "2", "--seed", "8"},
      {"--gate", "maj3", "--seed", "2"},
      {"--gate", "maj3", "--hidden", "3", "--seed", "1"},
  };
  int count = 0;
  for (const std::vector<std::string>& network : networks) {
    const std::string file = directory.file("model" + std::to_string(count++) + ".json");
    std::vector<std::string> train = {"train"}, experiment = {"experiment"};
    train.insert(train.end(), network.begin(), network.end());
    experiment.insert(experiment.end(), network.begin(), network.end());
    train.insert(train.end(), {"--save", file, "--json"});
    experiment.push_back("--json");
    const std::string where = line_of(train);

    const Json trained_network = json_of(run_strings(train));
    const Json trained = json_of(run_strings(experiment));
    const Json loaded = json_of(run_strings({"experiment", "--load", file, "--json"}));

    EXPECT_EQ(string_at(loaded, {"gate"}), string_at(trained, {"gate"})) << where;
    EXPECT_EQ(number_at(loaded, {"train", "hidden"}), number_at(trained, {"train", "hidden"}))
        << where;
    for (const char* key : {"seed", "epochs", "lr"})
      expect_same_numbers_at(loaded, trained, {"train", key}, where + " " + key);
    EXPECT_EQ(size_of(at(loaded, {"train", "losses"})), 0u) << where;
    EXPECT_GT(size_of(at(trained, {"train", "losses"})), 0u) << where;

    const Json::Object* parameters = at(trained, {"train", "parameters"}).get<Json::Object>();
    ASSERT_NE(parameters, nullptr);
    for (const auto& [name, values] : *parameters) {
      expect_same_numbers_at(loaded, trained, {"train", "parameters", name}, where + " " + name);
      // train --json printed the parameters it saved.
      expect_same_numbers_at(trained_network, at(trained, {"train"}), {"parameters", name},
                             where + " " + name);
    }
    expect_same_numbers_at(loaded, trained, {"train", "predictions"}, where + " predictions");
    for (const char* key : {"attributions", "convergence_delta", "f_input", "f_baseline"})
      expect_same_numbers_at(loaded, trained, {"ig", key}, where + " ig." + key);
    for (const char* key : {"f_clean", "f_corrupt", "denoising", "noising", "denoising_differences",
                            "noising_differences"})
      expect_same_numbers_at(loaded, trained, {"patch", key}, where + " patch." + key);
    expect_same_numbers_at(loaded, trained, {"asymmetry"}, where + " asymmetry");
    EXPECT_EQ(booleans(at(loaded, {"verdicts"})), booleans(at(trained, {"verdicts"}))) << where;
  }
}

// Seeds are read and written as whole numbers: the largest, 2^63 - 1, comes back exactly (as a
// double it would be 2^63).
TEST(LatentModelFile, TheLargestSeedSavesAndLoads) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("seed.json");
  const Outcome train = latent_run(
      {"train", "--gate", "or", "--seed", "9223372036854775807", "--epochs", "3", "--save", file});
  ASSERT_EQ(train.status, 0) << train.err;
  const Json loaded = json_of(latent_run({"experiment", "--load", file, "--json"}));
  const long long* seed = at(loaded, {"train", "seed"}).get<long long>();
  ASSERT_NE(seed, nullptr);
  EXPECT_EQ(*seed, 9223372036854775807LL);
  EXPECT_EQ(number_at(loaded, {"train", "epochs"}), 3);
}

// Saving goes with any output: the text, --json or --csv on stdout, the same model in the file.
TEST(LatentModelFile, SaveWorksWithEveryOutput) {
  const TemporaryDirectory directory;
  const Json reference =
      json_of(latent_run({"train", "--gate", "nor", "--epochs", "40", "--json"}));
  for (const char* format : {"", "--json", "--csv"}) {
    const std::string file = directory.file(std::string("model") + format + ".json");
    std::vector<std::string> words = {"train", "--gate", "nor", "--epochs", "40", "--save", file};
    if (*format != '\0') words.push_back(format);
    const Outcome run = run_strings(words);
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_FALSE(run.out.empty());
    const Json loaded = json_of(latent_run({"experiment", "--load", file, "--json"}));
    for (const char* name : {"model.0.weight", "model.0.bias"})
      expect_same_doubles(numbers_at(loaded, {"train", "parameters", name}),
                          numbers_at(reference, {"parameters", name}), line_of(words));
  }
}

// A file that cannot be written is bad input, and nothing is printed, not even the report that
// was ready.
TEST(LatentModelFile, ASaveThatFailsPrintsNothing) {
  const TemporaryDirectory directory;
  const std::string nowhere = directory.file("no-such-directory/model.json");
  expect_refused(run_strings({"train", "--gate", "and", "--epochs", "2", "--save", nowhere}),
                 "cannot write " + nowhere, "save into a missing directory");
  const std::string itself = directory.file("");
  expect_refused(
      run_strings({"train", "--gate", "and", "--epochs", "2", "--json", "--save", itself}), itself,
      "save onto a directory");
}

// A model file written by hand: a loaded model reports the file's gate, seed, epochs, lr and
// parameters, has no losses, and predicts what those parameters compute.
const std::string good_model =
    "{\"format\": \"latent-circuits model\", \"version\": 1, \"gate\": \"xor\", \"inputs\": 2,\n"
    " \"hidden\": 1, \"seed\": 5, \"epochs\": 7, \"lr\": 0.25, \"parameters\": {\n"
    "  \"model.0.weight\": [1, -2], \"model.0.bias\": [0.5],\n"
    "  \"model.2.weight\": [1.5], \"model.2.bias\": [-0.25]}}\n";

TEST(LatentModelFile, ALoadedModelReportsTheFile) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("good.json");
  write_file(file, good_model);
  const Json e = json_of(latent_run({"experiment", "--load", file, "--json"}));
  EXPECT_EQ(string_at(e, {"gate"}), "xor");
  EXPECT_EQ(number_at(e, {"train", "hidden"}), 1);
  EXPECT_EQ(number_at(e, {"train", "seed"}), 5);
  EXPECT_EQ(number_at(e, {"train", "epochs"}), 7);
  EXPECT_EQ(number_at(e, {"train", "lr"}), 0.25);
  EXPECT_EQ(size_of(at(e, {"train", "losses"})), 0u);
  expect_same_doubles(numbers_at(e, {"train", "parameters", "model.0.weight"}), {1, -2}, "w0");
  expect_same_doubles(numbers_at(e, {"train", "parameters", "model.2.bias"}), {-0.25}, "b2");
  const PrintedNetwork network(at(e, {"train", "parameters"}), 2, 1);
  const std::vector<double> predictions = numbers_at(e, {"train", "predictions"});
  const auto rows = rows_of_gate("xor");
  ASSERT_EQ(predictions.size(), rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    EXPECT_NEAR(predictions[r], network.output(rows[r]), 1e-15) << "row " << r;
}

// The good file with `from` replaced by `to`.
std::string replaced(const std::string& from, const std::string& to) {
  std::string text = good_model;
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(LatentModelFile, MalformedFilesAreRefusedNamingTheFile) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("bad.json");
  const struct {
    std::string text;
    std::string problem;  // what the message must mention besides the file
  } cases[] = {
      // not JSON
      {good_model.substr(0, 60), "line 1, column"},
      {good_model.substr(0, good_model.size() - 3), "line 4, column"},
      {"", "line 1, column 1"},
      {"model", "line 1, column 1"},
      {good_model + "{}", "line 5, column 1"},
      {replaced("[0.5]", "[0.5,]"), "line 3"},
      {replaced("\"lr\": 0.25", "\"lr\": 0.25, \"lr\": 0.5"), "\"lr\" appears twice"},
      {replaced("[1, -2]", "[1, 1e999]"), "1e999"},
      {replaced("[1, -2]", "[1, NaN]"), "line 3"},
      {"[1, 2]", "one JSON object"},
      // wrong types
      {replaced("\"lr\": 0.25", "\"lr\": \"0.25\""), "\"lr\""},
      {replaced("\"seed\": 5", "\"seed\": 5.5"), "\"seed\""},
      {replaced("\"epochs\": 7", "\"epochs\": 7.0"), "\"epochs\""},
      {replaced("\"gate\": \"xor\"", "\"gate\": 4"), "\"gate\""},
      {replaced("\"hidden\": 1", "\"hidden\": true"), "\"hidden\""},
      {replaced("\"version\": 1", "\"version\": \"1\""), "\"version\""},
      {replaced("[1.5]", "1.5"), "model.2.weight"},
      {replaced("[1, -2]", "[1, null]"), "model.0.weight"},
      {replaced("[1, -2]", "[1, \"-2\"]"), "model.0.weight"},
      // extra and missing keys
      {replaced("\"lr\": 0.25", "\"lr\": 0.25, \"colour\": 1"), "\"colour\""},
      {replaced("\"lr\": 0.25, ", ""), "\"lr\""},
      {replaced("\"format\": \"latent-circuits model\", ", ""), "\"format\""},
      {replaced("\"inputs\": 2,", ""), "\"inputs\""},
      {replaced(", \"model.0.bias\": [0.5]", ""), "model.0.bias"},
      {replaced("\"model.2.bias\": [-0.25]", "\"model.2.bias\": [-0.25], \"model.4.weight\": [1]"),
       "model.4.weight"},
      // wrong sizes
      {replaced("[1, -2]", "[1, -2, 3]"), "model.0.weight"},
      {replaced("[1.5]", "[1.5, 2]"), "model.2.weight"},
      {replaced("\"hidden\": 1", "\"hidden\": 2"), "model.0"},
      {replaced("\"hidden\": 1", "\"hidden\": 0"), "model.2"},
      // values out of range
      {replaced("\"lr\": 0.25", "\"lr\": -5"), "\"lr\""},
      {replaced("\"lr\": 0.25", "\"lr\": 0"), "\"lr\""},
      {replaced("\"epochs\": 7", "\"epochs\": 0"), "\"epochs\""},
      {replaced("\"epochs\": 7", "\"epochs\": 10000001"), "\"epochs\""},
      {replaced("\"seed\": 5", "\"seed\": -1"), "\"seed\""},
      {replaced("\"hidden\": 1", "\"hidden\": 17"), "\"hidden\""},
      {replaced("\"version\": 1", "\"version\": 2"), "\"version\""},
      {replaced("latent-circuits model", "some other model"), "\"format\""},
      {replaced("\"gate\": \"xor\"", "\"gate\": \"xnor\""), "'xnor'"},
      {replaced("\"inputs\": 2", "\"inputs\": 3"), "\"inputs\""},
  };
  for (const auto& c : cases) {
    write_file(file, c.text);
    const Outcome run = latent_run({"experiment", "--load", file});
    expect_refused(run, file + ": ", c.text);
    EXPECT_NE(run.err.find(c.problem), std::string::npos)
        << c.text << "\n-> " << run.err << "(expected it to mention: " << c.problem << ")";
  }
  const std::string missing = directory.file("missing.json");
  expect_refused(latent_run({"experiment", "--load", missing}), missing, "a missing file");
}

TEST(LatentModelFile, OnlyARegularFileIsLoaded) {
  const TemporaryDirectory folder;
  const std::string directory = folder.file("");
  const Outcome run = run_strings({"experiment", "--load", directory});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("is not a regular file"), std::string::npos) << run.err;
  const Outcome none = run_strings({"experiment", "--load", folder.file("missing.json")});
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find("there is no such file"), std::string::npos) << none.err;
}

}  // namespace
