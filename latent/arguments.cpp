#include "latent/arguments.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <system_error>

#include "latent/json.hpp"

namespace latent {

namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// from_chars skips no spaces and takes no leading '+': a strict reading of the whole text.
template <class Number>
std::errc read(std::string_view text, Number& value) {
  const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return text.empty() || stop != text.data() + text.size() ? std::errc::invalid_argument : error;
}

}  // namespace

double parse_number(std::string_view text, std::string_view what) {
  if (const std::optional<double> value = read_double(text)) return *value;
  double value = 0.0;  // why not: "inf", "nan" and 1e999 are numbers, but not finite ones
  throw UsageError(std::string(what) + ": " + quoted(text) +
                   (read(text, value) == std::errc::invalid_argument ? " is not a number"
                                                                     : " is not a finite number"));
}

std::vector<double> parse_number_list(std::string_view text, std::string_view what) {
  std::vector<double> numbers;
  std::size_t start = 0, comma = 0;
  do {
    comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma - start);
    if (item.empty())
      throw UsageError(std::string(what) + ": " + quoted(text) +
                       " has an empty item; write numbers separated by single commas, like 1,0.5");
    numbers.push_back(parse_number(item, what));
    start = comma + 1;
  } while (comma != std::string_view::npos);
  return numbers;
}

long long parse_integer(std::string_view text, std::string_view what, long long minimum,
                        long long maximum) {
  long long value = 0;
  const std::errc error = read(text, value);
  if (error == std::errc::invalid_argument)
    throw UsageError(std::string(what) + ": " + quoted(text) + " is not a whole number");
  if (error != std::errc() || value < minimum || value > maximum)
    throw UsageError(std::string(what) + ": " + quoted(text) + " is out of range; allowed " +
                     std::to_string(minimum) + " to " + std::to_string(maximum));
  return value;
}

Arguments::Arguments(std::span<const std::string_view> words, const std::set<std::string>& flags,
                     const std::set<std::string>& switches) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string_view word = words[i];
    if (word.size() < 3 || !word.starts_with("--"))
      throw UsageError("unexpected argument " + quoted(word) + " (flags start with --)");
    const std::string name(word.substr(2));
    if (!flags.contains(name) && !switches.contains(name))
      throw UsageError("unknown flag " + quoted(word));
    if (flags.contains(name) && i + 1 == words.size())
      throw UsageError(std::string(word) + " needs a value");
    if (values_.contains(name)) throw UsageError(std::string(word) + " is given twice");
    values_[name] = flags.contains(name) ? words[++i] : std::string_view();
  }
}

std::string_view Arguments::text(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) throw UsageError("--" + name + " is required");
  return found->second;
}

}  // namespace latent
