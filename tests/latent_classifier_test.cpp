// `latent train --classifier` and `latent experiment --classifier`: chapter 9's two-class
// classifier from the command line. What they print is checked against the library called
// directly (nn::train_classifier, attribution::integrated_gradients and patch_both_directions on
// nn::classifier ending in nn::LogitDifference), against closed forms of the linear classifier,
// and against invariants of a logit difference (completeness, symmetric patching where LD is
// linear in the components).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "latent/arguments.hpp"
#include "latent/classifier.hpp"
#include "latent/model_file.hpp"
#include "nn/classifier.hpp"
#include "nn/gates.hpp"
#include "nn/network.hpp"
#include "nn/random.hpp"
#include "tests/latent_test_support.hpp"

#include <gtest/gtest.h>

namespace {

using latent::Json;
using namespace latent_test;

const std::vector<const char*> all_gates = {"and", "or",   "nand", "nor",
                                            "xor", "and3", "or3",  "maj3"};

// Chapter 9's run, written out here from the library's parts: the generator from the seed draws
// the classifier, then shuffles the rows for nn::train_classifier.
struct DirectRun {
  nn::StateDict parameters;
  double final_loss = 0.0;
};

DirectRun train_directly(const std::string& gate, std::uint64_t seed, std::size_t hidden) {
  const nn::Gate g = nn::parse_gate(gate);
  nn::Generator generator(seed);
  autodiff::Tape tape;
  nn::Sequential model = nn::classifier(tape, generator, nn::input_count(g), hidden);
  const nn::TruthTable table = nn::truth_table(g);
  const nn::TrainingOptions options = hidden == 0 ? nn::TrainingOptions{.epochs = 1000, .lr = 0.1}
                                                  : nn::TrainingOptions{.epochs = 2000, .lr = 0.5};
  DirectRun run;
  run.final_loss =
      nn::train_classifier(model, table.inputs, nn::class_labels(table.targets), generator, options)
          .final_loss;
  run.parameters = model.state_dict();
  return run;
}

// The clean row's class and the corrupt row's, from the gates' definitions.
std::size_t class_of(const std::string& gate, const std::vector<double>& row) {
  return gate_output(gate, row) == 1.0 ? 1 : 0;
}

struct Case {
  std::string gate;
  std::uint64_t seed;
  std::size_t hidden;
};
const std::vector<Case> cases = {{"and", 0, 0}, {"nand", 2, 0}, {"xor", 1, 4},
                                 {"nor", 3, 3}, {"maj3", 0, 0}, {"or3", 2, 2}};

std::vector<std::string> words_of_case(const std::string& command, const Case& c) {
  return {command,    "--gate",
          c.gate,     "--classifier",
          "--seed",   std::to_string(c.seed),
          "--hidden", std::to_string(c.hidden),
          "--json"};
}

// The parameters printed in a "parameters" object, bit for bit those of the state dict.
void expect_parameters(const Json& printed, const nn::StateDict& expected,
                       const std::string& where) {
  const Json::Object* members = printed.get<Json::Object>();
  ASSERT_NE(members, nullptr) << where;
  EXPECT_EQ(members->size(), expected.size()) << where;
  for (const auto& [name, values] : expected)
    expect_same_doubles(numbers_at(printed, {name}), values, where + " " + name);
}

TEST(LatentClassifier, TrainGivesTheParametersOfTrainClassifierCalledDirectly) {
  for (const Case& c : cases) {
    const std::vector<std::string> words = words_of_case("train", c);
    const Outcome run = run_strings(words);
    ASSERT_EQ(run.status, 0) << line_of(words) << "\n" << run.err;
    const Json printed = json_of(run);
    const DirectRun direct = train_directly(c.gate, c.seed, c.hidden);
    expect_parameters(at(printed, {"parameters"}), direct.parameters, line_of(words));
    const std::size_t epochs = c.hidden == 0 ? 1000 : 2000;
    ASSERT_EQ(size_of(at(printed, {"losses"})), epochs) << line_of(words);
    const Json::Array& losses = *at(printed, {"losses"}).get<Json::Array>();
    EXPECT_EQ(number_at(losses.back(), {"loss"}), direct.final_loss) << line_of(words);
    EXPECT_EQ(string_at(printed, {"architecture"}),
              nn::classifier_architecture(inputs_of(c.gate), c.hidden));
    EXPECT_EQ(string_at(printed, {"loss"}), "CrossEntropyLoss");

    // Each row's predicted class is the larger of its two logits, evaluated here by hand.
    const PrintedNetwork network(at(printed, {"parameters"}), inputs_of(c.gate), c.hidden);
    const std::vector<std::vector<double>> rows = rows_of_gate(c.gate);
    const std::vector<double> predictions = numbers_at(printed, {"predictions"});
    ASSERT_EQ(predictions.size(), rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      double logit[2];
      for (std::size_t k = 0; k < 2; ++k) {
        if (c.hidden == 0) {
          logit[k] = network.pre_activation(k, rows[r]);
        } else {
          const std::vector<double> h = network.activations(rows[r]);
          logit[k] = network.b2.at(k);
          for (std::size_t j = 0; j < c.hidden; ++j)
            logit[k] += network.w2.at(k * c.hidden + j) * h[j];
        }
      }
      EXPECT_EQ(predictions[r], logit[1] > logit[0] ? 1.0 : 0.0) << line_of(words) << " row " << r;
    }
  }
}

// --csv is the losses, as `latent train --csv`: the same numbers as --json's, shortest form.
TEST(LatentClassifier, TrainCsvIsTheLosses) {
  const Outcome csv =
      latent_run({"train", "--gate", "or", "--classifier", "--epochs", "4", "--csv"});
  ASSERT_EQ(csv.status, 0) << csv.err;
  const Json json =
      json_of(latent_run({"train", "--gate", "or", "--classifier", "--epochs", "4", "--json"}));
  const std::vector<std::string> lines = lines_of(csv.out);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "epoch,loss");
  const Json::Array* losses = at(json, {"losses"}).get<Json::Array>();
  ASSERT_NE(losses, nullptr);
  for (std::size_t epoch = 0; epoch < 4; ++epoch)
    EXPECT_EQ(std::stod(lines[epoch + 1].substr(lines[epoch + 1].find(',') + 1)),
              number_at((*losses)[epoch], {"loss"}));
}

