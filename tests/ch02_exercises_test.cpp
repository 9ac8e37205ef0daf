// Chapter 2's exercises: Linear's forward pass (y = x W^T + b, on numbers and on Vars) and
// Sequential::run_with_cache. The expected numbers are computed by hand in the tests, in plain
// doubles, so that any correct implementation passes whatever order it sums in.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/activations.hpp"
#include "nn/hooks.hpp"
#include "nn/linear.hpp"
#include "nn/matrix.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using autodiff::Var;
using nn::Matrix;

namespace {

// ---- Exercise 2.1: Linear's forward pass ------------------------------------------------------
// Ch02Ex1LinearForward: y(r, j) = sum_i x(r, i) W(j, i) + b(j) for weights set by hand, with plain
// numbers (forward_numbers) and Vars (forward) as input, several rows, a single input feature; the
// output's shape; and by backward, dy(r,j)/dx(r,i) = W(j,i), dy(r,j)/dW(j,i) = x(r,i),
// dy(r,j)/db(j) = 1, with nothing reaching the other rows and outputs.

// A Linear(in, out) whose weight and bias are the given numbers.
nn::Linear linear_with(Tape& tape, const Matrix<double>& weight, const std::vector<double>& bias) {
  nn::Linear linear(weight.cols(), weight.rows());
  nn::Generator generator(1);
  linear.initialize(tape, generator);
  for (std::size_t j = 0; j < weight.rows(); ++j) {
    for (std::size_t i = 0; i < weight.cols(); ++i) linear.weight()(j, i).set_value(weight(j, i));
    linear.bias()(0, j).set_value(bias[j]);
  }
  return linear;
}

// x W^T + b in plain doubles.
Matrix<double> affine_by_hand(const Matrix<double>& x, const Matrix<double>& weight,
                              const std::vector<double>& bias) {
  Matrix<double> y(x.rows(), weight.rows());
  for (std::size_t r = 0; r < x.rows(); ++r)
    for (std::size_t j = 0; j < weight.rows(); ++j) {
      double z = bias[j];
      for (std::size_t i = 0; i < x.cols(); ++i) z += x(r, i) * weight(j, i);
      y(r, j) = z;
    }
  return y;
}

const Matrix<double> weight_3_to_2{{0.5, -1.25, 2.0}, {-0.75, 0.125, 1.5}};
const std::vector<double> bias_2{0.25, -2.0};
const Matrix<double> rows_of_3{{1.0, 2.0, 3.0}, {-0.5, 0.0, 4.0}, {0.3, -0.7, 0.1}, {0, 0, 0}};

void expect_matrix_near(const Matrix<Var>& y, const Matrix<double>& expected) {
  ASSERT_EQ(y.rows(), expected.rows());
  ASSERT_EQ(y.cols(), expected.cols());
  for (std::size_t r = 0; r < y.rows(); ++r)
    for (std::size_t j = 0; j < y.cols(); ++j)
      EXPECT_NEAR(y(r, j).value(), expected(r, j), 1e-14) << "y(" << r << ", " << j << ")";
}

TEST(Ch02Ex1LinearForward, NumbersGiveXWTransposedPlusB) {
  Tape tape;
  const nn::Linear linear = linear_with(tape, weight_3_to_2, bias_2);
  Matrix<Var> y;
  ASSERT_TRUE(linear.forward_numbers(rows_of_3, y));
  expect_matrix_near(y, affine_by_hand(rows_of_3, weight_3_to_2, bias_2));
  EXPECT_EQ(y(3, 0).value(), 0.25);  // a zero row gives the bias
  EXPECT_EQ(y(3, 1).value(), -2.0);
}

TEST(Ch02Ex1LinearForward, VarsGiveXWTransposedPlusB) {
  Tape tape;
  const nn::Linear linear = linear_with(tape, weight_3_to_2, bias_2);
  Matrix<Var> y;
  linear.forward(nn::leaves(tape, rows_of_3), y);
  expect_matrix_near(y, affine_by_hand(rows_of_3, weight_3_to_2, bias_2));
}

TEST(Ch02Ex1LinearForward, OutputHasOneRowPerInputRowAndOneColumnPerOutFeature) {
  Tape tape;
  const nn::Linear linear = linear_with(tape, weight_3_to_2, bias_2);
  Matrix<Var> y(7, 5);  // a buffer of another shape is reshaped
  ASSERT_TRUE(linear.forward_numbers(Matrix<double>{{1, 2, 3}}, y));
  EXPECT_EQ(nn::shape_string(y), "1 x 2");
  linear.forward(nn::leaves(tape, rows_of_3), y);
  EXPECT_EQ(nn::shape_string(y), "4 x 2");
}

TEST(Ch02Ex1LinearForward, OneInputFeatureAndManyOutputs) {
  // in_features = 1: y(r, j) = x(r) W(j, 0) + b(j).
  Tape tape;
  const Matrix<double> weight{{2.0}, {-3.0}, {0.5}};
  const std::vector<double> bias{1.0, 0.0, -1.0};
  const nn::Linear linear = linear_with(tape, weight, bias);
  const Matrix<double> x{{1.5}, {-2.0}};
  Matrix<Var> from_numbers, from_vars;
  ASSERT_TRUE(linear.forward_numbers(x, from_numbers));
  linear.forward(nn::leaves(tape, x), from_vars);
  expect_matrix_near(from_numbers, affine_by_hand(x, weight, bias));
  expect_matrix_near(from_vars, affine_by_hand(x, weight, bias));
}

TEST(Ch02Ex1LinearForward, BackwardGivesWForTheInputsAndXForTheWeights) {
  Tape tape;
  const nn::Linear linear = linear_with(tape, weight_3_to_2, bias_2);
  const Matrix<Var> x = nn::leaves(tape, rows_of_3);
  Matrix<Var> y;
  linear.forward(x, y);
  for (std::size_t r = 0; r < y.rows(); ++r)
    for (std::size_t j = 0; j < y.cols(); ++j) {
      tape.zero_grad();
      y(r, j).backward();
      for (std::size_t rr = 0; rr < x.rows(); ++rr)
        for (std::size_t i = 0; i < x.cols(); ++i)
          EXPECT_EQ(x(rr, i).grad(), rr == r ? weight_3_to_2(j, i) : 0.0)
              << "dy(" << r << ", " << j << ")/dx(" << rr << ", " << i << ")";
      for (std::size_t jj = 0; jj < y.cols(); ++jj) {
        for (std::size_t i = 0; i < x.cols(); ++i)
          EXPECT_EQ(linear.weight()(jj, i).grad(), jj == j ? rows_of_3(r, i) : 0.0)
              << "dy(" << r << ", " << j << ")/dW(" << jj << ", " << i << ")";
        EXPECT_EQ(linear.bias()(0, jj).grad(), jj == j ? 1.0 : 0.0)
            << "dy(" << r << ", " << j << ")/db(" << jj << ")";
      }
    }
}

TEST(Ch02Ex1LinearForward, NumbersGiveTheWeightsTheSameGradients) {
  // With plain numbers as input only the parameters are on the tape: dy(r,j)/dW(j,i) = x(r,i).
  Tape tape;
  const nn::Linear linear = linear_with(tape, weight_3_to_2, bias_2);
  Matrix<Var> y;
  ASSERT_TRUE(linear.forward_numbers(rows_of_3, y));
  for (std::size_t r = 0; r < y.rows(); ++r) {
    tape.zero_grad();
    y(r, 1).backward();
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(linear.weight()(1, i).grad(), rows_of_3(r, i)) << r << ", " << i;
      EXPECT_EQ(linear.weight()(0, i).grad(), 0.0) << r << ", " << i;
    }
    EXPECT_EQ(linear.bias()(0, 1).grad(), 1.0);
    EXPECT_EQ(linear.bias()(0, 0).grad(), 0.0);
  }
}

