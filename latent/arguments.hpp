// Command-line arguments for `latent`: `--name value` flags and `--name` switches, with numbers
// read strictly. Anything malformed throws UsageError, whose message is the one line `latent`
// prints on stderr before exiting with status 2.
#pragma once

#include <map>
#include <optional>
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

// A finite decimal number, the whole text and nothing else: "abc", "", "1x", "nan" and "inf" are
// errors naming `what` (the flag) and the text.
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

  bool has(const std::string& name) const;
  // The value of a flag that must be given.
  std::string_view required(const std::string& name) const;
  std::optional<std::string_view> optional(const std::string& name) const;

  double number(const std::string& name) const;
  std::vector<double> numbers(const std::string& name) const;
  long long integer(const std::string& name, long long fallback, long long minimum,
                    long long maximum) const;

 private:
  std::map<std::string, std::string_view> values_;
  std::set<std::string> switches_;
};

}  // namespace latent
