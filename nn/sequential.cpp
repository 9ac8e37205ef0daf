#include "nn/sequential.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nn {

using autodiff::Var;

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// "layer_12.output" -> {12, false}; anything else -> false. Digits only, no sign, no leading zero.
bool parse_hook_name(std::string_view name, std::size_t& layer, bool& is_input) {
  constexpr std::string_view prefix = "layer_";
  if (!name.starts_with(prefix)) return false;
  name.remove_prefix(prefix.size());
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  const std::string_view digits = name.substr(0, dot), suffix = name.substr(dot + 1);
  if (digits.size() > 1 && digits[0] == '0') return false;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), layer);
  if (error != std::errc() || end != digits.data() + digits.size()) return false;
  if (suffix == "input") {
    is_input = true;
  } else if (suffix == "output") {
    is_input = false;
  } else {
    return false;
  }
  return true;
}

}  // namespace

Sequential::Sequential(autodiff::Tape& tape, Generator& generator,
                       std::vector<std::unique_ptr<Layer>> layers)
    : tape_(&tape), layers_(std::move(layers)) {
  build(generator);
}

void Sequential::build(Generator& generator) {
  if (layers_.empty()) throw std::invalid_argument("Sequential: needs at least one layer");
  for (std::size_t k = 0; k < layers_.size(); ++k)
    if (layers_[k] == nullptr)
      throw std::invalid_argument("Sequential: layer " + std::to_string(k) + " is null");
  activations_.resize(layers_.size() + 1);
  reset_parameters(generator);
}

void Sequential::reset_parameters(Generator& generator) {
  for (const auto& layer : layers_) layer->initialize(*tape_, generator);
}

// ---- running ------------------------------------------------------------------------------------

const Matrix<Var>& Sequential::run(const std::vector<ResolvedHook>& hooks, std::size_t first) {
  std::size_t next = 0;
  const auto apply_hooks = [&](std::size_t activation) {
    for (; next < hooks.size() && hooks[next].activation == activation; ++next)
      (*hooks[next].hook)(activations_[activation]);
  };
  apply_hooks(first);
  for (std::size_t k = first; k < layers_.size(); ++k) {
    layers_[k]->forward(activations_[k], activations_[k + 1]);
    apply_hooks(k + 1);
  }
  return activations_.back();
}

const Matrix<Var>& Sequential::run_on_numbers(const Matrix<double>& input,
                                              const std::vector<ResolvedHook>& hooks) {
  // The numbers need no nodes of their own unless a hook is to see them as Vars (hooks are sorted,
  // so one on the input comes first).
  const bool hook_on_input = !hooks.empty() && hooks.front().activation == 0;
  if (!hook_on_input && layers_[0]->forward_numbers(input, activations_[1])) {
    input_on_tape_ = false;
    return run(hooks, 1);
  }
  Matrix<Var>& leaves = activations_[0];
  leaves.resize(input.rows(), input.cols());
  const auto from = input.flat();
  const auto to = leaves.flat();
  for (std::size_t k = 0; k < from.size(); ++k) to[k] = tape_->variable(from[k]);
  input_on_tape_ = true;
  return run(hooks, 0);
}

const Matrix<Var>& Sequential::forward(const Matrix<double>& input) {
  return run_on_numbers(input, {});
}

const Matrix<Var>& Sequential::forward(const Matrix<Var>& input) {
  activations_[0] = input;
  input_on_tape_ = true;
  return run({}, 0);
}

std::vector<Sequential::ResolvedHook> Sequential::resolve(const Hooks& hooks) const {
  struct Keyed {
    ResolvedHook hook;
    bool is_input;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(hooks.size());
  for (const auto& [name, hook] : hooks) {
    std::size_t layer = 0;
    bool is_input = false;
    if (!parse_hook_name(name, layer, is_input) || layer >= layers_.size())
      throw std::invalid_argument("run_with_hooks: unknown hook name '" + name +
                                  "'; this model's names are: " + join(hook_names()));
    if (!hook) throw std::invalid_argument("run_with_hooks: the hook for '" + name + "' is empty");
    keyed.push_back({{is_input ? layer : layer + 1, &hook}, is_input});
  }
  // Forward order; at one activation, layer K's output hooks before layer K+1's input hooks;
  // otherwise the order given.
  std::stable_sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.hook.activation != b.hook.activation) return a.hook.activation < b.hook.activation;
    return !a.is_input && b.is_input;
  });
  std::vector<ResolvedHook> resolved;
  resolved.reserve(keyed.size());
  for (const Keyed& k : keyed) resolved.push_back(k.hook);
  return resolved;
}

const Matrix<Var>& Sequential::run_with_hooks(const Matrix<double>& input, const Hooks& hooks) {
  return run_on_numbers(input, resolve(hooks));
}

const Matrix<Var>& Sequential::run_with_hooks(const Matrix<Var>& input, const Hooks& hooks) {
  const std::vector<ResolvedHook> resolved = resolve(hooks);
  activations_[0] = input;
  input_on_tape_ = true;
  return run(resolved, 0);
}

