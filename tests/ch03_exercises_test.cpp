// Chapter 3's exercises: the binary cross-entropy of one entry, the SGD step, and one epoch of the
// training loop. The expected numbers are closed forms computed here in plain doubles, so that
// any correct implementation passes whatever order it sums in.
#include <cmath>
#include <cstddef>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/nn.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using autodiff::Var;
using nn::Matrix;

namespace {

// |actual - expected| <= tolerance * max(1, |expected|).
void expect_close(double actual, double expected, double tolerance = 1e-14) {
  EXPECT_NEAR(actual, expected, tolerance * std::fmax(1.0, std::fabs(expected)));
}

// ---- Exercise 3.1: the binary cross-entropy -----------------------------------------------------
// Ch03Ex1BinaryCrossEntropy: nn::binary_cross_entropy(p, y) against -log p, -log(1 - p) and
// -(y log p + (1 - y) log(1 - p)) for soft targets; PyTorch's clamp of each log at -100 (at p = 0,
// p = 1 and below e^-100); log(1 - p) kept accurate for tiny p; and BCELoss, on numbers and on
// Vars, as the mean of it over a batch.

TEST(Ch03Ex1BinaryCrossEntropy, HardTargetsGiveMinusLogOfTheRightProbability) {
  for (const double p : {0.001, 0.1, 0.3, 0.5, 0.75, 0.9, 0.999}) {
    expect_close(nn::binary_cross_entropy(p, 1.0), -std::log(p));
    expect_close(nn::binary_cross_entropy(p, 0.0), -std::log(1.0 - p));
  }
  EXPECT_NEAR(nn::binary_cross_entropy(0.5, 1.0), std::log(2.0), 1e-15);
}

TEST(Ch03Ex1BinaryCrossEntropy, SoftTargetsMixTheTwoLogs) {
  for (const double y : {0.25, 0.5, 0.8})
    for (const double p : {0.05, 0.4, 0.6, 0.95})
      expect_close(nn::binary_cross_entropy(p, y),
                   -(y * std::log(p) + (1.0 - y) * std::log(1.0 - p)));
  // At p = y the loss is the entropy of y: at y = 0.5, log 2.
  EXPECT_NEAR(nn::binary_cross_entropy(0.5, 0.5), std::log(2.0), 1e-15);
}

TEST(Ch03Ex1BinaryCrossEntropy, EachLogIsClampedAtMinus100) {
  // Saturated wrong predictions cost 100, not infinity.
  EXPECT_EQ(nn::binary_cross_entropy(0.0, 1.0), 100.0);
  EXPECT_EQ(nn::binary_cross_entropy(1.0, 0.0), 100.0);
  // Saturated right ones cost nothing: 0 * log 0 must not be NaN.
  EXPECT_EQ(nn::binary_cross_entropy(0.0, 0.0), 0.0);
  EXPECT_EQ(nn::binary_cross_entropy(1.0, 1.0), 0.0);
  // Soft targets at the ends: only the clamped log's share, y * 100 or (1 - y) * 100.
  EXPECT_NEAR(nn::binary_cross_entropy(0.0, 0.25), 25.0, 1e-12);
  EXPECT_NEAR(nn::binary_cross_entropy(1.0, 0.25), 75.0, 1e-12);
  // The clamp is on the log, not only at 0: log(1e-60) = -138 becomes -100 ...
  EXPECT_EQ(nn::binary_cross_entropy(1e-60, 1.0), 100.0);
  // ... while log(e^-99) = -99 is kept.
  expect_close(nn::binary_cross_entropy(std::exp(-99.0), 1.0), 99.0);
}

TEST(Ch03Ex1BinaryCrossEntropy, TinyProbabilitiesOfTheWrongClassKeepTheirSize) {
  // -log(1 - p) = p + p^2/2 + p^3/3 + ...: about p for tiny p. 1 - p rounds to 1 below 1.1e-16,
  // and log(1 - p) then gives 0; log1p(-p) does not.
  for (const double p : {1e-20, 1e-12, 1e-8})
    expect_close(nn::binary_cross_entropy(p, 0.0) / p, 1.0 + p / 2.0);
}

TEST(Ch03Ex1BinaryCrossEntropy, BCELossIsTheMeanOverTheBatch) {
  const Matrix<double> p{{0.2, 0.9}, {0.6, 0.0}, {0.35, 1.0}};
  const Matrix<double> y{{0.0, 1.0}, {1.0, 1.0}, {0.5, 1.0}};
  double sum = 0.0;
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t c = 0; c < 2; ++c) {
      const double pr = p(r, c), yr = y(r, c);
      // -(y log p + (1 - y) log(1 - p)), with the clamps written out for the p = 0 and p = 1
      // entries.
      const double log_p = pr == 0.0 ? -100.0 : std::log(pr);
      const double log_not_p = pr == 1.0 ? -100.0 : std::log(1.0 - pr);
      sum += -(yr * log_p + (1.0 - yr) * log_not_p);
    }
  const double expected = sum / 6.0;
  const nn::BCELoss criterion;
  expect_close(criterion(p, y), expected);
  Tape tape;
  expect_close(criterion(nn::leaves(tape, p), y).value(), expected);
}

