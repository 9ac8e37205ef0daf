#include "latent/model_file.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "attribution/experiment.hpp"
#include "attribution/hidden_layer.hpp"
#include "latent/arguments.hpp"
#include "latent/json.hpp"
#include "nn/activations.hpp"
#include "nn/linear.hpp"

namespace latent {

namespace {

constexpr const char* format_name = "latent-circuits model";

// What the reader understands of JSON: enough for a model file, and strict about the rest.
struct Value {
  enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
  double number = 0.0;
  bool boolean = false;
  std::string string;
  std::vector<Value> array;
  // An object's members, in order: keys[i] names values[i]. (Two vectors, not one of pairs: a
  // pair cannot hold the still incomplete Value.)
  std::vector<std::string> keys;
  std::vector<Value> values;
};

class Reader {
 public:
  Reader(const std::string& text, const std::string& path) : text_(text), path_(path) {}

  Value document() {
    Value value = parse(0);
    skip_space();
    if (at_ < text_.size()) fail("unexpected text after the JSON object");
    return value;
  }

  [[noreturn]] void fail(const std::string& what) const {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < at_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw UsageError(path_ + ": line " + std::to_string(line) + ", column " +
                     std::to_string(column) + ": " + what + "; not a valid model file");
  }

 private:
  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t'))
      ++at_;
  }

  bool take(char c) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!take(c)) fail(std::string("expected '") + c + "'");
  }

  bool take_word(const char* word) {
    const std::string w(word);
    if (text_.compare(at_, w.size(), w) == 0) {
      at_ += w.size();
      return true;
    }
    return false;
  }

  Value parse(int depth) {
    if (depth > 16) fail("nested too deeply");
    skip_space();
    if (at_ >= text_.size()) fail("unexpected end of file");
    Value value;
    const char c = text_[at_];
    if (c == '{') {
      ++at_;
      value.kind = Value::Kind::object;
      if (take('}')) return value;
      do {
        skip_space();
        if (at_ >= text_.size() || text_[at_] != '"') fail("expected a key in double quotes");
        std::string key = parse_string();
        for (const std::string& seen : value.keys)
          if (seen == key) fail("the key \"" + key + "\" appears twice");
        expect(':');
        value.keys.push_back(std::move(key));
        value.values.push_back(parse(depth + 1));
      } while (take(','));
      if (!take('}')) fail("expected ',' or '}'");
    } else if (c == '[') {
      ++at_;
      value.kind = Value::Kind::array;
      if (take(']')) return value;
      do value.array.push_back(parse(depth + 1));
      while (take(','));
      if (!take(']')) fail("expected ',' or ']'");
    } else if (c == '"') {
      value.kind = Value::Kind::string;
      value.string = parse_string();
    } else if (take_word("true")) {
      value.kind = Value::Kind::boolean;
      value.boolean = true;
    } else if (take_word("false")) {
      value.kind = Value::Kind::boolean;
    } else if (take_word("null")) {
      value.kind = Value::Kind::null;
    } else {
      value.kind = Value::Kind::number;
      value.number = parse_number_here();
    }
    return value;
  }

  std::string parse_string() {
    ++at_;  // the opening quote
    std::string out;
    while (at_ < text_.size() && text_[at_] != '"') {
      char c = text_[at_++];
      if (static_cast<unsigned char>(c) < 0x20) fail("a control character inside a string");
      if (c == '\\') {
        if (at_ >= text_.size()) break;
        c = text_[at_++];
        if (c == 'n')
          c = '\n';
        else if (c == 't')
          c = '\t';
        else if (c != '"' && c != '\\' && c != '/')
          fail("an escape this reader does not accept");
      }
      out += c;
    }
    if (at_ >= text_.size()) fail("a string is not closed");
    ++at_;
    return out;
  }

  double parse_number_here() {
    // JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    const std::size_t start = at_;
    auto digits = [&] {
      const std::size_t from = at_;
      while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
      return at_ > from;
    };
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    if (at_ < text_.size() && text_[at_] == '0')
      ++at_;
    else if (!digits())
      fail("expected a value");
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (!digits()) fail("expected digits after the decimal point");
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (!digits()) fail("expected digits in the exponent");
    }
    try {
      return parse_number(std::string_view(text_).substr(start, at_ - start), "a number");
    } catch (const UsageError& error) {
      fail(error.what());  // 1e999: JSON, but not a double
    }
  }

  const std::string& text_;
  const std::string& path_;
  std::size_t at_ = 0;
};

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw UsageError(path + ": " + what + "; not a valid model file");
}

const Value& member(const Value& object, const std::string& key, Value::Kind kind,
                    const std::string& path) {
  for (std::size_t i = 0; i < object.keys.size(); ++i)
    if (object.keys[i] == key) {
      if (object.values[i].kind != kind) bad(path, "\"" + key + "\" has the wrong type");
      return object.values[i];
    }
  bad(path, "the key \"" + key + "\" is missing");
}

