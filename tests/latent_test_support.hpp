// What the tests of the latent command share: the notebook's AND neuron with its reference
// numbers, a way to run the command in-process and keep what it printed, and ways to read what it
// printed as a user would: its JSON parsed (latent::Json::parse), its text split into lines and
// whitespace-separated words. Nothing here builds the JSON the command should print: the tests
// compare the numbers read back with a reference, a closed form, an invariant or the library's
// own doubles.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <stdlib.h>  // mkdtemp
#include <string>
#include <string_view>
#include <vector>

#include "attribution/experiment.hpp"
#include "latent/command.hpp"
#include "latent/json.hpp"

#include <gtest/gtest.h>

namespace latent_test {

// The notebook's AND neuron and its reference numbers, copied from
// shared/reference/notebook_models.json, models[0] ("AND_notebook"): "weights" and "bias", and
// from pairs[p11_00] (clean [1, 1], corrupt [0, 0]): "f_clean", "f_corrupt",
// ig_closed_form.clean_from_corrupt (the exact integral every rule converges to) and
// activation_patching.denoising / .noising (double precision, PyTorch 1.13).
inline const std::vector<double> and_weights = {3.0482, 3.0556};
constexpr double and_bias = -4.7946;
constexpr double reference_f_clean = 0.7873792561380948;
constexpr double reference_f_corrupt = 0.008206405562781054;
inline const std::vector<double> reference_ig = {0.38911410647853334, 0.39005874409678054};
inline const std::vector<double> reference_denoising = {0.18005688099695086, 0.18126092560168308};
inline const std::vector<double> reference_noising = {0.818739074398317, 0.8199431190030491};
// Gauss-Legendre at 50 steps is exact to rounding for this integrand; the reference and the
// library differ by a few units in the last place.
constexpr double reference_tolerance = 1e-12;

inline const std::vector<double> clean = {1.0, 1.0};
inline const std::vector<double> corrupt = {0.0, 0.0};

// The same neuron as command-line words.
inline const std::vector<std::string_view> and_neuron = {"--weights", "3.0482,3.0556", "--bias",
                                                         "-4.7946"};

// `command`, the AND neuron's words, then `rest`.
inline std::vector<std::string_view> with_neuron(std::string_view command,
                                                 std::vector<std::string_view> rest) {
  std::vector<std::string_view> words = {command};
  words.insert(words.end(), and_neuron.begin(), and_neuron.end());
  words.insert(words.end(), rest.begin(), rest.end());
  return words;
}

struct Outcome {
  int status = -1;
  std::string out, err;
};

// latent::run on `words`, with what it wrote to stdout and stderr.
inline Outcome latent_run(std::vector<std::string_view> words) {
  std::ostringstream out, err;
  Outcome outcome;
  outcome.status = latent::run(words, out, err);
  outcome.out = out.str();
  outcome.err = err.str();
  return outcome;
}

// The same for words that are built at run time (they must outlive the run).
inline Outcome run_strings(const std::vector<std::string>& words) {
  return latent_run(std::vector<std::string_view>(words.begin(), words.end()));
}

// The words of a command line, for messages.
inline std::string line_of(const std::vector<std::string>& words) {
  std::string line = "latent";
  for (const std::string& word : words) line += " " + word;
  return line;
}

// A double as text that reads back as the same double, for a command line.
inline std::string text17(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// Comma-separated, for --weights 1,2 and the like.
inline std::string list17(const std::vector<double>& values) {
  std::string text;
  for (std::size_t i = 0; i < values.size(); ++i) text += (i > 0 ? "," : "") + text17(values[i]);
  return text;
}

// What a reader of the report sees: the value with `decimals` digits after the point.
inline std::string fixed(double value, int decimals) {
  char text[400];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// ---- reading JSON ------------------------------------------------------------------------------

// What a successful --json run printed, parsed: one JSON value on one line, nothing on stderr.
inline latent::Json json_of(const Outcome& run) {
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_TRUE(!run.out.empty() && run.out.find('\n') == run.out.size() - 1)
      << "not one line: " << run.out.substr(0, 200);
  try {
    return latent::Json::parse(run.out);
  } catch (const latent::JsonError& error) {
    ADD_FAILURE() << "not JSON (" << error.what() << "): " << run.out.substr(0, 200);
    return {};
  }
}

inline bool is_null(const latent::Json& json) { return json.get<std::nullptr_t>() != nullptr; }

// The member reached by the keys in turn; a null (and a failure) when one is missing.
inline const latent::Json& at(const latent::Json& json,
                              std::initializer_list<std::string_view> keys) {
  static const latent::Json missing;
  const latent::Json* value = &json;
  std::string path;
  for (std::string_view key : keys) {
    path += (path.empty() ? "" : ".") + std::string(key);
    value = value->find(key);
    if (value == nullptr) {
      ADD_FAILURE() << "the JSON has no " << path;
      return missing;
    }
  }
  return *value;
}

inline double number(const latent::Json& json) {
  const std::optional<double> value = json.number();
  EXPECT_TRUE(value.has_value()) << "not a number: " << json.dump().substr(0, 100);
  return value.value_or(NAN);
}

inline double number_at(const latent::Json& json, std::initializer_list<std::string_view> keys) {
  return number(at(json, keys));
}

// An array of numbers; empty (and a failure) for anything else.
inline std::vector<double> numbers(const latent::Json& json) {
  std::vector<double> values;
  const latent::Json::Array* items = json.get<latent::Json::Array>();
  EXPECT_NE(items, nullptr) << "not an array: " << json.dump().substr(0, 100);
  if (items != nullptr)
    for (const latent::Json& item : *items) values.push_back(number(item));
  return values;
}

// The number of items of an array; 0 (and a failure) for anything else.
inline std::size_t size_of(const latent::Json& json) {
  const latent::Json::Array* items = json.get<latent::Json::Array>();
  EXPECT_NE(items, nullptr) << "not an array: " << json.dump().substr(0, 100);
  return items != nullptr ? items->size() : 0;
}

inline std::vector<double> numbers_at(const latent::Json& json,
                                      std::initializer_list<std::string_view> keys) {
  return numbers(at(json, keys));
}

inline std::string string_at(const latent::Json& json,
                             std::initializer_list<std::string_view> keys) {
  const std::string* text = at(json, keys).get<std::string>();
  EXPECT_NE(text, nullptr) << "not a string";
  return text != nullptr ? *text : "";
}

// An object of booleans, {"name": true, ...}, as a map.
inline std::map<std::string, bool> booleans(const latent::Json& json) {
  std::map<std::string, bool> values;
  const latent::Json::Object* members = json.get<latent::Json::Object>();
  EXPECT_NE(members, nullptr) << "not an object: " << json.dump().substr(0, 100);
  if (members != nullptr)
    for (const auto& [name, value] : *members) {
      EXPECT_NE(value.get<bool>(), nullptr) << name << " is not true or false";
      if (value.get<bool>() != nullptr) values[name] = *value.get<bool>();
    }
  return values;
}

// The same doubles, bit for bit but for the sign of zero: the 17-digit promise.
inline void expect_same_doubles(const std::vector<double>& actual,
                                const std::vector<double>& expected, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(actual[i], expected[i]) << what << "[" << i << "]";
}

inline void expect_near_each(const std::vector<double>& actual, const std::vector<double>& expected,
                             double tolerance, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], tolerance) << what << "[" << i << "]";
}

// ---- reading text
// --------------------------------------------------------------------------------

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The whitespace-separated words of a line.
inline std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

// The words of the first line whose first word is `first` (and that has `size` words, if `size`
// is not 0); empty (and a failure) if none is.
inline std::vector<std::string> row_of(const std::string& text, std::string_view first,
                                       std::size_t size = 0) {
  for (const std::string& line : lines_of(text)) {
    const std::vector<std::string> words = words_of(line);
    if (!words.empty() && words.front() == first && (size == 0 || words.size() == size))
      return words;
  }
  ADD_FAILURE() << "no line starts with " << first << " in\n" << text;
  return {};
}

// The number that follows `label` in the text ("f(x) = 0.787379256, ..." and label "f(x) = ").
inline double number_after(const std::string& text, const std::string& label) {
  const std::size_t at = text.find(label);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no '" << label << "' in\n" << text;
    return NAN;
  }
  return std::strtod(text.c_str() + at + label.size(), nullptr);
}

