// latent::Json, the reader of `latent`'s model files and of its --json output: what it reads back
// (doubles to the bit, whole numbers exactly, strings with their escapes, nesting), what it
// refuses (anything RFC 8259 does not allow, with the line and column of the problem), and that
// it will not write a NaN or an infinity.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "latent/json.hpp"

#include <gtest/gtest.h>

namespace {

using latent::Json;
using latent::JsonError;

std::uint64_t bits_of(double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

double double_of(std::uint64_t bits) {
  double value = 0.0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// A double written and read back, as a number of either kind.
double round_trip(double value) {
  const Json read = Json::parse(Json(value).dump());
  EXPECT_TRUE(read.number().has_value()) << value;
  return read.number().value_or(NAN);
}

// The message of the JsonError that parsing `text` throws, or "(accepted)".
std::string refusal_of(const std::string& text) {
  try {
    Json::parse(text);
  } catch (const JsonError& error) {
    return error.what();
  }
  return "(accepted)";
}

// "line L, column C: what", L and C whole numbers from 1.
bool names_a_position(const std::string& message) {
  unsigned line = 0, column = 0;
  int end = 0;
  return std::sscanf(message.c_str(), "line %u, column %u: %n", &line, &column, &end) == 2 &&
         end > 0 && line >= 1 && column >= 1 && message.size() > static_cast<std::size_t>(end) &&
         message.starts_with("line " + std::to_string(line) + ", column " + std::to_string(column) +
                             ": ");
}

TEST(LatentJson, DoublesRoundTripToTheBit) {
  const double max = std::numeric_limits<double>::max();
  const std::vector<double> values = {0.0,
                                      -0.0,
                                      0.1,
                                      -2.0,
                                      1.0 / 3.0,
                                      0.78737925613809479,
                                      5e-324,  // the smallest subnormal
                                      -5e-324,
                                      std::numeric_limits<double>::min(),
                                      max,
                                      -max,
                                      1.7976931348623157e308,
                                      9007199254740993.0,  // 2^53 + 1 rounds to 2^53
                                      1e17,
                                      123456789012345680.0,
                                      9.2233720368547758e18,  // 2^63, beyond a long long
                                      1e300};
  for (double value : values) EXPECT_EQ(bits_of(round_trip(value)), bits_of(value)) << value;
  EXPECT_TRUE(std::signbit(round_trip(-0.0)));
  EXPECT_EQ(round_trip(5e-324), 5e-324);

  // And a spread of bit patterns over the whole range (a fixed linear congruential sequence).
  std::uint64_t state = 12345;
  int tried = 0;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double value = double_of(state);
    if (!std::isfinite(value)) continue;
    ++tried;
    ASSERT_EQ(bits_of(round_trip(value)), bits_of(value)) << Json(value).dump();
  }
  EXPECT_GT(tried, 19000);
}

// Numbers are written with 17 significant digits: enough, and what --json promises.
TEST(LatentJson, WritesSeventeenSignificantDigits) {
  EXPECT_EQ(Json(0.1).dump(), "0.10000000000000001");
  EXPECT_EQ(Json(1.0 / 3.0).dump(), "0.33333333333333331");
  EXPECT_EQ(Json(-0.0).dump(), "-0");
  EXPECT_EQ(Json(5e-324).dump(), "4.9406564584124654e-324");
}

TEST(LatentJson, WholeNumbersAreExact) {
  for (const char* text :
       {"0", "-1", "50", "9223372036854775807", "-9223372036854775808", "9007199254740993"}) {
    const Json read = Json::parse(text);
    ASSERT_NE(read.get<long long>(), nullptr) << text;
    EXPECT_EQ(std::to_string(*read.get<long long>()), text);
    EXPECT_EQ(Json(*read.get<long long>()).dump(), text);
  }
  // 2^63 - 1 is no double: a double would make it 2^63.
  EXPECT_EQ(*Json::parse("9223372036854775807").get<long long>(), 9223372036854775807LL);
  // A fraction or an exponent makes a double even when the value is whole; "-0" is the double
  // -0, which keeps its sign.
  for (const char* text : {"1.0", "1e2", "1E+2", "-0"}) {
    EXPECT_EQ(Json::parse(text).get<long long>(), nullptr) << text;
    EXPECT_NE(Json::parse(text).get<double>(), nullptr) << text;
  }
  EXPECT_EQ(*Json::parse("1e2").get<double>(), 100.0);
  EXPECT_TRUE(std::signbit(*Json::parse("-0").get<double>()));
  EXPECT_EQ(Json::parse("-0.0").number(), 0.0);
  EXPECT_TRUE(std::signbit(*Json::parse("-0.0").number()));
}

TEST(LatentJson, StringsWithEscapes) {
  const Json read = Json::parse(R"("q\"b\\s\/n\nt\tr\rf\fb\bA\u0041\u007e")");
  ASSERT_NE(read.get<std::string>(), nullptr);
  EXPECT_EQ(*read.get<std::string>(), "q\"b\\s/n\nt\tr\rf\fb\bAA~");
  // Whatever is written reads back the same, control characters included.
  const std::string every_ascii = [] {
    std::string text;
    for (int c = 1; c < 128; ++c) text += static_cast<char>(c);
    return text;
  }();
  for (const std::string& text : {std::string(""), std::string("key \"quoted\"\n"), every_ascii,
                                  std::string("caf\xc3\xa9")}) {
    const Json back = Json::parse(Json(text).dump());
    ASSERT_NE(back.get<std::string>(), nullptr);
    EXPECT_EQ(*back.get<std::string>(), text);
  }
  // Written strings hold no raw control character.
  for (char c : Json(every_ascii).dump()) EXPECT_GE(static_cast<unsigned char>(c), 0x20);
}

TEST(LatentJson, Nesting) {
  const Json read = Json::parse(
      " {\"b\": [1, 2.5, {\"c\": [true, false, null]}],\n \"a\": {}, \"e\": [], \"d\": \"x\"} ");
  const Json::Object* members = read.get<Json::Object>();
  ASSERT_NE(members, nullptr);
  ASSERT_EQ(members->size(), 4u);
  // The keys stay in the order written.
  EXPECT_EQ((*members)[0].first, "b");
  EXPECT_EQ((*members)[1].first, "a");
  EXPECT_EQ((*members)[3].first, "d");
  const Json::Array* b = read.find("b")->get<Json::Array>();
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->size(), 3u);
  EXPECT_EQ((*b)[0].number(), 1.0);
  EXPECT_EQ((*b)[1].number(), 2.5);
  const Json::Array* c = (*b)[2].find("c")->get<Json::Array>();
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ(*(*c)[0].get<bool>(), true);
  EXPECT_EQ(*(*c)[1].get<bool>(), false);
  EXPECT_NE((*c)[2].get<std::nullptr_t>(), nullptr);
  EXPECT_TRUE(read.find("a")->get<Json::Object>()->empty());
  EXPECT_TRUE(read.find("e")->get<Json::Array>()->empty());
  EXPECT_EQ(read.find("f"), nullptr);
  EXPECT_EQ((*b)[0].find("x"), nullptr);  // not an object
  // Written and read again, the same tree.
  EXPECT_EQ(Json::parse(read.dump()).dump(), read.dump());

  // 64 levels deep is allowed.
  const std::string deep = std::string(64, '[') + "1" + std::string(64, ']');
  const Json* level = nullptr;
  const Json nested = Json::parse(deep);
  level = &nested;
  for (int i = 0; i < 64; ++i) {
    ASSERT_NE(level->get<Json::Array>(), nullptr) << i;
    level = &level->get<Json::Array>()->front();
  }
  EXPECT_EQ(level->number(), 1.0);
}

TEST(LatentJson, RefusesWhatJsonDoesNotAllowNamingLineAndColumn) {
  const std::vector<std::string> refused = {
      "",
      "   ",
      "[1, 2,]",
      "{\"a\": 1,}",
      "01",
      "-01",
      "1.",
      ".5",
      "1e",
      "1e+",
      "+1",
      "-",
      "0x10",
      "NaN",
      "Infinity",
      "-Infinity",
      "nan",
      "tru",
      "True",
      "\"unclosed",
      "[1, 2",
      "{\"a\": 1",
      "{\"a\" 1}",
      "{a: 1}",
      "[1 2]",
      "{\"a\": 1, \"a\": 2}",
      "\"tab\there\"",
      "\"line\nbreak\"",
      "\"\\x\"",
      "\"\\u00e9\"",  // beyond ASCII, which this reader does not take
      "\"\\u12\"",
      "'single'",
      "1 2",
      "{} x",
      "[] []",
      "1e999",
      "-1e999",
      std::string(65, '[') + "1" + std::string(65, ']'),
      std::string(100000, '['),
  };
  for (const std::string& text : refused) {
    const std::string message = refusal_of(text);
    EXPECT_TRUE(names_a_position(message)) << "'" << text.substr(0, 80) << "' -> " << message;
  }
  // The position is where the problem is, lines and columns counted from 1.
  EXPECT_TRUE(refusal_of("[1,\n 2,\n x]").starts_with("line 3, column 2: "))
      << refusal_of("[1,\n 2,\n x]");
  EXPECT_TRUE(refusal_of("{\"a\": 1,\n \"a\": 2}").starts_with("line 2, "))
      << refusal_of("{\"a\": 1,\n \"a\": 2}");
  EXPECT_TRUE(refusal_of("[1, 2] x").starts_with("line 1, column 8: ")) << refusal_of("[1, 2] x");
  EXPECT_NE(refusal_of("[1e999]").find("1e999"), std::string::npos);
}

TEST(LatentJson, WritingANaNOrAnInfinityThrows) {
  const double infinity = std::numeric_limits<double>::infinity();
  for (double bad : {std::nan(""), infinity, -infinity}) {
    EXPECT_THROW(Json(bad).dump(), std::domain_error);
    EXPECT_THROW(Json(std::vector<double>{1.0, bad}).dump(), std::domain_error);
    EXPECT_THROW(Json::object({{"deep", Json(Json::Array{Json(Json::Array{Json(bad)})})}}).dump(),
                 std::domain_error);
  }
}

// Regression tests for what the reader once got wrong.
TEST(LatentJson, WholeNumbersBeyondALongLongReadAsDoubles) {
  // 2^63 does not fit a long long: it must not read as 0.
  const Json big = Json::parse("9223372036854775808");
  EXPECT_EQ(big.get<long long>(), nullptr);
  EXPECT_EQ(big.number(), 9223372036854775808.0);
  EXPECT_EQ(Json::parse("-100000000000000000000").number(), -1e20);
}

TEST(LatentJson, ANulByteIsNotTheEnd) {
  const std::string text("{\"a\": 1}\0 trailing", 17);
  EXPECT_THROW(Json::parse(text), JsonError);
  EXPECT_THROW(Json::parse(std::string("[1,\0 2]", 7)), JsonError);
}

TEST(LatentJson, ArraysAndObjectsNestAtMost64Deep) {
  const auto nested = [](int depth, const std::string& inner) {
    return std::string(static_cast<std::size_t>(depth), '[') + inner +
           std::string(static_cast<std::size_t>(depth), ']');
  };
  EXPECT_NO_THROW(Json::parse(nested(64, "")));
  EXPECT_NO_THROW(Json::parse(nested(64, "1")));
  EXPECT_THROW(Json::parse(nested(65, "")), JsonError);
  EXPECT_THROW(Json::parse(nested(65, "1")), JsonError);
}

TEST(LatentJson, NumbersTooSmallForADoubleRoundToIt) {
  EXPECT_EQ(Json::parse("1e-400").number(), 0.0);
  EXPECT_EQ(Json::parse("4e-324").number(), 5e-324);  // the nearest subnormal
  EXPECT_EQ(latent::read_double("-1e-400"), -0.0);
  EXPECT_TRUE(std::signbit(*latent::read_double("-1e-400")));
  EXPECT_FALSE(latent::read_double("1e400").has_value());
  EXPECT_FALSE(latent::read_double("inf").has_value());
  EXPECT_FALSE(latent::read_double("nan").has_value());
}

}  // namespace
