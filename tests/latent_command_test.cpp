// The latent command, run in-process through latent::run: its JSON against the library it
// wraps and against the notebook's reference numbers, its reports, its help, and its refusal of
// bad input (status 2, one line on stderr, nothing on stdout).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <utility>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "attribution/hidden_layer.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/quadrature.hpp"
#include "latent/command.hpp"
#include "latent/json.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "tests/chapter_output.hpp"
#include "tests/latent_test_support.hpp"

#include <gtest/gtest.h>

using latent::Json;

namespace {

using namespace latent_test;

// The numbers of the JSON array that follows "key": in text, read back with strtod.
std::vector<double> array_after(const std::string& text, const std::string& key) {
  const std::string opening = "\"" + key + "\": [";
  const std::size_t start = text.find(opening);
  if (start == std::string::npos) {
    ADD_FAILURE() << "no " << opening << " in " << text;
    return {};
  }
  std::vector<double> numbers;
  const char* cursor = text.c_str() + start + opening.size();
  while (*cursor != ']') {
    char* end = nullptr;
    numbers.push_back(std::strtod(cursor, &end));
    if (end == cursor) {
      ADD_FAILURE() << "not a number at " << cursor;
      return numbers;
    }
    cursor = end;
    if (*cursor == ',') cursor += 2;  // ", "
  }
  return numbers;
}

double number_after(const std::string& text, const std::string& key) {
  const std::string opening = "\"" + key + "\": ";
  const std::size_t start = text.find(opening);
  if (start == std::string::npos) {
    ADD_FAILURE() << "no " << opening << " in " << text;
    return 0.0;
  }
  return std::strtod(text.c_str() + start + opening.size(), nullptr);
}

void expect_near_each(const std::vector<double>& actual, const std::vector<double>& expected,
                      double tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], tolerance) << "component " << i;
}

// What the library computes, as the JSON the command should print for it, built here key by key.
Json ig_json_of(const attribution::IntegratedGradientsResult& ig) {
  return Json::object({{"method", attribution::method_name(ig.method)},
                       {"n_steps", ig.n_steps},
                       {"attributions", ig.attributions},
                       {"convergence_delta", ig.convergence_delta},
                       {"f_input", ig.f_input},
                       {"f_baseline", ig.f_baseline}});
}

Json patch_json_of(const attribution::TwoWayPatching& patching) {
  return Json::object({{"f_clean", patching.noising.f_base},
                       {"f_corrupt", patching.denoising.f_base},
                       {"denoising", patching.denoising.scores.value()},
                       {"noising", patching.noising.scores.value()},
                       {"denoising_differences", patching.denoising.differences},
                       {"noising_differences", patching.noising.differences}});
}

Json train_json_of(const attribution::TrainedNeuron& trained) {
  Json::Array losses;
  for (std::size_t epoch = 0; epoch < trained.losses.size(); ++epoch)
    losses.push_back(
        Json::object({{"epoch", static_cast<long long>(epoch)}, {"loss", trained.losses[epoch]}}));
  return Json::object({{"gate", nn::gate_name(trained.gate)},
                       {"seed", static_cast<long long>(trained.seed)},
                       {"epochs", trained.epochs},
                       {"lr", trained.lr},
                       {"weights", trained.weights},
                       {"bias", trained.bias},
                       {"losses", Json(losses)},
                       {"predictions", trained.predictions}});
}

attribution::IntegratedGradientsResult library_ig(
    const std::vector<double>& input, const std::vector<double>& baseline,
    int n_steps = attribution::default_n_steps,
    attribution::Method method = attribution::default_method) {
  autodiff::Tape tape;
  nn::Sequential model = attribution::neuron(tape, and_weights, and_bias);
  return attribution::integrated_gradients(model, input, baseline, n_steps, method);
}

// ---- ig ---------------------------------------------------------------------------------------

