#include "latent/residual.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "attribution/model_run.hpp"
#include "attribution/residual_stream.hpp"
#include "latent/arguments.hpp"
#include "latent/json.hpp"
#include "nn/residual.hpp"

namespace latent {

namespace {

using attribution::Direction;

constexpr std::string_view layer = "layer_0.output";

struct Measured {
  nn::InputPair pair;
  attribution::ResidualNetwork network;
  std::vector<double> ig_denoising, effect_denoising, ig_noising, effect_noising, captum;
  double f_clean = 0.0, f_corrupt = 0.0, captum_delta = 0.0;
  double identity_error = 0.0;  // worst |IG moving one neuron alone - that neuron's effect|
};

std::vector<double> first(const std::vector<double>& values, std::size_t count) {
  return {values.begin(), values.begin() + static_cast<std::ptrdiff_t>(count)};
}

Measured measure(const ResidualRequest& request) {
  Measured m;
  m.pair = nn::gate_pair(request.gate);
  m.network = attribution::train_residual_network(request.gate, request.seed, request.hidden);
  const std::size_t n = m.pair.clean.size(), h = request.hidden;
  if (!request.skip) m.network.parameters = nn::without_skip(m.network.parameters, n, h);
  autodiff::Tape tape;
  nn::Sequential model = nn::residual_network(tape, n, h, m.network.parameters);
  const std::vector<std::size_t> neurons = attribution::hidden_columns(h);
  const auto ig = [&](Direction direction, std::span<const std::size_t> moving) {
    return attribution::study_layer_ig(model, layer, m.pair.clean, m.pair.corrupt, direction,
                                       moving, request.n_steps, request.method);
  };
  const auto effects = [&](Direction direction) {
    return attribution::patching_effects(model, layer, m.pair.clean, m.pair.corrupt, direction,
                                         neurons);
  };
  m.ig_denoising = first(ig(Direction::denoising, neurons).attributions, h);
  m.ig_noising = first(ig(Direction::noising, neurons).attributions, h);
  m.effect_denoising = effects(Direction::denoising);
  m.effect_noising = effects(Direction::noising);
  for (const Direction direction : {Direction::denoising, Direction::noising}) {
    const std::vector<double> effect =
        direction == Direction::denoising ? m.effect_denoising : m.effect_noising;
    for (std::size_t j = 0; j < h; ++j) {
      const std::size_t one[] = {j};
      m.identity_error =
          std::max(m.identity_error, std::fabs(ig(direction, one).attributions[j] - effect[j]));
    }
  }
  const attribution::CaptumLayerIg captum = attribution::captum_layer_ig(
      model, layer, m.pair.clean, m.pair.corrupt, neurons, request.n_steps, request.method);
  m.captum = first(captum.path.attributions, h);
  m.captum_delta = captum.captum_delta;
  m.f_clean = captum.f_input;
  m.f_corrupt = captum.f_baseline;
  return m;
}

std::string list_text(std::span<const double> values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ", ";
    text += shortest(values[i]);
  }
  return text + "]";
}

std::string text_report(const ResidualRequest& request, const Measured& m) {
  const std::size_t n = m.pair.clean.size();
  char scientific[32];
  std::snprintf(scientific, sizeof scientific, "%.2e", m.identity_error);
  std::string text = "Layer IG of " + nn::residual_architecture(n, request.hidden) + " on the " +
                     nn::gate_name_upper(request.gate) + " gate (seed " +
                     std::to_string(request.seed) + (request.skip ? "" : ", skip path cut: u = 0") +
                     ")\nat its hidden neurons, " + "between clean " + list_text(m.pair.clean) +
                     " and corrupt " + list_text(m.pair.corrupt) + ", " +
                     attribution::method_name(request.method) +
                     " rule, n_steps = " + std::to_string(request.n_steps) + "\n\n";
  text += "neuron  IG denoising  effect      IG noising  effect      den+noise   Captum\n";
  text += "------  ------------  ----------  ----------  ----------  ----------  ----------\n";
  for (std::size_t j = 0; j < request.hidden; ++j) {
    std::string row = "h" + std::to_string(j + 1);
    row.resize(6, ' ');
    for (const double value :
         {m.ig_denoising[j], m.effect_denoising[j], m.ig_noising[j], m.effect_noising[j],
          m.ig_denoising[j] + m.ig_noising[j], m.captum[j]})
      row += padded(fixed_point(value, 6), row.size() == 6 ? 14 : 12);
    text += row + "\n";
  }
  text += "\nf(clean) = " + fixed_point(m.f_clean, 6) +
          ", f(corrupt) = " + fixed_point(m.f_corrupt, 6) +
          "; Captum's delta (what bypasses the hidden neurons): " + fixed_point(m.captum_delta, 6) +
          "\nIG moving one neuron alone minus its patching effect, worst: " + scientific + "\n";
  return text;
}

}  // namespace

std::string residual_report(const ResidualRequest& request, Format format) {
  const Measured m = measure(request);
  const Json json = Json::object(
      {{"gate", nn::gate_name(request.gate)},
       {"seed", static_cast<long long>(request.seed)},
       {"hidden", static_cast<long long>(request.hidden)},
       {"skip", request.skip},
       {"architecture", nn::residual_architecture(m.pair.clean.size(), request.hidden)},
       {"method", attribution::method_name(request.method)},
       {"n_steps", request.n_steps},
       {"predictions", m.network.predictions},
       {"f_clean", m.f_clean},
       {"f_corrupt", m.f_corrupt},
       {"ig_denoising", m.ig_denoising},
       {"effect_denoising", m.effect_denoising},
       {"ig_noising", m.ig_noising},
       {"effect_noising", m.effect_noising},
       {"captum", m.captum},
       {"captum_delta", m.captum_delta},
       {"identity_error", m.identity_error}});
  require_finite(json, "residual");
  return format == Format::json ? json.dump() + "\n" : text_report(request, m);
}

}  // namespace latent
