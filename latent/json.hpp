// A JSON value, built in code and printed in one line. Numbers print with 17 significant digits,
// enough to read back the same double; a NaN or infinity throws instead of printing something
// invalid.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace latent {

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
  // Appends a member to an object.
  void set(std::string key, Json value);

  std::string dump() const;

 private:
  void write(std::string& out) const;
  std::variant<std::nullptr_t, bool, double, long long, std::string, Array, Object> value_;
};

}  // namespace latent
