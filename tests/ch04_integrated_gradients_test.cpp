// Integrated gradients on the original notebook's two neurons: every entry of the reference file
// (exact quadrature and Captum itself), the closed form, the rules' convergence orders, symmetry,
// layer integrated gradients, every way to call it wrongly, and what a call leaves behind.
//
// The reference numbers are in reference_notebook_models.hpp, generated from
// shared/reference/notebook_models.json (its header names the key path of every number).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "attribution/closed_form.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/model_run.hpp"
#include "attribution/quadrature.hpp"
#include "autodiff/operations.hpp"
#include "autodiff/tape.hpp"
#include "nn/activations.hpp"
#include "nn/linear.hpp"
#include "nn/matrix.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"
#include "tests/chapter_output.hpp"
#include "tests/reference_notebook_models.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace reference = reference_notebook_models;
using attribution::integrated_gradients;
using attribution::IntegratedGradientsResult;
using attribution::layer_integrated_gradients;
using attribution::Method;
using reference::Direction;

namespace {

using test_support::convergence_slope;
using test_support::invalid_argument_message;

const std::vector<Method> all_methods = {Method::riemann_left, Method::riemann_right,
                                         Method::riemann_middle, Method::riemann_trapezoid,
                                         Method::gausslegendre};
const Direction all_directions[] = {Direction::clean_zero, Direction::corrupt_zero,
                                    Direction::clean_from_corrupt, Direction::corrupt_from_clean};

const char* direction_name(Direction direction) {
  switch (direction) {
    case Direction::clean_zero: return "clean_zero";
    case Direction::corrupt_zero: return "corrupt_zero";
    case Direction::clean_from_corrupt: return "clean_from_corrupt";
    case Direction::corrupt_from_clean: return "corrupt_from_clean";
  }
  return "?";
}

// The notebook's network, Sequential(Linear(2, 1), Sigmoid()), with a reference model's weights.
nn::Sequential notebook_neuron(autodiff::Tape& tape, const reference::Model& model) {
  nn::Generator generator(0);  // its draws are overwritten at once
  nn::Sequential neuron(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  neuron.load_state_dict(
      {{"model.0.weight", {model.weights[0], model.weights[1]}}, {"model.0.bias", {model.bias}}});
  return neuron;
}

struct Path {
  std::vector<double> input, baseline;
};

// The JSON's about.directions.
Path path_of(const reference::Pair& pair, Direction direction) {
  const std::vector<double> clean(pair.clean, pair.clean + 2);
  const std::vector<double> corrupt(pair.corrupt, pair.corrupt + 2);
  const std::vector<double> zero = {0.0, 0.0};
  switch (direction) {
    case Direction::clean_zero: return {clean, zero};
    case Direction::corrupt_zero: return {corrupt, zero};
    case Direction::clean_from_corrupt: return {clean, corrupt};
    case Direction::corrupt_from_clean: return {corrupt, clean};
  }
  throw std::logic_error("path_of: not a direction");
}

std::string describe(const reference::IntegratedGradientsEntry& e) {
  return std::string(reference::models[e.model].name) + " " +
         reference::models[e.model].pairs[e.pair].name + " " + direction_name(e.direction) + " " +
         e.method + " n_steps = " + std::to_string(e.n_steps);
}

double sigmoid_slope(double z) {
  const double s = autodiff::sigmoid(z);
  return s * (1.0 - s);
}

// The gradient of the output with respect to the named activation, at its own value on `input`:
// the integrand of integrated gradients at one point, as a batch of one row.
std::vector<double> gradient_at(nn::Sequential& model, std::string_view layer,
                                std::span<const double> input) {
  const attribution::ModelRun run = attribution::run_model(model, layer, input);
  nn::Matrix<double> values(1, run.activation.size());
  for (std::size_t j = 0; j < run.activation.size(); ++j) values(0, j) = run.activation[j];
  const nn::Matrix<double> gradients =
      attribution::gradients_with_activation(model, layer, input, values);
  return {gradients.row(0).begin(), gradients.row(0).end()};
}

// The gradient when the activation is replaced by `values`: gradients_with_activation on one row.
std::vector<double> one_row_gradient(nn::Sequential& model, std::string_view layer,
                                     std::span<const double> input,
                                     std::span<const double> values) {
  nn::Matrix<double> row(1, values.size());
  for (std::size_t j = 0; j < values.size(); ++j) row(0, j) = values[j];
  const nn::Matrix<double> gradients =
      attribution::gradients_with_activation(model, layer, input, row);
  return {gradients.row(0).begin(), gradients.row(0).end()};
}

// (x_i - x'_i) w_i sigmoid'(z) at the point alpha of the path: a one-node rule's attribution.
std::vector<double> one_node_attributions(const reference::Model& model, const Path& path,
                                          double alpha) {
  double z = model.bias;
  for (int i = 0; i < 2; ++i)
    z += model.weights[i] * (path.baseline[i] + alpha * (path.input[i] - path.baseline[i]));
  std::vector<double> result(2);
  for (int i = 0; i < 2; ++i)
    result[i] = (path.input[i] - path.baseline[i]) * model.weights[i] * sigmoid_slope(z);
  return result;
}

}  // namespace

// The reference's ig_quadrature sums the same exact nodes and weights in float64, so only the
// order of the sums differs: 1e-12 leaves room for the Gauss–Legendre nodes (within 1e-16 of
// numpy's) at n_steps = 300.
TEST(Ch04IntegratedGradients, EqualsExactQuadratureForEveryReferenceEntry) {
  double largest = 0.0;
  int compared = 0;
  for (const reference::IntegratedGradientsEntry& e : reference::ig_entries) {
    const reference::Model& model_data = reference::models[e.model];
    const Path path = path_of(model_data.pairs[e.pair], e.direction);
    const Method method = attribution::parse_method(e.method);
    autodiff::Tape tape;
    nn::Sequential model = notebook_neuron(tape, model_data);
    if (!e.quadrature_defined) {
      // null in the file: Captum's rules refuse n_steps = 1. Here only the trapezoid does (its
      // two ends would be one node); the others are the one-node rules at 0, 1 and 1/2.
      EXPECT_EQ(e.n_steps, 1) << describe(e);
      if (method == Method::riemann_trapezoid) {
        EXPECT_THROW(integrated_gradients(model, path.input, path.baseline, 1, method),
                     std::invalid_argument)
            << describe(e);
        continue;
      }
      const double alpha = method == Method::riemann_left    ? 0.0
                           : method == Method::riemann_right ? 1.0
                                                             : 0.5;
      const std::vector<double> expected = one_node_attributions(model_data, path, alpha);
      const IntegratedGradientsResult result =
          integrated_gradients(model, path.input, path.baseline, 1, method);
      for (int i = 0; i < 2; ++i)
        EXPECT_NEAR(result.attributions[i], expected[i], 1e-15) << describe(e) << " input " << i;
      continue;
    }
    const IntegratedGradientsResult result =
        integrated_gradients(model, path.input, path.baseline, e.n_steps, method);
    ASSERT_EQ(result.attributions.size(), 2u) << describe(e);
    for (int i = 0; i < 2; ++i) {
      const double difference = std::fabs(result.attributions[i] - e.quadrature[i]);
      largest = std::max(largest, difference);
      EXPECT_LE(difference, 1e-12) << describe(e) << " input " << i << ": "
                                   << result.attributions[i] << " vs " << e.quadrature[i];
    }
    ++compared;
  }
  // Every entry but the four Riemann rules at n_steps = 1, for 2 models, 3 pairs, 4 directions.
  EXPECT_EQ(compared, 2 * 3 * 4 * (5 * 9 - 4));
  std::printf("[ largest  ] |IG - ig_quadrature| = %.3g over %d entries\n", largest, compared);
}

// Captum rounds its nodes and weights to float32 (relative errors near 6e-8), hence 1e-6. Its
// riemann_trapezoid weighs every node 1/n instead of 1/(n-1): its attributions are ours times
// (n-1)/n, a real difference (half the value at n = 2), so ours is compared after that scaling.
TEST(Ch04IntegratedGradients, EqualsCaptumUpToItsFloat32Nodes) {
  double largest = 0.0;
  int compared = 0;
  for (const reference::IntegratedGradientsEntry& e : reference::ig_entries) {
    if (!e.captum_ran) {
      EXPECT_EQ(e.n_steps, 1) << describe(e);  // Captum's "number of steps has to be > 1"
      continue;
    }
    const reference::Model& model_data = reference::models[e.model];
    const Path path = path_of(model_data.pairs[e.pair], e.direction);
    const Method method = attribution::parse_method(e.method);
    autodiff::Tape tape;
    nn::Sequential model = notebook_neuron(tape, model_data);
    const IntegratedGradientsResult result =
        integrated_gradients(model, path.input, path.baseline, e.n_steps, method);
    const double captum_factor =
        method == Method::riemann_trapezoid ? (e.n_steps - 1.0) / e.n_steps : 1.0;
    for (int i = 0; i < 2; ++i) {
      const double difference = std::fabs(captum_factor * result.attributions[i] - e.captum[i]);
      if (method != Method::riemann_trapezoid) largest = std::max(largest, difference);
      EXPECT_LE(difference, 1e-6) << describe(e) << " input " << i << ": " << result.attributions[i]
                                  << " vs Captum " << e.captum[i];
    }
    ++compared;
  }
  EXPECT_EQ(compared, 2 * 3 * 4 * (5 * 9 - 4));  // Captum's gausslegendre accepts n_steps = 1
  std::printf("[ largest  ] |IG - ig_captum_float64| = %.3g over %d entries (trapezoid scaled)\n",
              largest, compared);
}

// The reference's closed form is within 2.3e-16 of a 60-digit evaluation on every entry. Written as
// the difference quotient (sigmoid(z1) - sigmoid(z0)) / (z1 - z0) it loses digits when z1 is
// close to z0: on OR's [1, 0] against [0, 1] (z1 - z0 = -0.0031) the two sigmoids agree in their
// first four digits and the quotient is 8e-14 off; sigmoid(z1) - sigmoid(z0) =
// sinh(dz / 2) / (2 cosh(z1 / 2) cosh(z0 / 2)) has no such cancellation.
TEST(Ch04IntegratedGradients, ClosedFormEqualsReference) {
  for (const reference::Model& model : reference::models)
    for (const reference::Pair& pair : model.pairs)
      for (Direction direction : all_directions) {
        const Path path = path_of(pair, direction);
        const std::vector<double> closed = attribution::neuron_integrated_gradients(
            model.weights, model.bias, path.input, path.baseline);
        const double* expected = pair.ig_closed_form[static_cast<int>(direction)];
        for (int i = 0; i < 2; ++i)
          EXPECT_NEAR(closed[i], expected[i], 1e-15)
              << model.name << " " << pair.name << " " << direction_name(direction) << " " << i;
      }
}

// Gauss–Legendre with 50 nodes is exact to rounding on these integrands (on AND's [1, 1] from
// [0, 0] its error is below 1e-14 from n_steps = 19 on, see ConvergenceOrdersOnTheAndNeuron), so
// it must meet the closed form and be complete: the attributions add up to f(input) - f(baseline).
TEST(Ch04IntegratedGradients, GaussLegendreFiftyEqualsClosedFormAndIsComplete) {
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs)
      for (Direction direction : all_directions) {
        const Path path = path_of(pair, direction);
        autodiff::Tape tape;
        nn::Sequential model = notebook_neuron(tape, model_data);
        const IntegratedGradientsResult result =
            integrated_gradients(model, path.input, path.baseline);  // the defaults
        const std::string where =
            std::string(model_data.name) + " " + pair.name + " " + direction_name(direction);
        EXPECT_EQ(result.method, Method::gausslegendre) << where;
        EXPECT_EQ(result.n_steps, 50) << where;
        EXPECT_EQ(result.layer, "layer_0.input") << where;
        const double* closed = pair.ig_closed_form[static_cast<int>(direction)];
        for (int i = 0; i < 2; ++i) EXPECT_NEAR(result.attributions[i], closed[i], 1e-12) << where;
        EXPECT_LT(std::fabs(result.convergence_delta), 1e-12) << where;
        EXPECT_NEAR(
            result.convergence_delta,
            result.attributions[0] + result.attributions[1] - (result.f_input - result.f_baseline),
            1e-16)
            << where;
        // f at the two ends, against PyTorch's (f at [0, 0] is the truth table's first row).
        const double f_zero = model_data.truth_table_outputs[0];
        const double f_input =
            direction == Direction::corrupt_zero || direction == Direction::corrupt_from_clean
                ? pair.f_corrupt
                : pair.f_clean;
        const double f_baseline = direction == Direction::clean_from_corrupt   ? pair.f_corrupt
                                  : direction == Direction::corrupt_from_clean ? pair.f_clean
                                                                               : f_zero;
        EXPECT_NEAR(result.f_input, f_input, 1e-15) << where;
        EXPECT_NEAR(result.f_baseline, f_baseline, 1e-15) << where;
      }
}

