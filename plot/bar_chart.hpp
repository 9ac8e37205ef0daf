// Grouped bar charts: one group of bars per category (an input, a neuron), one bar per series (a
// method) in each group, with a legend and each bar's value written at its end. Bars grow from 0,
// up for positive values and down for negative ones; the value axis always includes 0.
#pragma once

#include <string>
#include <vector>

namespace plot {

struct BarSeries {
  std::string name;            // in the legend
  std::vector<double> values;  // one per category
};

// A dashed horizontal line across the chart at `value`, labelled at its right end (a threshold).
struct HorizontalLine {
  double value = 0.0;
  std::string label;
};

struct BarChart {
  std::string title;
  std::string x_label, y_label;  // the axes' titles
  std::vector<std::string> categories;
  std::vector<BarSeries> series;
  std::vector<HorizontalLine> lines;
  double width = 640.0, height = 400.0;
};

// Where the chart puts each bar, for checking a drawing against its data: the bar of series s in
// category c, in SVG coordinates.
struct BarGeometry {
  std::size_t series = 0, category = 0;
  double x = 0.0, y = 0.0, width = 0.0, height = 0.0;
  double zero_y = 0.0;  // the SVG y of the value 0
};

// The chart as SVG text. Throws std::invalid_argument for no categories, no series, a series with
// a different number of values than there are categories, or any value (bar or line) that is NaN
// or infinite.
std::string bar_chart_svg(const BarChart& chart);
// The bars bar_chart_svg draws, series by series within each category. Same errors.
std::vector<BarGeometry> bar_geometry(const BarChart& chart);

}  // namespace plot
