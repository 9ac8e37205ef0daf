#include "attribution/hidden_neurons.hpp"

#include <cmath>
#include <stdexcept>

namespace attribution {

std::string pattern_of(const Experiment& e, std::size_t j) {
  if (j >= e.network.hidden)
    throw std::invalid_argument("pattern_of: no hidden neuron " + std::to_string(j) +
                                " in a network with " + std::to_string(e.network.hidden));
  if (!e.ig_shares || !e.patching.denoising.scores || !e.patching.noising.scores)
    throw std::invalid_argument(
        "pattern_of: f(clean) = f(corrupt), so there are no shares or scores to classify a neuron "
        "by");
  // BEGIN EXERCISE 7.1
  if (e.network.dead[j]) return "dead (0 on every row)";
  if (e.silent_on_pair[j]) return "silent on the pair";
  // A large negative share or score counts too: the neuron pushes the other way.
  const bool ig = std::fabs((*e.ig_shares)[j]) >= finds;
  const bool denoising = std::fabs((*e.patching.denoising.scores)[j]) >= finds;
  const bool noising = std::fabs((*e.patching.noising.scores)[j]) >= finds;
  if (ig && denoising && noising) return "all three find it";
  if (ig && noising) return "denoising misses it";
  if (ig && denoising) return "noising misses it";
  if (ig) return "only IG finds it";
  if (!denoising && !noising) return "none finds it";
  return "other";
  // END EXERCISE 7.1
}

int dead_at_start(nn::Gate gate, std::uint64_t seed, std::size_t hidden) {
  // One step with a learning rate too small to move any parameter: the initial network.
  return train_network(gate, seed, hidden, {.epochs = 1, .lr = 1e-300}).dead_count();
}

std::string failure_reason(const TrainedNetwork& network, int dead_before_training) {
  if (network.classifies_all_rows)
    throw std::invalid_argument("failure_reason: the network classifies every row of " +
                                std::string(nn::gate_name(network.gate)) + "; nothing failed");
  if (network.hidden == 0)
    throw std::invalid_argument(
        "failure_reason: the neuron has no hidden layer, so no hidden neuron can die");
  // BEGIN EXERCISE 7.2 [dead_before_training]
  if (network.dead_count() == static_cast<int>(network.hidden)) return "dead network";
  if (dead_before_training > 0) return "dead at start";
  if (network.dead_count() > 0) return "died in training";
  return "all alive, stuck";
  // END EXERCISE 7.2
}

}  // namespace attribution
