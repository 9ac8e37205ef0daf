// `latent train --save FILE` and `latent experiment --load FILE`: a saved model analyses to the
// very bits of the model trained, whatever its shape; what a loaded model reports is the file's;
// a save replaces the file whole or leaves it as it was; and a file that is not a valid model
// (or not a regular file, or too large) is refused as bad input naming the file.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/stat.h>
#include <vector>

#include "latent/json.hpp"
#include "latent/model_file.hpp"
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
// double it would be 2^63), and so does 2^53 + 1, the first a double cannot hold.
TEST(LatentModelFile, TheLargestSeedSavesAndLoads) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("seed.json");
  for (const long long expected : {9223372036854775807LL, 9007199254740993LL}) {
    const std::string seed_text = std::to_string(expected);
    const Outcome train = run_strings(
        {"train", "--gate", "or", "--seed", seed_text, "--epochs", "3", "--save", file});
    ASSERT_EQ(train.status, 0) << train.err;
    const Json loaded = json_of(latent_run({"experiment", "--load", file, "--json"}));
    const long long* seed = at(loaded, {"train", "seed"}).get<long long>();
    ASSERT_NE(seed, nullptr);
    EXPECT_EQ(*seed, expected);
    EXPECT_EQ(number_at(loaded, {"train", "epochs"}), 3);
  }
}

// Every gate, as the neuron and with a hidden layer, loads as it was saved: the same parameters to
// the bit and the training the file records (the neuron on xor or maj3 cannot learn its gate, and
// is saved and loaded all the same).
TEST(LatentModelFile, EveryGateAndShapeRoundTrips) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("model.json");
  for (const char* gate : {"and", "or", "nand", "nor", "xor", "and3", "or3", "maj3"}) {
    for (const char* hidden : {"0", "2"}) {
      const std::vector<std::string> words = {"train", "--gate",   gate, "--hidden",
                                              hidden,  "--epochs", "5",  "--lr",
                                              "0.25",  "--save",   file, "--json"};
      const Json trained = json_of(run_strings(words));
      const Json loaded = json_of(latent_run({"experiment", "--load", file, "--json"}));
      const std::string where = line_of(words);
      EXPECT_EQ(string_at(loaded, {"gate"}), gate) << where;
      EXPECT_EQ(number_at(loaded, {"train", "hidden"}), std::stod(hidden)) << where;
      EXPECT_EQ(number_at(loaded, {"train", "epochs"}), 5) << where;
      EXPECT_EQ(number_at(loaded, {"train", "lr"}), 0.25) << where;
      const Json::Object* parameters = at(trained, {"parameters"}).get<Json::Object>();
      ASSERT_NE(parameters, nullptr) << where;
      for (const auto& [name, values] : *parameters)
        expect_same_doubles(numbers_at(loaded, {"train", "parameters", name}), numbers(values),
                            where + " " + name);
    }
  }
}

// The names of the files in a folder.
std::vector<std::string> files_in(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A save replaces the file by a rename, never by writing into it: a reader that opened the old
// file reads all of the old one, whatever the save does meanwhile, and no other file is left.
TEST(LatentModelFile, ASaveReplacesTheFileWholeNeverInPlace) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("model.json");
  ASSERT_EQ(run_strings({"train", "--gate", "and", "--epochs", "2", "--save", file}).status, 0);
  const std::string old_text = read_file(file);
  std::ifstream reader(file, std::ios::binary);  // opened before the save, read after it
  ASSERT_EQ(
      run_strings({"train", "--gate", "xor", "--hidden", "2", "--epochs", "2", "--save", file})
          .status,
      0);
  std::ostringstream seen;
  seen << reader.rdbuf();
  EXPECT_EQ(seen.str(), old_text) << "the old file was written over in place";
  EXPECT_NE(read_file(file), old_text);
  EXPECT_NE(read_file(file).find("\"gate\": \"xor\""), std::string::npos);
  EXPECT_EQ(files_in(directory.file("")), std::vector<std::string>{"model.json"});
}

// A write that fails half-way (here the file-size limit, as a full disk would) leaves the old
// file as it was, no temporary file beside it, and says why.
TEST(LatentModelFile, AFailedSaveLeavesTheOldFileAsItWas) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("model.json");
  ASSERT_EQ(run_strings({"train", "--gate", "and", "--epochs", "2", "--save", file}).status, 0);
  const std::string old_text = read_file(file);

  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &limit), 0);
  const rlimit small = {100, limit.rlim_max};              // bytes; a model file has a few hundred
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // a write past it then fails: EFBIG
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const Outcome run =
      run_strings({"train", "--gate", "xor", "--hidden", "2", "--epochs", "2", "--save", file});
  setrlimit(RLIMIT_FSIZE, &limit);
  std::signal(SIGXFSZ, old_handler);

  expect_refused(run, "cannot write " + file + ": File too large", "a save past the size limit");
  EXPECT_EQ(read_file(file), old_text);
  EXPECT_EQ(files_in(directory.file("")), std::vector<std::string>{"model.json"});
}

// The new file keeps the old one's permissions, and a link is followed: the file it names is
// replaced, the link stays a link.
TEST(LatentModelFile, ASaveKeepsPermissionsAndFollowsALink) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("model.json"), link = directory.file("link.json");
  ASSERT_EQ(run_strings({"train", "--gate", "and", "--epochs", "2", "--save", file}).status, 0);
  ASSERT_EQ(chmod(file.c_str(), 0600), 0);
  std::filesystem::create_symlink("model.json", link);
  ASSERT_EQ(run_strings({"train", "--gate", "nor", "--epochs", "2", "--save", link}).status, 0);
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_NE(read_file(file).find("\"gate\": \"nor\""), std::string::npos);
  struct stat status {};
  ASSERT_EQ(stat(file.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
  EXPECT_EQ(files_in(directory.file("")), (std::vector<std::string>{"link.json", "model.json"}));
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
                 "cannot write " + nowhere + ": No such file or directory",
                 "save into a missing directory");
  const std::string itself = directory.file("");
  expect_refused(
      run_strings({"train", "--gate", "and", "--epochs", "2", "--json", "--save", itself}),
      "cannot write " + itself + ": Is a directory", "save onto a directory");
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

// A model file is small; one larger than max_model_file_bytes is refused before it is read (valid
// JSON or not), one of exactly that size is read.
TEST(LatentModelFile, AFileLargerThanAModelFileIsRefused) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("large.json");
  std::string padded = good_model;
  padded.resize(latent::max_model_file_bytes, ' ');  // white space after the object is allowed
  write_file(file, padded);
  EXPECT_EQ(latent_run({"experiment", "--load", file}).status, 0);
  padded += ' ';
  write_file(file, padded);
  expect_refused(latent_run({"experiment", "--load", file}),
                 file + ": it has 1048577 bytes; a model file has at most 1048576",
                 "one byte too large");
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
  // A FIFO would block for ever, /dev/zero never end: neither is opened.
  const std::string fifo = folder.file("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& special : {fifo, std::string("/dev/zero")})
    expect_refused(run_strings({"experiment", "--load", special}),
                   "cannot read " + special + ": it is not a regular file", special);
}

}  // namespace