// On the AND neuron, clean [1, 1] from corrupt [0, 0], the error against the closed form falls as
// n^-1 for the left and right rules and n^-2 for the middle and trapezoid rules. Fitted over
// n = 10 .. 300 the slopes are -1.016, -0.983, -2.002 and -2.054; +-0.1 tells the orders apart
// with room to spare. Gauss–Legendre converges geometrically (the integrand sigmoid'(z) is
// analytic, with poles at z = +-i pi): 3.2e-8 at n = 10, below 1e-14 from n = 19 on.
TEST(Ch04IntegratedGradients, ConvergenceOrdersOnTheAndNeuron) {
  const reference::Model& model_data = reference::models[0];
  const reference::Pair& pair = model_data.pairs[0];
  ASSERT_STREQ(pair.name, "p11_00");
  const Path path = path_of(pair, Direction::clean_from_corrupt);
  const double* closed = pair.ig_closed_form[static_cast<int>(Direction::clean_from_corrupt)];
  autodiff::Tape tape;
  nn::Sequential model = notebook_neuron(tape, model_data);
  const auto error = [&](Method method, int n) {
    const IntegratedGradientsResult result =
        integrated_gradients(model, path.input, path.baseline, n, method);
    return std::max(std::fabs(result.attributions[0] - closed[0]),
                    std::fabs(result.attributions[1] - closed[1]));
  };
  const std::vector<int> ns = {10, 20, 30, 50, 100, 200, 300};
  const struct {
    Method method;
    double order;
  } expected[] = {{Method::riemann_left, -1.0},
                  {Method::riemann_right, -1.0},
                  {Method::riemann_middle, -2.0},
                  {Method::riemann_trapezoid, -2.0}};
  for (const auto& e : expected) {
    std::vector<double> errors;
    for (int n : ns) errors.push_back(error(e.method, n));
    const double slope = convergence_slope(ns, errors);
    EXPECT_NEAR(slope, e.order, 0.1) << attribution::method_name(e.method);
    std::printf("[ order    ] %-17s slope %.3f (error %.3g at n = 10, %.3g at n = 300)\n",
                attribution::method_name(e.method), slope, errors.front(), errors.back());
  }
  const double gauss_10 = error(Method::gausslegendre, 10);
  EXPECT_GT(gauss_10, 1e-9);  // not yet exact: the geometric rate is visible
  EXPECT_LT(gauss_10, 1e-7);
  EXPECT_LT(gauss_10, error(Method::riemann_middle, 300));  // 10 nodes beat 300
  for (int n : {20, 30, 50, 100, 200, 300})
    EXPECT_LT(error(Method::gausslegendre, n), 1e-14) << "gausslegendre n_steps = " << n;
  int first_exact = 0;
  for (int n = 1; n <= 30 && first_exact == 0; ++n)
    if (error(Method::gausslegendre, n) < 1e-14) first_exact = n;
  std::printf("[ order    ] gausslegendre     error %.3g at n = 10, below 1e-14 from n = %d\n",
              gauss_10, first_exact);
}