TEST(LatentCommandIg, JsonIsTheLibrarysResult) {
  const Outcome run =
      latent_run(with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--json"}));
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(run.out, ig_json_of(library_ig(clean, corrupt)).dump() + "\n");
  EXPECT_NE(run.out.find("\"n_steps\": 50"), std::string::npos);
  EXPECT_NE(run.out.find("\"method\": \"gausslegendre\""), std::string::npos);
}

TEST(LatentCommandIg, AgreesWithTheNotebooksClosedForm) {
  const Outcome run =
      latent_run(with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--json"}));
  ASSERT_EQ(run.status, 0) << run.err;
  expect_near_each(array_after(run.out, "attributions"), reference_ig, reference_tolerance);
  EXPECT_NEAR(number_after(run.out, "f_input"), reference_f_clean, reference_tolerance);
  EXPECT_NEAR(number_after(run.out, "f_baseline"), reference_f_corrupt, reference_tolerance);
  EXPECT_LT(std::abs(number_after(run.out, "convergence_delta")), 1e-15);
}

TEST(LatentCommandIg, UsesTheMethodAndStepsAsked) {
  const Outcome run =
      latent_run(with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--method",
                                    "riemann_left", "--n-steps", "10", "--json"}));
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(
      run.out,
      ig_json_of(library_ig(clean, corrupt, 10, attribution::Method::riemann_left)).dump() + "\n");
  EXPECT_NE(run.out.find("\"n_steps\": 10"), std::string::npos);
  EXPECT_NE(run.out.find("\"method\": \"riemann_left\""), std::string::npos);
  // shared/reference/notebook_models.json, models[0].pairs[p11_00]
  // .ig_quadrature.clean_from_corrupt.riemann_left["10"]: the left sum with exact nodes. It misses
  // the integral by O(1/10), so the attributions fall well short of the closed form.
  expect_near_each(array_after(run.out, "attributions"), {0.3632143898888423, 0.3640961517434376},
                   reference_tolerance);
  EXPECT_LT(number_after(run.out, "convergence_delta"), -0.05);
}

TEST(LatentCommandIg, ThreeInputsAreComplete) {
  // Completeness holds for any neuron: the attributions add up to f(input) - f(baseline).
  const Outcome run = latent_run({"ig", "--weights", "0.5,-2,1.25", "--bias", "0.3", "--input",
                                  "1,0.5,-1", "--baseline", "-0.2,0,0.4", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const std::vector<double> attributions = array_after(run.out, "attributions");
  ASSERT_EQ(attributions.size(), 3u);
  const double gap = number_after(run.out, "f_input") - number_after(run.out, "f_baseline");
  EXPECT_NEAR(attributions[0] + attributions[1] + attributions[2], gap, 1e-12);
  EXPECT_GT(std::abs(gap), 0.1);
}

TEST(LatentCommandIg, ReportShowsAttributionsSharesAndDelta) {
  const Outcome run = latent_run(with_neuron("ig", {"--input", "1,1", "--baseline", "0,0"}));
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.rfind("Integrated gradients of sigmoid(w.x + b) with w = [3.0482, 3.0556], "
                          "b = -4.7946",
                          0),
            0u)
      << run.out;
  // The reference attributions to 9 decimals, and their shares of f(clean) - f(corrupt):
  // 0.38911410647853334 / 0.7791728505758528 = 0.499394...
  for (const char* expected :
       {"x1         1   0  0.389114106               0.499394",
        "x2         1   0  0.390058744               0.500606",
        "sum               0.779172851               1.000000",
        "f(x) = 0.787379256, f(x') = 0.008206406", "convergence delta, sum - (f(x) - f(x')): "})
    EXPECT_NE(run.out.find(expected), std::string::npos) << expected << "\n" << run.out;
}

// ---- patch ------------------------------------------------------------------------------------

TEST(LatentCommandPatch, JsonIsTheLibrarysResult) {
  const Outcome run =
      latent_run(with_neuron("patch", {"--clean", "1,1", "--corrupt", "0,0", "--json"}));
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");
  autodiff::Tape tape;
  nn::Sequential model = attribution::neuron(tape, and_weights, and_bias);
  EXPECT_EQ(run.out, patch_json_of(attribution::patch_both_directions(
                                       model, nn::layer_input_name(0), clean, corrupt))
                             .dump() +
                         "\n");
}

TEST(LatentCommandPatch, AgreesWithTheNotebooksPatching) {
  const Outcome run =
      latent_run(with_neuron("patch", {"--clean", "1,1", "--corrupt", "0,0", "--json"}));
  ASSERT_EQ(run.status, 0) << run.err;
  expect_near_each(array_after(run.out, "denoising"), reference_denoising, reference_tolerance);
  expect_near_each(array_after(run.out, "noising"), reference_noising, reference_tolerance);
  EXPECT_NEAR(number_after(run.out, "f_clean"), reference_f_clean, reference_tolerance);
  EXPECT_NEAR(number_after(run.out, "f_corrupt"), reference_f_corrupt, reference_tolerance);
  // Each score is its difference over the gap: denoising's gap is f(corrupt) - f(clean).
  const std::vector<double> differences = array_after(run.out, "denoising_differences");
  ASSERT_EQ(differences.size(), 2u);
  EXPECT_NEAR(differences[0] / (reference_f_corrupt - reference_f_clean), reference_denoising[0],
              reference_tolerance);
}

TEST(LatentCommandPatch, ReportShowsBothDirections) {
  const Outcome run = latent_run(with_neuron("patch", {"--clean", "1,1", "--corrupt", "0,0"}));
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.rfind("Activation patching of sigmoid(w.x + b)", 0), 0u) << run.out;
  for (const char* expected : {"denoising      noising", "0.180056881  0.818739074",
                               "0.181260926  0.819943119", "f(clean) = 0.787379256"})
    EXPECT_NE(run.out.find(expected), std::string::npos) << expected << "\n" << run.out;
}

