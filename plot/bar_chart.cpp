#include "plot/bar_chart.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "plot/axis.hpp"
#include "plot/svg.hpp"

namespace plot {

namespace {

constexpr double margin_left = 80.0, margin_right = 24.0, margin_top = 78.0, margin_bottom = 64.0;

void check(const BarChart& chart) {
  if (chart.categories.empty()) throw std::invalid_argument("plot: a bar chart with no categories");
  if (chart.series.empty()) throw std::invalid_argument("plot: a bar chart with no series");
  for (const BarSeries& series : chart.series) {
    if (series.values.size() != chart.categories.size())
      throw std::invalid_argument("plot: the series '" + series.name + "' has " +
                                  std::to_string(series.values.size()) + " values for " +
                                  std::to_string(chart.categories.size()) + " categories");
    require_finite(series.values, "the series '" + series.name + "'");
  }
  for (const HorizontalLine& line : chart.lines)
    require_finite({line.value}, "the line '" + line.label + "'");
}

Area plot_area(const BarChart& chart) {
  const Area area{margin_left, margin_top, chart.width - margin_left - margin_right,
                  chart.height - margin_top - margin_bottom};
  if (!(area.width > 0.0) || !(area.height > 0.0))
    throw std::invalid_argument("plot: a bar chart too small for its margins");
  return area;
}

Axis value_axis(const BarChart& chart) {
  double smallest = 0.0, largest = 0.0;
  for (const BarSeries& series : chart.series)
    for (double value : series.values) {
      smallest = std::min(smallest, value);
      largest = std::max(largest, value);
    }
  for (const HorizontalLine& line : chart.lines) {
    smallest = std::min(smallest, line.value);
    largest = std::max(largest, line.value);
  }
  return Axis(Scale::linear, smallest, largest);
}

std::vector<BarGeometry> geometry(const BarChart& chart, const Axis& axis, const Area& area) {
  const double group = area.width / static_cast<double>(chart.categories.size());
  const double bar = group * 0.8 / static_cast<double>(chart.series.size());
  const double zero = y_position(axis, area, 0.0);
  std::vector<BarGeometry> bars;
  for (std::size_t c = 0; c < chart.categories.size(); ++c)
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const double top = y_position(axis, area, chart.series[s].values[c]);
      bars.push_back(
          {s, c, area.left + group * (static_cast<double>(c) + 0.1) + bar * static_cast<double>(s),
           std::min(top, zero), bar, std::abs(top - zero), zero});
    }
  return bars;
}

}  // namespace

std::vector<BarGeometry> bar_geometry(const BarChart& chart) {
  check(chart);
  return geometry(chart, value_axis(chart), plot_area(chart));
}

std::string bar_chart_svg(const BarChart& chart) {
  check(chart);
  const Area area = plot_area(chart);
  const Axis axis = value_axis(chart);
  Svg svg(chart.width, chart.height, chart.title);
  svg.text({chart.width / 2.0, 26.0}, chart.title, "middle", 16.0, "bold");

  // Legend: one row under the title.
  const std::vector<std::string>& colours = palette();
  double legend_width = 0.0;
  for (const BarSeries& series : chart.series)
    legend_width += 18.0 + text_width(series.name, 12.0) + 18.0;
  double x = std::max(4.0, chart.width / 2.0 - legend_width / 2.0);
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    svg.rect(x, 43.0, 12.0, 12.0, colours[s % colours.size()]);
    svg.text({x + 17.0, 53.0}, chart.series[s].name, "start", 12.0);
    x += 18.0 + text_width(chart.series[s].name, 12.0) + 18.0;
  }

  draw_vertical_axis(svg, axis, area, chart.y_label);
  const std::vector<BarGeometry> bars = geometry(chart, axis, area);
  for (const BarGeometry& bar : bars) {
    svg.rect(bar.x, bar.y, bar.width, bar.height, colours[bar.series % colours.size()]);
    const double value = chart.series[bar.series].values[bar.category];
    // Above a bar that grows up, below one that grows down.
    const double label_y = value >= 0.0 ? bar.y - 4.0 : bar.y + bar.height + 12.0;
    std::string label = short_number(value);
    if (label.front() == '-') label.replace(0, 1, "\u2212");  // a minus sign, as on the axis
    svg.text({bar.x + bar.width / 2.0, label_y}, label, "middle", 10.5);
  }
  // The zero line over the bars' feet, darker than the grid: where positive turns negative.
  const double zero = y_position(axis, area, 0.0);
  svg.line({area.left, zero}, {area.right(), zero}, "#555555", 1.0);
  for (const HorizontalLine& line : chart.lines) {
    const double y = y_position(axis, area, line.value);
    svg.line({area.left, y}, {area.right(), y}, "#777777", 1.2, "6 4");
    svg.text({area.right() - 2.0, y - 4.0}, line.label, "end", 10.5);
  }

  const double group = area.width / static_cast<double>(chart.categories.size());
  for (std::size_t c = 0; c < chart.categories.size(); ++c)
    svg.text({area.left + group * (static_cast<double>(c) + 0.5), area.bottom() + 20.0},
             chart.categories[c], "middle", 13.0);
  svg.text({area.left + area.width / 2.0, area.bottom() + 46.0}, chart.x_label, "middle", 13.0);
  return svg.str();
}

}  // namespace plot
