// Chapter 2 — from one neuron to a network of layers.
//
// This chapter adds the nn library: a batch of examples as a matrix, layers (Linear, Sigmoid,
// ReLU) chained in a Sequential, parameters named and initialised as PyTorch does, and two ways
// of looking inside a forward pass: run_with_cache, which returns every activation by name, and
// hooks, which can read or replace an activation while the pass runs. Look at the forward pass
// on the four truth-table rows at once (one row per example), at the cache printed as the
// original notebook printed it, at the gradients of the output with respect to the inputs next to
// their closed form, and at one hook replacing one input neuron: a first activation patch.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "autodiff/autodiff.hpp"
#include "nn/activations.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "nn/linear.hpp"
#include "nn/matrix.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"

using autodiff::Var;
using nn::Matrix;

namespace {

constexpr std::uint64_t seed = 0;

void print_parameters(const nn::Sequential& model) {
  for (const nn::NamedParameter& parameter : model.named_parameters())
    std::printf("%s: %s\n", parameter.name.c_str(),
                nn::to_string(nn::detach(parameter.value).flat()).c_str());
}

// The notebook printed `output {'layer_0': ..., 'layer_1': ...}`: its keys were the outputs of
// layer 0 and layer 1, here layer_0.output and layer_1.output.
void print_like_the_notebook(const nn::Sequential::CachedRun& run) {
  std::printf("%s {'layer_0': %s, 'layer_1': %s}\n", nn::to_string(run.output).c_str(),
              nn::to_string(run.cache["layer_0.output"]).c_str(),
              nn::to_string(run.cache["layer_1.output"]).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    std::fprintf(stderr, "ch02: unexpected argument '%s' (usage: ch02, without arguments)\n",
                 argv[1]);
    return 2;
  }
  std::printf("Chapter 2: a network of layers\n\n");

  autodiff::Tape tape;
  nn::Generator generator(seed);
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  const auto& linear = dynamic_cast<const nn::Linear&>(model.layer(0));

  std::printf("The notebook's network; building it made its parameters leaves on the tape:\n%s\n\n",
              model.to_string().c_str());
  std::printf("Initial parameters (seed %llu), uniform in [-%.4f, %.4f) = 1/sqrt(in_features):\n",
              static_cast<unsigned long long>(seed), linear.init_bound(), linear.init_bound());
  print_parameters(model);

  // The weights the notebook learned for AND; chapter 3 learns its own.
  model.load_state_dict({{"model.0.weight", {3.0482, 3.0556}}, {"model.0.bias", {-4.7946}}});
  std::printf("\nLoaded the notebook's AND parameters:\n");
  print_parameters(model);
  const double w1 = 3.0482, w2 = 3.0556;

  // ---- one forward pass over the whole truth table ----------------------------------------------
  const nn::TruthTable table = nn::truth_table(nn::Gate::and_gate);
  const Matrix<Var> x = nn::leaves(tape, table.inputs);  // leaves: we want d(output)/d(input)
  const Matrix<Var> y = model.forward(x);                // a copy: the model reuses its buffer

  std::printf("\nOne forward pass over the four rows of the truth table (a 4 x 2 batch):\n");
  const nn::Sequential::CachedRun table_run = model.run_with_cache(table.inputs);
  const Matrix<double>& z = table_run.cache["layer_0.output"];
  std::printf("%-8s %16s %16s\n", "x", "layer_0.output", "layer_1.output");
  for (std::size_t r = 0; r < 4; ++r)
    std::printf("%-8s %16.4f %16.4f\n", nn::to_string(table.inputs.row(r), 0).c_str(), z(r, 0),
                y(r, 0).value());

  // ---- the cache
  // ----------------------------------------------------------------------------------
  const Matrix<double> clean{{1.0, 1.0}}, corrupt{{0.0, 0.0}};
  const nn::Sequential::CachedRun clean_run = model.run_with_cache(clean);
  const nn::Sequential::CachedRun corrupt_run = model.run_with_cache(corrupt);
  std::printf(
      "\nrun_with_cache on [[1, 1]] and on [[0, 0]], printed as the notebook printed it:\n");
  print_like_the_notebook(clean_run);
  print_like_the_notebook(corrupt_run);
  std::printf("\nEvery name in the cache of the [[1, 1]] run:\n");
  for (const std::string& name : clean_run.cache.names())
    std::printf("%-15s %s\n", name.c_str(), nn::to_string(clean_run.cache[name]).c_str());

  // ---- gradients with respect to the inputs
  // ------------------------------------------------------- Rows of a batch do not interact, so
  // dy_r/dx_s = 0 for r != s; one backward per row reads dy_r/dx_r, zeroing the accumulated
  // gradients in between.
  std::printf("\nGradient of the output with respect to the inputs, one backward per row,\n");
  std::printf("against the closed form dy/dx_i = sigmoid'(z) w_i = y (1 - y) w_i:\n");
  std::printf("%-8s %10s %12s %10s %12s\n", "x", "dy/dx1", "y(1-y) w1", "dy/dx2", "y(1-y) w2");
  for (std::size_t r = 0; r < 4; ++r) {
    tape.zero_grad();
    y(r, 0).backward();
    const double p = y(r, 0).value(), slope = p * (1.0 - p);
    std::printf("%-8s %10.6f %12.6f %10.6f %12.6f\n", nn::to_string(table.inputs.row(r), 0).c_str(),
                x(r, 0).grad(), slope * w1, x(r, 1).grad(), slope * w2);
  }

  // ---- a hook ----------------------------------------------------------------------------------
  // Replace input neuron 0 of the [[1, 1]] run with its value in the [[0, 0]] run.
  const Matrix<double> patched = nn::detach(model.run_with_hooks(
      clean, {{"layer_0.input", nn::patch_neuron(0, corrupt_run.cache["layer_0.input"])}}));
  std::printf("\nA hook on layer_0.input replacing neuron 0 of [[1, 1]] by its [[0, 0]] value:\n");
  std::printf("patched output %.4f; the network on [[0, 1]] gives %.4f\n", patched(0, 0),
              model.predict(Matrix<double>{{0.0, 1.0}})(0, 0));
  return 0;
}
