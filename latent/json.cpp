#include "latent/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace latent {

namespace {

// RFC 8259's two-character escapes: the letter after the backslash, then what it stands for.
constexpr std::string_view escapes = "\"\"\\\\//b\bf\fn\nr\rt\t";

void write_string(std::string_view text, std::string& out) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

constexpr int max_depth = 64;

// Recursive descent over RFC 8259's grammar; at_ is where the next character is read.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  Json document() {
    Json value = parse(0);
    next();
    if (at_ < text_.size()) fail("unexpected text after the JSON value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < at_; ++i) {
      line += text_[i] == '\n' ? 1 : 0;
      column = text_[i] == '\n' ? 1 : column + 1;
    }
    throw JsonError("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
                    what);
  }

  // Skips white space; then the next character, '\0' at the end (or at a NUL, which no value has).
  char next() {
    while (at_ < text_.size() && std::string_view(" \t\n\r").find(text_[at_]) != text_.npos) ++at_;
    return at_ < text_.size() ? text_[at_] : '\0';
  }

  bool take(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  // Takes `c` after white space, if it is there.
  bool take_next(char c) { return next() == c && take(std::string_view(&c, 1)); }

  // After an item: true at a comma, false at `close`.
  bool another(char close) {
    if (take_next(',')) return true;
    if (take_next(close)) return false;
    fail(std::string("expected ',' or '") + close + "'");
  }

  // `depth` arrays and objects enclose this value.
  Json parse(int depth) {
    const char c = next();
    if ((c == '[' || c == '{') && depth == max_depth) fail("nested too deeply");
    if (take("[")) {
      Json::Array items;
      if (take_next(']')) return items;
      do items.push_back(parse(depth + 1));
      while (another(']'));
      return items;
    }
    if (take("{")) {
      Json::Object members;
      if (take_next('}')) return members;
      do {
        if (next() != '"') fail("expected a key in double quotes");
        std::string key = parse_string();
        for (const auto& member : members)
          if (member.first == key) fail("the key \"" + key + "\" appears twice");
        if (!take_next(':')) fail("expected ':'");
        members.emplace_back(std::move(key), parse(depth + 1));
      } while (another('}'));
      return members;
    }
    if (c == '"') return parse_string();
    if (take("true")) return true;
    if (take("false")) return false;
    if (take("null")) return {};
    if (at_ == text_.size()) fail("unexpected end of the text");
    return parse_number();
  }

  std::string parse_string() {
    take("\"");
    std::string out;
    while (at_ < text_.size() && text_[at_] != '"') {
      const char c = text_[at_++];
      if (static_cast<unsigned char>(c) < 0x20) fail("a control character inside a string");
      if (c != '\\') {
        out += c;
      } else if (take("u")) {  // only the ASCII range, which is all that is ever written here
        unsigned code = 0;
        const std::string_view hex = text_.substr(at_, 4);
        const auto read = std::from_chars(hex.data(), hex.data() + hex.size(), code, 16);
        if (hex.size() < 4 || read.ptr != hex.data() + 4 || code >= 0x80)
          fail("a \\u escape this reader does not accept");
        out += static_cast<char>(code);
        at_ += 4;
      } else {
        const std::size_t found = at_ < text_.size() ? escapes.find(text_[at_++]) : text_.npos;
        if (found == text_.npos || found % 2 != 0) fail("an escape JSON does not have");
        out += escapes[found + 1];
      }
    }
    if (!take("\"")) fail("a string is not closed");
    return out;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, then from_chars on it.
  Json parse_number() {
    const std::size_t start = at_;
    const auto digits = [&] {
      const std::size_t from = at_;
      while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
      return at_ > from;
    };
    take("-");
    if (!take("0") && !digits()) fail("expected a value");
    const bool fraction = take(".");
    if (fraction && !digits()) fail("expected digits after the decimal point");
    const bool exponent = take("e") || take("E");
    if (exponent && !take("+")) take("-");
    if (exponent && !digits()) fail("expected digits in the exponent");
    const std::string_view number = text_.substr(start, at_ - start);
    const char *first = number.data(), *last = first + number.size();
    long long whole = 0;  // "-0" is read as a double, which keeps its sign
    if (!fraction && !exponent && number != "-0" &&
        std::from_chars(first, last, whole).ec == std::errc())
      return whole;
    const std::optional<double> value = read_double(number);
    if (!value) fail("the number " + std::string(number) + " is too large for a double");
    return *value;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<double> read_double(std::string_view text) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || end != text.data() + text.size()) return std::nullopt;
  // Too small for a double, a number rounds to the nearest one, as strtod rounds it: 0 or a
  // subnormal. Too large, it is refused.
  if (error == std::errc::result_out_of_range)
    value = std::strtod(std::string(text).c_str(), nullptr);
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

Json Json::text(std::string json) {
  Json value;
  value.value_ = Text{std::move(json)};
  return value;
}

std::optional<double> Json::number() const {
  if (const long long* whole = get<long long>()) return static_cast<double>(*whole);
  if (const double* number = get<double>()) return *number;
  return std::nullopt;
}

const Json* Json::find(std::string_view key) const {
  if (const Object* members = get<Object>())
    for (const auto& [name, value] : *members)
      if (name == key) return &value;
  return nullptr;
}

std::string Json::dump() const {
  std::string out;
  write(out);
  return out;
}

Json Json::parse(std::string_view text) { return Reader(text).document(); }

void Json::write(std::string& out) const {
  if (const bool* flag = get<bool>()) {
    out += *flag ? "true" : "false";
  } else if (const double* number = get<double>()) {
    if (!std::isfinite(*number)) throw std::domain_error("JSON cannot hold a NaN or infinity");
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", *number);
    out += text;
  } else if (const long long* whole = get<long long>()) {
    out += std::to_string(*whole);
  } else if (const std::string* text = get<std::string>()) {
    write_string(*text, out);
  } else if (const Text* raw = std::get_if<Text>(&value_)) {
    out += raw->json;
  } else if (const Array* items = get<Array>()) {
    out += '[';
    for (std::size_t i = 0; i < items->size(); ++i) {
      if (i > 0) out += ", ";
      (*items)[i].write(out);
    }
    out += ']';
  } else if (const Object* members = get<Object>()) {
    out += '{';
    for (std::size_t i = 0; i < members->size(); ++i) {
      if (i > 0) out += ", ";
      write_string((*members)[i].first, out);
      out += ": ";
      (*members)[i].second.write(out);
    }
    out += '}';
  } else {
    out += "null";
  }
}

}  // namespace latent
