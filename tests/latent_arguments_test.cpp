// The latent command's reading of its arguments, and its JSON.
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "latent/arguments.hpp"
#include "latent/json.hpp"

#include <gtest/gtest.h>

using latent::Arguments;
using latent::UsageError;

namespace {

std::string usage_error_of(auto action) {
  try {
    action();
  } catch (const UsageError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(LatentArguments, NumbersAreReadStrictly) {
  EXPECT_EQ(latent::parse_number("-4.7946", "--bias"), -4.7946);
  EXPECT_EQ(latent::parse_number("1e-3", "--bias"), 1e-3);
  EXPECT_EQ(usage_error_of([] { latent::parse_number("abc", "--bias"); }),
            "--bias: 'abc' is not a number");
  EXPECT_EQ(usage_error_of([] { latent::parse_number("", "--bias"); }),
            "--bias: '' is not a number");
  EXPECT_EQ(usage_error_of([] { latent::parse_number("1.5x", "--bias"); }),
            "--bias: '1.5x' is not a number");
  EXPECT_EQ(usage_error_of([] { latent::parse_number(" 1", "--bias"); }),
            "--bias: ' 1' is not a number");
  EXPECT_EQ(usage_error_of([] { latent::parse_number("nan", "--bias"); }),
            "--bias: 'nan' is not a finite number");
  EXPECT_EQ(usage_error_of([] { latent::parse_number("-inf", "--bias"); }),
            "--bias: '-inf' is not a finite number");
  EXPECT_EQ(usage_error_of([] { latent::parse_number("1e999", "--bias"); }),
            "--bias: '1e999' is not a finite number");
}

TEST(LatentArguments, NumberListsRejectEmptyItems) {
  EXPECT_EQ(latent::parse_number_list("1,0.5,-2", "--input"), (std::vector<double>{1, 0.5, -2}));
  EXPECT_EQ(latent::parse_number_list("3", "--input"), (std::vector<double>{3}));
  for (const char* bad : {"1,,2", "1,", ",1", ""})
    EXPECT_NE(
        usage_error_of([bad] { latent::parse_number_list(bad, "--input"); }).find("empty item"),
        std::string::npos)
        << bad;
  EXPECT_EQ(usage_error_of([] { latent::parse_number_list("1,x", "--input"); }),
            "--input: 'x' is not a number");
}

TEST(LatentArguments, IntegersHaveRanges) {
  EXPECT_EQ(latent::parse_integer("50", "--n-steps", 1, 100000), 50);
  EXPECT_EQ(usage_error_of([] { latent::parse_integer("0", "--n-steps", 1, 100000); }),
            "--n-steps: '0' is out of range; allowed 1 to 100000");
  EXPECT_EQ(usage_error_of([] { latent::parse_integer("2.5", "--n-steps", 1, 100000); }),
            "--n-steps: '2.5' is not a whole number");
  EXPECT_NE(usage_error_of([] {
              latent::parse_integer("99999999999999999999999", "--seed", 0, 10);
            }).find("out of range"),
            std::string::npos);
}

TEST(LatentArguments, FlagsAndSwitches) {
  const std::vector<std::string_view> words = {"--seed", "3", "--json"};
  const Arguments arguments(words, {"seed", "gate"}, {"json"});
  EXPECT_TRUE(arguments.has("json"));
  EXPECT_FALSE(arguments.has("gate"));
  EXPECT_EQ(arguments.integer("seed", 0, 0, 100), 3);
  EXPECT_EQ(arguments.integer("epochs", 1000, 1, 10), 1000);  // absent: the fallback
  EXPECT_EQ(usage_error_of([&] { arguments.required("gate"); }), "--gate is required");

  const auto parse = [](std::vector<std::string_view> w) {
    return usage_error_of([&] { Arguments(w, {"seed"}, {"json"}); });
  };
  EXPECT_EQ(parse({"--sed", "3"}), "unknown flag '--sed'");
  EXPECT_EQ(parse({"--seed"}), "--seed needs a value");
  EXPECT_EQ(parse({"seed"}), "unexpected argument 'seed' (flags start with --)");
  EXPECT_EQ(parse({"--seed", "1", "--seed", "2"}), "--seed is given twice");
}

TEST(LatentJson, PrintsSeventeenDigitsAndEscapes) {
  const latent::Json json = latent::Json::object({{"method", "gausslegendre"},
                                                  {"n_steps", 50},
                                                  {"values", std::vector<double>{0.1, -2.0}},
                                                  {"ok", true},
                                                  {"quote \"x\"\n", latent::Json()}});
  EXPECT_EQ(json.dump(),
            "{\"method\": \"gausslegendre\", \"n_steps\": 50, \"values\": "
            "[0.10000000000000001, -2], \"ok\": true, \"quote \\\"x\\\"\\n\": null}");
  EXPECT_THROW(latent::Json(std::nan("")).dump(), std::domain_error);
  EXPECT_THROW(latent::Json(INFINITY).dump(), std::domain_error);
}

}  // namespace