// ---- closed forms ------------------------------------------------------------------------------

inline double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

inline double dot(const std::vector<double>& w, const std::vector<double>& x) {
  double sum = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) sum += w[i] * x[i];
  return sum;
}

// The neuron sigmoid(w.x + b).
inline double neuron_output(const std::vector<double>& w, double b, const std::vector<double>& x) {
  return sigmoid(dot(w, x) + b);
}

// Integrated gradients of the neuron along the straight path, exactly: along it z moves linearly
// by dz = w.(x - x'), so the integral of sigma'(z) is (f(x) - f(x')) / dz, and
//   IG_i = (x_i - x'_i) w_i (f(x) - f(x')) / dz;
// when dz = 0, z stays put and the integral is sigma'(z) itself.
inline std::vector<double> neuron_ig(const std::vector<double>& w, double b,
                                     const std::vector<double>& x,
                                     const std::vector<double>& baseline) {
  std::vector<double> step(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) step[i] = x[i] - baseline[i];
  const double dz = dot(w, step);
  const double f = neuron_output(w, b, x), gap = f - neuron_output(w, b, baseline);
  const double mean_slope = dz == 0.0 ? f * (1.0 - f) : gap / dz;
  std::vector<double> ig(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) ig[i] = step[i] * w[i] * mean_slope;
  return ig;
}

// The gate's output on bits, from the gates' definitions (nn/gates.hpp).
inline double gate_output(std::string_view gate, const std::vector<double>& bits) {
  int ones = 0;
  for (double bit : bits) ones += bit == 1.0 ? 1 : 0;
  const int n = static_cast<int>(bits.size());
  if (gate == "and" || gate == "and3") return ones == n;
  if (gate == "or" || gate == "or3") return ones > 0;
  if (gate == "nand") return ones != n;
  if (gate == "nor") return ones == 0;
  if (gate == "xor") return ones == 1;
  if (gate == "maj3") return ones >= 2;
  ADD_FAILURE() << "no gate " << gate;
  return NAN;
}

