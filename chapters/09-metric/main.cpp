// Chapter 9 — what the metric sees: logit or probability.
//
// The notebook's AND and OR neurons are measured twice between clean [1, 1] and corrupt [0, 0]: on
// their probability sigmoid(z), as chapters 4-8 do, and on their logit z = w.x + b, with each
// method's closed form beside it. Then two-class networks trained with softmax cross-entropy are
// measured as the study measures its models, by logit(correct) - logit(incorrect), without and with
// a hidden ReLU layer. Look at the denoising and noising columns: equal on the logit, apart on the
// probability, and apart again at the inputs of the ReLU network. The program checks every claim
// and exits with status 1 if one fails.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/metric.hpp"
#include "nn/classifier.hpp"
#include "nn/gates.hpp"
#include "nn/network.hpp"
#include "nn/random.hpp"

namespace {

using attribution::Metric;

bool all_checks_pass = true;
void check(bool holds, const std::string& what) {
  std::printf("  [%s] %s\n", holds ? "holds " : "FAILS ", what.c_str());
  all_checks_pass = all_checks_pass && holds;
}

std::string number(double value, const char* format) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

struct NotebookNeuron {
  const char* gate;
  std::vector<double> w;
  double b;
};
const std::vector<NotebookNeuron> notebook = {{"AND", {3.0482, 3.0556}, -4.7946},
                                              {"OR", {4.0211, 4.0242}, -1.4725}};
const std::vector<double> clean = {1, 1}, corrupt = {0, 0};

struct Measured {
  attribution::IntegratedGradientsResult ig;
  std::vector<double> shares;
  attribution::TwoWayPatching patching;
};

Measured measure(nn::Sequential& model, const std::string& layer) {
  Measured m;
  m.ig = attribution::integrated_gradients(model, clean, corrupt, attribution::default_n_steps,
                                           attribution::default_method, layer);
  m.shares = attribution::ig_shares(m.ig).value();
  m.patching = attribution::patch_both_directions(model, layer, clean, corrupt);
  return m;
}

// f(clean) - f(clean with input i corrupt) - f(corrupt with input i clean) + f(corrupt): how much
// input i's effect depends on the others. Zero for a function that adds its inputs' effects.
double interaction(const attribution::TwoWayPatching& p, std::size_t i) {
  return p.noising.differences[i] + p.denoising.differences[i];
}

double largest_gap(const std::vector<double>& a, const std::vector<double>& b) {
  double gap = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) gap = std::max(gap, std::fabs(a[i] - b[i]));
  return gap;
}

void print_rows(const char* label, const Measured& m, const std::vector<double>* closed_ig,
                const std::vector<double>* closed_score) {
  for (std::size_t i = 0; i < m.ig.attributions.size(); ++i) {
    const bool first = i == 0;
    const double ig = closed_ig ? (*closed_ig)[i] : m.ig.attributions[i];
    const double share = closed_score ? (*closed_score)[i] : m.shares[i];
    const double denoising = closed_score ? (*closed_score)[i] : (*m.patching.denoising.scores)[i];
    const double noising = closed_score ? (*closed_score)[i] : (*m.patching.noising.scores)[i];
    std::printf("%-19s %9s %10s  x%zu %9.6f %9.6f %10.6f %9.6f\n", first ? label : "",
                first ? number(m.ig.f_input, "%.6f").c_str() : "",
                first ? number(m.ig.f_baseline, "%.6f").c_str() : "", i + 1, ig, share, denoising,
                noising);
  }
}

