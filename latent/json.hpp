// JSON, written and read: the one JSON module of `latent` (its --json output, its model files).
//
// Written in one line, numbers with 17 significant digits, enough to read back the same double; a
// NaN or infinity throws instead of printing something invalid. Read strictly (RFC 8259, without
// \u escapes): anything else is a JsonError naming the line and column. A whole number that fits
// a long long reads as one, so that a seed of 2^63 - 1 comes back exactly; others read as doubles.
#pragma once

#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace latent {

struct JsonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The decimal number that is the whole text, as std::from_chars reads it (no leading '+' or
// space), rounded to the nearest double. std::nullopt for anything else and for a number too large
// for a double (inf and nan included); a number too small becomes 0 or a subnormal, as in strtod.
std::optional<double> read_double(std::string_view text);

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;  // keeps the order keys were given in

  Json() : value_(nullptr) {}
  Json(bool value) : value_(value) {}
  Json(double value) : value_(value) {}
  Json(int value) : value_(static_cast<long long>(value)) {}
  Json(long long value) : value_(value) {}
  Json(const char* value) : value_(std::string(value)) {}
  Json(std::string value) : value_(std::move(value)) {}
  Json(const std::vector<double>& numbers) : value_(Array(numbers.begin(), numbers.end())) {}
  Json(Array array) : value_(std::move(array)) {}
  Json(Object object) : value_(std::move(object)) {}
  static Json object(std::initializer_list<std::pair<std::string, Json>> members) {
    return Json(Object(members));
  }
  // JSON text written elsewhere, put in as it is: a long array (ten million epochs' losses) goes
  // straight to text instead of first becoming a tree of values many times its size.
  static Json text(std::string json);

  std::string dump() const;
  // Throws JsonError for anything that is not one JSON value, with arrays and objects nested at
  // most 64 deep.
  static Json parse(std::string_view text);

  // The value if it is a T (bool, double, long long, std::string, Array, Object), else nullptr.
  template <class T>
  const T* get() const {
    return std::get_if<T>(&value_);
  }
  // A number of either kind as a double; std::nullopt for anything else.
  std::optional<double> number() const;
  // An object's member, or nullptr (also when this is no object).
  const Json* find(std::string_view key) const;

 private:
  struct Text {
    std::string json;
  };
  void write(std::string& out) const;
  std::variant<std::nullptr_t, bool, double, long long, std::string, Array, Object, Text> value_;
};

}  // namespace latent