// The path from x' to x run backwards is the path from x to x' (alpha -> 1 - alpha), and every
// gradient on it is the same, while x - x' changes sign. The middle, trapezoid and Gauss–Legendre
// rules are symmetric under alpha -> 1 - alpha, so their attributions flip sign; the left rule
// becomes the right rule. Only rounding differs (the nodes alpha and 1 - alpha are each rounded,
// and x' + alpha (x - x') against x + (1 - alpha)(x' - x)): a few units in the last place of
// numbers below 1, so 1e-15 is allowed.
TEST(Ch04IntegratedGradients, SwappingInputAndBaselineFlipsEverySign) {
  double largest = 0.0;
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs)
      for (Method method : all_methods)
        for (int n : {2, 3, 10, 50}) {
          const std::vector<double> clean(pair.clean, pair.clean + 2);
          const std::vector<double> corrupt(pair.corrupt, pair.corrupt + 2);
          autodiff::Tape tape;
          nn::Sequential model = notebook_neuron(tape, model_data);
          const Method mirror = method == Method::riemann_left    ? Method::riemann_right
                                : method == Method::riemann_right ? Method::riemann_left
                                                                  : method;
          const IntegratedGradientsResult forward =
              integrated_gradients(model, clean, corrupt, n, method);
          const IntegratedGradientsResult backward =
              integrated_gradients(model, corrupt, clean, n, mirror);
          for (int i = 0; i < 2; ++i) {
            largest =
                std::max(largest, std::fabs(forward.attributions[i] + backward.attributions[i]));
            EXPECT_NEAR(forward.attributions[i], -backward.attributions[i], 1e-15)
                << model_data.name << " " << pair.name << " " << attribution::method_name(method)
                << " n_steps = " << n << " input " << i;
          }
          EXPECT_NEAR(forward.convergence_delta, -backward.convergence_delta, 1e-15);
        }
  std::printf("[ largest  ] |IG(x, x') + IG(x', x)| = %.3g\n", largest);
}