// ---- Exercise 3.2: the SGD step ---------------------------------------------------------------
// Ch03Ex2SgdStep: after backward, step() moves every parameter by p <- p - lr * dL/dp (closed-form
// gradients); lr = 0 and a zero gradient leave a parameter as it was; the step reads the gradients
// the leaves hold now (those of the last backward) and does not clear them.

TEST(Ch03Ex2SgdStep, EveryParameterMovesAgainstItsGradient) {
  // L = a^2 + 3 b - a c: dL/da = 2a - c, dL/db = 3, dL/dc = -a.
  Tape tape;
  const double a0 = 1.5, b0 = -0.5, c0 = 2.25, lr = 0.1;
  const Var a = tape.variable(a0), b = tape.variable(b0), c = tape.variable(c0);
  const nn::SGD optimizer({a, b, c}, lr);
  const Var loss = a * a + b * 3.0 - a * c;
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  expect_close(a.value(), a0 - lr * (2.0 * a0 - c0), 1e-15);
  expect_close(b.value(), b0 - lr * 3.0, 1e-15);
  expect_close(c.value(), c0 - lr * -a0, 1e-15);
}

TEST(Ch03Ex2SgdStep, LearningRateZeroAndZeroGradientsChangeNothing) {
  Tape tape;
  const Var a = tape.variable(0.7), b = tape.variable(-1.9);
  const Var loss = a * 4.0;  // dL/db = 0
  loss.backward();
  nn::SGD(std::vector<Var>{a, b}, 0.0).step();
  EXPECT_EQ(a.value(), 0.7);
  EXPECT_EQ(b.value(), -1.9);
  nn::SGD(std::vector<Var>{a, b}, 0.25).step();
  expect_close(a.value(), 0.7 - 0.25 * 4.0, 1e-15);
  EXPECT_EQ(b.value(), -1.9);
}

TEST(Ch03Ex2SgdStep, UsesTheGradientsOfTheLastBackward) {
  Tape tape;
  const Var w = tape.variable(2.0), other = tape.variable(5.0);
  const nn::SGD optimizer({w}, 0.5);
  const Var first = w * w;      // dfirst/dw = 4
  const Var second = w * -3.0;  // dsecond/dw = -3
  first.backward();
  optimizer.zero_grad();
  second.backward();
  optimizer.step();
  expect_close(w.value(), 2.0 - 0.5 * -3.0, 1e-15);
  EXPECT_EQ(w.grad(), -3.0);  // the step leaves the gradient alone ...
  optimizer.step();           // ... so a second step moves by it again
  expect_close(w.value(), 2.0 + 2.0 * 0.5 * 3.0, 1e-15);
  EXPECT_EQ(other.value(), 5.0);  // not the optimizer's parameter
}

TEST(Ch03Ex2SgdStep, TheNextForwardPassSeesTheNewValues) {
  // One neuron sigmoid(w x + b) at x = [1, 2], target 1: dL/dz = p - 1, dL/dw = (p - 1) x.
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  model.load_state_dict({{"model.0.weight", {0.5, -0.25}}, {"model.0.bias", {0.1}}});
  const nn::SGD optimizer(model.parameters(), 0.5);
  const Matrix<double> x{{1.0, 2.0}}, y{{1.0}};
  const Var loss = nn::BCELoss()(model.forward(x), y);
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  const double p = 1.0 / (1.0 + std::exp(-(0.5 - 0.5 + 0.1)));
  const double w1 = 0.5 - 0.5 * (p - 1.0), w2 = -0.25 - 0.5 * (p - 1.0) * 2.0,
               b = 0.1 - 0.5 * (p - 1.0);
  const nn::StateDict state = model.state_dict();
  expect_close(state.at("model.0.weight")[0], w1, 1e-14);
  expect_close(state.at("model.0.weight")[1], w2, 1e-14);
  expect_close(state.at("model.0.bias")[0], b, 1e-14);
  expect_close(model.predict(x)(0, 0), 1.0 / (1.0 + std::exp(-(w1 + 2.0 * w2 + b))), 1e-14);
}

// ---- Exercise 3.3: one training step ----------------------------------------------------------
// Ch03Ex3TrainingStep: nn::train on a sigmoid neuron from known weights against gradient descent
// by hand with BCE's closed-form gradient, dL/dw = mean (p - y) x and dL/db = mean (p - y): one
// epoch is one hand step, two epochs two hand steps (gradients do not carry over between epochs),
// final_loss is the loss before the last step, with or without shuffling, and the loss falls
// epoch after epoch.

