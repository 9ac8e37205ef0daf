// Command-line arguments for `latent`: `--name value` flags and `--name` switches, with numbers
// read strictly. Anything malformed throws UsageError, whose message is the one line `latent`
// prints on stderr before exiting with status 2.
#pragma once

#include <map>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace latent {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The largest --seed (seeds are read as signed 64-bit numbers) and --epochs.
inline constexpr long long max_seed = 9223372036854775807LL;  // 2^63 - 1
inline constexpr long long max_epochs = 10000000;

// A finite decimal number, the whole text and nothing else, rounded to the nearest double (1e-400
// to 0): "abc", "", "1x", " 1", "nan", "inf" and 1e999 are errors naming `what` (the flag) and the
// text.
double parse_number(std::string_view text, std::string_view what);
// Comma-separated finite numbers: "1,0.5,-2". An empty item ("1,,2", "1,") is an error.
std::vector<double> parse_number_list(std::string_view text, std::string_view what);
// A whole number in [minimum, maximum].
long long parse_integer(std::string_view text, std::string_view what, long long minimum,
                        long long maximum);

class Arguments {
 public:
  // `flags` take a value (--seed 3); `switches` take none (--json). Every other word starting with
  // -- is an unknown flag; a word that is no flag at all is an unexpected argument.
  Arguments(std::span<const std::string_view> words, const std::set<std::string>& flags,
            const std::set<std::string>& switches);

  bool has(const std::string& name) const { return values_.contains(name); }
  // The value of a flag, which must be given; then the same read as numbers.
  std::string_view text(const std::string& name) const;
  double number(const std::string& name) const { return parse_number(text(name), "--" + name); }
  std::vector<double> numbers(const std::string& name) const {
    return parse_number_list(text(name), "--" + name);
  }
  // The flag's whole number in [minimum, maximum], or `fallback` when it is not given.
  long long integer(const std::string& name, long long fallback, long long minimum,
                    long long maximum) const {
    return has(name) ? parse_integer(text(name), "--" + name, minimum, maximum) : fallback;
  }

 private:
  std::map<std::string, std::string_view> values_;  // a switch has an empty value
};

}  // namespace latent
