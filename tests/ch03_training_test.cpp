// The training loop: AND and OR learned over seeds 0-9 in PyTorch's ranges, determinism, flat
// memory over 10^5 epochs, XOR's failure, and bad arguments.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/nn.hpp"
#include "tests/chapter_output.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using nn::Matrix;

namespace {

struct Trained {
  double w1, w2, b, final_loss;
  Matrix<double> predictions;
};

Trained train_gate(nn::Gate gate, std::uint64_t seed, nn::TrainingOptions options = {}) {
  Tape tape;
  nn::Generator generator(seed);
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  const nn::TruthTable table = nn::truth_table(gate);
  const nn::TrainingResult result =
      nn::train(model, table.inputs, table.targets, generator, options);
  const nn::StateDict state = model.state_dict();
  return {state.at("model.0.weight")[0], state.at("model.0.weight")[1], state.at("model.0.bias")[0],
          result.final_loss, model.predict(table.inputs)};
}

struct Range {
  double low, high;
  void include(double x) {
    low = std::min(low, x);
    high = std::max(high, x);
  }
};

// PyTorch's own runs over seeds 0-9 (shared/reference/notebook_models.json,
// training_over_seeds_0_9): AND w in [2.990, 3.101], b in [-4.863, -4.705], final loss
// [0.1394, 0.1466]; OR w in [3.930, 4.106], b in [-1.511, -1.428], loss [0.0866, 0.0930]. Our
// generator draws other initial weights and orders, so the ranges are widened by about half
// their width (this generator gives AND w in [2.99, 3.14], OR w in [3.94, 4.16]), still far
// narrower than anything a wrong gradient or a wrong loss would produce.
struct Expected {
  nn::Gate gate;
  Range w, b, loss;
};
const Expected expected[] = {
    {nn::Gate::and_gate, {2.93, 3.17}, {-4.97, -4.60}, {0.134, 0.152}},
    {nn::Gate::or_gate, {3.85, 4.20}, {-1.56, -1.38}, {0.082, 0.097}},
};

TEST(Ch03Training, AndAndOrOverSeedsZeroToNineClassifyEveryRowInPyTorchsRanges) {
  for (const Expected& e : expected) {
    Range w{1e9, -1e9}, b{1e9, -1e9}, loss{1e9, -1e9};
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      const Trained t = train_gate(e.gate, seed);
      const nn::TruthTable table = nn::truth_table(e.gate);
      for (std::size_t r = 0; r < 4; ++r)
        EXPECT_EQ(std::nearbyint(t.predictions(r, 0)), table.targets(r, 0))
            << nn::gate_name_upper(e.gate) << " seed " << seed << " row " << r;
      w.include(t.w1);
      w.include(t.w2);
      b.include(t.b);
      loss.include(t.final_loss);
    }
    const char* name = nn::gate_name_upper(e.gate);
    EXPECT_GE(w.low, e.w.low) << name;
    EXPECT_LE(w.high, e.w.high) << name;
    EXPECT_GE(b.low, e.b.low) << name;
    EXPECT_LE(b.high, e.b.high) << name;
    EXPECT_GE(loss.low, e.loss.low) << name;
    EXPECT_LE(loss.high, e.loss.high) << name;
    std::printf(
        "[ ranges   ] %s over seeds 0-9: w [%.4f, %.4f], b [%.4f, %.4f], loss [%.4f, %.4f]\n", name,
        w.low, w.high, b.low, b.high, loss.low, loss.high);
  }
}

TEST(Ch03Training, AndBiasIsBetweenMinusTwoWeightsAndMinusOne) {
  // The AND neuron fires for [1, 1] only: b + w1 + w2 > 0 > b + max(w1, w2). OR fires unless
  // both are 0: b < 0 < b + min(w1, w2).
  const Trained and_gate = train_gate(nn::Gate::and_gate, 0);
  EXPECT_GT(and_gate.b + and_gate.w1 + and_gate.w2, 0.0);
  EXPECT_LT(and_gate.b + std::max(and_gate.w1, and_gate.w2), 0.0);
  const Trained or_gate = train_gate(nn::Gate::or_gate, 0);
  EXPECT_LT(or_gate.b, 0.0);
  EXPECT_GT(or_gate.b + std::min(or_gate.w1, or_gate.w2), 0.0);
}

