#include "plot/svg.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace plot {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string coordinate(double value) {
  if (!std::isfinite(value))
    throw std::invalid_argument("plot: a coordinate is not finite (NaN or infinity)");
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", value);
  std::string out = text;
  out.erase(out.find_last_not_of('0') + 1);
  if (out.back() == '.') out.pop_back();
  if (out == "-0") out = "0";
  return out;
}

std::string short_number(double value) {
  if (!std::isfinite(value))
    throw std::invalid_argument("plot: a value to label is not finite (NaN or infinity)");
  char text[64];
  const double magnitude = std::fabs(value);
  if (magnitude == 0.0) return "0";
  if (magnitude < 1e-3 || magnitude >= 1e6) {
    std::snprintf(text, sizeof text, "%.1e", value);
    return text;
  }
  // Three significant digits: 0.499, 12.3, 123; whole numbers above that as they are.
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  const int decimals = exponent >= 2 ? 0 : 2 - exponent;
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  std::string out = text;
  if (out.find('.') != std::string::npos) {  // 0.250 reads better as 0.25
    out.erase(out.find_last_not_of('0') + 1);
    if (out.back() == '.') out.pop_back();
  }
  return out;
}

const std::vector<std::string>& palette() {
  static const std::vector<std::string> colours = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                   "#E69F00", "#56B4E9", "#000000"};
  return colours;
}

namespace {

std::string points_text(const std::vector<Point>& points) {
  std::string text;
  for (const Point& p : points) {
    if (!text.empty()) text += ' ';
    text += coordinate(p.x) + "," + coordinate(p.y);
  }
  return text;
}

std::string dash_attribute(std::string_view dash) {
  return dash.empty() ? "" : " stroke-dasharray=\"" + escape(dash) + "\"";
}

}  // namespace

Svg::Svg(double width, double height, std::string_view title) : width_(width), height_(height) {
  if (!(width > 0.0) || !(height > 0.0) || !std::isfinite(width) || !std::isfinite(height))
    throw std::invalid_argument("plot: an SVG document needs a finite, positive width and height");
  body_ = "<title>" + escape(title) + "</title>\n";
  // A white page, so that the figure reads the same in a dark-themed viewer.
  rect(0.0, 0.0, width, height, "#ffffff");
}

void Svg::line(Point from, Point to, std::string_view stroke, double stroke_width,
               std::string_view dash) {
  body_ += "<line x1=\"" + coordinate(from.x) + "\" y1=\"" + coordinate(from.y) + "\" x2=\"" +
           coordinate(to.x) + "\" y2=\"" + coordinate(to.y) + "\" stroke=\"" + escape(stroke) +
           "\" stroke-width=\"" + coordinate(stroke_width) + "\"" + dash_attribute(dash) + "/>\n";
}

void Svg::rect(double x, double y, double width, double height, std::string_view fill) {
  if (width < 0.0 || height < 0.0)
    throw std::invalid_argument("plot: a rectangle of negative width or height");
  body_ += "<rect x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) + "\" width=\"" +
           coordinate(width) + "\" height=\"" + coordinate(height) + "\" fill=\"" + escape(fill) +
           "\"/>\n";
}

void Svg::circle(Point centre, double radius, std::string_view fill) {
  body_ += "<circle cx=\"" + coordinate(centre.x) + "\" cy=\"" + coordinate(centre.y) + "\" r=\"" +
           coordinate(radius) + "\" fill=\"" + escape(fill) + "\"/>\n";
}

void Svg::polygon(const std::vector<Point>& points, std::string_view fill) {
  body_ += "<polygon points=\"" + points_text(points) + "\" fill=\"" + escape(fill) + "\"/>\n";
}

void Svg::polyline(const std::vector<Point>& points, std::string_view stroke, double stroke_width,
                   std::string_view dash) {
  body_ += "<polyline points=\"" + points_text(points) + "\" fill=\"none\" stroke=\"" +
           escape(stroke) + "\" stroke-width=\"" + coordinate(stroke_width) +
           "\" stroke-linejoin=\"round\"" + dash_attribute(dash) + "/>\n";
}

void Svg::text(Point at, std::string_view content, std::string_view anchor, double font_size,
               std::string_view weight, double rotate) {
  std::string attributes = "x=\"" + coordinate(at.x) + "\" y=\"" + coordinate(at.y) +
                           "\" text-anchor=\"" + escape(anchor) + "\" font-size=\"" +
                           coordinate(font_size) + "\"";
  if (weight != "normal") attributes += " font-weight=\"" + escape(weight) + "\"";
  if (rotate != 0.0)
    attributes += " transform=\"rotate(" + coordinate(rotate) + " " + coordinate(at.x) + " " +
                  coordinate(at.y) + ")\"";
  body_ += "<text " + attributes + ">" + escape(content) + "</text>\n";
}

void Svg::text_markup(Point at, std::string_view markup, std::string_view anchor,
                      double font_size) {
  body_ += "<text x=\"" + coordinate(at.x) + "\" y=\"" + coordinate(at.y) + "\" text-anchor=\"" +
           escape(anchor) + "\" font-size=\"" + coordinate(font_size) + "\">" +
           std::string(markup) + "</text>\n";
}

std::string Svg::str() const {
  const std::string w = coordinate(width_), h = coordinate(height_);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h +
         "\" viewBox=\"0 0 " + w + " " + h +
         "\" font-family=\"Helvetica, Arial, sans-serif\" fill=\"#222222\">\n" + body_ + "</svg>\n";
}

void marker(Svg& svg, std::size_t shape, Point at, const std::string& colour) {
  const double r = 3.6;
  switch (shape % 5) {
    case 0: svg.circle(at, r, colour); break;
    case 1: svg.rect(at.x - r * 0.9, at.y - r * 0.9, 1.8 * r, 1.8 * r, colour); break;
    case 2:
      svg.polygon({{at.x, at.y - r * 1.2},
                   {at.x + r * 1.1, at.y + r * 0.8},
                   {at.x - r * 1.1, at.y + r * 0.8}},
                  colour);
      break;
    case 3:
      svg.polygon({{at.x, at.y - r * 1.3},
                   {at.x + r * 1.1, at.y},
                   {at.x, at.y + r * 1.3},
                   {at.x - r * 1.1, at.y}},
                  colour);
      break;
    default:
      svg.polygon({{at.x, at.y + r * 1.2},
                   {at.x + r * 1.1, at.y - r * 0.8},
                   {at.x - r * 1.1, at.y - r * 0.8}},
                  colour);
  }
}

}  // namespace plot