// ---- train ------------------------------------------------------------------------------------

TEST(LatentCommandTrain, JsonIsTheLibrarysResult) {
  const Outcome run = latent_run(
      {"train", "--gate", "or", "--seed", "7", "--epochs", "25", "--lr", "0.5", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const attribution::TrainedNeuron trained =
      attribution::train_neuron(nn::Gate::or_gate, 7, 25, 0.5);
  ASSERT_EQ(trained.losses.size(), 25u);
  EXPECT_EQ(run.out, train_json_of(trained).dump() + "\n");
  EXPECT_NE(run.out.find("{\"epoch\": 24, \"loss\": "), std::string::npos);
  EXPECT_EQ(run.out.find("{\"epoch\": 25,"), std::string::npos);
}

TEST(LatentCommandTrain, DefaultsAreTheNotebooks) {
  const Outcome run = latent_run({"train", "--gate", "and", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, train_json_of(attribution::train_neuron(nn::Gate::and_gate, 0)).dump() + "\n");
  EXPECT_NE(run.out.find("\"seed\": 0, \"epochs\": 1000, \"lr\": 0.10000000000000001"),
            std::string::npos);
  // Gate names are read in any case and printed in lower case.
  EXPECT_EQ(latent_run({"train", "--gate", "AND", "--json"}).out, run.out);
}

TEST(LatentCommandTrain, ReportShowsLossesParametersAndRows) {
  const Outcome run = latent_run({"train", "--gate", "and"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.rfind("Training sigmoid(w.x + b) on the AND gate: seed 0, 1000 epochs of SGD "
                          "at lr 0.1 on BCELoss\n",
                          0),
            0u)
      << run.out;
  // Every hundredth epoch and the last, as the notebook prints them.
  for (const char* row : {"\n0    ", "\n100  ", "\n900  ", "\n999  "})
    EXPECT_NE(run.out.find(row), std::string::npos) << row << "\n" << run.out;
  EXPECT_EQ(run.out.find("\n998  "), std::string::npos);
  EXPECT_NE(run.out.find("Trained: sigmoid(w.x + b) with w = ["), std::string::npos);
  EXPECT_NE(run.out.find("Every prediction rounds to its target."), std::string::npos);
}

TEST(LatentCommandTrain, XorIsNotLearnt) {
  const Outcome run = latent_run({"train", "--gate", "xor"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("Not every prediction rounds to its target"), std::string::npos);
}

// ---- experiment -------------------------------------------------------------------------------

TEST(LatentCommandExperiment, JsonIsTheLibrarysResult) {
  for (const nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate}) {
    const std::string name = nn::gate_name(gate);
    const Outcome run = latent_run({"experiment", "--gate", name, "--seed", "3", "--json"});
    ASSERT_EQ(run.status, 0) << run.err;
    const attribution::ExperimentResult result = attribution::run_experiment(gate, 3);
    Json::Object verdicts;
    for (const attribution::Verdict& verdict : result.verdicts)
      verdicts.emplace_back(verdict.name, verdict.holds);
    const Json expected = Json::object({{"gate", name.c_str()},
                                        {"train", train_json_of(result.train)},
                                        {"ig", ig_json_of(result.ig)},
                                        {"patch", patch_json_of(result.patching)},
                                        {"verdicts", Json(verdicts)}});
    EXPECT_EQ(run.out, expected.dump() + "\n") << name;
    // The tutorial's claims, as the library states them (true for these seeds).
    EXPECT_NE(run.out.find("\"ig_even_split\": true"), std::string::npos) << name;
    EXPECT_NE(run.out.find(gate == nn::Gate::and_gate ? "\"denoising_misses_both\": true"
                                                      : "\"denoising_finds_both\": true"),
              std::string::npos)
        << name;
  }
}

TEST(LatentCommandExperiment, GivenNeuronMatchesTheNotebook) {
  const Outcome run = latent_run(with_neuron("experiment", {"--gate", "and", "--json"}));
  ASSERT_EQ(run.status, 0) << run.err;
  const std::size_t ig = run.out.find("\"ig\": ");
  const std::size_t patch = run.out.find("\"patch\": ");
  ASSERT_NE(ig, std::string::npos);
  ASSERT_NE(patch, std::string::npos);
  expect_near_each(array_after(run.out.substr(ig), "attributions"), reference_ig,
                   reference_tolerance);
  expect_near_each(array_after(run.out.substr(patch), "denoising"), reference_denoising,
                   reference_tolerance);
  EXPECT_NE(run.out.find("\"epochs\": 0, \"lr\": 0, \"weights\": [3.0482, 3.0556000000000001], "
                         "\"bias\": -4.7946, \"losses\": []"),
            std::string::npos)
      << run.out;
}

TEST(LatentCommandExperiment, AFailedClaimIsReportedNotAnError) {
  // w = [1, 3]: IG gives the inputs a quarter and three quarters, not half each.
  const Outcome run =
      latent_run({"experiment", "--gate", "and", "--weights", "1,3", "--bias", "-3", "--json"});
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.err, "");
  EXPECT_NE(run.out.find("\"ig_even_split\": false"), std::string::npos) << run.out;
  const Outcome text =
      latent_run({"experiment", "--gate", "and", "--weights", "1,3", "--bias", "-3"});
  EXPECT_EQ(text.status, 0);
  EXPECT_NE(text.out.find("ig_even_split          FAILS"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("2 of 5 claims hold."), std::string::npos) << text.out;
}

TEST(LatentCommandExperiment, ReportEndsWithTheVerdicts) {
  const Outcome run = latent_run({"experiment", "--gate", "or"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.rfind("Experiment on the OR gate, seed 0: train, then", 0), 0u) << run.out;
  for (const char* expected : {"Training sigmoid(w.x + b) on the OR gate", "Integrated gradients",
                               "Activation patching", "noising_misses_both   holds"})
    EXPECT_NE(run.out.find(expected), std::string::npos) << expected << "\n" << run.out;
  const std::string ending = "5 of 5 claims hold.\n";
  ASSERT_GE(run.out.size(), ending.size());
  EXPECT_EQ(run.out.substr(run.out.size() - ending.size()), ending);
}

// ---- help -------------------------------------------------------------------------------------

TEST(LatentCommandHelp, ToolAndEachCommand) {
  for (const char* flag : {"--help", "-h"}) {
    const Outcome run = latent_run({flag});
    EXPECT_EQ(run.status, 0);
    EXPECT_EQ(run.err, "");
    for (const char* command : {"train ", "ig ", "patch ", "experiment "})
      EXPECT_NE(run.out.find(std::string("\n  ") + command), std::string::npos) << command;
  }
  for (const char* command : {"train", "ig", "patch", "experiment"}) {
    const Outcome run = latent_run({command, "--help"});
    EXPECT_EQ(run.status, 0) << command;
    EXPECT_EQ(run.err, "") << command;
    EXPECT_EQ(run.out.rfind(std::string("usage: latent ") + command + " ", 0), 0u) << run.out;
  }
  // Help wins over whatever else is on the line.
  EXPECT_EQ(latent_run({"ig", "--bogus", "--help"}).status, 0);
  EXPECT_NE(latent_run({"train", "--help"}).out.find("1 to 10000000"), std::string::npos);
  EXPECT_NE(latent_run({"ig", "--help"}).out.find("1 to 100000 (max_n_steps)"), std::string::npos);
}

TEST(LatentCommandHelp, NoArgumentsPrintTheUsageOnStderr) {
  const Outcome run = latent_run({});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("usage: latent COMMAND"), std::string::npos) << run.err;
}

// ---- bad input --------------------------------------------------------------------------------

struct BadInput {
  std::vector<std::string_view> words;
  const char* message_part;  // what the one line on stderr must mention
};

TEST(LatentCommandErrors, BadInputIsOneLineAndStatusTwo) {
  const std::vector<BadInput> cases = {
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"--json"}, "unknown command '--json'"},
      {with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--steps", "5"}),
       "unknown flag '--steps'"},
      {with_neuron("ig", {"--input", "1,1", "--baseline"}), "--baseline needs a value"},
      {with_neuron("ig", {"--input", "1,1"}), "--baseline is required"},
      {with_neuron("ig", {"--input", "1,,2", "--baseline", "0,0"}), "empty item"},
      {with_neuron("ig", {"--input", "abc,1", "--baseline", "0,0"}), "'abc' is not a number"},
      {with_neuron("ig", {"--input", "nan,1", "--baseline", "0,0"}), "'nan' is not a finite"},
      {with_neuron("ig", {"--input", "1,inf", "--baseline", "0,0"}), "'inf' is not a finite"},
      {{"ig", "--weights", "1,2", "--bias", "nan", "--input", "1,1", "--baseline", "0,0"},
       "--bias: 'nan'"},
      {with_neuron("ig", {"--input", "1,1,1", "--baseline", "0,0"}),
       "--input has 3 numbers but --weights has 2"},
      {with_neuron("ig", {"--input", "1,1", "--baseline", "0"}),
       "--baseline has 1 number but --weights has 2"},
      {with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--n-steps", "0"}),
       "--n-steps: '0' is out of range; allowed 1 to 100000"},
      {with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--n-steps", "10000000"}),
       "--n-steps: '10000000' is out of range"},
      {with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--n-steps", "2.5"}),
       "not a whole number"},
      {with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--n-steps", "1", "--method",
                          "riemann_trapezoid"}),
       "riemann_trapezoid needs n_steps >= 2"},
      {with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--method", "simpson"}),
       "unknown integration method 'simpson'"},
      {with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "stray"}),
       "unexpected argument 'stray'"},
      {with_neuron("ig", {"--bias", "1", "--input", "1,1", "--baseline", "0,0"}),
       "--bias is given twice"},
      {with_neuron("patch", {"--clean", "1,1", "--corrupt", "1,1"}),
       "f(clean) = 0.7873792561380948 and f(corrupt) = 0.7873792561380948 are equal to rounding"},
      // Different inputs the neuron cannot tell apart: w.x is 0 for both.
      {{"patch", "--weights", "1,-1", "--bias", "0", "--clean", "1,1", "--corrupt", "0,0"},
       "are equal to rounding"},
      {with_neuron("patch", {"--clean", "1,1", "--corrupt", "0,0,0"}),
       "--corrupt has 3 numbers but --weights has 2"},
      {{"train"}, "--gate is required"},
      {{"train", "--gate", "xnor"}, "unknown gate 'xnor'"},
      {{"train", "--gate", "and", "--epochs", "0"}, "--epochs: '0' is out of range"},
      {{"train", "--gate", "and", "--epochs", "10000001"}, "allowed 1 to 10000000"},
      {{"train", "--gate", "and", "--lr", "-0.1"}, "--lr: '-0.1' is not a learning rate"},
      {{"train", "--gate", "and", "--lr", "0"}, "--lr: '0' is not a learning rate"},
      {{"train", "--gate", "and", "--lr", "inf"}, "--lr: 'inf' is not a finite number"},
      {{"train", "--gate", "and", "--lr", "nan"}, "--lr: 'nan' is not a finite number"},
      {{"train", "--gate", "and", "--seed", "-1"}, "--seed: '-1' is out of range"},
      {{"train", "--gate", "and", "--seed", "9223372036854775808"}, "--seed"},
      {{"experiment", "--gate", "xor"}, "defined for the and and or gates, not xor"},
      {{"experiment", "--gate", "nand", "--seed", "1"}, "not nand"},
      {{"experiment", "--gate", "and", "--weights", "1,2"}, "--weights needs --bias"},
      {{"experiment", "--gate", "and", "--weights", "1,2,3", "--bias", "0"},
       "a gate has two inputs"},
      {{"experiment", "--gate", "and", "--weights", "1,2", "--bias", "0", "--seed", "1"},
       "--seed and --weights exclude each other"},
      // Finite arguments whose products overflow: 1e200 * 1e200 - 1e200 * 1e200 is NaN.
      {{"ig", "--weights", "1e200,1e200", "--bias", "0", "--input", "1e200,-1e200", "--baseline",
        "0,0"},
       "not finite"},
  };
  for (const BadInput& bad : cases) {
    std::string line;
    for (std::string_view word : bad.words) line += std::string(word) + " ";
    const Outcome run = latent_run(bad.words);
    EXPECT_EQ(run.status, 2) << line;
    EXPECT_EQ(run.out, "") << line;
    EXPECT_EQ(run.err.rfind("latent: ", 0), 0u) << line << "-> " << run.err;
    ASSERT_FALSE(run.err.empty()) << line;
    EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << line << "-> " << run.err;
    EXPECT_NE(run.err.find(bad.message_part), std::string::npos)
        << line << "-> " << run.err << "(expected to mention: " << bad.message_part << ")";
  }
}

