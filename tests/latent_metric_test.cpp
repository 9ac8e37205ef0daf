// `latent ig`, `patch` and `experiment` with --metric (chapter 9): the logit's closed forms
// through the command line, the "metric" key only when --metric is given, every output without
// it (and with --metric probability, apart from that key) as it was, and the flag's errors.
#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "attribution/experiment.hpp"
#include "latent/json.hpp"
#include "tests/latent_test_support.hpp"

#include <gtest/gtest.h>

namespace {

using namespace latent_test;

// On the logit of w.x + b: IG_i = w_i (x_i - x'_i), both patching scores
// w_i (x_i - x'_i) / (z(clean) - z(corrupt)), and f is z itself.
TEST(LatentMetric, IgAndPatchOnTheLogitGiveTheClosedForms) {
  const latent::Json ig = json_of(latent_run(
      with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--metric", "logit", "--json"})));
  EXPECT_EQ(string_at(ig, {"metric"}), "logit");
  expect_near_each(numbers_at(ig, {"attributions"}), and_weights, 1e-12, "1e-12");
  EXPECT_NEAR(number_at(ig, {"f_input"}), and_weights[0] + and_weights[1] + and_bias, 1e-14);
  EXPECT_NEAR(number_at(ig, {"f_baseline"}), and_bias, 1e-15);

  const latent::Json patch = json_of(latent_run(
      with_neuron("patch", {"--clean", "1,1", "--corrupt", "0,0", "--metric", "logit", "--json"})));
  EXPECT_EQ(string_at(patch, {"metric"}), "logit");
  const double gap = and_weights[0] + and_weights[1];
  const std::vector<double> scores = {and_weights[0] / gap, and_weights[1] / gap};
  expect_near_each(numbers_at(patch, {"denoising"}), scores, 1e-9, "1e-9");
  expect_near_each(numbers_at(patch, {"noising"}), scores, 1e-9, "1e-9");
  expect_near_each(numbers_at(patch, {"noising_differences"}), and_weights, 1e-12, "1e-12");
}

// The text names what is measured; --metric probability prints today's text byte for byte.
TEST(LatentMetric, TheTextNamesTheLogit) {
  const Outcome logit =
      latent_run(with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--metric", "logit"}));
  EXPECT_EQ(logit.status, 0);
  EXPECT_NE(logit.out.find("Integrated gradients of the logit w.x + b with w = [3.0482, 3.0556]"),
            std::string::npos);
  const Outcome patch =
      latent_run(with_neuron("patch", {"--clean", "1,1", "--corrupt", "0,0", "--metric", "logit"}));
  EXPECT_NE(patch.out.find("Activation patching of the logit w.x + b"), std::string::npos);
  for (const char* command : {"ig", "patch"}) {
    const std::vector<std::string_view> points =
        std::string_view(command) == "ig"
            ? std::vector<std::string_view>{"--input", "1,1", "--baseline", "0,0"}
            : std::vector<std::string_view>{"--clean", "1,1", "--corrupt", "0,0"};
    std::vector<std::string_view> given = points;
    given.insert(given.end(), {"--metric", "probability"});
    EXPECT_EQ(latent_run(with_neuron(command, given)).out,
              latent_run(with_neuron(command, points)).out)
        << command;
    std::vector<std::string_view> csv = points, csv_given = given;
    csv.push_back("--csv");
    csv_given.push_back("--csv");
    EXPECT_EQ(latent_run(with_neuron(command, csv_given)).out,
              latent_run(with_neuron(command, csv)).out)
        << command;
  }
  const Outcome experiment = latent_run({"experiment", "--gate", "and", "--metric", "logit"});
  EXPECT_NE(experiment.out.find("measured on the logit (the network without its final Sigmoid)"),
            std::string::npos);
  EXPECT_EQ(latent_run({"experiment", "--gate", "or", "--metric", "probability"}).out,
            latent_run({"experiment", "--gate", "or"}).out);
}

// Without --metric no "metric" key; with --metric probability the same JSON with the key first
// (after "gate" for the experiment).
TEST(LatentMetric, TheKeyIsThereOnlyWhenTheFlagIs) {
  const Outcome plain =
      latent_run(with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--json"}));
  EXPECT_EQ(plain.out.find("\"metric\""), std::string::npos);
  const Outcome given = latent_run(with_neuron(
      "ig", {"--input", "1,1", "--baseline", "0,0", "--metric", "probability", "--json"}));
  EXPECT_EQ(given.out, "{\"metric\": \"probability\", " + plain.out.substr(1));
  const Outcome experiment = latent_run({"experiment", "--gate", "and", "--json"});
  EXPECT_EQ(experiment.out.find("\"metric\""), std::string::npos);
  const Outcome experiment_given =
      latent_run({"experiment", "--gate", "and", "--metric", "probability", "--json"});
  const std::string gate = "{\"gate\": \"and\", ";
  ASSERT_EQ(experiment.out.substr(0, gate.size()), gate);
  EXPECT_EQ(experiment_given.out,
            gate + "\"metric\": \"probability\", " + experiment.out.substr(gate.size()));
}

// The experiment on the logit: the neuron's IG is its trained weights, patching is symmetric and
// the direction claims give way to patching_symmetric; with a hidden layer as well, at the hidden
// neurons. From a seed, a given neuron and a loaded model alike.
TEST(LatentMetric, TheExperimentOnTheLogit) {
  const latent::Json e =
      json_of(latent_run({"experiment", "--gate", "and", "--metric", "logit", "--json"}));
  EXPECT_EQ(string_at(e, {"metric"}), "logit");
  expect_near_each(numbers_at(e, {"ig", "attributions"}),
                   numbers_at(e, {"train", "parameters", "model.0.weight"}), 1e-12, "1e-12");
  const std::map<std::string, bool> verdicts = booleans(at(e, {"verdicts"}));
  EXPECT_EQ(verdicts, (std::map<std::string, bool>{{"classifies_all_rows", true},
                                                   {"ig_complete", true},
                                                   {"ig_even_split", true},
                                                   {"patching_symmetric", true}}));
  const latent::Json hidden = json_of(
      latent_run({"experiment", "--gate", "or", "--hidden", "2", "--metric", "logit", "--json"}));
  EXPECT_TRUE(booleans(at(hidden, {"verdicts"})).at("patching_symmetric"));
  expect_near_each(numbers_at(hidden, {"patch", "denoising"}),
                   numbers_at(hidden, {"patch", "noising"}), 1e-9, "1e-9");
  const latent::Json given =
      json_of(latent_run({"experiment", "--gate", "or", "--weights", "4.0211,4.0242", "--bias",
                          "-1.4725", "--metric", "logit", "--json"}));
  expect_near_each(numbers_at(given, {"ig", "attributions"}), {4.0211, 4.0242}, 1e-12, "1e-12");
}

TEST(LatentMetric, Errors) {
  for (const char* bad : {"", "Logit", "prob", "logits"}) {
    const Outcome run =
        latent_run(with_neuron("ig", {"--input", "1,1", "--baseline", "0,0", "--metric", bad}));
    EXPECT_EQ(run.status, 2) << bad;
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err, "latent: --metric: '" + std::string(bad) +
                           "' is not a metric; give probability or logit\n");
  }
  // A zero gap on the logit (w = [1, -1], clean [1, 1], corrupt [0, 0]) is refused before any
  // patching, as on the probability.
  const Outcome zero = latent_run({"patch", "--weights", "1,-1", "--bias", "0.5", "--clean", "1,1",
                                   "--corrupt", "0,0", "--metric", "logit"});
  EXPECT_EQ(zero.status, 2);
  EXPECT_NE(zero.err.find("are equal to rounding"), std::string::npos);
  // train has no --metric: it trains the network, whatever measures it afterwards.
  const Outcome train = latent_run({"train", "--gate", "and", "--metric", "logit"});
  EXPECT_EQ(train.status, 2);
  EXPECT_NE(train.err.find("--metric"), std::string::npos);
}

// --help lists the flag for ig, patch and experiment.
TEST(LatentMetric, HelpListsTheFlag) {
  for (const char* command : {"ig", "patch", "experiment"}) {
    const Outcome help = latent_run({command, "--help"});
    EXPECT_NE(help.out.find("  --metric NAME"), std::string::npos) << command;
    EXPECT_NE(help.out.find("[--metric NAME]"), std::string::npos) << command;
  }
}

}  // namespace