TEST(Ch04IntegratedGradients, LayerIntegratedGradients) {
  for (const reference::Model& model_data : reference::models)
    for (const reference::Pair& pair : model_data.pairs) {
      const Path path = path_of(pair, Direction::clean_from_corrupt);
      autodiff::Tape tape;
      nn::Sequential model = notebook_neuron(tape, model_data);
      const std::string where = std::string(model_data.name) + " " + pair.name;

      // At the network's input, layer integrated gradients is plain integrated gradients.
      for (Method method : all_methods) {
        const IntegratedGradientsResult plain =
            integrated_gradients(model, path.input, path.baseline, 10, method);
        const IntegratedGradientsResult at_input = layer_integrated_gradients(
            model, "layer_0.input", path.input, path.baseline, 10, method);
        EXPECT_EQ(at_input.attributions, plain.attributions) << where;
        EXPECT_EQ(at_input.convergence_delta, plain.convergence_delta) << where;
      }

      // The logit z is one number: its one attribution is the whole effect f(x) - f(x')
      // (completeness with a single component), and it is the integral of sigmoid'(z) dz.
      const double gap = pair.f_clean - pair.f_corrupt;
      const IntegratedGradientsResult at_logit =
          layer_integrated_gradients(model, "layer_0.output", path.input, path.baseline);
      EXPECT_EQ(at_logit.layer, "layer_0.output") << where;
      // Captum's LayerIntegratedGradients is integrated_gradients given the layer.
      EXPECT_EQ(integrated_gradients(model, path.input, path.baseline, attribution::default_n_steps,
                                     attribution::default_method, "layer_0.output")
                    .attributions,
                at_logit.attributions)
          << where;
      ASSERT_EQ(at_logit.attributions.size(), 1u) << where;
      EXPECT_NEAR(at_logit.attributions[0], gap, 1e-12) << where;
      EXPECT_LT(std::fabs(at_logit.convergence_delta), 1e-12) << where;
      // layer_1.input is the same activation under its other name.
      const IntegratedGradientsResult at_layer_1_input =
          layer_integrated_gradients(model, "layer_1.input", path.input, path.baseline);
      EXPECT_EQ(at_layer_1_input.attributions, at_logit.attributions) << where;

      // At the output itself the gradient is 1 everywhere: even one left node is exact.
      const IntegratedGradientsResult at_output = layer_integrated_gradients(
          model, "layer_1.output", path.input, path.baseline, 1, Method::riemann_left);
      ASSERT_EQ(at_output.attributions.size(), 1u) << where;
      EXPECT_NEAR(at_output.attributions[0], gap, 1e-15) << where;
    }
}

