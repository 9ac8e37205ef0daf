#include "tests/fuzz/targets.hpp"

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "latent/arguments.hpp"
#include "latent/json.hpp"
#include "latent/model_file.hpp"
#include "nn/gates.hpp"

namespace fuzz {

namespace {

// Bit for bit: -0 is not 0, and a model file promises exactly the doubles it was given.
bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

void expect(bool holds, const std::string& what) {
  if (!holds) throw Broken(what);
}

// ---- the model file --------------------------------------------------------------------------

// What the file says against what was read from it: the reader took its numbers as they are.
void check_read_as_written(std::string_view bytes, const attribution::TrainedNetwork& network,
                           bool classifier) {
  std::optional<latent::Json> parsed;
  try {
    parsed = latent::Json::parse(bytes);
  } catch (const latent::JsonError& error) {
    throw Broken(std::string("a model file was read, but it is no JSON: ") + error.what());
  }
  const latent::Json& root = *parsed;
  const auto whole = [&](const char* key) {
    const latent::Json* value = root.find(key);
    expect(value != nullptr && value->get<long long>() != nullptr,
           std::string("a model file without a whole number \"") + key + "\" was read");
    return *value->get<long long>();
  };
  const latent::Json* classes = root.find("classes");
  expect((classes != nullptr) == classifier,
         classifier ? "a classifier was read from a file without \"classes\""
                    : "a network was read from a file with \"classes\"");
  const latent::Json* gate = root.find("gate");
  expect(gate != nullptr && gate->get<std::string>() != nullptr &&
             nn::parse_gate(*gate->get<std::string>()) == network.gate,
         "the gate read is not the file's");
  expect(whole("hidden") == static_cast<long long>(network.hidden),
         "the hidden layer read is not the file's");
  expect(whole("seed") == static_cast<long long>(network.training->seed),
         "the seed read is not the file's");
  expect(whole("epochs") == network.training->epochs, "the epochs read are not the file's");
  const latent::Json* lr = root.find("lr");
  expect(lr != nullptr && lr->number() && same_bits(*lr->number(), network.training->lr),
         "the lr read is not the file's");

  const latent::Json* parameters = root.find("parameters");
  expect(parameters != nullptr && parameters->get<latent::Json::Object>() != nullptr,
         "a model file without parameters was read");
  const latent::Json::Object& given = *parameters->get<latent::Json::Object>();
  expect(given.size() == network.parameters.size(), "the file has " + std::to_string(given.size()) +
                                                        " parameters, the network read " +
                                                        std::to_string(network.parameters.size()));
  for (const auto& [name, list] : given) {
    const auto found = network.parameters.find(name);
    expect(found != network.parameters.end(), "parameter " + name + " was not read");
    const latent::Json::Array* numbers = list.get<latent::Json::Array>();
    expect(numbers != nullptr && numbers->size() == found->second.size(),
           "parameter " + name + " was read with another size");
    for (std::size_t k = 0; k < numbers->size(); ++k)
      expect((*numbers)[k].number() && same_bits(*(*numbers)[k].number(), found->second[k]),
             "parameter " + name + "[" + std::to_string(k) + "] was not read as written");
  }
}

// ---- the arguments ---------------------------------------------------------------------------

// Every flag and switch of every latent command (latent/command.cpp).
const std::set<std::string> flags = {"gate",   "hidden",   "seed",        "epochs",  "lr",
                                     "save",   "weights",  "bias",        "input",   "baseline",
                                     "clean",  "corrupt",  "n-steps",     "method",  "load",
                                     "metric", "fraction", "split-ratio", "circuit", "sink"};
const std::set<std::string> switches = {"json", "csv",     "help",     "classifier",
                                        "skip", "no-skip", "induction"};

struct Range {
  long long minimum, maximum;
};
constexpr Range ranges[] = {
    {LLONG_MIN, LLONG_MAX}, {0, latent::max_seed}, {1, latent::max_epochs}, {-3, 3}};

template <class Read>
auto refused_or(Read read) -> std::optional<decltype(read())> {
  try {
    return read();
  } catch (const latent::UsageError&) {
    return std::nullopt;
  }
}

// The three number readers on one text: finite numbers, whole numbers in the range asked, and
// each reader agreeing with the others on what they both accept.
void check_number_readers(std::string_view text) {
  const std::optional<double> number = refused_or([&] { return latent::parse_number(text, "x"); });
  expect(!number || std::isfinite(*number), "parse_number gave a number that is not finite");

  const std::optional<std::vector<double>> list =
      refused_or([&] { return latent::parse_number_list(text, "x"); });
  if (list) {
    expect(list->size() == static_cast<std::size_t>(std::count(text.begin(), text.end(), ',')) + 1,
           "parse_number_list gave another count of numbers than of items");
    std::size_t start = 0;
    for (const double item : *list) {
      const std::size_t comma = std::min(text.find(',', start), text.size());
      const std::optional<double> alone =
          refused_or([&] { return latent::parse_number(text.substr(start, comma - start), "x"); });
      expect(alone && same_bits(*alone, item),
             "parse_number_list read an item otherwise than parse_number");
      start = comma + 1;
    }
  }
  if (text.find(',') == std::string_view::npos)
    expect(list.has_value() == number.has_value() && (!list || same_bits((*list)[0], *number)),
           "parse_number_list and parse_number disagree on one number");

  const std::optional<long long> any = refused_or(
      [&] { return latent::parse_integer(text, "x", ranges[0].minimum, ranges[0].maximum); });
  if (!any) {  // so refused in a narrow range too; one try keeps the throws (slow under ASan) few
    expect(!refused_or([&] { return latent::parse_integer(text, "x", -3, 3); }),
           "parse_integer accepted in a narrow range what it refused in the widest");
    return;
  }
  // A whole number is a decimal number too, and both round it to the same double.
  expect(number && *number == static_cast<double>(*any),
         "parse_integer accepts what parse_number reads otherwise");
  for (const Range& range : ranges) {
    const std::optional<long long> value =
        refused_or([&] { return latent::parse_integer(text, "x", range.minimum, range.maximum); });
    expect(value.has_value() == (*any >= range.minimum && *any <= range.maximum),
           "parse_integer refused a number in its range, or accepted one outside it");
    expect(!value || value == any, "parse_integer read a number otherwise in another range");
  }
}

void check_flag(const latent::Arguments& arguments, const std::string& name,
                const std::vector<std::string_view>& words) {
  if (!arguments.has(name)) {
    expect(!refused_or([&] { return arguments.text(name); }),
           "--" + name + " has a value though it was not given");
    expect(arguments.integer(name, 42, 0, 100) == 42,
           "--" + name + " not given is not its default");
    return;
  }
  // The value is the very word after the flag.
  const std::string_view value = arguments.text(name);
  const auto word = std::find_if(words.begin(), words.end(), [&](std::string_view w) {
    return w.data() == value.data() && w.size() == value.size();
  });
  expect(word != words.end() && word != words.begin() && *(word - 1) == "--" + name,
         "the value of --" + name + " is not the word after it");

  const std::optional<double> number = refused_or([&] { return arguments.number(name); });
  expect(!number || std::isfinite(*number), "--" + name + " read as a number that is not finite");
  const std::optional<std::vector<double>> numbers =
      refused_or([&] { return arguments.numbers(name); });
  expect(!numbers || (!numbers->empty() && std::all_of(numbers->begin(), numbers->end(),
                                                       [](double x) { return std::isfinite(x); })),
         "--" + name + " read as numbers not all finite");
  // check_number_readers tries every range on the word itself; one is enough here.
  const std::optional<long long> whole =
      refused_or([&] { return arguments.integer(name, 0, 1, latent::max_epochs); });
  expect(!whole || (*whole >= 1 && *whole <= latent::max_epochs),
         "--" + name + " read as a whole number outside the range asked");
}

// ---- the markers -----------------------------------------------------------------------------

bool blank(std::string_view text) { return text.find_first_not_of(" \t") == text.npos; }

}  // namespace

std::vector<std::string_view> words_of(std::string_view bytes) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start < bytes.size()) {
    const std::size_t newline = std::min(bytes.find('\n', start), bytes.size());
    words.push_back(bytes.substr(start, newline - start));
    start = newline + 1;
  }
  return words;
}