// ---- a hidden layer (chapter 7) and three-input gates (chapter 8) ---------------------------

Json hidden_train_json_of(const attribution::TrainedNetwork& network) {
  Json::Object parameters;
  for (const auto& [name, values] : network.state) parameters.emplace_back(name, Json(values));
  Json::Array losses;
  for (std::size_t epoch = 0; epoch < network.losses.size(); ++epoch)
    losses.push_back(
        Json::object({{"epoch", static_cast<long long>(epoch)}, {"loss", network.losses[epoch]}}));
  Json::Array dead;
  for (bool d : network.dead) dead.emplace_back(d);
  return Json::object({{"gate", nn::gate_name(network.gate)},
                       {"seed", static_cast<long long>(network.seed)},
                       {"hidden", static_cast<long long>(network.hidden)},
                       {"epochs", network.epochs},
                       {"lr", network.lr},
                       {"parameters", Json(parameters)},
                       {"losses", Json(losses)},
                       {"predictions", network.predictions},
                       {"dead", Json(dead)}});
}

TEST(LatentCommandHidden, ExperimentJsonIsTheLibrarysResult) {
  for (std::uint64_t seed : {3, 8}) {
    const std::string seed_text = std::to_string(seed);
    const Outcome run =
        latent_run({"experiment", "--gate", "xor", "--hidden", "2", "--seed", seed_text, "--json"});
    ASSERT_EQ(run.status, 0) << run.err;
    const attribution::HiddenLayerExperiment result =
        attribution::run_hidden_layer_experiment(nn::Gate::xor_gate, seed, 2);
    Json::Array asymmetry;
    for (const std::optional<double>& a : result.asymmetry) {
      if (a)
        asymmetry.emplace_back(*a);
      else
        asymmetry.emplace_back();
    }
    Json::Object verdicts;
    verdicts.emplace_back("classifies_all_rows", result.train.classifies_all_rows);
    verdicts.emplace_back("ig_complete", true);
    verdicts.emplace_back("silent_neurons_get_zero", true);
    const Json expected = Json::object({{"gate", "xor"},
                                        {"train", hidden_train_json_of(result.train)},
                                        {"ig", ig_json_of(result.ig)},
                                        {"patch", patch_json_of(result.patching)},
                                        {"asymmetry", Json(asymmetry)},
                                        {"verdicts", Json(verdicts)}});
    EXPECT_EQ(run.out, expected.dump() + "\n") << seed;
    // Components are the hidden neurons; f_input and f_baseline are the clean and corrupt rows.
    EXPECT_EQ(array_after(run.out, "attributions").size(), 2u);
    EXPECT_EQ(number_after(run.out, "f_input"), result.train.predictions[2]);     // [1, 0]
    EXPECT_EQ(number_after(run.out, "f_baseline"), result.train.predictions[3]);  // [1, 1]
  }
  // Seed 3 has a dead neuron: its asymmetry is null, seed 8 learns XOR.
  EXPECT_NE(latent_run({"experiment", "--gate", "xor", "--hidden", "2", "--seed", "3", "--json"})
                .out.find("\"asymmetry\": [0, null]"),
            std::string::npos);
}

