// Sequential: composition, parameter names and loading, the cache, hooks, and their errors.
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/activations.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "nn/layer.hpp"
#include "nn/linear.hpp"
#include "nn/matrix.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"
#include "tests/chapter_output.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using autodiff::Var;
using nn::Matrix;

namespace {

using test_support::contains;
using test_support::invalid_argument_message;

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// The notebook's AND neuron (see chapter 1): w = [3.0482, 3.0556], b = -4.7946.
constexpr double w1 = 3.0482, w2 = 3.0556, b = -4.7946;

void load_and_weights(nn::Sequential& model) {
  model.load_state_dict({{"model.0.weight", {w1, w2}}, {"model.0.bias", {b}}});
}

TEST(Ch02Sequential, ParametersAreNamedAndDrawnInPyTorchsOrder) {
  Tape tape;
  nn::Generator generator(17);
  nn::Sequential model(tape, generator, nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 1),
                       nn::Sigmoid());
  const std::vector<nn::NamedParameter> parameters = model.named_parameters();
  ASSERT_EQ(parameters.size(), 4u);
  EXPECT_EQ(parameters[0].name, "model.0.weight");
  EXPECT_EQ(parameters[1].name, "model.0.bias");
  EXPECT_EQ(parameters[2].name, "model.2.weight");
  EXPECT_EQ(parameters[3].name, "model.2.bias");

  // Layer 0's weight (6) and bias (3) within 1/sqrt(2), then layer 2's (3 and 1) within 1/sqrt(3).
  nn::Generator replay(17);
  const std::vector<Var> flat = model.parameters();
  ASSERT_EQ(flat.size(), 13u);
  for (std::size_t k = 0; k < 13; ++k) {
    const double bound = 1.0 / std::sqrt(k < 9 ? 2.0 : 3.0);
    EXPECT_EQ(flat[k].value(), replay.uniform(-bound, bound)) << k;
  }
  EXPECT_EQ(tape.size(), 13u);
  EXPECT_EQ(model.to_string(),
            "Sequential(\n"
            "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
            "  (1): ReLU()\n"
            "  (2): Linear(in_features=3, out_features=1, bias=True)\n"
            "  (3): Sigmoid()\n"
            ")");
}

TEST(Ch02Sequential, ForwardIsTheCompositionOfItsLayers) {
  Tape tape;
  nn::Generator generator(2);
  nn::Sequential model(tape, generator, nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 1),
                       nn::Sigmoid());
  nn::StateDict state = model.state_dict();
  const std::vector<double>& w0 = state["model.0.weight"];
  const std::vector<double>& b0 = state["model.0.bias"];
  const std::vector<double>& w2 = state["model.2.weight"];
  const std::vector<double>& b2 = state["model.2.bias"];
  const Matrix<double> x{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0.3, -2.0}};
  const Matrix<Var>& y = model.forward(x);
  ASSERT_EQ(nn::shape_string(y), "5 x 1");
  for (std::size_t r = 0; r < x.rows(); ++r) {
    double z = b2[0];
    for (std::size_t j = 0; j < 3; ++j) {
      const double hidden = w0[2 * j] * x(r, 0) + w0[2 * j + 1] * x(r, 1) + b0[j];
      z += w2[j] * std::max(hidden, 0.0);
    }
    EXPECT_NEAR(y(r, 0).value(), sigmoid(z), 1e-15) << r;
  }
}

TEST(Ch02Sequential, GradientWithRespectToTheInputsIsSigmoidSlopeTimesWeight) {
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  load_and_weights(model);
  // Leaves, as x.requires_grad_() in PyTorch: plain numbers would take no gradient.
  const Matrix<Var> x = nn::leaves(tape, Matrix<double>{{1, 1}, {0, 1}});
  const Matrix<Var>& y = model.forward(x);
  for (std::size_t r = 0; r < 2; ++r) {
    tape.zero_grad();
    y(r, 0).backward();
    const double z = w1 * x(r, 0).value() + w2 * x(r, 1).value() + b;
    const double slope = sigmoid(z) * (1.0 - sigmoid(z));
    EXPECT_NEAR(x(r, 0).grad(), slope * w1, 1e-15);
    EXPECT_NEAR(x(r, 1).grad(), slope * w2, 1e-15);
    // The other row's inputs do not feed this output.
    EXPECT_EQ(x(1 - r, 0).grad(), 0.0);
  }
}

