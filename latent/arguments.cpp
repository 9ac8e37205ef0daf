#include "latent/arguments.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace latent {

namespace {
std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }
}  // namespace

double parse_number(std::string_view text, std::string_view what) {
  double value = 0.0;
  const char* end = text.data() + text.size();
  // from_chars does not skip spaces or accept a leading '+': a strict reading of the whole text.
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error == std::errc::invalid_argument || stop != end)
    throw UsageError(std::string(what) + ": " + quoted(text) + " is not a number");
  if (error == std::errc::result_out_of_range || !std::isfinite(value))
    throw UsageError(std::string(what) + ": " + quoted(text) + " is not a finite number");
  return value;
}

std::vector<double> parse_number_list(std::string_view text, std::string_view what) {
  std::vector<double> numbers;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma - start);
    if (item.empty())
      throw UsageError(std::string(what) + ": " + quoted(text) +
                       " has an empty item; write numbers separated by single commas, like 1,0.5");
    numbers.push_back(parse_number(item, what));
    if (comma == std::string_view::npos) return numbers;
    start = comma + 1;
  }
}

long long parse_integer(std::string_view text, std::string_view what, long long minimum,
                        long long maximum) {
  long long value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error == std::errc::invalid_argument || stop != end)
    throw UsageError(std::string(what) + ": " + quoted(text) + " is not a whole number");
  if (error == std::errc::result_out_of_range || value < minimum || value > maximum)
    throw UsageError(std::string(what) + ": " + quoted(text) + " is out of range; allowed " +
                     std::to_string(minimum) + " to " + std::to_string(maximum));
  return value;
}

Arguments::Arguments(std::span<const std::string_view> words, const std::set<std::string>& flags,
                     const std::set<std::string>& switches) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string_view word = words[i];
    if (word.size() < 3 || word.substr(0, 2) != "--")
      throw UsageError("unexpected argument " + quoted(word) + " (flags start with --)");
    const std::string name(word.substr(2));
    if (switches.count(name)) {
      switches_.insert(name);
      continue;
    }
    if (!flags.count(name)) throw UsageError("unknown flag " + quoted(word));
    if (i + 1 == words.size()) throw UsageError(std::string(word) + " needs a value");
    if (values_.count(name)) throw UsageError(std::string(word) + " is given twice");
    values_[name] = words[++i];
  }
}

bool Arguments::has(const std::string& name) const {
  return switches_.count(name) > 0 || values_.count(name) > 0;
}

std::optional<std::string_view> Arguments::optional(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  return found->second;
}

std::string_view Arguments::required(const std::string& name) const {
  const auto value = optional(name);
  if (!value) throw UsageError("--" + name + " is required");
  return *value;
}

double Arguments::number(const std::string& name) const {
  return parse_number(required(name), "--" + name);
}

std::vector<double> Arguments::numbers(const std::string& name) const {
  return parse_number_list(required(name), "--" + name);
}

long long Arguments::integer(const std::string& name, long long fallback, long long minimum,
                             long long maximum) const {
  const auto value = optional(name);
  return value ? parse_integer(*value, "--" + name, minimum, maximum) : fallback;
}

}  // namespace latent
