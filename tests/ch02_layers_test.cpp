// Linear, Sigmoid and ReLU: forward and backward against closed forms, PyTorch's initialisation,
// and wrong shapes.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/activations.hpp"
#include "nn/linear.hpp"
#include "nn/matrix.hpp"
#include "nn/random.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using autodiff::Var;
using nn::Matrix;

namespace {

using test_support::contains;
using test_support::invalid_argument_message;
using test_support::message_of;

TEST(Ch02Linear, InitialisesWeightsRowByRowThenBiasWithinOneOverSqrtFanIn) {
  Tape tape;
  nn::Generator generator(21);
  nn::Linear linear(3, 2);
  linear.initialize(tape, generator);
  const double bound = 1.0 / std::sqrt(3.0);
  EXPECT_EQ(linear.init_bound(), bound);

  // The same draws by hand: six weights (row 0, then row 1), then two biases.
  nn::Generator replay(21);
  for (std::size_t j = 0; j < 2; ++j)
    for (std::size_t i = 0; i < 3; ++i)
      EXPECT_EQ(linear.weight()(j, i).value(), replay.uniform(-bound, bound)) << j << "," << i;
  for (std::size_t j = 0; j < 2; ++j)
    EXPECT_EQ(linear.bias()(0, j).value(), replay.uniform(-bound, bound));
  EXPECT_EQ(tape.size(), 8u);  // eight leaves, nothing else

  const std::vector<nn::NamedParameter> parameters = linear.named_parameters();
  ASSERT_EQ(parameters.size(), 2u);
  EXPECT_EQ(parameters[0].name, "weight");
  EXPECT_EQ(nn::shape_string(parameters[0].value), "2 x 3");
  EXPECT_EQ(parameters[1].name, "bias");
  EXPECT_EQ(nn::shape_string(parameters[1].value), "1 x 2");
}

TEST(Ch02Linear, InitialValuesFillTheirBounds) {
  // Over many draws the values stay inside (-bound, bound) and come close to both ends.
  for (std::size_t fan_in : {1u, 2u, 7u}) {
    Tape tape;
    nn::Generator generator(fan_in);
    nn::Linear linear(fan_in, 200);
    linear.initialize(tape, generator);
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    double lowest = bound, highest = -bound;
    for (const nn::NamedParameter& parameter : linear.named_parameters())
      for (const Var& v : parameter.value.flat()) {
        ASSERT_GE(v.value(), -bound);
        ASSERT_LT(v.value(), bound);
        lowest = std::min(lowest, v.value());
        highest = std::max(highest, v.value());
      }
    EXPECT_LT(lowest, -0.95 * bound);
    EXPECT_GT(highest, 0.95 * bound);
  }
}

TEST(Ch02Linear, InitialisingAgainRedrawsTheSameLeaves) {
  Tape tape;
  nn::Generator generator(1);
  nn::Linear linear(2, 1);
  linear.initialize(tape, generator);
  const double first = linear.weight()(0, 0).value();
  linear.initialize(tape, generator);
  EXPECT_EQ(tape.size(), 3u);
  EXPECT_NE(linear.weight()(0, 0).value(), first);
  Tape other;
  EXPECT_THROW(linear.initialize(other, generator), std::logic_error);
}

TEST(Ch02Linear, ForwardAndBackwardMatchClosedForms) {
  Tape tape;
  nn::Generator generator(3);
  nn::Linear linear(3, 2);
  linear.initialize(tape, generator);
  const Matrix<double> x_values{{0.5, -1.0, 2.0}, {1.5, 0.25, -0.75}};
  const Matrix<Var> x = nn::leaves(tape, x_values);
  Matrix<Var> y;
  linear.forward(x, y);
  ASSERT_EQ(nn::shape_string(y), "2 x 2");

  const Matrix<double> w = nn::detach(linear.weight());
  const Matrix<double> b = nn::detach(linear.bias());
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t j = 0; j < 2; ++j) {
      double z = b(0, j);
      for (std::size_t i = 0; i < 3; ++i) z += x_values(r, i) * w(j, i);
      EXPECT_NEAR(y(r, j).value(), z, 1e-15);
    }

