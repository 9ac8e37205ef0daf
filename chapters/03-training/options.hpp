// Chapter 3's command line: `ch03 [--seed N] [--gate NAME]`, read strictly.
//
// Kept apart from main.cpp so that the tests can check it without running the program. Anything
// malformed throws UsageError, whose message main() prints as one line on stderr before exiting
// with status 2.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "nn/gates.hpp"

namespace chapter03 {

inline constexpr std::uint64_t default_seed = 0;
inline constexpr const char* usage = "usage: ch03 [--seed N] [--gate and|or|nand|nor|xor]";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  std::uint64_t seed = default_seed;
  std::optional<nn::Gate> gate;  // none: AND, then OR
  bool help = false;
};

// A whole number in [0, 2^64 - 1], digits only: "-1", "+1", "1.5", "0x10", "" are errors.
inline std::uint64_t parse_seed(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end)
    throw UsageError("--seed needs a whole number from 0 to 18446744073709551615, got '" +
                     std::string(text) + "'");
  return value;
}

// The words after the program's name.
inline Options parse_options(std::span<const std::string_view> words) {
  Options options;
  bool seen_seed = false, seen_gate = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string_view word = words[i];
    if (word == "--help" || word == "-h") {
      options.help = true;
      continue;
    }
    if (word != "--seed" && word != "--gate") {
      if (word.starts_with("-")) throw UsageError("unknown flag '" + std::string(word) + "'");
      throw UsageError("unexpected argument '" + std::string(word) + "'");
    }
    bool& seen = word == "--seed" ? seen_seed : seen_gate;
    if (seen) throw UsageError(std::string(word) + " given twice");
    seen = true;
    if (i + 1 == words.size()) throw UsageError(std::string(word) + " needs a value");
    const std::string_view value = words[++i];
    if (word == "--seed") {
      options.seed = parse_seed(value);
    } else {
      try {
        options.gate = nn::parse_gate(value);
      } catch (const std::invalid_argument& error) {
        throw UsageError(std::string("--gate: ") + error.what());
      }
      if (nn::input_count(*options.gate) != 2)
        throw UsageError("--gate: " + std::string(value) +
                         " has three inputs; this chapter's neuron has two (chapter 8 trains the "
                         "three-input gates)");
    }
  }
  return options;
}

}  // namespace chapter03
