// SGD: one step by hand, gradients zeroed, bad arguments.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/nn.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using autodiff::Var;
using nn::Matrix;

namespace {

TEST(Ch03SGD, OneStepOfTheNeuronByHand) {
  // sigmoid(w.x + b) on x = [1, 0], target 1, BCELoss, lr 0.5. The gradient of BCE through a
  // sigmoid is (p - y) x for the weights and (p - y) for the bias.
  Tape tape;
  nn::Generator generator;
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  model.load_state_dict({{"model.0.weight", {0.5, -0.25}}, {"model.0.bias", {0.1}}});
  const nn::SGD optimizer(model.parameters(), 0.5);

  const Var loss = nn::BCELoss()(model.forward(Matrix<double>{{1.0, 0.0}}), Matrix<double>{{1.0}});
  optimizer.zero_grad();
  loss.backward();
  const double p = 1.0 / (1.0 + std::exp(-(0.5 + 0.1)));
  EXPECT_NEAR(loss.value(), -std::log(p), 1e-15);
  optimizer.step();

  const nn::StateDict state = model.state_dict();
  EXPECT_NEAR(state.at("model.0.weight")[0], 0.5 - 0.5 * (p - 1.0) * 1.0, 1e-15);
  EXPECT_EQ(state.at("model.0.weight")[1], -0.25);  // x2 = 0: no gradient, no change
  EXPECT_NEAR(state.at("model.0.bias")[0], 0.1 - 0.5 * (p - 1.0), 1e-15);

  // The step used exactly p - lr * grad.
  const std::vector<Var> parameters = model.parameters();
  EXPECT_EQ(parameters[0].value(), 0.5 - 0.5 * parameters[0].grad());
  EXPECT_EQ(parameters[2].value(), 0.1 - 0.5 * parameters[2].grad());
}

TEST(Ch03SGD, ZeroGradClearsWhatBackwardAccumulated) {
  Tape tape;
  const Var w = tape.variable(2.0), b = tape.variable(1.0);
  const nn::SGD optimizer({w, b}, 0.1);
  const Var y = w * 3.0 + b;
  y.backward();
  y.backward();
  EXPECT_EQ(w.grad(), 6.0);  // accumulated twice
  optimizer.zero_grad();
  EXPECT_EQ(w.grad(), 0.0);
  EXPECT_EQ(b.grad(), 0.0);
  optimizer.step();  // zero gradient: nothing moves
  EXPECT_EQ(w.value(), 2.0);
}

TEST(Ch03SGD, RejectsBadLearningRatesAndParameters) {
  Tape tape;
  const Var w = tape.variable(1.0);
  EXPECT_THROW(nn::SGD({w}, -0.1), std::invalid_argument);
  EXPECT_THROW(nn::SGD({w}, std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  EXPECT_THROW(nn::SGD({w}, std::numeric_limits<double>::infinity()), std::invalid_argument);
  EXPECT_THROW(nn::SGD({}, 0.1), std::invalid_argument);
  EXPECT_THROW(nn::SGD({Var()}, 0.1), std::logic_error);
  const Var computed = w * 2.0;
  const nn::SGD optimizer({computed}, 0.1);
  EXPECT_THROW(optimizer.step(), std::logic_error);  // only leaves can be set
}

}  // namespace
