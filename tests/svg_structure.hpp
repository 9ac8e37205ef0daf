// A small checker of the SVG the plotting module writes: not a full XML parser, but strict about
// what could go wrong in hand-written SVG. Tags must balance, attribute values must be quoted and
// free of '<', text must hold only known entities, and every coordinate must be a plain number
// inside the root's viewBox ("0 0 W H").
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <system_error>
#include <vector>

namespace svg_structure {

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
};

struct Report {
  std::vector<std::string> problems;  // empty when the document is valid
  std::vector<Element> elements;      // every opening tag, in order
  double width = 0.0, height = 0.0;   // of the viewBox
};

inline bool read_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  // from_chars reads "nan" and "inf", which are no coordinates.
  return error == std::errc() && stop == end && std::isfinite(value);
}

inline bool entities_ok(const std::string& text) {
  for (std::size_t at = text.find('&'); at != std::string::npos; at = text.find('&', at + 1)) {
    bool known = false;
    for (const char* entity : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
      known = known || text.compare(at, std::string(entity).size(), entity) == 0;
    if (!known) return false;
  }
  return true;
}

inline Report check(const std::string& svg) {
  Report report;
  auto problem = [&](const std::string& what) { report.problems.push_back(what); };
  std::vector<std::string> open;
  std::size_t at = 0;
  bool seen_root = false;
  while (at < svg.size()) {
    const std::size_t tag = svg.find('<', at);
    const std::string text =
        svg.substr(at, tag == std::string::npos ? std::string::npos : tag - at);
    if (text.find('>') != std::string::npos) problem("a stray '>' in text: " + text);
    if (!entities_ok(text)) problem("an unknown entity or bare '&' in text: " + text);
    if (tag == std::string::npos) break;
    if (open.empty() && seen_root) problem("content after the root element");
    const std::size_t close = svg.find('>', tag);
    if (close == std::string::npos) {
      problem("an unclosed tag at " + std::to_string(tag));
      break;
    }
    std::string inside = svg.substr(tag + 1, close - tag - 1);
    at = close + 1;
    if (!inside.empty() && inside.front() == '/') {
      const std::string name = inside.substr(1);
      if (open.empty() || open.back() != name)
        problem("</" + name + "> closes " + (open.empty() ? "nothing" : "<" + open.back() + ">"));
      else
        open.pop_back();
      continue;
    }
    const bool self_closing = !inside.empty() && inside.back() == '/';
    if (self_closing) inside.pop_back();
    Element element;
    std::size_t i = 0;
    while (i < inside.size() && inside[i] != ' ') ++i;
    element.name = inside.substr(0, i);
    if (element.name.empty()) problem("a tag with no name");
    while (i < inside.size()) {
      while (i < inside.size() && inside[i] == ' ') ++i;
      if (i == inside.size()) break;
      const std::size_t equals = inside.find('=', i);
      if (equals == std::string::npos || equals + 1 >= inside.size() || inside[equals + 1] != '"') {
        problem("an attribute without a quoted value in <" + element.name + ">");
        break;
      }
      const std::size_t end = inside.find('"', equals + 2);
      if (end == std::string::npos) {
        problem("an unterminated attribute in <" + element.name + ">");
        break;
      }
      const std::string key = inside.substr(i, equals - i);
      const std::string value = inside.substr(equals + 2, end - equals - 2);
      if (value.find('<') != std::string::npos || !entities_ok(value))
        problem("an unescaped value in " + key + "=\"" + value + "\"");
      if (element.attributes.count(key)) problem("the attribute " + key + " twice");
      element.attributes[key] = value;
      i = end + 1;
    }
    if (!seen_root) {
      seen_root = true;
      if (element.name != "svg") problem("the root is <" + element.name + ">, not <svg>");
      const std::string box = element.attributes["viewBox"];
      if (box.rfind("0 0 ", 0) != 0) {
        problem("the viewBox '" + box + "' does not start at 0 0");
      } else {
        const std::size_t space = box.find(' ', 4);
        if (space == std::string::npos || !read_number(box.substr(4, space - 4), report.width) ||
            !read_number(box.substr(space + 1), report.height) || !(report.width > 0.0) ||
            !(report.height > 0.0))
          problem("the viewBox '" + box + "' is not 0 0 W H");
      }
    } else if (open.empty()) {
      problem("<" + element.name + "> outside the root");
    }
    if (!self_closing) open.push_back(element.name);
    report.elements.push_back(element);
  }
  if (!seen_root) problem("no root element");
  for (const std::string& name : open) problem("<" + name + "> is never closed");

  // Coordinates: numbers, inside the viewBox.
  const auto inside_box = [&](const Element& element, const std::string& key, double value,
                              double limit) {
    if (value < 0.0 || value > limit)
      problem("<" + element.name + "> " + key + " = " + std::to_string(value) +
              " lies outside the viewBox");
  };
  for (std::size_t e = 1; e < report.elements.size(); ++e) {
    const Element& element = report.elements[e];
    std::map<std::string, double> numbers;
    for (const auto& [key, value] : element.attributes) {
      static const std::set<std::string> coordinates = {
          "x", "x1",    "x2",     "cx",           "y",  "y1",       "y2", "cy",
          "r", "width", "height", "stroke-width", "dy", "font-size"};
      if (key == "points") {
        std::size_t start = 0;
        while (start < value.size()) {
          std::size_t end = value.find(' ', start);
          if (end == std::string::npos) end = value.size();
          const std::string pair = value.substr(start, end - start);
          const std::size_t comma = pair.find(',');
          double px = 0.0, py = 0.0;
          if (comma == std::string::npos || !read_number(pair.substr(0, comma), px) ||
              !read_number(pair.substr(comma + 1), py))
            problem("a point '" + pair + "' that is not x,y");
          inside_box(element, "a point's x", px, report.width);
          inside_box(element, "a point's y", py, report.height);
          start = end + 1;
        }
        continue;
      }
      if (!coordinates.count(key)) continue;
      double number = 0.0;
      if (!read_number(value, number)) {
        problem("<" + element.name + "> " + key + "=\"" + value + "\" is not a number");
        continue;
      }
      numbers[key] = number;
    }
    for (const char* key : {"x", "x1", "x2", "cx"})
      if (numbers.count(key)) inside_box(element, key, numbers[key], report.width);
    for (const char* key : {"y", "y1", "y2", "cy"})
      if (numbers.count(key)) inside_box(element, key, numbers[key], report.height);
    if (element.name == "rect") {
      if (!numbers.count("width") || !numbers.count("height") || numbers["width"] < 0.0 ||
          numbers["height"] < 0.0)
        problem("a <rect> without a non-negative width and height");
      inside_box(element, "x + width", numbers["x"] + numbers["width"], report.width);
      inside_box(element, "y + height", numbers["y"] + numbers["height"], report.height);
    }
    if (element.name == "circle") {
      inside_box(element, "cx - r", numbers["cx"] - numbers["r"], report.width);
      inside_box(element, "cx + r", numbers["cx"] + numbers["r"], report.width);
      inside_box(element, "cy - r", numbers["cy"] - numbers["r"], report.height);
      inside_box(element, "cy + r", numbers["cy"] + numbers["r"], report.height);
    }
  }
  return report;
}

// The problems as one message for a failed expectation.
inline std::string describe(const Report& report) {
  std::string text;
  for (const std::string& problem : report.problems) text += problem + "\n";
  return text;
}

}  // namespace svg_structure
