// Chapter 10's exercises: the skip block's forward pass (10.1, nn::HiddenWithSkip::forward),
// Pearson's r with its undefined cases (10.2, attribution::pearson) and the ends of the study's
// path (10.3, attribution::study_path). Checked against closed forms: the block's output by hand,
// r by hand and on affine images. Beside them, IG between two activation rows
// (attribution::integrated_gradients_between), which is chapter 4's sum (exercises 4.2 and 4.3)
// walked between any two points: along a path on which the logit is linear the integral is a
// difference of sigmoids.
#include <cmath>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <vector>

#include "attribution/correlation.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/residual_stream.hpp"
#include "autodiff/operations.hpp"
#include "nn/residual.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using test_support::contains;
using test_support::invalid_argument_message;

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// W = [[2, -1], [-1, 1], [0.5, 0.5]], b = [-0.5, 0.25, 0]; v = [1, -1, 2], u = [0.5, -0.25], c =
// 0.1.
nn::StateDict hand_set() {
  return {{"model.0.linear.weight", {2.0, -1.0, -1.0, 1.0, 0.5, 0.5}},
          {"model.0.linear.bias", {-0.5, 0.25, 0.0}},
          {"model.1.weight", {1.0, -1.0, 2.0, 0.5, -0.25}},
          {"model.1.bias", {0.1}}};
}

// Rows [0, 0], [1, 0], [0, 1], [1, 1], [-2, 3]: [relu(W x + b), x], a negative pre-activation
// giving 0.
TEST(Ch10Ex1SkipForward, HiddenNeuronsThenTheCopy) {
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, 2, 3, hand_set());
  const nn::Matrix<double> x = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {-2, 3}};
  const auto run = model.run_with_cache(x);
  const nn::Matrix<double>& out = run.cache["layer_0.output"];
  ASSERT_EQ(out.rows(), 5u);
  ASSERT_EQ(out.cols(), 5u);
  const double expected[5][5] = {{0.0, 0.25, 0.0, 0, 0},
                                 {1.5, 0.0, 0.5, 1, 0},
                                 {0.0, 1.25, 0.5, 0, 1},
                                 {0.5, 0.25, 1.0, 1, 1},
                                 {0.0, 5.25, 0.5, -2, 3}};
  for (std::size_t r = 0; r < 5; ++r)
    for (std::size_t j = 0; j < 5; ++j) EXPECT_DOUBLE_EQ(out(r, j), expected[r][j]) << r << j;
  // And the network's output from it: sigmoid(v . h + u . x + c).
  EXPECT_NEAR(run.output(3, 0), sigmoid(0.5 - 0.25 + 2.0 + 0.5 - 0.25 + 0.1), 1e-15);
}

// The copy is the input itself: d f / d x_i gets u_i through it, besides the path through h.
// At x = [1, 0]: h = [1.5, 0, 0.5], neurons 1 and 3 active; d logit / d x = v_1 W_1 + v_3 W_3 + u.
TEST(Ch10Ex1SkipForward, GradientsReachTheInputThroughTheCopy) {
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, 2, 3, hand_set());
  const nn::Matrix<autodiff::Var> x = nn::leaves(tape, nn::Matrix<double>{{1.0, 0.0}});
  const auto& y = model.forward(x);
  y(0, 0).backward();
  const double f = y(0, 0).value(), slope = f * (1.0 - f);
  EXPECT_NEAR(f, sigmoid(1.5 + 1.0 + 0.5 + 0.1), 1e-15);
  EXPECT_NEAR(x(0, 0).grad(), slope * (1.0 * 2.0 + 2.0 * 0.5 + 0.5), 1e-15);
  EXPECT_NEAR(x(0, 1).grad(), slope * (1.0 * -1.0 + 2.0 * 0.5 - 0.25), 1e-15);
}

TEST(Ch10Ex1SkipForward, ABatchOfOneAndAnEmptyBatch) {
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, 2, 3, hand_set());
  const auto one = model.run_with_cache(nn::Matrix<double>{{1.0, 1.0}});
  EXPECT_EQ(one.cache["layer_0.output"].cols(), 5u);
  EXPECT_EQ(one.cache["layer_0.output"](0, 4), 1.0);
  EXPECT_EQ(model.predict(nn::Matrix<double>(0, 2)).rows(), 0u);
}

