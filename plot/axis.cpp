#include "plot/axis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace plot {

namespace {

constexpr const char* grid_colour = "#e4e4e4";
constexpr const char* axis_colour = "#555555";
constexpr double tick_font = 11.0, title_font = 13.0;

// A typographic minus sign reads better than a hyphen in front of a number.
std::string with_minus_sign(std::string text) {
  if (!text.empty() && text.front() == '-') text.replace(0, 1, "\u2212");
  return text;
}

}  // namespace

void require_finite(const std::vector<double>& values, std::string_view what) {
  for (double value : values)
    if (!std::isfinite(value))
      throw std::invalid_argument("plot: " + std::string(what) +
                                  " holds a value that is not finite (NaN or infinity)");
}

void require_points(const std::string& name, const std::vector<double>& x,
                    const std::vector<double>& y) {
  if (x.empty()) throw std::invalid_argument("plot: the series '" + name + "' has no points");
  if (x.size() != y.size())
    throw std::invalid_argument("plot: the series '" + name + "' has " + std::to_string(x.size()) +
                                " x values and " + std::to_string(y.size()) + " y values");
  require_finite(x, "the x values of '" + name + "'");
  require_finite(y, "the y values of '" + name + "'");
}

double text_width(std::string_view text, double font_size) {
  // Widths in ems of a Helvetica-like font, by kind of character, rounded up.
  double ems = 0.0;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0) == 0x80) continue;  // inside a UTF-8 sequence: counted at its first byte
    // Arrows, dashes and primes (anything beyond ASCII) count as wide as m and w.
    if (byte >= 0x80 || c == 'm' || c == 'w' || c == 'M' || c == 'W')
      ems += 0.9;
    else if (std::string_view("ijlrtf.,:;'|!()[] ").find(c) != std::string_view::npos)
      ems += 0.32;
    else if (c >= 'A' && c <= 'Z')
      ems += 0.7;
    else
      ems += 0.57;
  }
  return ems * font_size;
}

Axis::Axis(Scale scale, double smallest, double largest) : scale_(scale) {
  if (!std::isfinite(smallest) || !std::isfinite(largest))
    throw std::invalid_argument("plot: an axis range that is not finite (NaN or infinity)");
  if (smallest > largest) throw std::invalid_argument("plot: an axis range whose ends are swapped");

  if (scale == Scale::log) {
    if (!(smallest > 0.0))
      throw std::invalid_argument("plot: a logarithmic axis needs positive values, got " +
                                  short_number(smallest));
    low_ = std::floor(std::log10(smallest));
    high_ = std::ceil(std::log10(largest));
    if (high_ == low_) high_ += 1.0;
    // At most about eight labelled powers of ten.
    step_ = std::ceil((high_ - low_) / 8.0);
    low_ = std::floor(low_ / step_) * step_;
    high_ = std::ceil(high_ / step_) * step_;
    plain_powers_ = low_ >= -2.0 && high_ <= 4.0;
    const long powers = std::lround((high_ - low_) / step_);
    for (long i = 0; i <= powers; ++i)
      ticks_.push_back(std::pow(10.0, low_ + static_cast<double>(i) * step_));
    if (step_ == 1.0 && powers <= 6)
      for (long i = 0; i < powers; ++i)
        for (int m = 2; m <= 9; ++m)
          minor_ticks_.push_back(m * std::pow(10.0, low_ + static_cast<double>(i)));
    return;
  }

  if (smallest == largest) {
    const double pad = smallest == 0.0 ? 1.0 : std::fabs(smallest) * 0.1;
    smallest -= pad;
    largest += pad;
  }
  const double raw = (largest - smallest) / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  step_ = 10.0 * magnitude;
  for (double factor : {1.0, 2.0, 2.5, 5.0})
    if (factor * magnitude >= raw) {
      step_ = factor * magnitude;
      break;
    }
  low_ = std::floor(smallest / step_) * step_;
  high_ = std::ceil(largest / step_) * step_;
  const long count = std::lround((high_ - low_) / step_);
  for (long i = 0; i <= count; ++i) {
    double tick = low_ + static_cast<double>(i) * step_;
    if (std::fabs(tick) < 1e-9 * step_) tick = 0.0;  // no -1.1e-17 where 0 is meant
    ticks_.push_back(tick);
  }
}

double Axis::fraction(double value) const {
  if (scale_ == Scale::log) return (std::log10(value) - low_) / (high_ - low_);
  return (value - low_) / (high_ - low_);
}

std::string Axis::label_markup(double tick) const {
  char text[64];
  if (scale_ == Scale::log) {
    const int exponent = static_cast<int>(std::lround(std::log10(tick)));
    if (plain_powers_) {
      std::snprintf(text, sizeof text, "%.*f", exponent < 0 ? -exponent : 0, tick);
      return text;
    }
    std::snprintf(text, sizeof text, "%d", exponent);
    return "10<tspan dy=\"-6\" font-size=\"8\">" + with_minus_sign(text) + "</tspan>";
  }
  const double largest = std::max(std::fabs(low_), std::fabs(high_));
  if (largest >= 1e6 || step_ < 1e-4) return escape(with_minus_sign(short_number(tick)));
  const double mantissa = step_ / std::pow(10.0, std::floor(std::log10(step_)));
  int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step_))));
  if (std::fabs(mantissa - 2.5) < 1e-9 && step_ < 10.0) decimals += 1;
  std::snprintf(text, sizeof text, "%.*f", decimals, tick);
  return escape(with_minus_sign(text));
}

void draw_vertical_axis(Svg& svg, const Axis& axis, const Area& area, std::string_view title) {
  for (double tick : axis.minor_ticks()) {
    const double y = y_position(axis, area, tick);
    svg.line({area.left - 3.0, y}, {area.left, y}, axis_colour, 0.8);
  }
  for (double tick : axis.ticks()) {
    const double y = y_position(axis, area, tick);
    svg.line({area.left, y}, {area.right(), y}, grid_colour, 1.0);
    svg.line({area.left - 5.0, y}, {area.left, y}, axis_colour, 1.0);
    svg.text_markup({area.left - 8.0, y + 4.0}, axis.label_markup(tick), "end", tick_font);
  }
  svg.line({area.left, area.top}, {area.left, area.bottom()}, axis_colour, 1.0);
  svg.text({area.left - 52.0, area.top + area.height / 2.0}, title, "middle", title_font, "normal",
           -90.0);
}

void draw_horizontal_axis(Svg& svg, const Axis& axis, const Area& area, std::string_view title) {
  for (double tick : axis.minor_ticks()) {
    const double x = x_position(axis, area, tick);
    svg.line({x, area.bottom()}, {x, area.bottom() + 3.0}, axis_colour, 0.8);
  }
  for (double tick : axis.ticks()) {
    const double x = x_position(axis, area, tick);
    svg.line({x, area.top}, {x, area.bottom()}, grid_colour, 1.0);
    svg.line({x, area.bottom()}, {x, area.bottom() + 5.0}, axis_colour, 1.0);
    svg.text_markup({x, area.bottom() + 19.0}, axis.label_markup(tick), "middle", tick_font);
  }
  svg.line({area.left, area.bottom()}, {area.right(), area.bottom()}, axis_colour, 1.0);
  svg.text({area.left + area.width / 2.0, area.bottom() + 42.0}, title, "middle", title_font);
}

}  // namespace plot
