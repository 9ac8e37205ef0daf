// The latent command's reading of its arguments: numbers read strictly (the whole text, finite),
// lists of them, whole numbers in a range, and `--name value` flags and `--name` switches. Every
// refusal is a UsageError naming the flag and the text it got.
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "latent/arguments.hpp"

#include <gtest/gtest.h>

using latent::Arguments;
using latent::UsageError;

namespace {

// The message of the UsageError the action throws, or "(no error)".
template <class Action>
std::string usage_error_of(Action action) {
  try {
    action();
  } catch (const UsageError& error) {
    return error.what();
  }
  return "(no error)";
}

bool mentions(const std::string& message, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts)
    if (message.find(part) == std::string::npos) return false;
  return true;
}

TEST(LatentArguments, NumbersAreReadStrictly) {
  EXPECT_EQ(latent::parse_number("-4.7946", "--bias"), -4.7946);
  EXPECT_EQ(latent::parse_number("1e-3", "--bias"), 1e-3);
  EXPECT_EQ(latent::parse_number("3", "--bias"), 3.0);
  EXPECT_EQ(latent::parse_number("0.78737925613809479", "--bias"), 0.78737925613809479);
  EXPECT_EQ(latent::parse_number("5e-324", "--bias"), 5e-324);
  EXPECT_EQ(latent::parse_number("1.7976931348623157e308", "--bias"),
            std::numeric_limits<double>::max());
  EXPECT_TRUE(std::signbit(latent::parse_number("-0", "--bias")));
  for (const char* bad : {"abc", "", "1.5x", " 1", "1 ", "+1", "1,2", "0x", "--1", "e5"}) {
    const std::string message = usage_error_of([bad] { latent::parse_number(bad, "--bias"); });
    EXPECT_TRUE(mentions(message, {"--bias", "'" + std::string(bad) + "'", "not a number"}))
        << "'" << bad << "' -> " << message;
  }
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "infinity", "1e999", "-1e400"}) {
    const std::string message = usage_error_of([bad] { latent::parse_number(bad, "--bias"); });
    EXPECT_TRUE(mentions(message, {"--bias", "'" + std::string(bad) + "'", "not a finite number"}))
        << "'" << bad << "' -> " << message;
  }
}

TEST(LatentArguments, NumberListsAreCommaSeparatedWithoutEmptyItems) {
  EXPECT_EQ(latent::parse_number_list("1,0.5,-2", "--input"), (std::vector<double>{1, 0.5, -2}));
  EXPECT_EQ(latent::parse_number_list("3", "--input"), (std::vector<double>{3}));
  EXPECT_EQ(latent::parse_number_list("3.0482,3.0556", "--weights"),
            (std::vector<double>{3.0482, 3.0556}));
  EXPECT_EQ(latent::parse_number_list("0,0,0,0,0,0,0,0", "--input").size(), 8u);
  for (const char* bad : {"1,,2", "1,", ",1", "", ","}) {
    const std::string message =
        usage_error_of([bad] { latent::parse_number_list(bad, "--input"); });
    EXPECT_TRUE(mentions(message, {"--input", "'" + std::string(bad) + "'", "empty item"}))
        << "'" << bad << "' -> " << message;
  }
  // A bad item is named alone.
  EXPECT_TRUE(mentions(usage_error_of([] { latent::parse_number_list("1,x", "--input"); }),
                       {"--input", "'x'", "not a number"}));
  EXPECT_TRUE(mentions(usage_error_of([] { latent::parse_number_list("1, 2", "--input"); }),
                       {"--input", "' 2'"}));
  EXPECT_TRUE(mentions(usage_error_of([] { latent::parse_number_list("1,nan", "--input"); }),
                       {"--input", "'nan'", "not a finite number"}));
}