// The integrand of integrated gradients at one point: w_i sigmoid'(z) at the input, and
// sigmoid'(z) at the logit.
TEST(Ch04IntegratedGradients, GradientAtAnActivationMatchesTheNeuronsDerivative) {
  const reference::Model& model_data = reference::models[0];
  autodiff::Tape tape;
  nn::Sequential model = notebook_neuron(tape, model_data);
  const std::vector<double> input = {0.7, -0.3};
  const double z = model_data.bias + model_data.weights[0] * 0.7 - model_data.weights[1] * 0.3;
  const std::vector<double> at_input = gradient_at(model, "layer_0.input", input);
  ASSERT_EQ(at_input.size(), 2u);
  for (int i = 0; i < 2; ++i)
    EXPECT_NEAR(at_input[i], model_data.weights[i] * sigmoid_slope(z), 1e-15);
  const std::vector<double> at_logit = gradient_at(model, "layer_0.output", input);
  ASSERT_EQ(at_logit.size(), 1u);
  EXPECT_NEAR(at_logit[0], sigmoid_slope(z), 1e-16);
}

// IG sends its steps through the model in batches of up to 1024 rows with one backward each. Rows
// never interact, so every row's gradient must be, to the bit, the one a run on that row alone
// gives — at the input and at a hidden layer, and across the batches of a long integral.
TEST(Ch04IntegratedGradients, BatchedGradientsAreTheOneRowGradientsToTheBit) {
  autodiff::Tape tape;
  nn::Generator generator(4);
  nn::Sequential model(tape, generator, nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 1),
                       nn::Sigmoid());
  const std::vector<double> input = {1.0, 1.0}, baseline = {0.0, 0.0};
  for (const char* layer : {"layer_0.input", "layer_1.output"}) {
    const std::size_t width = std::string(layer) == "layer_0.input" ? 2 : 3;
    nn::Matrix<double> points(5, width);
    for (std::size_t k = 0; k < 5; ++k)
      for (std::size_t j = 0; j < width; ++j) points(k, j) = 0.3 * k - 0.2 * j + 0.1;
    const nn::Matrix<double> batched =
        attribution::gradients_with_activation(model, layer, input, points);
    ASSERT_EQ(nn::shape_string(batched), nn::shape_string(points)) << layer;
    for (std::size_t k = 0; k < 5; ++k) {
      const std::span<const double> row = points.row(k), gradients = batched.row(k);
      EXPECT_EQ(one_row_gradient(model, layer, input, row),
                std::vector<double>(gradients.begin(), gradients.end()))
          << layer << " row " << k;
    }
  }

  // 2500 steps: three batches (1024, 1024, 452), summed in step order as one step at a time would.
  const int n_steps = 2500;
  const IntegratedGradientsResult result =
      integrated_gradients(model, input, baseline, n_steps, Method::riemann_middle);
  const attribution::QuadratureRule rule =
      attribution::quadrature_rule(Method::riemann_middle, n_steps);
  std::vector<double> integral(2, 0.0), point(2);
  for (std::size_t k = 0; k < rule.alphas.size(); ++k) {
    for (std::size_t j = 0; j < 2; ++j)
      point[j] = baseline[j] + rule.alphas[k] * (input[j] - baseline[j]);
    const std::vector<double> gradient = one_row_gradient(model, "layer_0.input", input, point);
    for (std::size_t j = 0; j < 2; ++j) integral[j] += rule.weights[k] * gradient[j];
  }
  for (std::size_t j = 0; j < 2; ++j)
    EXPECT_EQ(result.attributions[j], (input[j] - baseline[j]) * integral[j]) << j;

  const std::string message = invalid_argument_message([&] {
    attribution::gradients_with_activation(model, "layer_1.output", input,
                                           nn::Matrix<double>(2, 2));
  });
  EXPECT_NE(message.find("patch_activation: the source is 2 x 2 but the activation is 2 x 3"),
            std::string::npos)
      << message;
  EXPECT_NE(invalid_argument_message([&] {
              attribution::gradients_with_activation(model, "layer_0.input", input,
                                                     nn::Matrix<double>(0, 2));
            }).find("0 rows"),
            std::string::npos);
}

