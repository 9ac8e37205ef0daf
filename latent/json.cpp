#include "latent/json.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace latent {

namespace {

void write_string(const std::string& text, std::string& out) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

void Json::set(std::string key, Json value) {
  if (auto* members = std::get_if<Object>(&value_)) {
    members->emplace_back(std::move(key), std::move(value));
    return;
  }
  throw std::logic_error("Json::set on a value that is not an object");
}

std::string Json::dump() const {
  std::string out;
  write(out);
  return out;
}

void Json::write(std::string& out) const {
  if (std::holds_alternative<std::nullptr_t>(value_)) {
    out += "null";
  } else if (const bool* flag = std::get_if<bool>(&value_)) {
    out += *flag ? "true" : "false";
  } else if (const double* number = std::get_if<double>(&value_)) {
    if (!std::isfinite(*number)) throw std::domain_error("JSON cannot hold a NaN or infinity");
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", *number);
    out += text;
  } else if (const long long* whole = std::get_if<long long>(&value_)) {
    out += std::to_string(*whole);
  } else if (const std::string* text = std::get_if<std::string>(&value_)) {
    write_string(*text, out);
  } else if (const Array* items = std::get_if<Array>(&value_)) {
    out += '[';
    for (std::size_t i = 0; i < items->size(); ++i) {
      if (i > 0) out += ", ";
      (*items)[i].write(out);
    }
    out += ']';
  } else {
    const Object& members = std::get<Object>(value_);
    out += '{';
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out += ", ";
      write_string(members[i].first, out);
      out += ": ";
      members[i].second.write(out);
    }
    out += '}';
  }
}

}  // namespace latent