TEST(Ch02Sequential, StateDictRoundTripsAndLoadingIsStrict) {
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  load_and_weights(model);
  const nn::StateDict state = model.state_dict();
  EXPECT_EQ(state.at("model.0.weight"), (std::vector<double>{w1, w2}));
  EXPECT_EQ(state.at("model.0.bias"), (std::vector<double>{b}));

  std::string message = invalid_argument_message([&] {
    model.load_state_dict({{"model.0.weight", {1.0, 2.0, 3.0}}, {"model.0.bias", {0}}});
  });
  EXPECT_TRUE(contains(message, "model.0.weight has 2 values (1 x 2) but 3 were given")) << message;
  message = invalid_argument_message([&] { model.load_state_dict({{"model.0.weight", {1, 2}}}); });
  EXPECT_TRUE(contains(message, "missing parameter 'model.0.bias'")) << message;
  message = invalid_argument_message([&] {
    model.load_state_dict(
        {{"model.0.weight", {1, 2}}, {"model.0.bias", {0}}, {"model.1.bias", {0}}});
  });
  EXPECT_TRUE(contains(message, "unexpected parameter 'model.1.bias'")) << message;
  EXPECT_TRUE(contains(message, "model.0.weight, model.0.bias")) << message;
  message = invalid_argument_message([&] {
    model.load_state_dict({{"model.0.weight", {1, NAN}}, {"model.0.bias", {0}}});
  });
  EXPECT_TRUE(contains(message, "not finite")) << message;
  // Nothing was changed by the failed loads.
  EXPECT_EQ(model.state_dict(), state);
}

TEST(Ch02Sequential, NeedsLayersAndTheRightInputWidth) {
  Tape tape;
  nn::Generator generator;
  EXPECT_THROW(nn::Sequential(tape, generator, std::vector<std::unique_ptr<nn::Layer>>{}),
               std::invalid_argument);
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  const std::string message = invalid_argument_message([&] {
    model.forward(Matrix<double>{{1, 2, 3}});
  });
  EXPECT_TRUE(contains(message, "3 columns")) << message;
  EXPECT_TRUE(contains(message, "in_features is 2")) << message;
  EXPECT_THROW(model.layer(2), std::out_of_range);
}

// A Matrix<double> is data: the first Linear reads the numbers, and no leaf is made for them. A
// first layer without a number path (here a Sigmoid), or a hook on layer_0.input, gets leaves
// instead.
TEST(Ch02Sequential, NumbersMakeNoLeavesUnlessALayerOrAHookNeedsThem) {
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  load_and_weights(model);
  const Matrix<double> x{{1, 1}, {0, 1}};
  std::size_t before = tape.size();
  const double y0 = model.forward(x)(0, 0).value();
  EXPECT_EQ(tape.size() - before, 2u * (3 + 1));  // per row: w1 x1, + w2 x2, + b, sigmoid
  EXPECT_NEAR(y0, sigmoid(w1 + w2 + b), 1e-15);

  before = tape.size();
  std::size_t input_width = 0;
  model.run_with_hooks(x, {{"layer_0.input", [&](Matrix<Var>& input) {
                              input_width = input.cols();
                              input(0, 0).tape();  // a Var on the tape, or this throws
                            }}});
  EXPECT_EQ(input_width, 2u);
  EXPECT_EQ(tape.size() - before, 2u * (2 + 4 + 1));  // 2 leaves, 2 products, 2 sums, sigmoid

  nn::Sequential squashed(tape, generator, nn::Sigmoid(), nn::Linear(2, 1));
  before = tape.size();
  const Matrix<Var>& z = squashed.forward(x);
  EXPECT_EQ(tape.size() - before, 2u * (2 + 2 + 4));  // 2 leaves, 2 sigmoids, 4 for the Linear
  const Matrix<double> w = nn::detach(dynamic_cast<const nn::Linear&>(squashed.layer(1)).weight());
  const double bias = nn::detach(dynamic_cast<const nn::Linear&>(squashed.layer(1)).bias())(0, 0);
  EXPECT_NEAR(z(1, 0).value(), sigmoid(0.0) * w(0, 0) + sigmoid(1.0) * w(0, 1) + bias, 1e-15);
}