inline std::size_t inputs_of(std::string_view gate) { return gate.ends_with('3') ? 3 : 2; }

// The truth table's rows in binary order, the first input the high bit.
inline std::vector<std::vector<double>> rows_of_gate(std::string_view gate) {
  const std::size_t n = inputs_of(gate);
  std::vector<std::vector<double>> rows;
  for (std::size_t r = 0; r < (std::size_t{1} << n); ++r) {
    std::vector<double> row;
    for (std::size_t i = 0; i < n; ++i) row.push_back(static_cast<double>((r >> (n - 1 - i)) & 1));
    rows.push_back(row);
  }
  return rows;
}

// The tutorial's clean and corrupt inputs for the gate: xor [1, 0] and [1, 1], the others all
// ones and all zeros.
inline std::vector<double> clean_of(std::string_view gate) {
  if (gate == "xor") return {1.0, 0.0};
  return std::vector<double>(inputs_of(gate), 1.0);
}
inline std::vector<double> corrupt_of(std::string_view gate) {
  if (gate == "xor") return {1.0, 1.0};
  return std::vector<double>(inputs_of(gate), 0.0);
}

// The network whose parameters a --json output printed (its "parameters" object), evaluated by
// hand: sigmoid(w.x + b), or with a hidden layer sigmoid(v.relu(W x + c) + d), W row-major.
struct PrintedNetwork {
  std::size_t inputs = 0, hidden = 0;
  std::vector<double> w0, b0, w2, b2;

  PrintedNetwork(const latent::Json& parameters, std::size_t n_inputs, std::size_t n_hidden)
      : inputs(n_inputs), hidden(n_hidden) {
    w0 = numbers_at(parameters, {"model.0.weight"});
    b0 = numbers_at(parameters, {"model.0.bias"});
    if (hidden > 0) {
      w2 = numbers_at(parameters, {"model.2.weight"});
      b2 = numbers_at(parameters, {"model.2.bias"});
    }
  }
  // Hidden neuron j's pre-activation, W_j . x + c_j.
  double pre_activation(std::size_t j, const std::vector<double>& x) const {
    double z = b0.at(j);
    for (std::size_t i = 0; i < inputs; ++i) z += w0.at(j * inputs + i) * x.at(i);
    return z;
  }
  std::vector<double> activations(const std::vector<double>& x) const {
    std::vector<double> a;
    for (std::size_t j = 0; j < hidden; ++j) a.push_back(std::max(0.0, pre_activation(j, x)));
    return a;
  }
  double output(const std::vector<double>& x) const {
    if (hidden == 0) return sigmoid(pre_activation(0, x));
    const std::vector<double> a = activations(x);
    double z = b2.at(0);
    for (std::size_t j = 0; j < hidden; ++j) z += w2.at(j) * a[j];
    return sigmoid(z);
  }
};

// ---- files -------------------------------------------------------------------------------------

// A fresh directory under testing::TempDir(), removed with everything in it when the test ends.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern =
        (std::filesystem::path(testing::TempDir()) / "latent_test_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern;
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  EXPECT_TRUE(out.flush()) << "cannot write " << path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A run that must be refused as bad input: status 2, nothing on stdout, and on stderr one line
// starting "latent: " that mentions `part`.
inline void expect_refused(const Outcome& run, const std::string& part, const std::string& line) {
  EXPECT_EQ(run.status, 2) << line << "\n-> " << run.err;
  EXPECT_EQ(run.out, "") << line;
  EXPECT_TRUE(run.err.starts_with("latent: ")) << line << "\n-> " << run.err;
  EXPECT_TRUE(!run.err.empty() && run.err.find('\n') == run.err.size() - 1)
      << line << "\n-> not one line: " << run.err;
  EXPECT_NE(run.err.find(part), std::string::npos)
      << line << "\n-> " << run.err << "(expected it to mention: " << part << ")";
}

// Training runs for `latent train`, with the settings the library is given for the same run.
struct TrainingCase {
  std::vector<std::string> flags;  // after "train"
  nn::Gate gate;
  std::uint64_t seed;
  std::size_t hidden;
  int epochs;
  double lr;
  attribution::TrainedNetwork library() const {
    return attribution::train_network(gate, seed, hidden, {.epochs = epochs, .lr = lr});
  }
};
inline const std::vector<TrainingCase> training_cases = {
    {{"--gate", "or", "--seed", "7", "--epochs", "25", "--lr", "0.5"},
     nn::Gate::or_gate,
     7,
     0,
     25,
     0.5},
    {{"--gate", "xor", "--hidden", "2", "--seed", "8", "--epochs", "30"},
     nn::Gate::xor_gate,
     8,
     2,
     30,
     0.5},
    {{"--gate", "maj3", "--hidden", "3", "--seed", "1", "--epochs", "12", "--lr", "0.25"},
     nn::Gate::maj3_gate,
     1,
     3,
     12,
     0.25},
};

}  // namespace latent_test