void check_same_network(const attribution::TrainedNetwork& first,
                        const attribution::TrainedNetwork& second) {
  expect(first.gate == second.gate, "the gate changed");
  expect(first.hidden == second.hidden, "the hidden layer changed");
  expect(first.training.has_value() && second.training.has_value(), "the training was lost");
  expect(first.training->seed == second.training->seed, "the seed changed");
  expect(first.training->epochs == second.training->epochs, "the epochs changed");
  expect(same_bits(first.training->lr, second.training->lr), "the lr changed");
  expect(first.parameters.size() == second.parameters.size(), "the parameters' names changed");
  for (const auto& [name, values] : first.parameters) {
    const auto found = second.parameters.find(name);
    expect(found != second.parameters.end() && found->second.size() == values.size() &&
               std::equal(values.begin(), values.end(), found->second.begin(), same_bits),
           "parameter " + name + " changed");
  }
}

void check_regions(std::string_view text, const std::vector<course::Region>& regions) {
  // starts[n]: where line n + 1 begins.
  std::vector<std::size_t> starts = {0};
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts.push_back(i + 1);
  const auto line = [&](std::size_t number) {
    const std::size_t begin = starts[number - 1];
    const std::size_t end = number < starts.size() ? starts[number] - 1 : text.size();
    return text.substr(begin, end - begin);
  };
  std::size_t after = 0;  // the previous region's END line
  for (const course::Region& r : regions) {
    const std::string which = "region " + r.id + " (line " + std::to_string(r.begin_line) + ")";
    expect(r.begin_line > after, which + " does not come after the one before it");
    expect(r.begin_line + 1 < r.end_line, which + " does not end after a line of body");
    expect(r.end_line <= starts.size(), which + " ends after the text");
    expect(r.body_begin == starts[r.begin_line] && r.body_end == starts[r.end_line - 1],
           which + "'s body is not the lines between its markers");
    expect(blank(r.indent) && line(r.begin_line).starts_with(r.indent),
           which + "'s indent is not its BEGIN line's");
    const std::string_view begin = line(r.begin_line), end = line(r.end_line);
    expect(begin.find("BEGIN EXERCISE " + r.id) != begin.npos,
           which + " does not begin at its BEGIN line");
    expect(end.find("END EXERCISE " + r.id) != end.npos, which + " does not end at its END line");
    after = r.end_line;
  }
}