// ---- Exercise 2.2: run_with_cache
// ---------------------------------------------------------------- Ch02Ex2RunWithCache: every
// layer_K.input / layer_K.output of a two-layer network holds what a hand computation gives, the
// output equals predict(), the tape is as long after as before, and a hook's change is seen by the
// layers after it and recorded in the cache.

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// Linear(2, 2), ReLU, Linear(2, 1), Sigmoid with these weights.
constexpr double w1[2][2] = {{1.5, -2.0}, {-0.5, 1.0}}, b1[2] = {0.25, -0.75};
constexpr double w2[2] = {2.0, -3.0}, b2 = 0.5;

nn::Sequential hidden_layer_model(Tape& tape) {
  nn::Generator generator(0);
  nn::Sequential model(tape, generator, nn::Linear(2, 2), nn::ReLU(), nn::Linear(2, 1),
                       nn::Sigmoid());
  model.load_state_dict({{"model.0.weight", {w1[0][0], w1[0][1], w1[1][0], w1[1][1]}},
                         {"model.0.bias", {b1[0], b1[1]}},
                         {"model.2.weight", {w2[0], w2[1]}},
                         {"model.2.bias", {b2}}});
  return model;
}

const Matrix<double> four_rows{{1, 0}, {0, 1}, {1, 1}, {0.5, -0.5}};