void notebook_neurons() {
  std::printf(
      "The notebook's neurons between clean [1, 1] and corrupt [0, 0], measured on the\n"
      "probability sigmoid(z) and on the logit z = w.x + b. IG: gausslegendre, n_steps = 50.\n"
      "Closed forms on the logit: IG_i = w_i (x_i - x'_i), and both patching scores\n"
      "w_i (x_i - x'_i) / (z(clean) - z(corrupt)). The interaction of input i,\n"
      "I = f(clean) - f(clean, x_i corrupt) - f(corrupt, x_i clean) + f(corrupt), is the same\n"
      "for both inputs; it is 0 for a metric that adds the inputs' effects.\n\n");
  for (const NotebookNeuron& neuron : notebook) {
    autodiff::Tape tape;
    nn::Sequential p_model =
        attribution::measured_neuron(tape, neuron.w, neuron.b, Metric::probability);
    nn::Sequential z_model = attribution::measured_neuron(tape, neuron.w, neuron.b, Metric::logit);
    const Measured p = measure(p_model, std::string(nn::model_input));
    const Measured z = measure(z_model, std::string(nn::model_input));

    std::vector<double> closed_ig, closed_score;
    double gap = 0.0;
    for (std::size_t i = 0; i < 2; ++i) gap += neuron.w[i] * (clean[i] - corrupt[i]);
    for (std::size_t i = 0; i < 2; ++i) {
      closed_ig.push_back(neuron.w[i] * (clean[i] - corrupt[i]));
      closed_score.push_back(closed_ig[i] / gap);
    }

    std::printf("== %s: w = [%.4f, %.4f], b = %.4f ==\n", neuron.gate, neuron.w[0], neuron.w[1],
                neuron.b);
    std::printf("%-19s %9s %10s  %2s %9s %9s %10s %9s\n", "metric", "f(clean)", "f(corrupt)", "",
                "IG", "IG share", "denoising", "noising");
    print_rows("probability", p, nullptr, nullptr);
    print_rows("logit", z, nullptr, nullptr);
    print_rows("logit, closed form", z, &closed_ig, &closed_score);
    const double i_p = interaction(p.patching, 0), i_z = interaction(z.patching, 0);
    std::printf("interaction I: probability %.6f, logit %.1e\n", i_p, i_z);

    check(largest_gap(z.ig.attributions, closed_ig) <= 1e-12,
          "on the logit, IG_i = w_i (x_i - x'_i) within 1e-12");
    check(largest_gap(*z.patching.denoising.scores, closed_score) <= 1e-9 &&
              largest_gap(*z.patching.noising.scores, closed_score) <= 1e-9,
          "on the logit, denoising = noising = the closed form, within 1e-9");
    check(largest_gap(p.shares, z.shares) <= 1e-12,
          "IG's shares are the same on both metrics, within 1e-12");
    bool identity = true;
    for (std::size_t i = 0; i < 2; ++i) {
      const double asymmetry = (*p.patching.noising.scores)[i] - (*p.patching.denoising.scores)[i];
      identity = identity && std::fabs(asymmetry - interaction(p.patching, i) /
                                                       (p.ig.f_input - p.ig.f_baseline)) <= 1e-12;
    }
    check(identity,
          "on the probability, noising - denoising = I / (f(clean) - f(corrupt)) within 1e-12");
    const double moved = largest_gap(*p.patching.denoising.scores, closed_score);
    check(moved > 0.25, "patching's scores move with the metric, by up to " +
                            number(moved, "%.4f") + " here (more than 0.25)");
    std::printf("\n");
  }
}

// Any neuron, not only the notebook's: the logit's closed forms on neurons drawn from a seed.
void random_neurons() {
  nn::Generator generator(9);
  double worst_ig = 0.0, worst_score = 0.0;
  int measured = 0, zero_gaps = 0;
  constexpr int count = 200;
  for (int k = 0; k < count; ++k) {
    const std::size_t n = 1 + static_cast<std::size_t>(generator.randint(5));
    std::vector<double> w(n), x(n), x0(n);
    for (std::size_t i = 0; i < n; ++i) {
      w[i] = generator.uniform(-6.0, 6.0);
      x[i] = generator.uniform(-2.0, 2.0);
      x0[i] = generator.uniform(-2.0, 2.0);
    }
    const double b = generator.uniform(-6.0, 6.0);
    autodiff::Tape tape;
    nn::Sequential model = attribution::measured_neuron(tape, w, b, Metric::logit);
    const auto ig = attribution::integrated_gradients(model, x, x0);
    const auto patching = attribution::patch_both_directions(model, nn::model_input, x, x0);
    double gap = 0.0;
    for (std::size_t i = 0; i < n; ++i) gap += w[i] * (x[i] - x0[i]);
    for (std::size_t i = 0; i < n; ++i) {
      const double closed = w[i] * (x[i] - x0[i]);
      worst_ig = std::max(worst_ig, std::fabs(ig.attributions[i] - closed));
      if (!patching.noising.scores) continue;
      worst_score =
          std::max({worst_score, std::fabs((*patching.denoising.scores)[i] - closed / gap),
                    std::fabs((*patching.noising.scores)[i] - closed / gap)});
    }
    ++measured;
    zero_gaps += patching.noising.scores ? 0 : 1;
  }
  std::printf(
      "%d neurons drawn from seed 9 (1 to 5 inputs, w and b in [-6, 6), x and x' in [-2, 2)),\n"
      "on the logit: largest |IG_i - w_i (x_i - x'_i)| = %.1e, largest patching score error %.1e\n",
      measured, worst_ig, worst_score);
  check(worst_ig <= 1e-12 && worst_score <= 1e-9 && zero_gaps == 0,
        "the closed forms hold on every neuron drawn (IG 1e-12, patching 1e-9)");
  std::printf("\n");
}