TEST(Ch02Cache, HoldsEveryActivationByNameAndLeavesTheTapeAlone) {
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  load_and_weights(model);
  const std::size_t nodes = tape.size();
  // Not a structured binding: clang 14 cannot capture one in the lambda below.
  const nn::Sequential::CachedRun run = model.run_with_cache(Matrix<double>{{1, 1}, {0, 0}});
  const Matrix<double>& output = run.output;
  const nn::ActivationCache& cache = run.cache;
  EXPECT_EQ(tape.size(), nodes);  // torch.no_grad: nothing stays on the tape

  EXPECT_EQ(cache.names(), (std::vector<std::string>{"layer_0.input", "layer_0.output",
                                                     "layer_1.input", "layer_1.output"}));
  EXPECT_EQ(model.hook_names(), cache.names());
  EXPECT_EQ(cache["layer_0.input"], (Matrix<double>{{1, 1}, {0, 0}}));
  // The notebook's cache keys layer_0 and layer_1 are the two outputs.
  EXPECT_NEAR(cache["layer_0.output"](0, 0), w1 + w2 + b, 1e-15);
  EXPECT_NEAR(cache["layer_0.output"](1, 0), b, 1e-15);
  EXPECT_EQ(cache["layer_1.input"], cache["layer_0.output"]);
  EXPECT_NEAR(cache["layer_1.output"](0, 0), sigmoid(w1 + w2 + b), 1e-15);
  EXPECT_EQ(cache["layer_1.output"], output);
  EXPECT_EQ(model.predict(Matrix<double>{{1, 1}, {0, 0}}), output);

  const std::string message = invalid_argument_message([&] { (void)cache["layer_0"]; });
  EXPECT_TRUE(contains(message, "'layer_0'")) << message;
  EXPECT_TRUE(contains(message, "layer_0.input, layer_0.output, layer_1.input, layer_1.output"))
      << message;
}

TEST(Ch02Hooks, PatchingAnInputNeuronEqualsRunningThePatchedInput) {
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  load_and_weights(model);
  const Matrix<double> clean{{1, 1}, {1, 0}}, corrupt{{0, 0}, {0, 1}};
  const Matrix<double> notebook_corrupt_input =
      model.run_with_cache(corrupt).cache["layer_0.input"];

  for (std::size_t neuron = 0; neuron < 2; ++neuron) {
    Matrix<double> direct = clean;
    for (std::size_t r = 0; r < 2; ++r) direct(r, neuron) = corrupt(r, neuron);
    const Matrix<double> patched = nn::detach(model.run_with_hooks(
        clean, {{"layer_0.input", nn::patch_neuron(neuron, notebook_corrupt_input)}}));
    EXPECT_EQ(patched, model.predict(direct)) << neuron;
  }
  // Or just the values, one per row.
  const Matrix<double> values_only = nn::detach(model.run_with_hooks(
      clean, {{"layer_0.input", nn::patch_neuron(1, Matrix<double>{{0}, {1}})}}));
  EXPECT_EQ(values_only, model.predict(Matrix<double>{{1, 0}, {1, 1}}));
  const Matrix<double> all = nn::detach(model.run_with_hooks(
      clean, {{"layer_0.input", nn::patch_activation(notebook_corrupt_input)}}));
  EXPECT_EQ(all, model.predict(corrupt));
}

TEST(Ch02Hooks, ReplacingAnActivationWithALeafGivesItsGradient) {
  // Replace z = layer_0.output by a new leaf: the output becomes sigmoid(leaf), and after
  // backward the leaf holds dy/dz = sigmoid'(z), while the weights before it get nothing.
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  load_and_weights(model);
  Var leaf;
  const Matrix<Var>& y =
      model.run_with_hooks(Matrix<double>{{1, 1}}, {{"layer_0.output", [&](Matrix<Var>& z) {
                                                       leaf = tape.variable(z(0, 0).value());
                                                       z(0, 0) = leaf;
                                                     }}});
  model.parameters()[0].zero_grad();
  y(0, 0).backward();
  const double s = sigmoid(w1 + w2 + b);
  EXPECT_NEAR(leaf.grad(), s * (1.0 - s), 1e-15);
  EXPECT_EQ(model.parameters()[0].grad(), 0.0);
}

TEST(Ch02Hooks, BothNamesOfOneActivationSeeTheSameMatrixOutputHooksFirst) {
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  load_and_weights(model);
  std::vector<std::string> order;
  double seen_by_input_hook = 0.0;
  const Matrix<Var>& y = model.run_with_hooks(
      Matrix<double>{{1, 1}},
      {{"layer_1.input",
        [&](Matrix<Var>& a) {
          order.push_back("layer_1.input");
          seen_by_input_hook = a(0, 0).value();
        }},
       {"layer_0.output",
        [&](Matrix<Var>& a) {
          order.push_back("layer_0.output");
          a(0, 0) = tape.variable(0.0);  // the next hook and layer see the replacement
        }},
       {"layer_1.output", [&](Matrix<Var>&) { order.push_back("layer_1.output"); }},
       {"layer_0.input", [&](Matrix<Var>&) { order.push_back("layer_0.input"); }}});
  EXPECT_EQ(order, (std::vector<std::string>{"layer_0.input", "layer_0.output", "layer_1.input",
                                             "layer_1.output"}));
  EXPECT_EQ(seen_by_input_hook, 0.0);
  EXPECT_EQ(y(0, 0).value(), 0.5);  // sigmoid(0)

  // The cache records the activations as the hooks left them.
  const auto run = model.run_with_cache(
      Matrix<double>{{1, 1}},
      {{"layer_1.input", [&](Matrix<Var>& a) { a(0, 0) = tape.variable(2.0); }}});
  EXPECT_EQ(run.cache["layer_0.output"](0, 0), 2.0);
  EXPECT_EQ(run.output(0, 0), sigmoid(2.0));
}