TEST(LatentClassifier, ExperimentGivesTheLibrarysIgAndPatching) {
  for (const Case& c : cases) {
    const std::vector<std::string> words = words_of_case("experiment", c);
    const Outcome run = run_strings(words);
    ASSERT_EQ(run.status, 0) << line_of(words) << "\n" << run.err;
    const Json printed = json_of(run);
    const std::string where = line_of(words);

    const std::vector<double> clean = clean_of(c.gate), corrupt = corrupt_of(c.gate);
    const std::size_t correct = class_of(c.gate, clean), incorrect = class_of(c.gate, corrupt);
    ASSERT_NE(correct, incorrect) << c.gate;
    EXPECT_EQ(string_at(printed, {"metric"}), "logit_difference") << where;
    EXPECT_EQ(number_at(printed, {"correct"}), static_cast<double>(correct)) << where;
    EXPECT_EQ(number_at(printed, {"incorrect"}), static_cast<double>(incorrect)) << where;

    const DirectRun direct = train_directly(c.gate, c.seed, c.hidden);
    expect_parameters(at(printed, {"train", "parameters"}), direct.parameters, where);
    autodiff::Tape tape;
    nn::Sequential model = nn::classifier(tape, inputs_of(c.gate), c.hidden, 2, direct.parameters,
                                          nn::LogitDifference(correct, incorrect));
    const std::string layer =
        c.hidden == 0 ? std::string(nn::model_input) : nn::layer_output_name(1);
    const attribution::IntegratedGradientsResult ig = attribution::integrated_gradients(
        model, clean, corrupt, 50, attribution::Method::gausslegendre, layer);
    const attribution::TwoWayPatching patching =
        attribution::patch_both_directions(model, layer, clean, corrupt);

    expect_same_doubles(numbers_at(printed, {"ig", "attributions"}), ig.attributions, where);
    EXPECT_EQ(number_at(printed, {"ig", "f_input"}), ig.f_input) << where;
    EXPECT_EQ(number_at(printed, {"ig", "f_baseline"}), ig.f_baseline) << where;
    EXPECT_EQ(number_at(printed, {"ig", "convergence_delta"}), ig.convergence_delta) << where;
    ASSERT_TRUE(patching.denoising.scores && patching.noising.scores) << where;
    expect_same_doubles(numbers_at(printed, {"patch", "denoising"}), *patching.denoising.scores,
                        where + " denoising");
    expect_same_doubles(numbers_at(printed, {"patch", "noising"}), *patching.noising.scores,
                        where + " noising");
    expect_same_doubles(numbers_at(printed, {"patch", "denoising_differences"}),
                        patching.denoising.differences, where);
    expect_same_doubles(numbers_at(printed, {"patch", "noising_differences"}),
                        patching.noising.differences, where);

    // LD is linear in the components measured (the linear classifier's inputs, the hidden
    // neurons after the ReLU): the two directions agree and the verdict says so.
    expect_near_each(*patching.denoising.scores, *patching.noising.scores, 1e-9, where);
    EXPECT_TRUE(booleans(at(printed, {"verdicts"})).at("patching_symmetric")) << where;
    EXPECT_TRUE(booleans(at(printed, {"verdicts"})).at("ig_complete")) << where;
  }
}

