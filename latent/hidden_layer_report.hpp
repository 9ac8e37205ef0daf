// How `latent train --hidden H` and `latent experiment --hidden H` show a network with a hidden
// ReLU layer (attribution/hidden_layer.hpp), as text and as JSON. The JSON keeps the shape of the
// single neuron's, with the hidden neurons as components.
#pragma once

#include <string>

#include "attribution/hidden_layer.hpp"

namespace latent {

// {"gate", "seed", "hidden", "epochs", "lr", "parameters": {"model.0.weight": [...], ...},
//  "losses": [{"epoch", "loss"}, ...], "predictions", "dead": [true|false per neuron]}
std::string hidden_train_json(const attribution::TrainedNetwork& network);
std::string hidden_train_text(const attribution::TrainedNetwork& network);

// {"gate", "train", "ig", "patch", "asymmetry": [number or null per neuron],
//  "verdicts": {"classifies_all_rows", "ig_complete", "silent_neurons_get_zero"}}
std::string hidden_experiment_json(const attribution::HiddenLayerExperiment& experiment);
std::string hidden_experiment_text(const attribution::HiddenLayerExperiment& experiment);

// The checks the experiment reports: IG complete within this (the ReLU network's sigmoid can move
// far along the path, so 1e-12 is too strict; see chapter 7).
inline constexpr double hidden_completeness_tolerance = 1e-9;

// Throws UsageError if a number in the result is NaN or infinite.
void require_finite(const attribution::TrainedNetwork& network);
void require_finite(const attribution::HiddenLayerExperiment& experiment);

}  // namespace latent
