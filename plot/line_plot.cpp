#include "plot/line_plot.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "plot/axis.hpp"
#include "plot/svg.hpp"

namespace plot {

namespace {

constexpr double margin_left = 80.0, margin_top = 44.0, margin_bottom = 62.0;
constexpr double legend_gap = 20.0, legend_font = 12.0;

void check(const LinePlot& plot) {
  if (plot.series.empty()) throw std::invalid_argument("plot: a line plot with no series");
  for (const LineSeries& series : plot.series) {
    require_points(series.name, series.x, series.y);
    const auto not_positive = [](double v) { return !(v > 0.0); };
    if (plot.x_scale == Scale::log && std::any_of(series.x.begin(), series.x.end(), not_positive))
      throw std::invalid_argument("plot: the series '" + series.name +
                                  "' has an x value that is not positive, on a logarithmic axis");
    if (plot.y_scale == Scale::log && std::any_of(series.y.begin(), series.y.end(), not_positive))
      throw std::invalid_argument("plot: the series '" + series.name +
                                  "' has a y value that is not positive, on a logarithmic axis");
  }
  for (const ReferenceSlope& slope : plot.slopes) {
    if (plot.x_scale != Scale::log || plot.y_scale != Scale::log)
      throw std::invalid_argument("plot: reference slopes need log-log axes ('" + slope.label +
                                  "')");
    require_finite({slope.slope, slope.x_at, slope.y_at},
                   "the reference slope '" + slope.label + "'");
    if (!(slope.x_at > 0.0) || !(slope.y_at > 0.0))
      throw std::invalid_argument("plot: the reference slope '" + slope.label +
                                  "' must pass through a positive point");
  }
}

Axis data_axis(const LinePlot& plot, bool horizontal) {
  double smallest = std::numeric_limits<double>::infinity(), largest = -smallest;
  for (const LineSeries& series : plot.series)
    for (double value : horizontal ? series.x : series.y) {
      smallest = std::min(smallest, value);
      largest = std::max(largest, value);
    }
  return Axis(horizontal ? plot.x_scale : plot.y_scale, smallest, largest);
}

}  // namespace

std::string line_plot_svg(const LinePlot& plot) {
  check(plot);
  const Axis x_axis = data_axis(plot, true), y_axis = data_axis(plot, false);

  double legend_width = 0.0;
  for (const LineSeries& series : plot.series)
    legend_width = std::max(legend_width, text_width(series.name, legend_font));
  for (const ReferenceSlope& slope : plot.slopes)
    legend_width = std::max(legend_width, text_width(slope.label, legend_font));
  legend_width += 36.0;
  const Area area{margin_left, margin_top,
                  plot.width - margin_left - legend_gap - legend_width - 8.0,
                  plot.height - margin_top - margin_bottom};
  if (!(area.width > 0.0) || !(area.height > 0.0))
    throw std::invalid_argument("plot: a line plot too small for its margins and legend");

  Svg svg(plot.width, plot.height, plot.title);
  svg.text({margin_left + area.width / 2.0, 26.0}, plot.title, "middle", 16.0, "bold");
  draw_vertical_axis(svg, y_axis, area, plot.y_label);
  draw_horizontal_axis(svg, x_axis, area, plot.x_label);

  // Reference slopes first, under the data: straight lines in log-log space, clipped to the area.
  const double x_low = x_axis.low(), x_high = x_axis.high();  // exponents on a log axis
  const double y_low = y_axis.low(), y_high = y_axis.high();
  for (const ReferenceSlope& slope : plot.slopes) {
    const double lx = std::log10(slope.x_at), ly = std::log10(slope.y_at);
    double from = x_low, to = x_high;
    if (slope.slope != 0.0) {
      // Where the line meets y_low and y_high.
      double a = lx + (y_low - ly) / slope.slope, b = lx + (y_high - ly) / slope.slope;
      if (a > b) std::swap(a, b);
      from = std::max(from, a);
      to = std::min(to, b);
    } else if (ly < y_low || ly > y_high) {
      from = to + 1.0;
    }
    if (!(from < to))
      throw std::invalid_argument("plot: the reference slope '" + slope.label +
                                  "' does not cross the plot");
    const auto at = [&](double log_x) {
      const double log_y = ly + slope.slope * (log_x - lx);
      return Point{area.left + (log_x - x_low) / (x_high - x_low) * area.width,
                   area.bottom() - (log_y - y_low) / (y_high - y_low) * area.height};
    };
    svg.line(at(from), at(to), "#888888", 1.3, "7 5");
    // The label under the line near its right end, inside the plot: references are drawn
    // below the data they describe, so the space under them is free.
    const Point end = at(from + 0.9 * (to - from));
    svg.text({end.x, end.y + 16.0}, slope.label, "middle", 11.0, "bold");
  }

  const std::vector<std::string>& colours = palette();
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const LineSeries& series = plot.series[s];
    const std::string& colour = colours[s % colours.size()];
    std::vector<Point> points;
    for (std::size_t i = 0; i < series.x.size(); ++i)
      points.push_back(
          {x_position(x_axis, area, series.x[i]), y_position(y_axis, area, series.y[i])});
    svg.polyline(points, colour, 1.8);
    if (series.markers)
      for (const Point& p : points) marker(svg, s, p, colour);
  }

  // Legend, right of the plot: a line with the series' mark, then the dashed references.
  const double legend_left = area.right() + legend_gap;
  double y = area.top + 8.0;
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const std::string& colour = colours[s % colours.size()];
    svg.line({legend_left, y}, {legend_left + 24.0, y}, colour, 1.8);
    if (plot.series[s].markers) marker(svg, s, {legend_left + 12.0, y}, colour);
    svg.text({legend_left + 30.0, y + 4.0}, plot.series[s].name, "start", legend_font);
    y += 20.0;
  }
  for (const ReferenceSlope& slope : plot.slopes) {
    svg.line({legend_left, y}, {legend_left + 24.0, y}, "#888888", 1.3, "7 5");
    svg.text({legend_left + 30.0, y + 4.0}, slope.label, "start", legend_font);
    y += 20.0;
  }
  return svg.str();
}

}  // namespace plot
