// Chapter 9's exercises: the stable cross-entropy (9.1, nn::cross_entropy), the logit-difference
// layer (9.2, nn::LogitDifference::forward) and measuring a network on its logit (9.3,
// attribution::measured_network). The loss is checked against closed forms (two classes:
// softplus of the logit gap) and PyTorch 1.13; the layer and the logit networks against the same
// arithmetic written out here, and on the logit every method against its closed form on neurons
// drawn at random.
#include <cmath>
#include <cstddef>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/metric.hpp"
#include "autodiff/gradcheck.hpp"
#include "autodiff/operations.hpp"
#include "nn/classifier.hpp"
#include "nn/cross_entropy_loss.hpp"
#include "nn/network.hpp"
#include "nn/random.hpp"

#include <gtest/gtest.h>

namespace {

using attribution::Metric;

double softplus(double x) { return std::fmax(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }
double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// Two classes: -log softmax(z)[t] = log(1 + e^(z_other - z_t)) = softplus(z_other - z_t).
TEST(Ch09Ex1CrossEntropy, TwoClassesIsSoftplusOfTheGap) {
  for (double a : {-3.0, -0.5, 0.0, 0.25, 2.0, 7.5})
    for (double b : {-4.0, -1.0, 0.0, 0.5, 3.0}) {
      const std::vector<double> z = {a, b};
      EXPECT_NEAR(nn::cross_entropy(z, 0), softplus(b - a), 1e-14) << a << " " << b;
      EXPECT_NEAR(nn::cross_entropy(z, 1), softplus(a - b), 1e-14) << a << " " << b;
    }
}

// Three classes, written out: log(e^a + e^b + e^c) - z_t.
TEST(Ch09Ex1CrossEntropy, ThreeClassesWrittenOut) {
  const std::vector<double> z = {0.1, 2.0, -1.0};
  const double logsumexp = std::log(std::exp(0.1) + std::exp(2.0) + std::exp(-1.0));
  for (std::size_t t = 0; t < 3; ++t) EXPECT_NEAR(nn::cross_entropy(z, t), logsumexp - z[t], 1e-14);
  const std::vector<double> equal = {3.0, 3.0, 3.0};
  EXPECT_NEAR(nn::cross_entropy(equal, 1), std::log(3.0), 1e-15);
}

// Logits whose exponentials overflow a double: the shifted form is exact, the naive one inf/NaN.
TEST(Ch09Ex1CrossEntropy, LargeLogitsDoNotOverflow) {
  EXPECT_EQ(nn::cross_entropy(std::vector<double>{1000.0, -1000.0}, 1), 2000.0);
  EXPECT_EQ(nn::cross_entropy(std::vector<double>{1000.0, -1000.0}, 0), 0.0);
  // m - z_t before log(sum): 1000 + log 2 - 1000 would keep only 13 of log 2's digits.
  EXPECT_NEAR(nn::cross_entropy(std::vector<double>{1000.0, 1000.0}, 0), std::log(2.0), 1e-15);
  EXPECT_EQ(nn::cross_entropy(std::vector<double>{-800.0, 700.0}, 1), 0.0);
  EXPECT_EQ(nn::cross_entropy(std::vector<double>{-800.0, 700.0}, 0), 1500.0);
}

// torch.nn.CrossEntropyLoss() (reduction mean) on float64 logits, PyTorch 1.13: the loss and
// x.grad after loss.backward(), copied with 17 digits.
TEST(Ch09Ex1CrossEntropy, MatchesPyTorch) {
  struct Case {
    nn::Matrix<double> logits;
    std::vector<std::size_t> labels;
    double loss;
    std::vector<double> grad;
  };
  const std::vector<Case> cases = {
      {{{1.5, -0.5}, {0.2, 0.3}, {-2.0, 4.0}},
       {0, 1, 0},
       2.257933452084758,
       {-0.03973430734070589, 0.03973430734070584, 0.15834027084035332, -0.15834027084035335,
        -0.33250912561445506, 0.3325091256144551}},
      {{{0.1, 2.0, -1.0}, {3.0, 3.0, 3.0}},
       {2, 1},
       2.1401983871286117,
       {0.06235373741509404, 0.4168905064389182, -0.47924424385401215, 0.16666666666666666,
        -0.33333333333333337, 0.16666666666666666}},
      {{{1000.0, -1000.0}, {-800.0, 700.0}}, {1, 1}, 1000.0, {0.5, -0.5, 0.0, 0.0}},
  };
  for (const Case& c : cases) {
    EXPECT_NEAR(nn::CrossEntropyLoss()(c.logits, c.labels), c.loss, 1e-14);
    autodiff::Tape tape;
    const nn::Matrix<autodiff::Var> z = nn::leaves(tape, c.logits);
    const autodiff::Var loss = nn::CrossEntropyLoss()(z, c.labels);
    EXPECT_NEAR(loss.value(), c.loss, 1e-14);
    loss.backward();
    for (std::size_t k = 0; k < c.grad.size(); ++k)
      EXPECT_NEAR(z.flat()[k].grad(), c.grad[k], 1e-15) << k;
  }
}

// The tape's gradient of the batch loss against central differences.
TEST(Ch09Ex1CrossEntropy, GradientPassesGradcheck) {
  const std::vector<std::size_t> labels = {2, 0};
  const auto loss = [&labels](std::span<const autodiff::Var> x) {
    nn::Matrix<autodiff::Var> z(2, 3);
    for (std::size_t k = 0; k < 6; ++k) z.flat()[k] = x[k];
    return nn::CrossEntropyLoss()(z, labels);
  };
  const auto result =
      autodiff::gradcheck(loss, std::vector<double>{0.3, -1.2, 2.0, 0.7, 0.7, -0.4});
  EXPECT_TRUE(result.passed) << result.worst_relative_error;
}

// logit(correct) - logit(incorrect), row by row, and its gradient +1 / -1.
TEST(Ch09Ex2LogitDifference, EachRowsDifferenceAndItsGradient) {
  autodiff::Tape tape;
  const nn::Matrix<double> logits = {{1.5, -0.5, 4.0}, {0.25, 2.0, -3.0}};
  const nn::Matrix<autodiff::Var> z = nn::leaves(tape, logits);
  nn::Matrix<autodiff::Var> out;
  nn::LogitDifference(2, 0).forward(z, out);
  ASSERT_EQ(out.rows(), 2u);
  ASSERT_EQ(out.cols(), 1u);
  EXPECT_EQ(out(0, 0).value(), 2.5);
  EXPECT_EQ(out(1, 0).value(), -3.25);
  (out(0, 0) + out(1, 0) * 2.0).backward();
  const std::vector<double> expected = {-1, 0, 1, -2, 0, 2};
  for (std::size_t k = 0; k < 6; ++k) EXPECT_EQ(z.flat()[k].grad(), expected[k]) << k;
  nn::LogitDifference(0, 1).forward(z, out);
  EXPECT_EQ(out(0, 0).value(), 2.0);
  EXPECT_EQ(out(1, 0).value(), -1.75);
}

// A classifier measured by LogitDifference gives the difference of its own two logits.
TEST(Ch09Ex2LogitDifference, AClassifierMeasuredByIt) {
  const nn::StateDict parameters = {{"model.0.weight", {0.5, -0.3, 0.2, 0.6, -0.4, 0.1}},
                                    {"model.0.bias", {0.1, -0.2, 0.3}},
                                    {"model.2.weight", {0.3, -0.5, 0.2, -0.1, 0.4, 0.6}},
                                    {"model.2.bias", {0.0, 0.05}}};
  autodiff::Tape tape;
  nn::Sequential logits = nn::classifier(tape, 2, 3, 2, parameters);
  nn::Sequential difference = nn::classifier(tape, 2, 3, 2, parameters, nn::LogitDifference(1, 0));
  const nn::Matrix<double> x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0.3, -2.0}};
  const nn::Matrix<double> z = logits.predict(x), d = difference.predict(x);
  ASSERT_EQ(d.cols(), 1u);
  for (std::size_t r = 0; r < x.rows(); ++r) EXPECT_EQ(d(r, 0), z(r, 1) - z(r, 0)) << r;
}

