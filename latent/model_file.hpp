// Saving and loading a trained model: `latent train --save FILE` and `latent experiment --load
// FILE`. The file is one JSON object:
//
//   {"format": "latent-circuits model", "version": 1,
//    "gate": "xor", "inputs": 2, "hidden": 2,          (hidden 0: the single neuron)
//    "seed": 8, "epochs": 2000, "lr": 0.5,             (how it was trained)
//    "parameters": {"model.0.weight": [...], "model.0.bias": [...],
//                   "model.2.weight": [...], "model.2.bias": [...]}}
//
// Weights are row-major, as nn::Sequential::state_dict gives them; numbers are written with 17
// significant digits, so a loaded model computes the same bits as the one saved. The single neuron
// has only model.0.weight and model.0.bias. Reading is strict: a file that is not valid JSON, a
// missing or extra key, a value of the wrong type, a gate whose number of inputs is not "inputs",
// or parameters of the wrong size all throw UsageError naming the file and the problem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "nn/gates.hpp"
#include "nn/sequential.hpp"

namespace latent {

struct ModelFile {
  nn::Gate gate = nn::Gate::and_gate;
  std::size_t hidden = 0;
  std::uint64_t seed = 0;
  int epochs = 0;
  double lr = 0.0;
  nn::StateDict parameters;
};

std::string model_file_text(const ModelFile& model);
// Writes the file; throws UsageError if it cannot be written.
void save_model_file(const std::string& path, const ModelFile& model);
// Parses the text of a model file; `path` only names it in error messages.
ModelFile parse_model_file(const std::string& text, const std::string& path);
// Reads and parses; throws UsageError if the file cannot be read.
ModelFile load_model_file(const std::string& path);

}  // namespace latent