Sequential::CachedRun Sequential::run_with_cache(const Matrix<double>& input, const Hooks& hooks) {
  const std::vector<ResolvedHook> resolved = resolve(hooks);
  const autodiff::Tape::Mark mark = tape_->mark();
  CachedRun result;
  try {
    // BEGIN EXERCISE 2.2 [input, resolved]
    // Hooks change the activation buffers in place and no layer writes to an earlier buffer, so
    // after the run each buffer holds its activation as the next layer read it.
    run_on_numbers(input, resolved);
    for (std::size_t k = 0; k < layers_.size(); ++k) {
      result.cache.insert(layer_input_name(k),
                          k == 0 && !input_on_tape_ ? input : detach(activations_[k]));
      result.cache.insert(layer_output_name(k), detach(activations_[k + 1]));
    }
    result.output = detach(activations_.back());
    // END EXERCISE 2.2
  } catch (...) {
    tape_->rewind(mark);
    throw;
  }
  tape_->rewind(mark);
  return result;
}

Matrix<double> Sequential::predict(const Matrix<double>& input) {
  const autodiff::Tape::Mark mark = tape_->mark();
  Matrix<double> output;
  try {
    output = detach(forward(input));
  } catch (...) {
    tape_->rewind(mark);
    throw;
  }
  tape_->rewind(mark);
  return output;
}

// ---- structure ----------------------------------------------------------------------------------

const Layer& Sequential::layer(std::size_t k) const {
  if (k >= layers_.size())
    throw std::out_of_range("Sequential: no layer " + std::to_string(k) + "; it has " +
                            std::to_string(layers_.size()));
  return *layers_[k];
}

std::vector<std::string> Sequential::hook_names() const {
  std::vector<std::string> names;
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    names.push_back(layer_input_name(k));
    names.push_back(layer_output_name(k));
  }
  return names;
}

std::string Sequential::to_string() const {
  std::string text = "Sequential(\n";
  for (std::size_t k = 0; k < layers_.size(); ++k)
    text += "  (" + std::to_string(k) + "): " + layers_[k]->name() + "\n";
  return text + ")";
}

// ---- parameters ---------------------------------------------------------------------------------

std::vector<NamedParameter> Sequential::named_parameters() const {
  std::vector<NamedParameter> result;
  for (std::size_t k = 0; k < layers_.size(); ++k)
    for (NamedParameter& parameter : layers_[k]->named_parameters())
      result.push_back(
          {"model." + std::to_string(k) + "." + parameter.name, std::move(parameter.value)});
  return result;
}

std::vector<Var> parameter_leaves(const std::vector<NamedParameter>& named) {
  std::vector<Var> result;
  for (const NamedParameter& parameter : named)
    for (const Var& v : parameter.value.flat()) result.push_back(v);
  return result;
}

StateDict state_dict_of(const std::vector<NamedParameter>& named) {
  StateDict state;
  for (const NamedParameter& parameter : named) {
    std::vector<double>& list = state[parameter.name];
    for (const Var& v : parameter.value.flat()) list.push_back(v.value());
  }
  return state;
}

void load_state_dict_into(const std::vector<NamedParameter>& parameters, const StateDict& state) {
  std::vector<std::string> names;
  names.reserve(parameters.size());
  for (const NamedParameter& parameter : parameters) names.push_back(parameter.name);
  for (const auto& entry : state)
    if (std::find(names.begin(), names.end(), entry.first) == names.end())
      throw std::invalid_argument("load_state_dict: unexpected parameter '" + entry.first +
                                  "'; this model's parameters are: " + join(names));
  for (const NamedParameter& parameter : parameters) {
    const auto found = state.find(parameter.name);
    if (found == state.end())
      throw std::invalid_argument("load_state_dict: missing parameter '" + parameter.name + "'");
    const std::vector<double>& given = found->second;
    if (given.size() != parameter.value.size())
      throw std::invalid_argument("load_state_dict: " + parameter.name + " has " +
                                  std::to_string(parameter.value.size()) + " values (" +
                                  shape_string(parameter.value) + ") but " +
                                  std::to_string(given.size()) + " were given");
    for (double v : given)
      if (!std::isfinite(v))
        throw std::invalid_argument("load_state_dict: " + parameter.name + " has the value " +
                                    std::to_string(v) + ", which is not finite");
  }
  for (const NamedParameter& parameter : parameters) {
    const std::vector<double>& given = state.at(parameter.name);
    const auto leaves = parameter.value.flat();
    for (std::size_t k = 0; k < leaves.size(); ++k) leaves[k].set_value(given[k]);
  }
}

std::vector<Var> Sequential::parameters() const { return parameter_leaves(named_parameters()); }

StateDict Sequential::state_dict() const { return state_dict_of(named_parameters()); }

void Sequential::load_state_dict(const StateDict& state) {
  load_state_dict_into(named_parameters(), state);
}

}  // namespace nn