// The neuron's logit is w.x + b; the hidden network's is W2 relu(W1 x + b1) + b2, written out.
// The probability network is sigmoid of the same number.
TEST(Ch09Ex3MeasuredNetwork, TheLogitIsTheNetworkWithoutItsSigmoid) {
  const nn::StateDict neuron = {{"model.0.weight", {3.0482, 3.0556}}, {"model.0.bias", {-4.7946}}};
  const nn::StateDict hidden = {{"model.0.weight", {1.0, -2.0, 0.5, 0.5}},
                                {"model.0.bias", {0.25, -0.25}},
                                {"model.2.weight", {2.0, -3.0}},
                                {"model.2.bias", {0.5}}};
  const nn::Matrix<double> x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2.0, -0.5}};
  autodiff::Tape tape;
  nn::Sequential z = attribution::measured_network(tape, 2, 0, neuron, Metric::logit);
  nn::Sequential p = attribution::measured_network(tape, 2, 0, neuron, Metric::probability);
  nn::Sequential hz = attribution::measured_network(tape, 2, 2, hidden, Metric::logit);
  nn::Sequential hp = attribution::measured_network(tape, 2, 2, hidden, Metric::probability);
  EXPECT_EQ(z.size(), 1u);
  EXPECT_EQ(hz.size(), 3u);
  EXPECT_EQ(z.state_dict(), neuron);
  EXPECT_EQ(hz.state_dict(), hidden);
  const nn::Matrix<double> zv = z.predict(x), pv = p.predict(x), hzv = hz.predict(x),
                           hpv = hp.predict(x);
  ASSERT_EQ(zv.cols(), 1u);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const double x1 = x(r, 0), x2 = x(r, 1);
    const double logit = 3.0482 * x1 + 3.0556 * x2 - 4.7946;
    EXPECT_NEAR(zv(r, 0), logit, 1e-15) << r;
    EXPECT_NEAR(pv(r, 0), sigmoid(logit), 1e-15) << r;
    const double h1 = std::fmax(1.0 * x1 - 2.0 * x2 + 0.25, 0.0);
    const double h2 = std::fmax(0.5 * x1 + 0.5 * x2 - 0.25, 0.0);
    const double hidden_logit = 2.0 * h1 - 3.0 * h2 + 0.5;
    EXPECT_NEAR(hzv(r, 0), hidden_logit, 1e-15) << r;
    EXPECT_NEAR(hpv(r, 0), sigmoid(hidden_logit), 1e-15) << r;
  }
}

