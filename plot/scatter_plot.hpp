// Scatter plots: series of (x, y) points, each series its own colour and marker shape, with a
// legend on the right. For comparing two measures of the same thing, the diagonal y = x can be
// drawn; the two axes then share one range over a square, so that the diagonal runs corner to
// corner at 45 degrees and a point's distance from it reads the same along both axes.
#pragma once

#include <string>
#include <vector>

namespace plot {

struct ScatterSeries {
  std::string name;  // in the legend
  std::vector<double> x, y;
};

struct ScatterPlot {
  std::string title;
  std::string x_label, y_label;
  std::vector<ScatterSeries> series;
  std::string diagonal;  // the legend's label of the dashed line y = x; "" draws no diagonal
  double width = 720.0, height = 520.0;
};

// The plot as SVG text. Throws std::invalid_argument for no series, a series with no points or
// with x and y of different lengths, and a value that is NaN or infinite.
std::string scatter_plot_svg(const ScatterPlot& plot);

}  // namespace plot