// Gauss-Legendre integrates a constant gradient exactly: on the linear classifier IG is
// (W[correct] - W[incorrect])_i (x_i - x'_i), and the attributions add up to LD(clean) -
// LD(corrupt), both computed here from the printed parameters.
TEST(LatentClassifier, IgOfTheLinearClassifierIsCompleteAndTheClosedForm) {
  for (const char* gate : all_gates) {
    const Outcome run = latent_run({"experiment", "--gate", gate, "--classifier", "--json"});
    ASSERT_EQ(run.status, 0) << gate << ": " << run.err;
    const Json printed = json_of(run);
    const std::size_t n = inputs_of(gate);
    const std::vector<double> w = numbers_at(printed, {"train", "parameters", "model.0.weight"});
    const std::vector<double> b = numbers_at(printed, {"train", "parameters", "model.0.bias"});
    ASSERT_EQ(w.size(), 2 * n);
    const std::vector<double> clean = clean_of(gate), corrupt = corrupt_of(gate);
    const std::size_t c = class_of(gate, clean), i = class_of(gate, corrupt);
    const auto ld = [&](const std::vector<double>& x) {
      double value = b[c] - b[i];
      for (std::size_t k = 0; k < n; ++k) value += (w[c * n + k] - w[i * n + k]) * x[k];
      return value;
    };
    const std::vector<double> attributions = numbers_at(printed, {"ig", "attributions"});
    ASSERT_EQ(attributions.size(), n);
    double sum = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      sum += attributions[k];
      EXPECT_NEAR(attributions[k], (w[c * n + k] - w[i * n + k]) * (clean[k] - corrupt[k]), 1e-12)
          << gate << " x" << k + 1;
    }
    EXPECT_NEAR(number_at(printed, {"ig", "f_input"}), ld(clean), 1e-12) << gate;
    EXPECT_NEAR(number_at(printed, {"ig", "f_baseline"}), ld(corrupt), 1e-12) << gate;
    EXPECT_NEAR(sum, ld(clean) - ld(corrupt), 1e-12) << gate;
    EXPECT_LE(std::fabs(number_at(printed, {"ig", "convergence_delta"})), 1e-12) << gate;
  }
}