struct Neuron {
  double w1, w2, b;
};

const Matrix<double> gate_inputs{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
const Matrix<double> and_targets{{0}, {0}, {0}, {1}};

// The mean BCE of the neuron over the four rows, and one gradient step from it.
double loss_by_hand(const Neuron& n) {
  double sum = 0.0;
  for (std::size_t r = 0; r < 4; ++r) {
    const double p =
        1.0 / (1.0 + std::exp(-(n.w1 * gate_inputs(r, 0) + n.w2 * gate_inputs(r, 1) + n.b)));
    const double y = and_targets(r, 0);
    sum += -(y * std::log(p) + (1.0 - y) * std::log(1.0 - p));
  }
  return sum / 4.0;
}
Neuron step_by_hand(const Neuron& n, double lr) {
  double g1 = 0.0, g2 = 0.0, gb = 0.0;
  for (std::size_t r = 0; r < 4; ++r) {
    const double x1 = gate_inputs(r, 0), x2 = gate_inputs(r, 1);
    const double p = 1.0 / (1.0 + std::exp(-(n.w1 * x1 + n.w2 * x2 + n.b)));
    const double error = p - and_targets(r, 0);
    g1 += error * x1 / 4.0;
    g2 += error * x2 / 4.0;
    gb += error / 4.0;
  }
  return {n.w1 - lr * g1, n.w2 - lr * g2, n.b - lr * gb};
}

struct Trained {
  Neuron neuron;
  nn::TrainingResult result;
  std::vector<double> losses;  // from the callback, one per epoch
};

Trained train_from(const Neuron& start, int epochs, double lr, bool shuffle) {
  Tape tape;
  nn::Generator generator(5);
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  model.load_state_dict({{"model.0.weight", {start.w1, start.w2}}, {"model.0.bias", {start.b}}});
  Trained trained;
  trained.result = nn::train(model, gate_inputs, and_targets, generator, {epochs, lr, shuffle},
                             [&trained](int, double loss) { trained.losses.push_back(loss); });
  const nn::StateDict state = model.state_dict();
  trained.neuron = {state.at("model.0.weight")[0], state.at("model.0.weight")[1],
                    state.at("model.0.bias")[0]};
  return trained;
}

void expect_neuron(const Neuron& actual, const Neuron& expected) {
  EXPECT_NEAR(actual.w1, expected.w1, 1e-13);
  EXPECT_NEAR(actual.w2, expected.w2, 1e-13);
  EXPECT_NEAR(actual.b, expected.b, 1e-13);
}

const Neuron start{0.5, -0.25, 0.1};

TEST(Ch03Ex3TrainingStep, OneEpochIsOneGradientStepByHand) {
  for (const bool shuffle : {false, true}) {
    SCOPED_TRACE(shuffle ? "shuffled" : "in order");
    const Trained trained = train_from(start, 1, 0.5, shuffle);
    expect_neuron(trained.neuron, step_by_hand(start, 0.5));
    EXPECT_NEAR(trained.result.final_loss, loss_by_hand(start), 1e-14);
  }
}

TEST(Ch03Ex3TrainingStep, TwoEpochsAreTwoStepsWithoutAccumulatedGradients) {
  const Neuron after_one = step_by_hand(start, 0.5);
  const Trained trained = train_from(start, 2, 0.5, true);
  expect_neuron(trained.neuron, step_by_hand(after_one, 0.5));
  // The loss reported for the last epoch is the one before its step.
  EXPECT_NEAR(trained.result.final_loss, loss_by_hand(after_one), 1e-14);
  ASSERT_EQ(trained.losses.size(), 2u);
  EXPECT_NEAR(trained.losses[0], loss_by_hand(start), 1e-14);
  EXPECT_NEAR(trained.losses[1], loss_by_hand(after_one), 1e-14);
}

TEST(Ch03Ex3TrainingStep, TheLossFallsEpochAfterEpoch) {
  const Trained trained = train_from(start, 200, 0.5, true);
  ASSERT_EQ(trained.losses.size(), 200u);
  for (std::size_t e = 1; e < trained.losses.size(); ++e)
    EXPECT_LT(trained.losses[e], trained.losses[e - 1]) << "epoch " << e;
  EXPECT_LT(trained.losses.back(), 0.5 * trained.losses.front());
  EXPECT_EQ(trained.result.final_loss, trained.losses.back());
  // Ten hand steps agree with ten epochs.
  Neuron by_hand = start;
  for (int e = 0; e < 10; ++e) by_hand = step_by_hand(by_hand, 0.5);
  expect_neuron(train_from(start, 10, 0.5, false).neuron, by_hand);
}

}  // namespace