TEST(LatentArguments, IntegersAreWholeAndInRange) {
  EXPECT_EQ(latent::parse_integer("50", "--n-steps", 1, 100000), 50);
  EXPECT_EQ(latent::parse_integer("1", "--n-steps", 1, 100000), 1);
  EXPECT_EQ(latent::parse_integer("100000", "--n-steps", 1, 100000), 100000);
  EXPECT_EQ(latent::parse_integer("9223372036854775807", "--seed", 0, latent::max_seed),
            9223372036854775807LL);
  EXPECT_EQ(latent::parse_integer("-3", "--x", -5, 5), -3);
  for (const char* bad : {"0", "100001", "-1"}) {
    const std::string message =
        usage_error_of([bad] { latent::parse_integer(bad, "--n-steps", 1, 100000); });
    EXPECT_TRUE(mentions(
        message, {"--n-steps", "'" + std::string(bad) + "'", "out of range", "1", "100000"}))
        << bad << " -> " << message;
  }
  for (const char* bad : {"2.5", "1e3", "", "ten", " 5", "5 ", "+5", "0x10"}) {
    const std::string message =
        usage_error_of([bad] { latent::parse_integer(bad, "--n-steps", 1, 100000); });
    EXPECT_TRUE(
        mentions(message, {"--n-steps", "'" + std::string(bad) + "'", "not a whole number"}))
        << "'" << bad << "' -> " << message;
  }
  // Beyond a long long is out of range, not wrapped around.
  for (const char* huge : {"9223372036854775808", "99999999999999999999999"})
    EXPECT_TRUE(mentions(
        usage_error_of([huge] { latent::parse_integer(huge, "--seed", 0, latent::max_seed); }),
        {"--seed", huge, "out of range"}))
        << huge;
}

TEST(LatentArguments, FlagsTakeValuesAndSwitchesDoNot) {
  const std::vector<std::string_view> words = {"--seed",  "3",       "--json", "--bias",
                                               "-4.7946", "--input", "1,0.5"};
  const Arguments arguments(words, {"seed", "gate", "bias", "input", "epochs"}, {"json", "csv"});
  EXPECT_TRUE(arguments.has("json"));
  EXPECT_TRUE(arguments.has("seed"));
  EXPECT_FALSE(arguments.has("csv"));
  EXPECT_FALSE(arguments.has("gate"));
  EXPECT_EQ(arguments.text("seed"), "3");
  EXPECT_EQ(arguments.text("json"), "");  // a switch has no value
  EXPECT_EQ(arguments.integer("seed", 0, 0, 100), 3);
  EXPECT_EQ(arguments.integer("epochs", 1000, 1, 10), 1000);  // absent: the fallback, unchecked
  EXPECT_EQ(arguments.number("bias"), -4.7946);               // a negative number is a value
  EXPECT_EQ(arguments.numbers("input"), (std::vector<double>{1, 0.5}));
  EXPECT_TRUE(mentions(usage_error_of([&] { arguments.text("gate"); }), {"--gate", "required"}));
  EXPECT_TRUE(mentions(usage_error_of([&] { arguments.integer("seed", 0, 5, 10); }),
                       {"--seed", "'3'", "out of range"}));
  EXPECT_TRUE(mentions(usage_error_of([&] { arguments.number("input"); }), {"--input", "'1,0.5'"}));
  EXPECT_TRUE(mentions(usage_error_of([&] { arguments.number("gate"); }), {"--gate", "required"}));

  const auto refusal = [](std::vector<std::string_view> w) {
    return usage_error_of([&] { Arguments(w, {"seed"}, {"json"}); });
  };
  EXPECT_EQ(refusal({}), "(no error)");
  EXPECT_TRUE(mentions(refusal({"--sed", "3"}), {"unknown flag", "'--sed'"}));
  EXPECT_TRUE(mentions(refusal({"--json", "--seed"}), {"--seed", "needs a value"}));
  EXPECT_TRUE(mentions(refusal({"seed"}), {"unexpected argument", "'seed'"}));
  EXPECT_TRUE(mentions(refusal({"--seed", "1", "2"}), {"unexpected argument", "'2'"}));
  EXPECT_TRUE(mentions(refusal({"-s"}), {"'-s'"}));
  EXPECT_TRUE(mentions(refusal({"--"}), {"'--'"}));
  EXPECT_TRUE(mentions(refusal({"--seed=3"}), {"'--seed=3'"}));
  EXPECT_TRUE(mentions(refusal({"--seed", "1", "--seed", "2"}), {"--seed", "twice"}));
  EXPECT_TRUE(mentions(refusal({"--json", "--json"}), {"--json", "twice"}));
}

}  // namespace
