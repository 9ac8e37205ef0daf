#include "plot/scatter_plot.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "plot/axis.hpp"
#include "plot/svg.hpp"

namespace plot {

namespace {

constexpr double margin_left = 80.0, margin_top = 44.0, margin_bottom = 62.0;
constexpr double legend_gap = 20.0, legend_font = 12.0;
constexpr const char* diagonal_colour = "#888888";

void check(const ScatterPlot& plot) {
  if (plot.series.empty()) throw std::invalid_argument("plot: a scatter plot with no series");
  for (const ScatterSeries& series : plot.series) {
    require_points(series.name, series.x, series.y);
  }
}

struct Range {
  double smallest = std::numeric_limits<double>::infinity();
  double largest = -std::numeric_limits<double>::infinity();
  void add(const std::vector<double>& values) {
    for (double value : values) {
      smallest = std::min(smallest, value);
      largest = std::max(largest, value);
    }
  }
};

}  // namespace

std::string scatter_plot_svg(const ScatterPlot& plot) {
  check(plot);
  Range x_range, y_range;
  for (const ScatterSeries& series : plot.series) {
    x_range.add(series.x);
    y_range.add(series.y);
  }
  const bool diagonal = !plot.diagonal.empty();
  if (diagonal) {
    x_range.add({y_range.smallest, y_range.largest});
    y_range = x_range;
  }
  const Axis x_axis(Scale::linear, x_range.smallest, x_range.largest);
  const Axis y_axis(Scale::linear, y_range.smallest, y_range.largest);

  double legend_width = text_width(plot.diagonal, legend_font);
  for (const ScatterSeries& series : plot.series)
    legend_width = std::max(legend_width, text_width(series.name, legend_font));
  legend_width += 36.0;
  Area area{margin_left, margin_top, plot.width - margin_left - legend_gap - legend_width - 8.0,
            plot.height - margin_top - margin_bottom};
  if (!(area.width > 0.0) || !(area.height > 0.0))
    throw std::invalid_argument("plot: a scatter plot too small for its margins and legend");
  // A square, so that the diagonal rises at 45 degrees and a unit is as long on both axes.
  if (diagonal) area.width = area.height = std::min(area.width, area.height);

  Svg svg(plot.width, plot.height, plot.title);
  // Over the whole picture: a square area may leave it narrower than the title.
  svg.text({plot.width / 2.0, 26.0}, plot.title, "middle", 16.0, "bold");
  draw_vertical_axis(svg, y_axis, area, plot.y_label);
  draw_horizontal_axis(svg, x_axis, area, plot.x_label);

  // The diagonal under the points: the two axes share their range, so it joins the corners.
  if (diagonal)
    svg.line({area.left, area.bottom()}, {area.right(), area.top}, diagonal_colour, 1.3, "7 5");

  const std::vector<std::string>& colours = palette();
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const ScatterSeries& series = plot.series[s];
    for (std::size_t i = 0; i < series.x.size(); ++i)
      marker(svg, s, {x_position(x_axis, area, series.x[i]), y_position(y_axis, area, series.y[i])},
             colours[s % colours.size()]);
  }

  // Legend, right of the plot: each series' mark, then the diagonal.
  const double legend_left = area.right() + legend_gap;
  double y = area.top + 8.0;
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    marker(svg, s, {legend_left + 12.0, y}, colours[s % colours.size()]);
    svg.text({legend_left + 30.0, y + 4.0}, plot.series[s].name, "start", legend_font);
    y += 20.0;
  }
  if (diagonal) {
    svg.line({legend_left, y}, {legend_left + 24.0, y}, diagonal_colour, 1.3, "7 5");
    svg.text({legend_left + 30.0, y + 4.0}, plot.diagonal, "start", legend_font);
  }
  return svg.str();
}

}  // namespace plot
