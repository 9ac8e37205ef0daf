// SVG text, written by hand: a document that collects elements, XML escaping, and numbers printed
// the same way on every compiler.
//
// The plotting module (plot/) takes numbers and labels only; it knows nothing of networks or
// attribution, and nothing in autodiff/, nn/ or attribution/ depends on it. Standard library only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plot {

// Text safe inside an element or a double-quoted attribute: & < > " ' become entities.
std::string escape(std::string_view text);

// A coordinate or length: at most two decimals, no trailing zeros, never "-0".
std::string coordinate(double value);

// A value as a reader wants to see it on a label: three significant digits without trailing zeros
// ("0.499", "0.25", "12.3", "12345"), or scientific notation ("1.2e-16", "3.4e+09") for very small
// or very large magnitudes.
std::string short_number(double value);

// Colours that stay distinct for the colour-blind (Okabe and Ito), in the order series get them.
const std::vector<std::string>& palette();

struct Point {
  double x = 0.0, y = 0.0;
};

// An SVG document of a given size. Every element is appended as text; str() closes it.
class Svg {
 public:
  // `title` becomes the document's <title> (what a screen reader or a browser tab shows).
  Svg(double width, double height, std::string_view title);

  void line(Point from, Point to, std::string_view stroke, double stroke_width = 1.0,
            std::string_view dash = "");
  void rect(double x, double y, double width, double height, std::string_view fill);
  void circle(Point centre, double radius, std::string_view fill);
  void polygon(const std::vector<Point>& points, std::string_view fill);
  void polyline(const std::vector<Point>& points, std::string_view stroke, double stroke_width,
                std::string_view dash = "");
  // anchor: "start", "middle" or "end". `rotate` turns the text about its anchor, in degrees.
  void text(Point at, std::string_view content, std::string_view anchor = "start",
            double font_size = 12.0, std::string_view weight = "normal", double rotate = 0.0);
  // Already-escaped markup inside a <text> element, for labels with a superscript (10^-16).
  void text_markup(Point at, std::string_view markup, std::string_view anchor, double font_size);

  double width() const { return width_; }
  double height() const { return height_; }
  std::string str() const;

 private:
  double width_, height_;
  std::string body_;
};

// A mark of shape `shape` (circle, square, triangle, diamond, down-triangle, then again) centred on
// `at`: series told apart by shape as well as colour.
void marker(Svg& svg, std::size_t shape, Point at, const std::string& colour);

}  // namespace plot
