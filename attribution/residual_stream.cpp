#include "attribution/residual_stream.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "attribution/integrated_gradients.hpp"
#include "attribution/model_run.hpp"
#include "nn/residual.hpp"

namespace attribution {

PathIntegratedGradients integrated_gradients_between(nn::Sequential& model, std::string_view layer,
                                                     std::span<const double> input,
                                                     std::span<const double> start,
                                                     std::span<const double> end, int n_steps,
                                                     Method method) {
  check_same_length(start, end, "start", "end");
  const QuadratureRule rule = cached_quadrature_rule(method, n_steps);  // rejects bad n_steps first
  const std::size_t width = run_model(model, layer, input).activation.size();
  if (start.size() != width)
    throw std::invalid_argument("integrated_gradients_between: " + std::string(layer) + " has " +
                                std::to_string(width) + " components but start and end have " +
                                std::to_string(start.size()));

  PathIntegratedGradients result;
  result.method = method;
  result.n_steps = n_steps;
  result.layer = std::string(layer);
  result.start.assign(start.begin(), start.end());
  result.end.assign(end.begin(), end.end());
  result.f_start = output_with_activation(model, layer, input, start);
  result.f_end = output_with_activation(model, layer, input, end);
  PathAttributions path =
      path_attributions(model, layer, input, start, end, result.f_start, result.f_end, rule);
  result.attributions = std::move(path.attributions);
  result.convergence_delta = path.convergence_delta;
  return result;
}

PathEnds study_path(std::span<const double> base, std::span<const double> source,
                    std::span<const std::size_t> components) {
  check_same_length(base, source, "base", "source");
  // BEGIN EXERCISE 10.3 [base, source, components]
  PathEnds ends{{base.begin(), base.end()}, {base.begin(), base.end()}};
  for (std::size_t i : components) {
    if (i >= base.size())
      throw std::invalid_argument("study_path: component " + std::to_string(i) +
                                  " is out of range; the activation has " +
                                  std::to_string(base.size()) + " components");
    ends.end[i] = source[i];
  }
  return ends;
  // END EXERCISE 10.3
}

const char* direction_name(Direction direction) {
  switch (direction) {
    case Direction::denoising: return "denoising";
    case Direction::noising: return "noising";
  }
  throw std::invalid_argument("direction_name: not a Direction");
}

namespace {

struct BaseAndSource {
  std::span<const double> base, source;
};

BaseAndSource runs_of(std::span<const double> clean, std::span<const double> corrupt,
                      Direction direction) {
  check_same_length(clean, corrupt, "clean", "corrupt");
  (void)direction_name(direction);  // rejects a value outside the enum
  return direction == Direction::denoising ? BaseAndSource{corrupt, clean}
                                           : BaseAndSource{clean, corrupt};
}

}  // namespace

PathIntegratedGradients study_layer_ig(nn::Sequential& model, std::string_view layer,
                                       std::span<const double> clean,
                                       std::span<const double> corrupt, Direction direction,
                                       std::span<const std::size_t> components, int n_steps,
                                       Method method) {
  const BaseAndSource runs = runs_of(clean, corrupt, direction);
  const std::vector<double> base = run_model(model, layer, runs.base).activation;
  const std::vector<double> source = run_model(model, layer, runs.source).activation;
  const PathEnds ends = study_path(base, source, components);
  return integrated_gradients_between(model, layer, runs.base, ends.start, ends.end, n_steps,
                                      method);
}

std::vector<double> patching_effects(nn::Sequential& model, std::string_view layer,
                                     std::span<const double> clean, std::span<const double> corrupt,
                                     Direction direction, std::span<const std::size_t> components) {
  const BaseAndSource runs = runs_of(clean, corrupt, direction);
  const ModelRun base = run_model(model, layer, runs.base);
  const std::vector<double> source = run_model(model, layer, runs.source).activation;
  std::vector<double> effects;
  for (std::size_t i : components) {
    const std::size_t one[] = {i};
    const PathEnds ends = study_path(base.activation, source, one);
    effects.push_back(output_with_activation(model, layer, runs.base, ends.end) - base.output);
  }
  return effects;
}

CaptumLayerIg captum_layer_ig(nn::Sequential& model, std::string_view layer,
                              std::span<const double> input, std::span<const double> baseline,
                              std::span<const std::size_t> hooked, int n_steps, Method method) {
  check_same_length(input, baseline, "input", "baseline");
  const ModelRun at_input = run_model(model, layer, input);
  const ModelRun at_baseline = run_model(model, layer, baseline);
  // The hooked columns at the baseline run's values, the rest at the input run's: the path's start.
  const PathEnds ends = study_path(at_input.activation, at_baseline.activation, hooked);
  CaptumLayerIg result;
  result.path =
      integrated_gradients_between(model, layer, input, ends.end, ends.start, n_steps, method);
  result.f_input = at_input.output;
  result.f_baseline = at_baseline.output;
  double total = 0.0;
  for (double a : result.path.attributions) total += a;
  result.captum_delta = total - (result.f_input - result.f_baseline);
  return result;
}

nn::TrainingOptions residual_training() { return {.epochs = 2000, .lr = 0.5}; }

ResidualNetwork train_residual_network(nn::Gate gate, std::uint64_t seed, std::size_t hidden,
                                       const nn::TrainingOptions& options) {
  const nn::TruthTable table = nn::truth_table(gate);
  nn::Generator generator(seed);
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, generator, table.inputs.cols(), hidden);
  nn::train(model, table.inputs, table.targets, generator, options);
  ResidualNetwork network;
  network.gate = gate;
  network.seed = seed;
  network.hidden = hidden;
  network.parameters = model.state_dict();
  const nn::Matrix<double> predictions = model.predict(table.inputs);
  network.predictions.assign(predictions.flat().begin(), predictions.flat().end());
  network.classifies_all_rows = true;
  for (std::size_t r = 0; r < network.predictions.size(); ++r)
    network.classifies_all_rows = network.classifies_all_rows &&
                                  std::nearbyint(network.predictions[r]) == table.targets(r, 0);
  return network;
}

std::vector<std::size_t> hidden_columns(std::size_t hidden) {
  std::vector<std::size_t> columns(hidden);
  for (std::size_t j = 0; j < hidden; ++j) columns[j] = j;
  return columns;
}

}  // namespace attribution
