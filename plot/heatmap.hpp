// Attention patterns as heatmaps: one panel per head, each a grid of queries (rows, top to bottom)
// by keys (columns, left to right), a cell's colour its value on a scale from 0 (white) to 1 (dark
// blue), with the tokens at each position along both edges and the scale beside the panels. Only
// the causal part (key <= query) is drawn: a query never attends to a later key, so the cells
// above the diagonal are left blank rather than drawn as zeros.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nn/matrix.hpp"

namespace plot {

struct HeatmapPanel {
  std::string title;          // over the grid: "head 1.0"
  nn::Matrix<double> values;  // T x T, row = query, column = key (TL's pattern[head, q, k])
};

struct Heatmap {
  std::string title;
  std::vector<std::string> labels;  // the token at each position: "BOS", "F", ...
  std::vector<HeatmapPanel> panels;
  std::string scale_label = "attention";  // over the colour scale
  bool show_values = false;               // each cell's value written in it
  std::size_t columns = 0;                // panels per row; 0 puts them all in one row
  double cell = 40.0;                     // a cell's side, in pixels
};

// The scale's colour of `value` in [0, 1]: each channel runs in a straight line from white
// (#FFFFFF) at 0 to #09316B at 1, rounded to the nearest integer, so 0.5 is #8498B5. Throws
// std::invalid_argument for a value that is NaN or outside [0, 1].
std::string heatmap_colour(double value);

// The heatmap as SVG text; its size follows from the cell size and the number of panels. Each
// causal cell is one <rect> of side cell - 1 (the gaps between them form the grid), drawn panel by
// panel, query by query, key by key. Entries above the diagonal are never read. Throws
// std::invalid_argument for no panels or no labels, a panel that is not square or whose size is
// not the number of labels, a causal value that is NaN or outside [0, 1], or a cell too small to
// draw.
std::string heatmap_svg(const Heatmap& heatmap);

}  // namespace plot