// On a path where the logit is K + a s, IG_j = c_j d_j / s * (sigmoid(K + s) - sigmoid(K)).
TEST(Ch10IgBetweenRows, MatchesTheClosedForm) {
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, 2, 3, hand_set());
  const std::vector<double> weights = {1.0, -1.0, 2.0, 0.5, -0.25};
  const std::vector<double> start = {0.0, 1.0, 0.2, 0.0, 1.0}, end = {1.5, 0.5, 0.3, 1.0, -1.0};
  const std::vector<double> input = {0.0, 0.0};  // past the block, the model never reads it
  double k = 0.1, s = 0.0;
  for (std::size_t j = 0; j < 5; ++j) {
    k += weights[j] * start[j];
    s += weights[j] * (end[j] - start[j]);
  }
  const auto ig =
      attribution::integrated_gradients_between(model, "layer_0.output", input, start, end);
  ASSERT_EQ(ig.attributions.size(), 5u);
  double total = 0.0;
  for (std::size_t j = 0; j < 5; ++j) {
    EXPECT_NEAR(ig.attributions[j],
                weights[j] * (end[j] - start[j]) / s * (sigmoid(k + s) - sigmoid(k)), 1e-15)
        << j;
    total += ig.attributions[j];
  }
  EXPECT_NEAR(ig.f_start, sigmoid(k), 1e-15);
  EXPECT_NEAR(ig.f_end, sigmoid(k + s), 1e-15);
  EXPECT_NEAR(ig.convergence_delta, total - (ig.f_end - ig.f_start), 1e-17);
  EXPECT_LT(std::fabs(ig.convergence_delta), 1e-15);
  EXPECT_EQ(ig.start, start);
  EXPECT_EQ(ig.end, end);
  EXPECT_EQ(ig.n_steps, 50);
  EXPECT_EQ(ig.layer, "layer_0.output");
}

// At the network's input, from the baseline to the input, it is chapter 4's integrated gradients,
// and with a coarse rule its convergence delta is the rule's miss (riemann_left, 5 steps).
TEST(Ch10IgBetweenRows, AtTheInputItIsChapterFourIg) {
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, 2, 3, hand_set());
  const std::vector<double> x = {1.0, 1.0}, baseline = {0.0, 0.0};
  for (auto [n, method] : {std::pair{50, attribution::Method::gausslegendre},
                           std::pair{5, attribution::Method::riemann_left}}) {
    const auto between = attribution::integrated_gradients_between(model, "layer_0.input", x,
                                                                   baseline, x, n, method);
    const auto plain = attribution::integrated_gradients(model, x, baseline, n, method);
    for (std::size_t j = 0; j < 2; ++j)
      EXPECT_NEAR(between.attributions[j], plain.attributions[j], 1e-15) << n << j;
    EXPECT_NEAR(between.convergence_delta, plain.convergence_delta, 1e-15) << n;
  }
  const auto coarse = attribution::integrated_gradients_between(
      model, "layer_0.input", x, baseline, x, 5, attribution::Method::riemann_left);
  EXPECT_GT(std::fabs(coarse.convergence_delta), 1e-3);
}

// A path of length zero: nothing moves, every attribution and the delta are exactly 0; a component
// that does not move gets exactly 0 on any path.
TEST(Ch10IgBetweenRows, WhatDoesNotMoveGetsZero) {
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, 2, 3, hand_set());
  const std::vector<double> at = {1.0, 0.0, 0.5, 1.0, 0.0}, moved = {1.0, 2.0, 0.5, 1.0, 0.0};
  const auto still = attribution::integrated_gradients_between(model, "layer_0.output",
                                                               std::vector<double>{1, 0}, at, at);
  for (double a : still.attributions) EXPECT_EQ(a, 0.0);
  EXPECT_EQ(still.convergence_delta, 0.0);
  const auto one = attribution::integrated_gradients_between(model, "layer_0.output",
                                                             std::vector<double>{1, 0}, at, moved);
  for (std::size_t j : {0u, 2u, 3u, 4u}) EXPECT_EQ(one.attributions[j], 0.0) << j;
  // One coordinate moving: the fundamental theorem of calculus, f(end) - f(start).
  EXPECT_NEAR(one.attributions[1],
              sigmoid(1.0 - 2.0 + 1.0 + 0.5 + 0.1) - sigmoid(1.0 + 1.0 + 0.5 + 0.1), 1e-15);
}

TEST(Ch10Ex2Pearson, HandComputed) {
  // Means 2 and 2; sum of products 1, sums of squares 2 and 2: r = 1 / 2.
  EXPECT_DOUBLE_EQ(
      *attribution::pearson(std::vector<double>{1, 2, 3}, std::vector<double>{1, 3, 2}), 0.5);
  // x = (0, 1, 2, 3), y = (1, 0, 0, 1): centred y = (.5, -.5, -.5, .5), products sum 0: r = 0.
  EXPECT_NEAR(
      *attribution::pearson(std::vector<double>{0, 1, 2, 3}, std::vector<double>{1, 0, 0, 1}), 0.0,
      1e-15);
}