struct ClassifierRun {
  nn::StateDict parameters;
  double final_loss = 0.0;
  bool classifies = false;
};

ClassifierRun train_classifier(nn::Gate gate, std::uint64_t seed, std::size_t hidden,
                               const nn::TrainingOptions& options) {
  nn::Generator generator(seed);
  autodiff::Tape tape;
  nn::Sequential model = nn::classifier(tape, generator, 2, hidden);
  const nn::TruthTable table = nn::truth_table(gate);
  const std::vector<std::size_t> labels = nn::class_labels(table.targets);
  ClassifierRun run;
  run.final_loss = nn::train_classifier(model, table.inputs, labels, generator, options).final_loss;
  run.parameters = model.state_dict();
  const nn::Matrix<double> logits = model.predict(table.inputs);
  run.classifies = true;
  for (std::size_t r = 0; r < labels.size(); ++r)
    run.classifies = run.classifies && (logits(r, 1) > logits(r, 0)) == (labels[r] == 1);
  return run;
}

void classifiers() {
  std::printf(
      "Two-class networks trained with CrossEntropyLoss (class = the gate's target), measured by\n"
      "the logit difference logit(correct) - logit(incorrect), the classes of the clean run: "
      "clean\n"
      "[1, 1] is class 1 for AND and OR, so correct = 1, incorrect = 0, on both runs.\n\n");
  const nn::LogitDifference difference(1, 0);
  const std::vector<nn::Gate> gates = {nn::Gate::and_gate, nn::Gate::or_gate};
  constexpr std::uint64_t seeds = 3;
  constexpr std::size_t width = 4;
  const nn::TrainingOptions linear_options{.epochs = 1000, .lr = 0.1};
  const nn::TrainingOptions hidden_options{.epochs = 2000, .lr = 0.5};

  std::printf("%s, %d epochs of SGD at lr %.1f; components: the inputs\n",
              nn::classifier_architecture(2, 0).c_str(), linear_options.epochs, linear_options.lr);
  std::printf("%-4s %4s %7s %9s %10s %9s %9s %9s %9s\n", "gate", "seed", "loss", "LD(clean)",
              "LD(corrupt)", "x1 den.", "x1 noise", "x2 den.", "x2 noise");
  bool linear_symmetric = true, linear_closed = true, all_classify = true;
  for (nn::Gate gate : gates)
    for (std::uint64_t seed = 0; seed < seeds; ++seed) {
      const ClassifierRun run = train_classifier(gate, seed, 0, linear_options);
      all_classify = all_classify && run.classifies;
      autodiff::Tape tape;
      nn::Sequential model = nn::classifier(tape, 2, 0, 2, run.parameters, difference);
      const Measured m = measure(model, std::string(nn::model_input));
      const std::vector<double>& W = run.parameters.at("model.0.weight");  // 2 x 2, row = class
      for (std::size_t i = 0; i < 2; ++i) {
        const double closed = (W[2 + i] - W[i]) * (clean[i] - corrupt[i]);
        linear_closed = linear_closed && std::fabs(m.ig.attributions[i] - closed) <= 1e-12;
      }
      linear_symmetric = linear_symmetric && attribution::is_symmetric(m.patching);
      const auto& den = *m.patching.denoising.scores;
      const auto& noise = *m.patching.noising.scores;
      std::printf("%-4s %4llu %7.4f %9.4f %10.4f %9.4f %9.4f %9.4f %9.4f\n",
                  nn::gate_name_upper(gate), static_cast<unsigned long long>(seed), run.final_loss,
                  m.ig.f_input, m.ig.f_baseline, den[0], noise[0], den[1], noise[1]);
    }
  check(all_classify, "every classifier puts every row in its class");
  check(linear_closed,
        "IG_i = (W[1][i] - W[0][i]) (x_i - x'_i) within 1e-12: the logit difference is linear");
  check(linear_symmetric, "denoising = noising at the inputs, within 1e-9");
  std::printf("\n");

  std::printf(
      "%s, %d epochs of SGD at lr %.1f;\ncomponents: the inputs, then the hidden "
      "neurons (|d-n|: their largest |denoising - noising|)\n",
      nn::classifier_architecture(2, width).c_str(), hidden_options.epochs, hidden_options.lr);
  std::printf("%-4s %4s %7s %9s %10s %9s %9s %9s %9s %12s\n", "gate", "seed", "loss", "LD(clean)",
              "LD(corrupt)", "x1 den.", "x1 noise", "x2 den.", "x2 noise", "hidden |d-n|");
  bool hidden_symmetric = true, identity = true, hidden_classify = true;
  double largest_asymmetry = 0.0;
  for (nn::Gate gate : gates)
    for (std::uint64_t seed = 0; seed < seeds; ++seed) {
      const ClassifierRun run = train_classifier(gate, seed, width, hidden_options);
      hidden_classify = hidden_classify && run.classifies;
      autodiff::Tape tape;
      nn::Sequential model = nn::classifier(tape, 2, width, 2, run.parameters, difference);
      const Measured inputs = measure(model, std::string(nn::model_input));
      const attribution::TwoWayPatching neurons =
          attribution::patch_both_directions(model, nn::layer_output_name(1), clean, corrupt);
      hidden_symmetric = hidden_symmetric && attribution::is_symmetric(neurons);
      const auto& den = *inputs.patching.denoising.scores;
      const auto& noise = *inputs.patching.noising.scores;
      const double gap = inputs.ig.f_input - inputs.ig.f_baseline;
      for (std::size_t i = 0; i < 2; ++i) {
        largest_asymmetry = std::max(largest_asymmetry, std::fabs(noise[i] - den[i]));
        identity = identity &&
                   std::fabs(noise[i] - den[i] - interaction(inputs.patching, i) / gap) <= 1e-12;
      }
      std::printf("%-4s %4llu %7.4f %9.4f %10.4f %9.4f %9.4f %9.4f %9.4f %12.1e\n",
                  nn::gate_name_upper(gate), static_cast<unsigned long long>(seed), run.final_loss,
                  inputs.ig.f_input, inputs.ig.f_baseline, den[0], noise[0], den[1], noise[1],
                  largest_gap(*neurons.denoising.scores, *neurons.noising.scores));
    }
  check(hidden_classify, "every classifier puts every row in its class");
  check(hidden_symmetric,
        "denoising = noising at the hidden neurons within 1e-9: LD is linear in them");
  check(identity,
        "at the inputs, noising - denoising = I / (LD(clean) - LD(corrupt)) within 1e-12");
  check(largest_asymmetry > 0.1, "at the inputs the ReLUs bring the asymmetry back: up to " +
                                     number(largest_asymmetry, "%.4f") + " (more than 0.1)");
  std::printf("\n");
}

}  // namespace

int main() {
  std::printf("Chapter 9: what the metric sees, logit or probability\n\n");
  notebook_neurons();
  random_neurons();
  classifiers();
  std::printf("%s\n", all_checks_pass ? "All checks hold." : "SOME CHECK FAILED: see above.");
  return all_checks_pass ? 0 : 1;
}
