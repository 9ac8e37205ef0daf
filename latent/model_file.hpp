// A trained model on disk: `latent train --save FILE` and `latent experiment --load FILE`. The
// file is one JSON object:
//
//   {"format": "latent-circuits model", "version": 1,
//    "gate": "xor", "inputs": 2, "hidden": 2,          (hidden 0: the neuron)
//    "seed": 8, "epochs": 2000, "lr": 0.5,             (how it was trained)
//    "parameters": {"model.0.bias": [...], "model.0.weight": [...],
//                   "model.2.bias": [...], "model.2.weight": [...]}}
//
// Chapter 9's two-class classifier (latent train --classifier) has one key more, after "hidden":
//
//    "classes": 2,                                     (nn::classifier: one logit per class)
//
// and its parameters are nn::classifier's (model.0 is Linear(n, 2) without a hidden layer). A
// file without "classes" is the tutorial's network, read as it always was; the commands that
// take only that network (load_model_file) refuse a classifier's file, saying so.
//
// Weights are row-major, as nn::Sequential::state_dict gives them; numbers are written with 17
// significant digits, so a loaded model computes the same bits as the one saved. Reading is
// strict: a file that is not valid JSON, a missing or extra key, a value of the wrong type or out
// of range, a gate whose number of inputs is not "inputs", or parameters of the wrong size all
// throw UsageError naming the file and the problem.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "attribution/experiment.hpp"
#include "latent/classifier.hpp"

namespace latent {

// The largest model file read: far above the largest model (3 inputs, 16 hidden neurons: about
// 2 KB), far below what would take long to parse.
inline constexpr std::size_t max_model_file_bytes = 1 << 20;

// The file's text for a trained network or classifier; std::invalid_argument for an untrained
// one.
std::string model_file_text(const attribution::TrainedNetwork& network);
std::string model_file_text(const TrainedClassifier& classifier);
// Writes the file whole or not at all (write_file_atomically). Throws UsageError if it cannot be
// written, naming the reason; std::invalid_argument for an untrained network.
void save_model_file(const std::string& path, const attribution::TrainedNetwork& network);
void save_model_file(const std::string& path, const TrainedClassifier& classifier);

// What a model file holds: the tutorial's network or chapter 9's classifier, as saved, with its
// training's seed, epochs and lr (its losses are not saved).
using Model = std::variant<attribution::TrainedNetwork, TrainedClassifier>;
Model parse_any_model_file(std::string_view text, const std::string& path);
// Reads and parses; throws UsageError naming the reason if the file cannot be read, is not a
// regular file or has more than max_model_file_bytes bytes.
Model load_any_model_file(const std::string& path);

// The same for the tutorial's network alone: a classifier's file is refused (UsageError naming
// the file and what it holds).
attribution::TrainedNetwork parse_model_file(std::string_view text, const std::string& path);
attribution::TrainedNetwork load_model_file(const std::string& path);

}  // namespace latent
