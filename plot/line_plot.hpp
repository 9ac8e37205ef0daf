// Line plots: series of (x, y) points joined by lines, optionally marked, on linear or logarithmic
// axes, with a legend on the right. On log-log axes, reference slopes (a power law y = c x^k drawn
// as a dashed line) show the order of convergence a series should have.
#pragma once

#include <string>
#include <vector>

#include "plot/axis.hpp"

namespace plot {

struct LineSeries {
  std::string name;
  std::vector<double> x, y;
  bool markers = true;  // a mark at every point (each series its own shape)
};

// The line y = y_at * (x / x_at)^slope on log-log axes, dashed, clipped to the plot.
struct ReferenceSlope {
  std::string label;  // "1/n"
  double slope = -1.0;
  double x_at = 1.0, y_at = 1.0;
};

struct LinePlot {
  std::string title;
  std::string x_label, y_label;
  Scale x_scale = Scale::linear, y_scale = Scale::linear;
  std::vector<LineSeries> series;
  std::vector<ReferenceSlope> slopes;  // log-log plots only
  double width = 720.0, height = 440.0;
};

// The plot as SVG text. Throws std::invalid_argument for no series, a series with no points or
// with x and y of different lengths, a value that is NaN or infinite, a value that is not positive
// on a logarithmic axis, reference slopes on a plot that is not log-log, and a reference slope
// that misses the plot entirely.
std::string line_plot_svg(const LinePlot& plot);

}  // namespace plot