  // L = sum c(r, j) y(r, j): dL/dW(j,i) = sum_r c(r,j) x(r,i), dL/db(j) = sum_r c(r,j),
  // dL/dx(r,i) = sum_j c(r,j) W(j,i).
  const Matrix<double> c{{1.0, -2.0}, {0.5, 3.0}};
  Var loss = y(0, 0) * c(0, 0);
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t j = 0; j < 2; ++j)
      if (r + j > 0) loss = loss + y(r, j) * c(r, j);
  loss.backward();
  for (std::size_t j = 0; j < 2; ++j) {
    EXPECT_NEAR(linear.bias()(0, j).grad(), c(0, j) + c(1, j), 1e-15);
    for (std::size_t i = 0; i < 3; ++i)
      EXPECT_NEAR(linear.weight()(j, i).grad(), c(0, j) * x_values(0, i) + c(1, j) * x_values(1, i),
                  1e-14);
  }
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t i = 0; i < 3; ++i)
      EXPECT_NEAR(x(r, i).grad(), c(r, 0) * w(0, i) + c(r, 1) * w(1, i), 1e-14);
}

// Plain numbers as input (forward_numbers) take in + 1 nodes per output where leaves take 2 in
// plus the leaves themselves, and give the same bits: values and parameter gradients.
TEST(Ch02Linear, NumbersAndLeavesGiveTheSameBitsWithFewerNodes) {
  Tape tape;
  nn::Generator generator(3);
  nn::Linear linear(3, 2);
  linear.initialize(tape, generator);
  const Matrix<double> x_values{{0.5, -1.0, 2.0}, {1.5, 0.25, -0.75}, {0.1, 0.7, -0.3}};
  const Matrix<double> c{{1.0, -2.0}, {0.5, 3.0}, {-0.25, 0.125}};
  const auto loss_of = [&c](const Matrix<Var>& y) {
    Var loss = y(0, 0) * c(0, 0);
    for (std::size_t k = 1; k < y.size(); ++k) loss = loss + y.flat()[k] * c.flat()[k];
    return loss;
  };
  std::vector<double> leaf_gradients, number_gradients;
  Matrix<double> leaf_values, number_values;

  std::size_t before = tape.size();
  Matrix<Var> y;
  linear.forward(nn::leaves(tape, x_values), y);
  EXPECT_EQ(tape.size() - before, 3u * 3 + 3 * 2 * (2 * 3));  // 9 leaves, 2 in nodes per output
  leaf_values = nn::detach(y);
  tape.zero_grad();
  loss_of(y).backward();
  for (const Var& p : linear.weight().flat()) leaf_gradients.push_back(p.grad());
  for (const Var& p : linear.bias().flat()) leaf_gradients.push_back(p.grad());

  before = tape.size();
  EXPECT_TRUE(linear.forward_numbers(x_values, y));
  EXPECT_EQ(tape.size() - before, 3u * 2 * (3 + 1));  // in + 1 nodes per output
  number_values = nn::detach(y);
  tape.zero_grad();
  loss_of(y).backward();
  for (const Var& p : linear.weight().flat()) number_gradients.push_back(p.grad());
  for (const Var& p : linear.bias().flat()) number_gradients.push_back(p.grad());

  EXPECT_EQ(number_values, leaf_values);
  EXPECT_EQ(number_gradients, leaf_gradients);
  EXPECT_FALSE(nn::Sigmoid().forward_numbers(x_values, y));  // no number path: Sequential
                                                             // makes leaves instead
}

TEST(Ch02Linear, WrongShapesAndMisuseAreNamed) {
  Tape tape;
  nn::Generator generator;
  nn::Linear linear(2, 1);
  Matrix<Var> output;
  const Matrix<Var> three_columns = nn::leaves(tape, Matrix<double>{{1, 2, 3}});
  EXPECT_THROW(linear.forward(three_columns, output), std::logic_error);  // no parameters yet
  linear.initialize(tape, generator);
  const std::string message =
      invalid_argument_message([&] { linear.forward(three_columns, output); });
  EXPECT_TRUE(contains(message, "3 columns")) << message;
  EXPECT_TRUE(contains(message, "in_features is 2")) << message;
  const std::string numbers_message = invalid_argument_message([&] {
    linear.forward_numbers(Matrix<double>{{1, 2, 3}}, output);
  });
  EXPECT_EQ(numbers_message, message);

  EXPECT_TRUE(contains(invalid_argument_message([] { nn::Linear(0, 1); }), "Linear(0, 1)"));
  EXPECT_THROW(nn::Linear(2, 0), std::invalid_argument);
  EXPECT_EQ(linear.name(), "Linear(in_features=2, out_features=1, bias=True)");
}