// A hand-set Linear(2, 2), W = [[1, -2], [3, 0.5]], b = [0.25, -0.5], saved as a classifier's
// model file. On AND (correct = 1): LD = (W[1] - W[0]).x + b[1] - b[0] = 2 x1 + 2.5 x2 - 0.75,
// so LD(clean [1, 1]) = 3.75, LD(corrupt [0, 0]) = -0.75, and both patching directions give
// input i its w-difference over the gap, 2 / 4.5 and 2.5 / 4.5; a difference is f(run) - f(run
// patched): denoising -2, -2.5, noising 2, 2.5. On NAND (correct = 0) every sign turns.
TEST(LatentClassifier, PatchingOfAHandSetLinearClassifierIsTheClosedForm) {
  const TemporaryDirectory directory;
  for (const char* gate : {"and", "nand"}) {
    const std::string file = directory.file(std::string(gate) + ".json");
    write_file(file, std::string("{\"format\": \"latent-circuits model\", \"version\": 1, ") +
                         "\"gate\": \"" + gate +
                         "\", \"inputs\": 2, \"hidden\": 0, \"classes\": 2, \"seed\": 0, "
                         "\"epochs\": 1, \"lr\": 0.1, \"parameters\": {\"model.0.weight\": "
                         "[1, -2, 3, 0.5], \"model.0.bias\": [0.25, -0.5]}}\n");
    const Outcome run = latent_run({"experiment", "--load", file, "--json"});
    ASSERT_EQ(run.status, 0) << gate << ": " << run.err;
    const Json printed = json_of(run);
    const double sign = std::string(gate) == "and" ? 1.0 : -1.0;
    EXPECT_NEAR(number_at(printed, {"patch", "f_clean"}), sign * 3.75, 1e-12) << gate;
    EXPECT_NEAR(number_at(printed, {"patch", "f_corrupt"}), sign * -0.75, 1e-12) << gate;
    const std::vector<double> scores = {2.0 / 4.5, 2.5 / 4.5};
    expect_near_each(numbers_at(printed, {"patch", "denoising"}), scores, 1e-12, gate);
    expect_near_each(numbers_at(printed, {"patch", "noising"}), scores, 1e-12, gate);
    expect_near_each(numbers_at(printed, {"ig", "attributions"}), {sign * 2.0, sign * 2.5}, 1e-12,
                     gate);
    expect_near_each(numbers_at(printed, {"patch", "denoising_differences"}),
                     {sign * -2.0, sign * -2.5}, 1e-12, gate);
    expect_near_each(numbers_at(printed, {"patch", "noising_differences"}),
                     {sign * 2.0, sign * 2.5}, 1e-12, gate);
    const std::map<std::string, bool> verdicts = booleans(at(printed, {"verdicts"}));
    EXPECT_TRUE(verdicts.at("patching_symmetric")) << gate;
    EXPECT_TRUE(verdicts.at("ig_complete")) << gate;
    // Its rows: AND's logits (class 0, class 1) are [0.25, -0.5], [-1.75, 0], [1.25, 2.5],
    // [-0.75, 3]: only [0, 0] is put in class 0, so it does not compute AND.
    EXPECT_FALSE(verdicts.at("classifies_all_rows")) << gate;
    expect_same_doubles(numbers_at(printed, {"train", "predictions"}), {0, 1, 1, 1}, gate);
  }
}