TEST(Ch03Training, SameSeedGivesBitIdenticalWeights) {
  const Trained a = train_gate(nn::Gate::and_gate, 123);
  const Trained b = train_gate(nn::Gate::and_gate, 123);
  EXPECT_EQ(a.w1, b.w1);
  EXPECT_EQ(a.w2, b.w2);
  EXPECT_EQ(a.b, b.b);
  EXPECT_EQ(a.final_loss, b.final_loss);
  const Trained c = train_gate(nn::Gate::and_gate, 124);
  EXPECT_NE(a.w1, c.w1);
}

TEST(Ch03Training, PinnedRunOfSeedZero) {
  // This project's seed-0 AND run, as chapter 3 prints it. Not PyTorch's numbers (another
  // generator): a change here means the generator, the initialisation order, the shuffle or the
  // arithmetic changed.
  const Trained t = train_gate(nn::Gate::and_gate, 0);
  EXPECT_NEAR(t.w1, 3.0871, 5e-5);
  EXPECT_NEAR(t.w2, 3.1041, 5e-5);
  EXPECT_NEAR(t.b, -4.8589, 5e-5);
  EXPECT_NEAR(t.final_loss, 0.1397, 5e-5);
}

TEST(Ch03Training, MemoryStaysFlatOver100000Epochs) {
  Tape tape;
  nn::Generator generator(1);
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  const nn::TruthTable table = nn::truth_table(nn::Gate::or_gate);
  const std::size_t parameters_only = tape.size();
  std::size_t capacity_after_first = 0, largest_size = 0, capacity_at_end = 0;
  nn::train(model, table.inputs, table.targets, generator, {.epochs = 100000},
            [&](int epoch, double) {
              largest_size = std::max(largest_size, tape.size());
              if (epoch == 0) capacity_after_first = tape.capacity();
              capacity_at_end = tape.capacity();
            });
  EXPECT_EQ(tape.size(), parameters_only);  // rewound after every epoch
  EXPECT_LT(largest_size, 100u);            // one epoch's nodes, never more
  EXPECT_EQ(capacity_at_end, capacity_after_first);
}

TEST(Ch03Training, XorCannotBeLearnedByOneNeuron) {
  // No line separates XOR's 1s from its 0s; the best a single neuron can do under BCE is
  // p = 1/2 everywhere, loss ln 2, with w and b shrinking towards 0.
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    const Trained t = train_gate(nn::Gate::xor_gate, seed);
    EXPECT_NEAR(t.final_loss, std::log(2.0), 1e-3) << seed;
    for (std::size_t r = 0; r < 4; ++r) EXPECT_NEAR(t.predictions(r, 0), 0.5, 0.01);
  }
}

TEST(Ch03Training, RejectsBadArgumentsAndLeavesTheTapeAsItWas) {
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  const nn::TruthTable table = nn::truth_table(nn::Gate::and_gate);
  const std::size_t nodes = tape.size();
  const auto message = [&](const Matrix<double>& x, const Matrix<double>& y,
                           nn::TrainingOptions options) -> std::string {
    try {
      nn::train(model, x, y, generator, options);
    } catch (const std::invalid_argument& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_EQ(message(table.inputs, Matrix<double>{{0}, {0}, {1}}, {}),
            "train: 4 input rows but 3 target rows");
  EXPECT_EQ(message(Matrix<double>(0, 2), Matrix<double>(0, 1), {}), "train: no training rows");
  EXPECT_EQ(message(table.inputs, table.targets, {.epochs = 0}),
            "train: epochs must be at least 1, got 0");
  EXPECT_NE(message(table.inputs, table.targets, {.lr = -1.0}).find("learning rate"),
            std::string::npos);
  EXPECT_NE(message(Matrix<double>{{0, 0, 0}}, Matrix<double>{{0}}, {}).find("3 columns"),
            std::string::npos);
  EXPECT_NE(message(table.inputs, Matrix<double>{{0}, {0}, {0}, {2}}, {}).find("outside [0, 1]"),
            std::string::npos);
  EXPECT_EQ(tape.size(), nodes);
}

}  // namespace

// The chapter's README shows what its program prints (tests/chapter_output.hpp).
TEST(Ch03Chapter, ReadmeShowsTheProgramOutput) {
  chapter_output::expect_readme_matches_program("ch03");
}