TEST(LatentCommandHidden, TrainJsonAndReport) {
  const Outcome run =
      latent_run({"train", "--gate", "xor", "--hidden", "2", "--seed", "8", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const attribution::TrainedNetwork network = attribution::train_network(nn::Gate::xor_gate, 8, 2);
  EXPECT_EQ(run.out, hidden_train_json_of(network).dump() + "\n");
  EXPECT_NE(run.out.find("\"hidden\": 2, \"epochs\": 2000, \"lr\": 0.5"), std::string::npos);

  const Outcome text = latent_run({"train", "--gate", "xor", "--hidden", "2", "--seed", "8"});
  ASSERT_EQ(text.status, 0) << text.err;
  for (const char* part : {"Training Sequential(Linear(2, 2), ReLU(), Linear(2, 1), Sigmoid())",
                           "Every prediction rounds to its target.", "\nh2 "})
    EXPECT_NE(text.out.find(part), std::string::npos) << part << "\n" << text.out;
  const Outcome failed = latent_run({"train", "--gate", "xor", "--hidden", "2", "--seed", "0"});
  EXPECT_NE(failed.out.find("3 of 4 predictions round to their target"), std::string::npos)
      << failed.out;
}

TEST(LatentCommandHidden, ThreeInputGatesTrainOneNeuronWithThreeWeights) {
  const Outcome run = latent_run({"train", "--gate", "maj3", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const attribution::TrainedNeuron trained = attribution::train_neuron(nn::Gate::maj3_gate, 0);
  EXPECT_EQ(trained.weights.size(), 3u);
  EXPECT_EQ(trained.predictions.size(), 8u);
  EXPECT_EQ(run.out, train_json_of(trained).dump() + "\n");
  const Outcome hidden = latent_run({"experiment", "--gate", "and3", "--hidden", "3", "--json"});
  ASSERT_EQ(hidden.status, 0) << hidden.err;
  EXPECT_EQ(array_after(hidden.out, "attributions").size(), 3u);
}

TEST(LatentCommandHidden, BadInput) {
  const std::vector<BadInput> cases = {
      {{"train", "--gate", "and", "--hidden", "17"}, "--hidden: '17' is out of range"},
      {{"train", "--gate", "xnor"}, "and, or, nand, nor, xor, and3, or3, maj3"},
      {{"experiment", "--gate", "xor", "--hidden", "0"}, "allowed 1 to 16"},
      {{"experiment", "--gate", "xor", "--hidden", "2", "--weights", "1,2", "--bias", "0"},
       "--weights and --bias are for the single neuron"},
      {{"experiment", "--gate", "and4", "--hidden", "2"}, "unknown gate 'and4'"},
  };
  for (const BadInput& bad : cases) {
    const Outcome run = latent_run(bad.words);
    EXPECT_EQ(run.status, 2);
    EXPECT_EQ(run.out, "");
    EXPECT_NE(run.err.find(bad.message_part), std::string::npos) << run.err;
  }
}

// ---- saving and loading a model -------------------------------------------------------------

// A file in the temporary directory, removed when the test ends.
struct TemporaryFile {
  explicit TemporaryFile(const std::string& name)
      : path((std::filesystem::temp_directory_path() /
              ("latent_test_" + std::to_string(::getpid()) + "_" + name))
                 .string()) {}
  ~TemporaryFile() { std::filesystem::remove(path); }
  void write(const std::string& text) const { std::ofstream(path, std::ios::binary) << text; }
  std::string path;
};

// The part of an experiment's JSON from "ig" on: what the analysis computed.
std::string analysis_part(const std::string& json) { return json.substr(json.find("\"ig\": ")); }

TEST(LatentCommandModelFile, SavedModelsAnalyseToTheSameBits) {
  const TemporaryFile network("network.json"), neuron("neuron.json");
  ASSERT_EQ(latent_run({"train", "--gate", "xor", "--hidden", "2", "--seed", "8", "--save",
                        network.path, "--json"})
                .status,
            0);
  const Outcome trained =
      latent_run({"experiment", "--gate", "xor", "--hidden", "2", "--seed", "8", "--json"});
  const Outcome loaded = latent_run({"experiment", "--load", network.path, "--json"});
  ASSERT_EQ(loaded.status, 0) << loaded.err;
  EXPECT_EQ(analysis_part(loaded.out), analysis_part(trained.out));

  ASSERT_EQ(latent_run({"train", "--gate", "and", "--save", neuron.path}).status, 0);
  const Outcome neuron_run = latent_run({"experiment", "--load", neuron.path, "--json"});
  ASSERT_EQ(neuron_run.status, 0) << neuron_run.err;
  EXPECT_EQ(analysis_part(neuron_run.out),
            analysis_part(latent_run({"experiment", "--gate", "and", "--json"}).out));
  const std::string text = chapter_output::read_file(neuron.path);
  EXPECT_EQ(text.rfind("{\"format\": \"latent-circuits model\", \"version\": 1, \"gate\": \"and\", "
                       "\"inputs\": 2, \"hidden\": 0, \"seed\": 0, \"epochs\": 1000,",
                       0),
            0u)
      << text;
}

TEST(LatentCommandModelFile, MalformedOrMismatchedFilesGetAClearError) {
  const TemporaryFile file("bad.json");
  const std::string good =
      "{\"format\": \"latent-circuits model\", \"version\": 1, \"gate\": \"xor\", \"inputs\": 2, "
      "\"hidden\": 1, \"seed\": 0, \"epochs\": 5, \"lr\": 0.5, \"parameters\": "
      "{\"model.0.weight\": "
      "[1, 2], \"model.0.bias\": [0], \"model.2.weight\": [1], \"model.2.bias\": [0]}}";
  file.write(good);
  ASSERT_EQ(latent_run({"experiment", "--load", file.path}).status, 0);
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {good.substr(0, 60), "line 1, column 61: a string is not closed"},
      {good + " x", "unexpected text after the JSON object"},
      {"[1, 2]", "the file must hold one JSON object"},
      {replaced("\"lr\": 0.5", "\"lr\": 0.5x"), "expected ',' or '}'"},
      {replaced("\"lr\": 0.5", "\"lr\": \"0.5\""), "\"lr\" has the wrong type"},
      {replaced("\"lr\": 0.5, ", ""), "the key \"lr\" is missing"},
      {replaced("\"lr\": 0.5", "\"lr\": 0.5, \"colour\": 1"), "unexpected key \"colour\""},
      {replaced("\"inputs\": 2", "\"inputs\": 3"), "\"inputs\" is 3 but the xor gate has 2"},
      {replaced("\"gate\": \"xor\"", "\"gate\": \"xnor\""), "unknown gate 'xnor'"},
      {replaced("\"hidden\": 1", "\"hidden\": 2"), "model.0.weight has 4 values"},
      {replaced("[1, 2]", "[1, null]"), "holds something that is not a number"},
      {replaced("\"version\": 1", "\"version\": 2"), "\"version\" must be a whole number from 1"},
      {replaced("[1, 2]", "[1, 1e999]"), "1e999"},
  };
  for (const auto& [text, message] : cases) {
    file.write(text);
    const Outcome run = latent_run({"experiment", "--load", file.path});
    EXPECT_EQ(run.status, 2) << text;
    EXPECT_EQ(run.out, "");
    EXPECT_NE(run.err.find(file.path + ": "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos)
        << run.err << "(expected: " << message << ")";
  }
  EXPECT_NE(latent_run({"experiment", "--load", file.path + ".missing"}).err.find("cannot read"),
            std::string::npos);
  EXPECT_NE(latent_run({"experiment", "--load", file.path, "--gate", "and"})
                .err.find("--gate cannot be given with it"),
            std::string::npos);
}

}  // namespace