// The four activations of one row by hand: z (layer 0's output), a = relu(z), u, sigmoid(u).
struct HandRun {
  double z[2], a[2], u, y;
};
HandRun by_hand(double x0, double x1) {
  HandRun h{};
  for (int j = 0; j < 2; ++j) {
    h.z[j] = w1[j][0] * x0 + w1[j][1] * x1 + b1[j];
    h.a[j] = std::fmax(h.z[j], 0.0);
  }
  h.u = w2[0] * h.a[0] + w2[1] * h.a[1] + b2;
  h.y = sigmoid(h.u);
  return h;
}

TEST(Ch02Ex2RunWithCache, EveryNameHoldsItsActivation) {
  Tape tape;
  nn::Sequential model = hidden_layer_model(tape);
  const nn::Sequential::CachedRun run = model.run_with_cache(four_rows);
  const nn::ActivationCache& cache = run.cache;
  ASSERT_EQ(cache.names(), model.hook_names());
  for (const std::string& name : model.hook_names()) {
    ASSERT_TRUE(cache.contains(name)) << name;
    EXPECT_EQ(cache[name].rows(), 4u) << name;
    EXPECT_EQ(cache[name].cols(), name == "layer_0.input" || name == "layer_0.output" ||
                                          name == "layer_1.input" || name == "layer_1.output" ||
                                          name == "layer_2.input"
                                      ? 2u
                                      : 1u)
        << name;
  }
  EXPECT_EQ(cache["layer_0.input"], four_rows);
  for (std::size_t r = 0; r < 4; ++r) {
    const HandRun h = by_hand(four_rows(r, 0), four_rows(r, 1));
    for (std::size_t j = 0; j < 2; ++j) {
      EXPECT_NEAR(cache["layer_0.output"](r, j), h.z[j], 1e-14) << r << ", " << j;
      EXPECT_NEAR(cache["layer_1.input"](r, j), h.z[j], 1e-14) << r << ", " << j;
      EXPECT_NEAR(cache["layer_1.output"](r, j), h.a[j], 1e-14) << r << ", " << j;
      EXPECT_NEAR(cache["layer_2.input"](r, j), h.a[j], 1e-14) << r << ", " << j;
    }
    EXPECT_NEAR(cache["layer_2.output"](r, 0), h.u, 1e-14) << r;
    EXPECT_NEAR(cache["layer_3.input"](r, 0), h.u, 1e-14) << r;
    EXPECT_NEAR(cache["layer_3.output"](r, 0), h.y, 1e-14) << r;
    EXPECT_NEAR(run.output(r, 0), h.y, 1e-14) << r;
  }
}

TEST(Ch02Ex2RunWithCache, OutputEqualsPredictAndTheTapeIsLeftAsItWas) {
  Tape tape;
  nn::Sequential model = hidden_layer_model(tape);
  const std::size_t nodes = tape.size();
  const nn::Sequential::CachedRun run = model.run_with_cache(four_rows);
  EXPECT_EQ(tape.size(), nodes);
  const Matrix<double> predicted = model.predict(four_rows);
  ASSERT_EQ(run.output.rows(), predicted.rows());
  ASSERT_EQ(run.output.cols(), predicted.cols());
  for (std::size_t r = 0; r < predicted.rows(); ++r)
    EXPECT_NEAR(run.output(r, 0), predicted(r, 0), 1e-15) << r;
  EXPECT_EQ(run.cache["layer_3.output"], run.output);
  // Twice in a row: the same numbers, and still no nodes left behind.
  const nn::Sequential::CachedRun again = model.run_with_cache(four_rows);
  EXPECT_EQ(tape.size(), nodes);
  EXPECT_EQ(again.output, run.output);
}

