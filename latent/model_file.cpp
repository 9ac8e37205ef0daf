#include "latent/model_file.hpp"

#include <set>
#include <stdexcept>
#include <utility>

#include "latent/arguments.hpp"
#include "latent/files.hpp"
#include "latent/json.hpp"
#include "nn/network.hpp"

namespace latent {

namespace {

constexpr const char* format_name = "latent-circuits model";
constexpr long long classes = 2;

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw UsageError(path + ": " + what + "; not a valid model file");
}

// The member `key` of the file's object, of type T.
template <class T>
const T& member(const Json& root, const std::string& key, const std::string& path) {
  const Json* value = root.find(key);
  if (value == nullptr) bad(path, "the key \"" + key + "\" is missing");
  if (value->get<T>() == nullptr) bad(path, "\"" + key + "\" has the wrong type");
  return *value->get<T>();
}

long long whole(const Json& root, const std::string& key, long long minimum, long long maximum,
                const std::string& path) {
  const Json* value = root.find(key);
  if (value == nullptr) bad(path, "the key \"" + key + "\" is missing");
  const long long* number = value->get<long long>();
  if (number == nullptr || *number < minimum || *number > maximum)
    bad(path, "\"" + key + "\" must be a whole number from " + std::to_string(minimum) + " to " +
                  std::to_string(maximum));
  return *number;
}

// The file's object. "classes" only for a classifier: a network's file keeps the keys that every
// reader of model files knows.
std::string file_text(const attribution::TrainedNetwork& network, bool classifier) {
  if (!network.training) throw std::invalid_argument("save_model_file: the network is not trained");
  Json::Object parameters;
  for (const auto& [name, values] : network.parameters) parameters.emplace_back(name, values);
  Json::Object members = {{"format", format_name},
                          {"version", 1},
                          {"gate", nn::gate_name(network.gate)},
                          {"inputs", static_cast<long long>(nn::input_count(network.gate))},
                          {"hidden", static_cast<long long>(network.hidden)}};
  if (classifier) members.emplace_back("classes", static_cast<long long>(classes));
  members.emplace_back("seed", static_cast<long long>(network.training->seed));
  members.emplace_back("epochs", network.training->epochs);
  members.emplace_back("lr", network.training->lr);
  members.emplace_back("parameters", Json(std::move(parameters)));
  return Json(std::move(members)).dump() + "\n";
}

}  // namespace

std::string model_file_text(const attribution::TrainedNetwork& network) {
  return file_text(network, false);
}

std::string model_file_text(const TrainedClassifier& classifier) {
  return file_text(classifier.network, true);
}

void save_model_file(const std::string& path, const attribution::TrainedNetwork& network) {
  write_file_atomically(path, model_file_text(network));
}

void save_model_file(const std::string& path, const TrainedClassifier& classifier) {
  write_file_atomically(path, model_file_text(classifier));
}

Model parse_any_model_file(std::string_view text, const std::string& path) {
  try {  // the JSON reader's errors and the library's (a gate, the parameters' sizes) name the file
    const Json root = Json::parse(text);
    if (root.get<Json::Object>() == nullptr) bad(path, "the file must hold one JSON object");
    const std::set<std::string> known = {"format",  "version", "gate",   "inputs", "hidden",
                                         "classes", "seed",    "epochs", "lr",     "parameters"};
    for (const auto& [name, value] : *root.get<Json::Object>())
      if (!known.contains(name)) bad(path, "unexpected key \"" + name + "\"");
    if (member<std::string>(root, "format", path) != format_name)
      bad(path, std::string("\"format\" must be \"") + format_name + "\"");
    whole(root, "version", 1, 1, path);
    const nn::Gate gate = nn::parse_gate(member<std::string>(root, "gate", path));
    const auto inputs = static_cast<std::size_t>(whole(root, "inputs", 1, 3, path));
    if (inputs != nn::input_count(gate))
      bad(path, "\"inputs\" is " + std::to_string(inputs) + " but the " + nn::gate_name(gate) +
                    " gate has " + std::to_string(nn::input_count(gate)));
    const auto hidden = whole(root, "hidden", 0, static_cast<long long>(nn::max_hidden), path);
    // Two classes, the only classifier latent trains and measures.
    const bool classifier = root.find("classes") != nullptr;
    if (classifier) whole(root, "classes", classes, classes, path);
    attribution::Training training;
    training.seed = static_cast<std::uint64_t>(whole(root, "seed", 0, max_seed, path));
    training.epochs = static_cast<int>(whole(root, "epochs", 1, max_epochs, path));
    const std::optional<double> lr = root.find("lr") ? root.find("lr")->number() : std::nullopt;
    if (!lr || !(*lr > 0.0)) bad(path, "\"lr\" must be a number greater than 0");
    training.lr = *lr;

    nn::StateDict parameters;
    for (const auto& [name, list] : member<Json::Object>(root, "parameters", path)) {
      if (list.get<Json::Array>() == nullptr) bad(path, "parameter \"" + name + "\" is not a list");
      for (const Json& number : *list.get<Json::Array>()) {
        if (!number.number()) bad(path, "parameter \"" + name + "\" holds something not a number");
        parameters[name].push_back(*number.number());
      }
    }
    if (classifier) {
      TrainedClassifier model =
          given_classifier(gate, static_cast<std::size_t>(hidden), parameters);
      model.network.training = std::move(training);
      return model;
    }
    attribution::TrainedNetwork network =
        attribution::given_network(gate, static_cast<std::size_t>(hidden), parameters);
    network.training = std::move(training);
    return network;
  } catch (const JsonError& error) {
    bad(path, error.what());
  } catch (const std::invalid_argument& error) {
    bad(path, error.what());
  }
}

Model load_any_model_file(const std::string& path) {
  return parse_any_model_file(read_regular_file(path, max_model_file_bytes), path);
}

attribution::TrainedNetwork parse_model_file(std::string_view text, const std::string& path) {
  Model model = parse_any_model_file(text, path);
  if (auto* network = std::get_if<attribution::TrainedNetwork>(&model)) return std::move(*network);
  throw UsageError(path +
                   ": the file holds a two-class classifier (\"classes\": 2), not the tutorial's "
                   "network; `latent experiment --load` reads it");
}

attribution::TrainedNetwork load_model_file(const std::string& path) {
  return parse_model_file(read_regular_file(path, max_model_file_bytes), path);
}

}  // namespace latent