TEST(Ch10Ex2Pearson, AffineImagesAndSymmetry) {
  const std::vector<double> x = {0.3, -1.2, 2.5, 0.0, 4.1, -0.7};
  for (double a : {2.0, -0.5, 1e-3}) {
    std::vector<double> y;
    for (double v : x) y.push_back(a * v + 7.0);
    EXPECT_NEAR(*attribution::pearson(x, y), a > 0 ? 1.0 : -1.0, 1e-12);
  }
  const std::vector<double> z = {1.0, 0.0, 2.0, 5.0, -3.0, 0.5};
  const double r = *attribution::pearson(x, z);
  EXPECT_EQ(r, *attribution::pearson(z, x));
  EXPECT_GE(r, -1.0);
  EXPECT_LE(r, 1.0);
  // Centred sums: a large common offset does not lose the answer.
  std::vector<double> shifted;
  for (double v : x) shifted.push_back(v + 1e8);
  EXPECT_NEAR(*attribution::pearson(shifted, z), r, 1e-7);
}

TEST(Ch10Ex2Pearson, UndefinedForAConstantOrFewerThanTwo) {
  EXPECT_EQ(attribution::pearson(std::vector<double>{1, 2, 3}, std::vector<double>{4, 4, 4}),
            std::nullopt);
  EXPECT_EQ(attribution::pearson(std::vector<double>{0, 0}, std::vector<double>{1, 2}),
            std::nullopt);
  EXPECT_EQ(attribution::pearson(std::vector<double>{1}, std::vector<double>{2}), std::nullopt);
  EXPECT_EQ(attribution::pearson(std::vector<double>{}, std::vector<double>{}), std::nullopt);
  EXPECT_THROW(attribution::pearson(std::vector<double>{1, 2}, std::vector<double>{1, 2, 3}),
               std::invalid_argument);
  EXPECT_THROW(attribution::pearson(std::vector<double>{1, INFINITY}, std::vector<double>{1, 2}),
               std::invalid_argument);
}

TEST(Ch10Ex2Pearson, ValuesAndUndefinedCases) {
  const std::vector<double> x = {1, 2, 3, 4}, y = {2, 4, 6, 8}, z = {4, 3, 2, 1};
  EXPECT_NEAR(*attribution::pearson(x, y), 1.0, 1e-15);
  EXPECT_NEAR(*attribution::pearson(x, z), -1.0, 1e-15);
  // Against {1, 3, 2, 4}: deviations (-1.5, -0.5, 0.5, 1.5) and (-1.5, 0.5, -0.5, 1.5), r = 4 / 5.
  EXPECT_NEAR(*attribution::pearson(x, std::vector<double>{1, 3, 2, 4}), 0.8, 1e-15);
  EXPECT_EQ(attribution::pearson(x, std::vector<double>{5, 5, 5, 5}), std::nullopt);
  EXPECT_EQ(attribution::pearson(std::vector<double>{0.1, 0.1, 0.1}, std::vector<double>{1, 2, 3}),
            std::nullopt);
  EXPECT_EQ(attribution::pearson(std::vector<double>{1}, std::vector<double>{2}), std::nullopt);
  EXPECT_EQ(attribution::pearson(std::vector<double>{}, std::vector<double>{}), std::nullopt);
  EXPECT_EQ(attribution::pearson(std::vector<double>{0.0, 1e-200}, std::vector<double>{1.0, 2.0}),
            std::nullopt);
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         attribution::pearson(x, std::vector<double>{1, 2});
                       }),
                       "x has 4 components but y has 2"));
  EXPECT_TRUE(contains(
      invalid_argument_message([&] {
        attribution::pearson(std::vector<double>{1, std::nan("")}, std::vector<double>{1, 2});
      }),
      "not finite"));
}

TEST(Ch10Ex3StudyPath, StartAtTheBaseEndWithTheComponentsFromTheSource) {
  const std::vector<double> base = {1, 2, 3, 4}, source = {10, 20, 30, 40};
  const std::vector<std::size_t> two = {2, 0}, none = {}, all = {0, 1, 2, 3};
  const attribution::PathEnds ends = attribution::study_path(base, source, two);
  EXPECT_EQ(ends.start, base);
  EXPECT_EQ(ends.end, (std::vector<double>{10, 2, 30, 4}));
  const attribution::PathEnds still = attribution::study_path(base, source, none);
  EXPECT_EQ(still.start, base);
  EXPECT_EQ(still.end, base);
  EXPECT_EQ(attribution::study_path(base, source, all).end, source);
}

TEST(Ch10Ex3StudyPath, AComponentOutOfRangeIsAnError) {
  const std::vector<double> base = {1, 2, 3}, source = {4, 5, 6};
  const std::vector<std::size_t> far = {1, 3};
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { attribution::study_path(base, source, far); }),
               "component 3 is out of range; the activation has 3 components"));
}

}  // namespace