// The network a model holds, and whether it is a classifier.
const attribution::TrainedNetwork& network_of(const latent::Model& model) {
  if (const auto* classifier = std::get_if<latent::TrainedClassifier>(&model))
    return classifier->network;
  return std::get<attribution::TrainedNetwork>(model);
}

std::string text_of(const latent::Model& model) {
  return std::visit([](const auto& m) { return latent::model_file_text(m); }, model);
}

Outcome model_file(std::string_view bytes) {
  latent::Model model;
  try {
    model = latent::parse_any_model_file(bytes, "fuzz.json");
  } catch (const latent::UsageError&) {
    return Outcome::refused;
  }
  const bool classifier = std::holds_alternative<latent::TrainedClassifier>(model);
  const attribution::TrainedNetwork& network = network_of(model);
  expect(network.training.has_value(), "a model file was read without its training");
  check_read_as_written(bytes, network, classifier);
  // The reader of the network alone reads the same network, and refuses the classifier.
  std::optional<attribution::TrainedNetwork> alone;
  try {
    alone = latent::parse_model_file(bytes, "fuzz.json");
  } catch (const latent::UsageError&) {
    expect(classifier, "parse_model_file refused a network parse_any_model_file read");
  }
  expect(!classifier || !alone, "parse_model_file read a classifier's file");
  if (alone) check_same_network(network, *alone);

  const std::string text = text_of(model);
  latent::Model again;
  try {
    again = latent::parse_any_model_file(text, "written.json");
  } catch (const latent::UsageError& error) {
    throw Broken(std::string("what model_file_text wrote does not read back: ") + error.what());
  }
  expect(std::holds_alternative<latent::TrainedClassifier>(again) == classifier,
         "a model written and read back is of another kind");
  check_same_network(network, network_of(again));
  expect(text_of(again) == text, "a model written twice is two texts");
  return Outcome::accepted;
}

Outcome arguments(std::string_view bytes) {
  const std::vector<std::string_view> words = words_of(bytes);
  for (const std::string_view word : words) check_number_readers(word);
  std::optional<latent::Arguments> parsed;
  try {
    parsed.emplace(words, flags, switches);
  } catch (const latent::UsageError&) {
    return Outcome::refused;
  }
  for (const std::string& name : flags) check_flag(*parsed, name, words);
  for (const std::string& name : switches)
    expect(!parsed->has(name) || std::find(words.begin(), words.end(), "--" + name) != words.end(),
           "the switch --" + name + " is on though it was not given");
  return Outcome::accepted;
}

Outcome markers(std::string_view bytes) {
  const std::string file = "fuzz.cpp";
  std::vector<course::Region> regions;
  try {
    regions = course::find_regions(bytes, file);
  } catch (const course::Error&) {
    return Outcome::refused;
  }
  check_regions(bytes, regions);

  course::Table table;
  for (const course::Region& region : regions)
    if (table.exercise(region.id) == nullptr)
      table.exercises.push_back({.id = region.id, .title = "the exercise", .file = file});
  std::string student;
  try {
    student = course::student_text(bytes, file, regions, table);
  } catch (const course::Error&) {
    return Outcome::accepted;  // regions, but no #include line to put the stubs' include before
  }
  std::string restored;
  try {
    restored = course::restore(student, bytes, file);
  } catch (const course::Error& error) {
    throw Broken(std::string("the student edition does not restore: ") + error.what());
  }
  expect(restored == bytes, "the student edition with its solutions put back is another text");
  return Outcome::accepted;
}

}  // namespace fuzz
