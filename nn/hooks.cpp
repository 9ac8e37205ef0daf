#include "nn/hooks.hpp"

#include <stdexcept>
#include <string>

namespace nn {

using autodiff::Var;

std::string layer_input_name(std::size_t layer) {
  return "layer_" + std::to_string(layer) + ".input";
}
std::string layer_output_name(std::size_t layer) {
  return "layer_" + std::to_string(layer) + ".output";
}

namespace {

// Column `neuron` of the activation becomes new leaves holding column `from` of the source.
void replace_column(Matrix<Var>& activation, std::size_t neuron, const Matrix<double>& source,
                    std::size_t from) {
  for (std::size_t r = 0; r < activation.rows(); ++r) {
    Var& entry = activation(r, neuron);
    entry = entry.tape().variable(source(r, from));
  }
}

}  // namespace

Hook patch_neuron(std::size_t neuron, Matrix<double> source) {
  return [neuron, source = std::move(source)](Matrix<Var>& activation) {
    if (neuron >= activation.cols())
      throw std::invalid_argument(
          "patch_neuron: neuron " + std::to_string(neuron) + " is outside an activation of " +
          std::to_string(activation.cols()) + " neurons (shape " + shape_string(activation) + ")");
    const bool whole = source.cols() == activation.cols();
    if (source.rows() != activation.rows() || !(whole || source.cols() == 1))
      throw std::invalid_argument("patch_neuron: the source is " + shape_string(source) +
                                  " but the activation is " + shape_string(activation) +
                                  "; give the whole activation, or one column of values");
    replace_column(activation, neuron, source, whole ? neuron : 0);
  };
}

Hook patch_activation(Matrix<double> source, Matrix<Var>* leaves) {
  return [source = std::move(source), leaves](Matrix<Var>& activation) {
    if (source.rows() != activation.rows() || source.cols() != activation.cols())
      throw std::invalid_argument("patch_activation: the source is " + shape_string(source) +
                                  " but the activation is " + shape_string(activation));
    const auto from = source.flat();
    const auto to = activation.flat();
    for (std::size_t k = 0; k < from.size(); ++k) to[k] = to[k].tape().variable(from[k]);
    if (leaves != nullptr) *leaves = activation;
  };
}

const Matrix<double>& ActivationCache::operator[](std::string_view name) const {
  for (const auto& [key, value] : entries_)
    if (key == name) return value;
  std::string known;
  for (const auto& entry : entries_) known += (known.empty() ? "" : ", ") + entry.first;
  throw std::invalid_argument("ActivationCache: no activation named '" + std::string(name) +
                              "'; the names are: " + known);
}

bool ActivationCache::contains(std::string_view name) const {
  for (const auto& entry : entries_)
    if (entry.first == name) return true;
  return false;
}

std::vector<std::string> ActivationCache::names() const {
  std::vector<std::string> result;
  result.reserve(entries_.size());
  for (const auto& entry : entries_) result.push_back(entry.first);
  return result;
}

void ActivationCache::insert(std::string name, Matrix<double> value) {
  for (auto& entry : entries_)
    if (entry.first == name) {
      entry.second = std::move(value);
      return;
    }
  entries_.emplace_back(std::move(name), std::move(value));
}

}  // namespace nn
