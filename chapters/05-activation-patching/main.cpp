// Chapter 5 — activation patching, in both directions.
//
// This chapter adds activation patching: run the network on one input, but with one component taken
// from a run on another input, and see how far the output moves. Denoising patches a clean
// component into the corrupt run (is it sufficient to bring the behaviour back?); noising patches a
// corrupt component into the clean run (is it necessary for the behaviour?). Look at the scores for
// the notebook's AND neuron, low one way and high the other, at OR doing the reverse, at the two
// directions adding up to exactly 1, and at attribution patching — the gradient's one-step guess at
// the same numbers — catching only 6 % of AND's effect where the sigmoid is flat.
#include <cstdio>
#include <string>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "nn/gates.hpp"
#include "nn/network.hpp"

namespace {

struct NotebookNeuron {
  const char* name;
  std::vector<double> weights;
  double bias;
};

const std::string layer = nn::layer_input_name(0);  // the components are the two inputs

std::string row_string(const std::vector<double>& values) {
  char text[64];
  std::snprintf(text, sizeof text, "[%g, %g]", values[0], values[1]);
  return text;
}

// One direction's table: which run, what was patched in, and the scores.
void print_direction(const char* title, const attribution::PatchingResult& result,
                     const std::vector<double>& base, const std::vector<double>& source) {
  std::printf("%s\n", title);
  std::printf("  %-6s %-13s %11s %22s %9s\n", "input", "patched run", "f(patched)",
              "f(base) - f(patched)", "score");
  for (std::size_t i = 0; i < base.size(); ++i) {
    std::vector<double> patched = base;
    patched[i] = source[i];
    std::printf("  x%-5zu %-13s %11.6f %22.6f %9.5f\n", i + 1, row_string(patched).c_str(),
                result.f_base - result.differences[i], result.differences[i], (*result.scores)[i]);
  }
}

void patch_neuron(const NotebookNeuron& neuron) {
  autodiff::Tape tape;
  nn::Sequential model = nn::neuron(tape, neuron.weights, neuron.bias);
  const auto& clean = nn::notebook_clean_input;
  const auto& corrupt = nn::notebook_corrupt_input;
  const attribution::TwoWayPatching both =
      attribution::patch_both_directions(model, layer, clean, corrupt);

  std::printf("== %s neuron, w = [%.4f, %.4f], b = %.4f ==\n", neuron.name, neuron.weights[0],
              neuron.weights[1], neuron.bias);
  std::printf("f(clean [1, 1]) = %.6f, f(corrupt [0, 0]) = %.6f\n", both.f_clean(),
              both.f_corrupt());
  print_direction("Denoising, clean -> corrupt (base = corrupt, one input from clean):",
                  both.denoising, corrupt, clean);
  print_direction("Noising, corrupt -> clean (base = clean, one input from corrupt):", both.noising,
                  clean, corrupt);
  const auto& denoising = *both.denoising.scores;
  const auto& noising = *both.noising.scores;
  std::printf("denoising(x1) + noising(x2) = %.15f, denoising(x2) + noising(x1) = %.15f\n\n",
              denoising[0] + noising[1], denoising[1] + noising[0]);
}

void attribution_patching_at(const NotebookNeuron& neuron, const char* where,
                             const std::vector<double>& base, const std::vector<double>& source) {
  autodiff::Tape tape;
  nn::Sequential model = nn::neuron(tape, neuron.weights, neuron.bias);
  const auto estimate = attribution::attribution_patching(model, layer, base, source);
  const auto actual = attribution::activation_patching(model, layer, base, source);
  const double effect = actual.f_source - actual.f_base;
  std::printf("%s %s, from %s towards %s:\n", neuron.name, where, row_string(base).c_str(),
              row_string(source).c_str());
  std::printf("  %-6s %12s %12s\n", "input", "estimate", "actual");
  // Both are printed as the change the patch makes, f(patched) - f(base): minus the difference.
  for (std::size_t i = 0; i < estimate.size(); ++i)
    std::printf("  x%-5zu %+12.6f %+12.6f\n", i + 1, -estimate[i], -actual.differences[i]);
  const double estimated_effect = -(estimate[0] + estimate[1]);
  std::printf(
      "  sum of estimates %+.6f against the whole effect f(source) - f(base) = %+.6f: %.1f%%\n",
      estimated_effect, effect, 100.0 * estimated_effect / effect);
}

}  // namespace

int main() {
  std::printf("Chapter 5: activation patching in both directions\n\n");
  std::printf("score_i = (f(base) - f(base with input i from source)) / (f(base) - f(source))\n\n");
  const NotebookNeuron and_neuron{"AND", {3.0482, 3.0556}, -4.7946};
  const NotebookNeuron or_neuron{"OR", {4.0211, 4.0242}, -1.4725};
  patch_neuron(and_neuron);
  patch_neuron(or_neuron);

  std::printf("Attribution patching: the change each patch makes, estimated as\n");
  std::printf("gradient at the base run x (source - base), against the change itself:\n");
  attribution_patching_at(and_neuron, "denoising", nn::notebook_corrupt_input,
                          nn::notebook_clean_input);
  attribution_patching_at(and_neuron, "noising", nn::notebook_clean_input,
                          nn::notebook_corrupt_input);
  return 0;
}