// On any neuron's logit, not only the notebook's: IG_i = w_i (x_i - x'_i) to 1e-12 (for every
// rule: the gradient is constant) and both patching scores w_i (x_i - x'_i) / (z(x) - z(x')) to
// 1e-9. 300 neurons of 1 to 6 inputs, parameters and points drawn from a seed.
TEST(Ch09Ex3MeasuredNetwork, ClosedFormsOnAnyNeuronsLogit) {
  nn::Generator generator(2024);
  for (int k = 0; k < 300; ++k) {
    const std::size_t n = 1 + static_cast<std::size_t>(generator.randint(6));
    std::vector<double> w(n), x(n), x0(n);
    for (std::size_t i = 0; i < n; ++i) {
      w[i] = generator.uniform(-10.0, 10.0);
      x[i] = generator.uniform(-3.0, 3.0);
      x0[i] = generator.uniform(-3.0, 3.0);
    }
    const double b = generator.uniform(-10.0, 10.0);
    autodiff::Tape tape;
    nn::Sequential model = attribution::measured_neuron(tape, w, b, Metric::logit);
    double gap = 0.0;
    for (std::size_t i = 0; i < n; ++i) gap += w[i] * (x[i] - x0[i]);
    const attribution::Method method =
        k % 2 == 0 ? attribution::Method::gausslegendre : attribution::Method::riemann_left;
    const auto ig = attribution::integrated_gradients(model, x, x0, 7, method);
    const auto patching = attribution::patch_both_directions(model, nn::model_input, x, x0);
    ASSERT_TRUE(patching.denoising.scores && patching.noising.scores) << k;
    for (std::size_t i = 0; i < n; ++i) {
      const double closed = w[i] * (x[i] - x0[i]);
      EXPECT_NEAR(ig.attributions[i], closed, 1e-12) << k << " " << i;
      EXPECT_NEAR((*patching.denoising.scores)[i], closed / gap, 1e-9) << k << " " << i;
      EXPECT_NEAR((*patching.noising.scores)[i], closed / gap, 1e-9) << k << " " << i;
    }
  }
}

}  // namespace