// The weights and biases are leaves on one tape, which holds at most 2^32 - 1 nodes: a layer with
// more parameters than that is refused when it is made, naming its sizes, and never built with
// in * out wrapped around to a few weights (or none).
TEST(Ch02Linear, SizesWhoseParametersATapeCannotHoldAreRefused) {
  const std::size_t huge = std::size_t{1} << 62;  // huge * 4 wraps to 0 on 64 bits
  const std::string message = message_of<std::length_error>([&] { nn::Linear(huge, 4); });
  EXPECT_TRUE(contains(message, "Linear(" + std::to_string(huge) + ", 4)")) << message;
  EXPECT_TRUE(contains(message, "2^32 - 1")) << message;
  EXPECT_THROW(nn::Linear(4, huge), std::length_error);
  // (in + 1) * out parameters: 65535 * 65537 = 2^32 - 1 fits, 65536 * 65536 = 2^32 does not.
  EXPECT_EQ(nn::Linear(65534, 65537).in_features(), 65534u);
  EXPECT_THROW(nn::Linear(65535, 65536), std::length_error);
  EXPECT_EQ(nn::Linear(1, (std::size_t{1} << 31) - 1).out_features(), (std::size_t{1} << 31) - 1);
  EXPECT_THROW(nn::Linear(1, std::size_t{1} << 31), std::length_error);
}

TEST(Ch02Activations, SigmoidForwardAndBackward) {
  Tape tape;
  const Matrix<double> x_values{{-800.0, -2.0, 0.0}, {0.5, 3.0, 800.0}};
  const Matrix<Var> x = nn::leaves(tape, x_values);
  Matrix<Var> y;
  nn::Sigmoid().forward(x, y);
  ASSERT_EQ(nn::shape_string(y), "2 x 3");
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t c = 0; c < 3; ++c) {
      const double v = x_values(r, c);
      const double expected = 1.0 / (1.0 + std::exp(-v));
      EXPECT_NEAR(y(r, c).value(), expected, 1e-16);
      tape.zero_grad();
      y(r, c).backward();
      // sigmoid' = sigmoid (1 - sigmoid); at +-800 it underflows to 0, never NaN. The closed form
      // loses a few bits to 1 - sigmoid near 1, hence 1e-15.
      EXPECT_NEAR(x(r, c).grad(), expected * (1.0 - expected), 1e-15) << v;
    }
  EXPECT_EQ(nn::Sigmoid().name(), "Sigmoid()");
}

TEST(Ch02Activations, SigmoidPassesGradcheck) {
  const auto f = [](std::span<const Var> v) {
    Matrix<Var> in(1, 2), out;
    in(0, 0) = v[0];
    in(0, 1) = v[1];
    nn::Sigmoid().forward(in, out);
    return out(0, 0) * out(0, 1);
  };
  const auto result = autodiff::gradcheck(f, std::vector<double>{0.3, -1.7});
  EXPECT_TRUE(result.passed) << result.worst_relative_error;
}

TEST(Ch02Activations, ReLUForwardAndBackwardWithZeroAtTheKink) {
  Tape tape;
  const Matrix<Var> x = nn::leaves(tape, Matrix<double>{{-1.5, 0.0, 2.5}});
  Matrix<Var> y;
  nn::ReLU().forward(x, y);
  const double expected_value[] = {0.0, 0.0, 2.5};
  const double expected_grad[] = {0.0, 0.0, 1.0};  // PyTorch's choice at 0
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(y(0, c).value(), expected_value[c]);
    tape.zero_grad();
    y(0, c).backward();
    EXPECT_EQ(x(0, c).grad(), expected_grad[c]);
  }
  EXPECT_EQ(nn::ReLU().name(), "ReLU()");
}

}  // namespace