TEST(Ch04IntegratedGradients, RejectsBadArgumentsWithClearMessages) {
  autodiff::Tape tape;
  nn::Sequential model = notebook_neuron(tape, reference::models[0]);
  const std::vector<double> x = {1.0, 1.0}, x0 = {0.0, 0.0};
  const std::size_t tape_size = tape.size();

  for (int n : {0, -1, attribution::max_n_steps + 1})
    for (Method method : all_methods) {
      const std::string message =
          invalid_argument_message([&] { integrated_gradients(model, x, x0, n, method); });
      EXPECT_NE(message.find("n_steps = " + std::to_string(n)), std::string::npos)
          << attribution::method_name(method) << " n_steps = " << n << ": '" << message << "'";
    }
  EXPECT_NE(invalid_argument_message([&] {
              integrated_gradients(model, x, x0, 1, Method::riemann_trapezoid);
            }).find("riemann_trapezoid needs n_steps >= 2"),
            std::string::npos);

  // A misspelt method (Captum's names are case-sensitive).
  for (const char* name : {"riemann", "Riemann_left", "gauss_legendre", ""}) {
    const std::string message = invalid_argument_message([&] { attribution::parse_method(name); });
    EXPECT_NE(message.find("'" + std::string(name) + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("gausslegendre"), std::string::npos) << message;  // lists the known
  }

  // Input and baseline of different lengths: the message names both lengths.
  const std::vector<double> three = {0.0, 0.0, 0.0};
  std::string message = invalid_argument_message([&] { integrated_gradients(model, x, three); });
  EXPECT_NE(message.find("input has 2"), std::string::npos) << message;
  EXPECT_NE(message.find("baseline has 3"), std::string::npos) << message;
  message = invalid_argument_message(
      [&] { layer_integrated_gradients(model, "layer_0.output", three, x0); });
  EXPECT_NE(message.find("input has 3"), std::string::npos) << message;
  EXPECT_NE(message.find("baseline has 2"), std::string::npos) << message;
  // Both of length 3, but the model takes 2: the model's own shape error.
  EXPECT_THROW(integrated_gradients(model, three, three), std::invalid_argument);

  // An activation the model does not have: named, with the ones it has.
  message =
      invalid_argument_message([&] { layer_integrated_gradients(model, "layer_2.output", x, x0); });
  EXPECT_NE(message.find("layer_2.output"), std::string::npos) << message;
  EXPECT_NE(message.find("layer_1.output"), std::string::npos) << message;
  EXPECT_THROW(
      attribution::gradients_with_activation(model, "layer_0", x, nn::Matrix<double>(1, 2)),
      std::invalid_argument);

  EXPECT_EQ(tape.size(), tape_size) << "a rejected call left nodes on the tape";

  // A model with two outputs has no single number to attribute.
  autodiff::Tape wide_tape;
  nn::Generator generator(0);
  nn::Sequential wide(wide_tape, generator, nn::Linear(2, 2), nn::Sigmoid());
  const std::size_t wide_size = wide_tape.size();
  message = invalid_argument_message([&] { integrated_gradients(wide, x, x0); });
  EXPECT_NE(message.find("one output number"), std::string::npos) << message;
  EXPECT_NE(message.find("1 x 2"), std::string::npos) << message;
  EXPECT_THROW(layer_integrated_gradients(wide, "layer_0.output", x, x0), std::invalid_argument);
  EXPECT_THROW(
      attribution::gradients_with_activation(wide, "layer_0.input", x, nn::Matrix<double>(1, 2)),
      std::invalid_argument);
  EXPECT_EQ(wide_tape.size(), wide_size);
}

// Captum takes its gradients with torch.autograd.grad, which leaves .grad alone: a call here must
// leave the tape's size, the parameters and their accumulated gradients exactly as it found them
// (an IG call in the middle of training must not change the step).
TEST(Ch04IntegratedGradients, LeavesTapeParametersAndTheirGradientsAsFound) {
  autodiff::Tape tape;
  nn::Sequential model = notebook_neuron(tape, reference::models[1]);
  // Some gradient already accumulated, as between a backward() and a step().
  nn::Matrix<double> row(1, 2);
  row(0, 0) = 0.3;
  row(0, 1) = 0.6;
  model.forward(row)(0, 0).backward();
  const std::vector<autodiff::Var> parameters = model.parameters();
  std::vector<double> gradients;
  for (const autodiff::Var& p : parameters) gradients.push_back(p.grad());
  ASSERT_NE(gradients[0], 0.0);
  const nn::StateDict state = model.state_dict();
  const std::size_t tape_size = tape.size();

  const std::vector<double> x = {1.0, 1.0}, x0 = {0.0, 0.0};
  integrated_gradients(model, x, x0, 300, Method::riemann_trapezoid);
  layer_integrated_gradients(model, "layer_0.output", x, x0);
  attribution::gradients_with_activation(model, "layer_0.input", x, nn::Matrix<double>(3, 2, 0.5));

  EXPECT_EQ(tape.size(), tape_size);
  for (std::size_t i = 0; i < parameters.size(); ++i)
    EXPECT_EQ(parameters[i].grad(), gradients[i]) << "parameter " << i;
  EXPECT_EQ(model.state_dict(), state);
}

namespace {

// A layer that breaks the tape's rule: on a batch of more than one row (the path's points, not the
// single-row runs at its two ends), its forward rewinds the tape to its start, under the model's
// parameters, as a layer running a training loop of its own on the model's tape might.
class RewindsTheTapeOnBatches : public nn::Layer {
 public:
  std::string name() const override { return "RewindsTheTapeOnBatches()"; }
  void initialize(autodiff::Tape& tape, nn::Generator& /*generator*/) override { tape_ = &tape; }
  void forward(const nn::Matrix<autodiff::Var>& input,
               nn::Matrix<autodiff::Var>& output) const override {
    output = input;
    if (input.rows() > 1) tape_->rewind({tape_, 0});
  }

 private:
  autodiff::Tape* tape_ = nullptr;
};

std::string logic_error_message(const auto& call) {
  return test_support::message_of<std::logic_error>(call);
}

}  // namespace

// The run puts the tape and the parameters' gradients back when it ends, normally or by an
// exception; a layer that rewound the tape under it leaves nothing to put back. That is a
// std::logic_error saying so, never an exception out of a destructor (std::terminate).
TEST(Ch04IntegratedGradients, ALayerThatRewindsTheTapeUnderAFailingRunIsNamed) {
  // The Linear after the rewinding layer gets Vars rewound away: the run itself throws.
  autodiff::Tape tape;
  nn::Generator generator(0);
  nn::Sequential model(tape, generator, RewindsTheTapeOnBatches(), nn::Linear(2, 1), nn::Sigmoid());
  const std::vector<double> x = {1.0, 1.0}, x0 = {0.0, 0.0};
  try {
    integrated_gradients(model, x, x0);
    FAIL() << "no exception";
  } catch (const std::logic_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("a layer rewound the tape during the run"), std::string::npos)
        << message;
    // The run's own error, which followed from the rewind, is nested in it.
    EXPECT_NE(logic_error_message([&] { std::rethrow_if_nested(error); }).find("rewound away"),
              std::string::npos);
  }
}

TEST(Ch04IntegratedGradients, ALayerThatRewindsTheTapeUnderASucceedingRunIsNamed) {
  // The gradients are taken after the rewinding layer, on nodes made after the rewind, so the run
  // succeeds; but the Linear's parameters were rewound away under it.
  autodiff::Tape tape;
  nn::Generator generator(0);
  nn::Sequential model(tape, generator, nn::Linear(2, 1), RewindsTheTapeOnBatches(), nn::Sigmoid());
  const std::vector<double> x = {1.0, 1.0}, x0 = {0.0, 0.0};
  const std::string message =
      logic_error_message([&] { layer_integrated_gradients(model, "layer_1.output", x, x0); });
  EXPECT_NE(message.find("a layer rewound the tape during the run"), std::string::npos) << message;
}

// The chapter's README shows what its program prints (tests/chapter_output.hpp).
TEST(Ch04Chapter, ReadmeShowsTheProgramOutput) {
  chapter_output::expect_readme_matches_program("ch04");
}
