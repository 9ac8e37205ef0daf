// Chapter 3's command line is read strictly.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "chapters/03-training/options.hpp"

#include <gtest/gtest.h>

namespace {

chapter03::Options parse(std::vector<std::string_view> words) {
  return chapter03::parse_options(words);
}

std::string usage_error(std::vector<std::string_view> words) {
  try {
    parse(words);
  } catch (const chapter03::UsageError& error) {
    return error.what();
  }
  return "";
}

TEST(Ch03Chapter, ReadsSeedAndGate) {
  const chapter03::Options defaults = parse({});
  EXPECT_EQ(defaults.seed, chapter03::default_seed);
  EXPECT_FALSE(defaults.gate.has_value());
  const chapter03::Options options = parse({"--gate", "XOR", "--seed", "18446744073709551615"});
  EXPECT_EQ(options.seed, 18446744073709551615ULL);
  EXPECT_EQ(options.gate, nn::Gate::xor_gate);
  EXPECT_TRUE(parse({"--help"}).help);
}

TEST(Ch03Chapter, RejectsMalformedArguments) {
  EXPECT_EQ(usage_error({"--seed"}), "--seed needs a value");
  for (std::string_view bad : {"-1", "+1", "1.5", "0x10", "", "1 ", "18446744073709551616"})
    EXPECT_EQ(usage_error({"--seed", bad}),
              "--seed needs a whole number from 0 to 18446744073709551615, got '" +
                  std::string(bad) + "'");
  EXPECT_EQ(usage_error({"--seed", "1", "--seed", "2"}), "--seed given twice");
  EXPECT_EQ(usage_error({"--epochs", "5"}), "unknown flag '--epochs'");
  EXPECT_EQ(usage_error({"5"}), "unexpected argument '5'");
  EXPECT_EQ(usage_error({"--gate", "xnor"}),
            "--gate: unknown gate 'xnor'; the gates are: and, or, nand, nor, xor, and3, or3, maj3");
  // The chapter's neuron is Linear(2, 1): a three-input gate is refused, not a crash.
  EXPECT_NE(usage_error({"--gate", "maj3"}).find("has three inputs"), std::string::npos);
}

}  // namespace
