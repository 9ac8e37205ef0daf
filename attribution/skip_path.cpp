#include "attribution/skip_path.hpp"

#include <cstddef>
#include <string>

#include "attribution/activation_patching.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "nn/residual.hpp"

namespace attribution {

std::optional<SkipPathScores> skip_path_scores(const ResidualNetwork& network) {
  const nn::InputPair pair = nn::gate_pair(network.gate);
  const std::string layer = nn::layer_output_name(0);
  const std::vector<std::size_t> neurons = hidden_columns(network.hidden);
  autodiff::Tape tape;
  nn::Sequential model =
      nn::residual_network(tape, pair.clean.size(), network.hidden, network.parameters);
  // Each hidden neuron alone, then all of them: the skip columns are never patched.
  std::vector<ComponentSet> sets;
  sets.reserve(neurons.size() + 1);
  for (std::size_t j : neurons) sets.push_back({j});
  sets.push_back(neurons);
  const TwoWayPatching patching =
      patch_both_directions(model, layer, pair.clean, pair.corrupt, sets);
  if (!patching.denoising.scores || !patching.noising.scores) return std::nullopt;
  const double gap = patching.f_clean() - patching.f_corrupt();
  const PathIntegratedGradients ig_den =
      study_layer_ig(model, layer, pair.clean, pair.corrupt, Direction::denoising, neurons);
  const PathIntegratedGradients ig_noise =
      study_layer_ig(model, layer, pair.clean, pair.corrupt, Direction::noising, neurons);
  SkipPathScores scores;
  for (std::vector<double>* v :
       {&scores.denoising, &scores.noising, &scores.ig_denoising, &scores.ig_noising})
    v->reserve(neurons.size());
  for (std::size_t j : neurons) {
    scores.denoising.push_back((*patching.denoising.scores)[j]);
    scores.noising.push_back((*patching.noising.scores)[j]);
    scores.ig_denoising.push_back(ig_den.attributions[j] / gap);
    // The study's noising IG runs from clean to corrupt: minus the course's sign.
    scores.ig_noising.push_back(-ig_noise.attributions[j] / gap);
  }
  scores.layer_denoising = patching.denoising.scores->back();
  scores.layer_noising = patching.noising.scores->back();
  return scores;
}

}  // namespace attribution