TEST(Ch02Hooks, UnknownNamesAndWrongPatchesAreNamed) {
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  const nn::Hook nothing = [](Matrix<Var>&) {};
  for (const char* bad : {"layer_2.input", "layer_0", "layer_00.input", "layer_-1.output",
                          "layer_0.Output", "hook_0.input", ""}) {
    const std::string message = invalid_argument_message([&] {
      model.run_with_hooks(Matrix<double>{{1, 1}}, {{bad, nothing}});
    });
    EXPECT_TRUE(contains(message, "unknown hook name '" + std::string(bad) + "'")) << message;
    EXPECT_TRUE(contains(message, "layer_1.output")) << message;
  }
  EXPECT_THROW(model.run_with_cache(Matrix<double>{{1, 1}}, {{"layer_9.output", nothing}}),
               std::invalid_argument);
  EXPECT_THROW(model.run_with_hooks(Matrix<double>{{1, 1}}, {{"layer_0.input", nn::Hook()}}),
               std::invalid_argument);

  std::string message = invalid_argument_message([&] {
    model.run_with_hooks(Matrix<double>{{1, 1}},
                         {{"layer_0.input", nn::patch_neuron(2, Matrix<double>{{0, 0}})}});
  });
  EXPECT_TRUE(contains(message, "neuron 2 is outside an activation of 2 neurons")) << message;
  message = invalid_argument_message([&] {
    model.run_with_hooks(Matrix<double>{{1, 1}},
                         {{"layer_0.input", nn::patch_neuron(0, Matrix<double>{{0, 0}, {0, 0}})}});
  });
  EXPECT_TRUE(contains(message, "the source is 2 x 2 but the activation is 1 x 2")) << message;
  message = invalid_argument_message([&] {
    model.run_with_hooks(Matrix<double>{{1, 1}},
                         {{"layer_0.input", nn::patch_neuron(0, Matrix<double>{{0, 0, 0}})}});
  });
  EXPECT_TRUE(contains(message, "the source is 1 x 3 but the activation is 1 x 2")) << message;
  // A failed cached run leaves the tape as it was.
  const std::size_t nodes = tape.size();
  EXPECT_THROW(model.run_with_cache(Matrix<double>{{1, 1}},
                                    {{"layer_0.input", nn::patch_activation(Matrix<double>{{0}})}}),
               std::invalid_argument);
  EXPECT_EQ(tape.size(), nodes);
}

TEST(Ch02Gates, TruthTablesAndNames) {
  const nn::TruthTable table = nn::truth_table(nn::Gate::xor_gate);
  EXPECT_EQ(table.inputs, (Matrix<double>{{0, 0}, {0, 1}, {1, 0}, {1, 1}}));
  EXPECT_EQ(table.targets, (Matrix<double>{{0}, {1}, {1}, {0}}));
  const double expected[5][4] = {
      {0, 0, 0, 1}, {0, 1, 1, 1}, {1, 1, 1, 0}, {1, 0, 0, 0}, {0, 1, 1, 0}};
  const char* names[5] = {"and", "or", "nand", "nor", "xor"};
  for (int g = 0; g < 5; ++g) {
    const nn::Gate gate = nn::parse_gate(names[g]);
    EXPECT_STREQ(nn::gate_name(gate), names[g]);
    const nn::TruthTable t = nn::truth_table(gate);
    for (std::size_t r = 0; r < 4; ++r) {
      // The target is the gate applied to the row's two inputs.
      EXPECT_EQ(t.targets(r, 0), expected[g][r]) << names[g] << " row " << r;
      EXPECT_EQ(t.inputs(r, 0), static_cast<double>(r >> 1));
      EXPECT_EQ(t.inputs(r, 1), static_cast<double>(r & 1));
    }
  }
  EXPECT_EQ(nn::parse_gate("AND"), nn::Gate::and_gate);
  EXPECT_STREQ(nn::gate_name_upper(nn::Gate::nor_gate), "NOR");
  EXPECT_EQ(invalid_argument_message([] { nn::parse_gate("xnor"); }),
            "unknown gate 'xnor'; the gates are: and, or, nand, nor, xor, and3, or3, maj3");
}

}  // namespace

// The chapter's README shows what its program prints (tests/chapter_output.hpp).
TEST(Ch02Chapter, ReadmeShowsTheProgramOutput) {
  chapter_output::expect_readme_matches_program("ch02");
}