// Both hidden neurons of or3's classifier from seed 1 are dead (0 on every row, as its printed
// activations say), so LD(clean) = LD(corrupt): the scores are undefined (null), not NaN, and the
// symmetry cannot be claimed.
TEST(LatentClassifier, NoGapLeavesTheScoresUndefined) {
  const Outcome run = latent_run(
      {"experiment", "--gate", "or3", "--classifier", "--seed", "1", "--hidden", "2", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const Json printed = json_of(run);
  const Json::Array* dead = at(printed, {"train", "dead"}).get<Json::Array>();
  ASSERT_NE(dead, nullptr);
  ASSERT_EQ(dead->size(), 2u);
  for (const Json& neuron : *dead) ASSERT_TRUE(neuron.get<bool>() && *neuron.get<bool>());
  EXPECT_EQ(number_at(printed, {"patch", "f_clean"}), number_at(printed, {"patch", "f_corrupt"}));
  EXPECT_TRUE(is_null(at(printed, {"patch", "denoising"})));
  EXPECT_TRUE(is_null(at(printed, {"patch", "noising"})));
  EXPECT_FALSE(booleans(at(printed, {"verdicts"})).at("patching_symmetric"));
}

// The text says which class is correct: the clean row's.
TEST(LatentClassifier, TheTextNamesTheClassesCompared) {
  const Outcome nand = latent_run({"experiment", "--gate", "nand", "--classifier"});
  ASSERT_EQ(nand.status, 0) << nand.err;
  EXPECT_NE(nand.out.find("LD = logit(0) - logit(1): class 0 is the clean row's, 1 the corrupt "
                          "row's"),
            std::string::npos)
      << nand.out;
  const Outcome and_gate = latent_run({"experiment", "--gate", "and", "--classifier"});
  ASSERT_EQ(and_gate.status, 0) << and_gate.err;
  EXPECT_NE(and_gate.out.find("LD = logit(1) - logit(0)"), std::string::npos);
  EXPECT_NE(and_gate.out.find("on CrossEntropyLoss"), std::string::npos);
  EXPECT_EQ(row_of(and_gate.out, "patching_symmetric").at(1), "holds");
}

TEST(LatentClassifier, EveryGatesPairHasTwoClassesAndOneClassIsRefused) {
  for (const char* gate : all_gates) {
    const latent::ClassPair classes =
        latent::pair_classes(nn::parse_gate(gate), {clean_of(gate), corrupt_of(gate)});
    EXPECT_EQ(classes.correct, class_of(gate, clean_of(gate))) << gate;
    EXPECT_EQ(classes.incorrect, class_of(gate, corrupt_of(gate))) << gate;
  }
  // AND's rows [0, 0] and [0, 1] are both class 0.
  EXPECT_THROW(latent::pair_classes(nn::Gate::and_gate, {{0.0, 0.0}, {0.0, 1.0}}),
               latent::UsageError);
}

TEST(LatentClassifier, AModelFileRoundTripsBitForBit) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("classifier.json");
  for (const Case& c : cases) {
    std::vector<std::string> words = words_of_case("train", c);
    words.insert(words.end(), {"--epochs", "50", "--save", file});
    const Outcome trained = run_strings(words);
    ASSERT_EQ(trained.status, 0) << line_of(words) << "\n" << trained.err;
    const Json printed = json_of(trained);
    const std::string text = read_file(file);
    EXPECT_NE(text.find("\"classes\": 2"), std::string::npos) << text;

    const latent::Model model = latent::load_any_model_file(file);
    const auto* classifier = std::get_if<latent::TrainedClassifier>(&model);
    ASSERT_NE(classifier, nullptr) << line_of(words);
    expect_parameters(at(printed, {"parameters"}), classifier->network.parameters, line_of(words));
    ASSERT_TRUE(classifier->network.training.has_value());
    EXPECT_EQ(classifier->network.training->seed, c.seed);
    EXPECT_EQ(classifier->network.training->epochs, 50);
    EXPECT_EQ(latent::model_file_text(*classifier), text) << line_of(words);

    // Measured from the file, the same numbers as measured after training.
    const Outcome loaded = latent_run({"experiment", "--load", file, "--json"});
    ASSERT_EQ(loaded.status, 0) << loaded.err;
    const Json from_file = json_of(loaded);
    expect_parameters(at(from_file, {"train", "parameters"}), classifier->network.parameters,
                      line_of(words));
    expect_same_doubles(numbers_at(from_file, {"train", "predictions"}),
                        numbers_at(printed, {"predictions"}), line_of(words));
    EXPECT_EQ(size_of(at(from_file, {"train", "losses"})), 0u);
  }
}

// A file without "classes", in the format files had before classifiers could be saved, loads as
// the tutorial's network with the numbers it holds; and `latent train --save` still writes that.
TEST(LatentClassifier, ANetworksFileStillLoadsAsTheNetwork) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("network.json");
  write_file(file,
             "{\"format\": \"latent-circuits model\", \"version\": 1, \"gate\": \"and\", "
             "\"inputs\": 2, \"hidden\": 0, \"seed\": 0, \"epochs\": 1000, \"lr\": 0.1, "
             "\"parameters\": {\"model.0.bias\": [-4.8588537837374952], \"model.0.weight\": "
             "[3.087116550245868, 3.1040586882148098]}}\n");
  const latent::Model model = latent::load_any_model_file(file);
  ASSERT_TRUE(std::holds_alternative<attribution::TrainedNetwork>(model));
  const attribution::TrainedNetwork network = latent::load_model_file(file);
  expect_same_doubles(network.parameters.at("model.0.weight"),
                      {3.087116550245868, 3.1040586882148098}, "weight");
  expect_same_doubles(network.parameters.at("model.0.bias"), {-4.8588537837374952}, "bias");
  const Outcome experiment = latent_run({"experiment", "--load", file.c_str(), "--json"});
  ASSERT_EQ(experiment.status, 0) << experiment.err;
  const Json printed = json_of(experiment);
  EXPECT_EQ(printed.find("metric"), nullptr);  // a network: the probability and chapter 6's claims
  EXPECT_EQ(booleans(at(printed, {"verdicts"})).count("noising_finds_both"), 1u);

  const std::string saved = directory.file("saved.json");
  ASSERT_EQ(latent_run({"train", "--gate", "and", "--epochs", "3", "--save", saved.c_str()}).status,
            0);
  EXPECT_EQ(read_file(saved).find("classes"), std::string::npos);
}