long long whole(const Value& object, const std::string& key, long long minimum, long long maximum,
                const std::string& path) {
  const double value = member(object, key, Value::Kind::number, path).number;
  if (!(value >= static_cast<double>(minimum) && value <= static_cast<double>(maximum)) ||
      value != std::floor(value))
    bad(path, "\"" + key + "\" must be a whole number from " + std::to_string(minimum) + " to " +
                  std::to_string(maximum));
  return static_cast<long long>(value);
}

}  // namespace

std::string model_file_text(const ModelFile& model) {
  Json::Object parameters;
  for (const auto& [name, values] : model.parameters) parameters.emplace_back(name, Json(values));
  Json::Object file;
  file.emplace_back("format", format_name);
  file.emplace_back("version", 1);
  file.emplace_back("gate", nn::gate_name(model.gate));
  file.emplace_back("inputs", static_cast<long long>(nn::input_count(model.gate)));
  file.emplace_back("hidden", static_cast<long long>(model.hidden));
  file.emplace_back("seed", static_cast<long long>(model.seed));
  file.emplace_back("epochs", model.epochs);
  file.emplace_back("lr", model.lr);
  file.emplace_back("parameters", Json(std::move(parameters)));
  return Json(std::move(file)).dump() + "\n";
}

void save_model_file(const std::string& path, const ModelFile& model) {
  const std::string text = model_file_text(model);
  std::ofstream out(path, std::ios::binary);
  if (!out || !(out << text) || !out.flush()) throw UsageError("cannot write " + path);
}

ModelFile parse_model_file(const std::string& text, const std::string& path) {
  Reader reader(text, path);
  const Value root = reader.document();
  if (root.kind != Value::Kind::object) bad(path, "the file must hold one JSON object");
  const std::set<std::string> known = {"format", "version", "gate", "inputs",    "hidden",
                                       "seed",   "epochs",  "lr",   "parameters"};
  for (const std::string& name : root.keys)
    if (!known.contains(name)) bad(path, "unexpected key \"" + name + "\"");
  if (member(root, "format", Value::Kind::string, path).string != format_name)
    bad(path, std::string("\"format\" must be \"") + format_name + "\"");
  if (whole(root, "version", 1, 1, path) != 1) bad(path, "only version 1 is known");

  ModelFile model;
  try {
    model.gate = nn::parse_any_gate(member(root, "gate", Value::Kind::string, path).string);
  } catch (const std::invalid_argument& error) {
    bad(path, error.what());
  }
  const long long inputs = whole(root, "inputs", 1, 3, path);
  if (static_cast<std::size_t>(inputs) != nn::input_count(model.gate))
    bad(path, "\"inputs\" is " + std::to_string(inputs) + " but the " + nn::gate_name(model.gate) +
                  " gate has " + std::to_string(nn::input_count(model.gate)));
  model.hidden = static_cast<std::size_t>(whole(root, "hidden", 0, attribution::max_hidden, path));
  model.seed = static_cast<std::uint64_t>(whole(root, "seed", 0, 9007199254740992LL, path));
  model.epochs = static_cast<int>(whole(root, "epochs", 0, 10000000, path));
  model.lr = member(root, "lr", Value::Kind::number, path).number;
  const Value& parameters = member(root, "parameters", Value::Kind::object, path);
  for (std::size_t p = 0; p < parameters.keys.size(); ++p) {
    const std::string& name = parameters.keys[p];
    const Value& value = parameters.values[p];
    if (value.kind != Value::Kind::array) bad(path, "parameter \"" + name + "\" is not a list");
    std::vector<double> numbers;
    for (const Value& number : value.array) {
      if (number.kind != Value::Kind::number)
        bad(path, "parameter \"" + name + "\" holds something that is not a number");
      numbers.push_back(number.number);
    }
    model.parameters.emplace(name, std::move(numbers));
  }
  // Build the model once: load_state_dict names a missing, extra or wrongly sized parameter.
  try {
    autodiff::Tape tape;
    if (model.hidden == 0) {
      nn::Generator generator;
      nn::Sequential neuron(tape, generator, nn::Linear(static_cast<std::size_t>(inputs), 1),
                            nn::Sigmoid());
      neuron.load_state_dict(model.parameters);
    } else {
      attribution::hidden_layer_network(tape, static_cast<std::size_t>(inputs), model.hidden,
                                        model.parameters);
    }
  } catch (const std::invalid_argument& error) {
    bad(path, error.what());
  }
  return model;
}

ModelFile load_model_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_model_file(text.str(), path);
}

}  // namespace latent
