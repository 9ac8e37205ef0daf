// An axis: the range of values it shows, where its ticks go and how they are labelled, and how it
// is drawn. Linear axes get "nice" ticks (steps of 1, 2, 2.5 or 5 times a power of ten) and always
// reach past the data; logarithmic axes run from one power of ten to another.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "plot/svg.hpp"

namespace plot {

enum class Scale { linear, log };

// The rectangle the data is drawn in, in SVG coordinates (y grows downwards).
struct Area {
  double left = 0.0, top = 0.0, width = 0.0, height = 0.0;
  double right() const { return left + width; }
  double bottom() const { return top + height; }
};

class Axis {
 public:
  // An axis showing at least [smallest, largest]. Throws std::invalid_argument when either is not
  // finite, when smallest > largest, or, for a log axis, when smallest is not positive.
  Axis(Scale scale, double smallest, double largest);

  Scale scale() const { return scale_; }
  double low() const { return low_; }
  double high() const { return high_; }
  // Where a value sits, 0 at low() and 1 at high(); values outside give numbers outside [0, 1].
  double fraction(double value) const;
  const std::vector<double>& ticks() const { return ticks_; }
  const std::vector<double>& minor_ticks() const { return minor_ticks_; }  // log axes only
  // A tick's label as SVG markup (escaped; a power of ten as 10 with a raised exponent).
  std::string label_markup(double tick) const;

 private:
  Scale scale_;
  double low_ = 0.0, high_ = 1.0;  // for a log axis, the exponents of the ends
  double step_ = 1.0;
  bool plain_powers_ = true;  // a log axis labelled 0.01, 0.1, 1, 10, ... instead of 10^k
  std::vector<double> ticks_, minor_ticks_;
};

// Screen positions of values on axes laid along an area.
inline double x_position(const Axis& axis, const Area& area, double value) {
  return area.left + axis.fraction(value) * area.width;
}
inline double y_position(const Axis& axis, const Area& area, double value) {
  return area.bottom() - axis.fraction(value) * area.height;
}

// Gridlines, tick labels and the axis title, on the left (vertical) or at the bottom (horizontal).
void draw_vertical_axis(Svg& svg, const Axis& axis, const Area& area, std::string_view title);
void draw_horizontal_axis(Svg& svg, const Axis& axis, const Area& area, std::string_view title);

// Throws std::invalid_argument naming `what` when a value is NaN or infinite.
void require_finite(const std::vector<double>& values, std::string_view what);

// The points of a series named `name`, as line and scatter plots take them. Throws
// std::invalid_argument naming the series when it has no points, when x and y differ in length, or
// when a value is not finite.
void require_points(const std::string& name, const std::vector<double>& x,
                    const std::vector<double>& y);

// A rough width of a label, for laying out legends: fonts differ, so this errs wide.
double text_width(std::string_view text, double font_size);

}  // namespace plot