TEST(LatentClassifier, AClassifiersFileIsRefusedWhereOnlyTheNetworkIsRead) {
  const TemporaryDirectory directory;
  const std::string file = directory.file("classifier.json");
  ASSERT_EQ(
      latent_run({"train", "--gate", "or", "--classifier", "--epochs", "3", "--save", file.c_str()})
          .status,
      0);
  try {
    (void)latent::load_model_file(file);
    ADD_FAILURE() << "load_model_file read a classifier's file";
  } catch (const latent::UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("classifier"), std::string::npos) << error.what();
  }
  expect_refused(latent_run({"experiment", "--load", file.c_str(), "--metric", "logit"}),
                 "--metric", "experiment --load classifier.json --metric logit");
  // Only two classes are read.
  std::string three = read_file(file);
  three.replace(three.find("\"classes\": 2"), 12, "\"classes\": 3");
  write_file(file, three);
  expect_refused(latent_run({"experiment", "--load", file.c_str()}), "\"classes\"", "classes 3");
}

TEST(LatentClassifier, BadFlagCombinationsAreOneLine) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{"experiment", "--gate", "and", "--classifier", "--weights", "1,2", "--bias", "0"},
       "--weights"},
      {{"experiment", "--gate", "and", "--classifier", "--bias", "0"}, "--bias"},
      {{"experiment", "--gate", "and", "--classifier", "--metric", "logit"}, "--metric"},
      {{"experiment", "--gate", "and", "--classifier", "--metric", "probability"}, "--metric"},
      {{"experiment", "--load", "m.json", "--classifier"}, "--classifier"},
      {{"train", "--gate", "and", "--classifier", "--weights", "1,2"}, "--weights"},
      {{"train", "--gate", "and", "--classifier", "--hidden", "17"}, "--hidden"},
  };
  for (const auto& [words, part] : refused)
    expect_refused(run_strings(words), part, line_of(words));
}

TEST(LatentClassifier, HelpNamesTheFlag) {
  for (const char* command : {"train", "experiment"}) {
    const Outcome help = latent_run({command, "--help"});
    ASSERT_EQ(help.status, 0);
    EXPECT_NE(help.out.find("--classifier"), std::string::npos) << command;
  }
}

}  // namespace