TEST(Ch02Ex2RunWithCache, AModelThatStartsWithoutALinearLayerCachesItsInputToo) {
  // A Sigmoid first has no number path: the input becomes leaves, and is cached all the same.
  Tape tape;
  nn::Generator generator(0);
  nn::Sequential model(tape, generator, nn::Sigmoid(), nn::Linear(2, 1));
  model.load_state_dict({{"model.1.weight", {1.0, -1.0}}, {"model.1.bias", {0.5}}});
  const std::size_t nodes = tape.size();
  const nn::Sequential::CachedRun run = model.run_with_cache(four_rows);
  EXPECT_EQ(tape.size(), nodes);
  EXPECT_EQ(run.cache["layer_0.input"], four_rows);
  for (std::size_t r = 0; r < 4; ++r) {
    const double s0 = sigmoid(four_rows(r, 0)), s1 = sigmoid(four_rows(r, 1));
    EXPECT_NEAR(run.cache["layer_0.output"](r, 0), s0, 1e-15);
    EXPECT_NEAR(run.cache["layer_1.input"](r, 1), s1, 1e-15);
    EXPECT_NEAR(run.cache["layer_1.output"](r, 0), s0 - s1 + 0.5, 1e-14);
    EXPECT_NEAR(run.output(r, 0), s0 - s1 + 0.5, 1e-14);
  }
}

TEST(Ch02Ex2RunWithCache, AHooksChangeIsSeenByLaterLayersAndInTheCache) {
  Tape tape;
  nn::Sequential model = hidden_layer_model(tape);
  const std::size_t nodes = tape.size();
  // Hidden neuron 1 (after the ReLU) pinned at 4 for every row.
  const nn::Sequential::CachedRun run =
      model.run_with_cache(four_rows, {{"layer_1.output", [&tape](Matrix<Var>& a) {
                                          for (std::size_t r = 0; r < a.rows(); ++r)
                                            a(r, 1) = tape.variable(4.0);
                                        }}});
  EXPECT_EQ(tape.size(), nodes);
  for (std::size_t r = 0; r < 4; ++r) {
    const HandRun h = by_hand(four_rows(r, 0), four_rows(r, 1));
    const double u = w2[0] * h.a[0] + w2[1] * 4.0 + b2;
    EXPECT_NEAR(run.cache["layer_1.input"](r, 1), h.z[1], 1e-14) << r;  // before the hook
    EXPECT_EQ(run.cache["layer_1.output"](r, 1), 4.0) << r;
    EXPECT_EQ(run.cache["layer_2.input"](r, 1), 4.0) << r;
    EXPECT_NEAR(run.cache["layer_1.output"](r, 0), h.a[0], 1e-14) << r;
    EXPECT_NEAR(run.cache["layer_2.output"](r, 0), u, 1e-14) << r;
    EXPECT_NEAR(run.output(r, 0), sigmoid(u), 1e-14) << r;
  }

  // A hook on the input: the cache holds the input as the first layer read it.
  const nn::Sequential::CachedRun doubled =
      model.run_with_cache(four_rows, {{"layer_0.input", [&tape](Matrix<Var>& x) {
                                          for (Var& v : x.flat())
                                            v = tape.variable(2.0 * v.value());
                                        }}});
  EXPECT_EQ(tape.size(), nodes);
  for (std::size_t r = 0; r < 4; ++r) {
    const HandRun h = by_hand(2.0 * four_rows(r, 0), 2.0 * four_rows(r, 1));
    EXPECT_EQ(doubled.cache["layer_0.input"](r, 0), 2.0 * four_rows(r, 0)) << r;
    EXPECT_EQ(doubled.cache["layer_0.input"](r, 1), 2.0 * four_rows(r, 1)) << r;
    EXPECT_NEAR(doubled.cache["layer_0.output"](r, 1), h.z[1], 1e-14) << r;
    EXPECT_NEAR(doubled.output(r, 0), h.y, 1e-14) << r;
  }
}

}  // namespace
