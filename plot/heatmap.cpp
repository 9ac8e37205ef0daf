#include "plot/heatmap.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "plot/axis.hpp"
#include "plot/svg.hpp"

namespace plot {

namespace {

constexpr double margin_top = 44.0, margin_right = 16.0, margin_bottom = 12.0;
constexpr double axis_title_width = 20.0;  // left of the row labels: "query", turned upright
constexpr double panel_title_height = 24.0, below_grid = 44.0, panel_gap = 28.0;
constexpr double label_font = 11.0, value_font = 9.0;
constexpr double legend_gap = 24.0, legend_bar = 14.0;
constexpr std::size_t legend_bands = 50;
constexpr const char* grid_colour = "#d9d9d9";
constexpr const char* axis_colour = "#555555";

std::string exact(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

void check(const Heatmap& heatmap) {
  if (heatmap.panels.empty()) throw std::invalid_argument("plot: a heatmap with no panels");
  if (heatmap.labels.empty())
    throw std::invalid_argument("plot: a heatmap with no labels (one token per position)");
  if (!std::isfinite(heatmap.cell) || heatmap.cell < 4.0)
    throw std::invalid_argument("plot: a heatmap cell of side " + exact(heatmap.cell) +
                                " is too small to draw");
  const std::size_t positions = heatmap.labels.size();
  for (const HeatmapPanel& panel : heatmap.panels) {
    const std::string name = "plot: the panel '" + panel.title + "'";
    const nn::Matrix<double>& values = panel.values;
    if (values.rows() != values.cols())
      throw std::invalid_argument(name + " is " + nn::shape_string(values) +
                                  ", not square (a row per query, a column per key)");
    if (values.rows() != positions)
      throw std::invalid_argument(name + " has " + std::to_string(values.rows()) +
                                  " positions but there are " + std::to_string(positions) +
                                  " labels");
    for (std::size_t q = 0; q < positions; ++q)
      for (std::size_t k = 0; k <= q; ++k) {
        const double value = values(q, k);
        if (value >= 0.0 && value <= 1.0) continue;
        std::string message = name;
        message += std::isfinite(value) ? " holds " + exact(value)
                                        : " holds a value that is not finite (NaN or infinity)";
        message += " at query " + std::to_string(q) + ", key " + std::to_string(k);
        if (std::isfinite(value)) message += ", outside [0, 1]";
        throw std::invalid_argument(message);
      }
  }
}

// Where one panel's grid sits.
struct Layout {
  double label_width = 0.0;  // the widest row label
  double block_width = 0.0, block_height = 0.0;
  std::size_t columns = 0, rows = 0;
  double grid() const { return block_height - panel_title_height - below_grid; }
  double grid_left(std::size_t panel) const {
    return axis_title_width + label_width + 6.0 +
           static_cast<double>(panel % columns) * (block_width + panel_gap);
  }
  double grid_top(std::size_t panel) const {
    const std::size_t row = panel / columns;
    return margin_top + panel_title_height + static_cast<double>(row) * (block_height + panel_gap);
  }
};

Layout layout(const Heatmap& heatmap) {
  Layout out;
  for (const std::string& label : heatmap.labels)
    out.label_width = std::max(out.label_width, text_width(label, label_font));
  const double grid = static_cast<double>(heatmap.labels.size()) * heatmap.cell;
  out.block_width = axis_title_width + out.label_width + 6.0 + grid;
  out.block_height = panel_title_height + grid + below_grid;
  const std::size_t panels = heatmap.panels.size();
  out.columns = heatmap.columns == 0 ? panels : std::min(heatmap.columns, panels);
  out.rows = (panels + out.columns - 1) / out.columns;
  return out;
}

// One panel: the causal cells over a staircase of grid colour, the tokens along both edges.
void draw_panel(Svg& svg, const Heatmap& heatmap, const Layout& at, std::size_t p) {
  const HeatmapPanel& panel = heatmap.panels[p];
  const std::size_t positions = heatmap.labels.size();
  const double cell = heatmap.cell, grid = at.grid();
  const double left = at.grid_left(p), top = at.grid_top(p);

  svg.text({left + grid / 2.0, top - 8.0}, panel.title, "middle", 13.0, "bold");
  std::vector<Point> staircase = {{left, top}};
  for (std::size_t q = 0; q < positions; ++q) {
    const double right = left + static_cast<double>(q + 1) * cell;
    staircase.push_back({right, top + static_cast<double>(q) * cell});
    staircase.push_back({right, top + static_cast<double>(q + 1) * cell});
  }
  staircase.push_back({left, top + grid});
  svg.polygon(staircase, grid_colour);

  for (std::size_t q = 0; q < positions; ++q)
    for (std::size_t k = 0; k <= q; ++k) {
      const double value = panel.values(q, k);
      const double x = left + static_cast<double>(k) * cell;
      const double y = top + static_cast<double>(q) * cell;
      // Half a pixel in from each edge: the grid colour shows as one-pixel lines between cells.
      svg.rect(x + 0.5, y + 0.5, cell - 1.0, cell - 1.0, heatmap_colour(value));
      if (!heatmap.show_values) continue;
      // Light text on the darker half of the scale, where dark text would vanish.
      const char* ink = value >= 0.5 ? "#FFFFFF" : "#222222";
      svg.text_markup(
          {x + cell / 2.0, y + cell / 2.0 + 3.0},
          "<tspan fill=\"" + std::string(ink) + "\">" + escape(short_number(value)) + "</tspan>",
          "middle", value_font);
    }

  for (std::size_t q = 0; q < positions; ++q)
    svg.text({left - 6.0, top + (static_cast<double>(q) + 0.5) * cell + 4.0}, heatmap.labels[q],
             "end", label_font);
  for (std::size_t k = 0; k < positions; ++k)
    svg.text({left + (static_cast<double>(k) + 0.5) * cell, top + grid + 16.0}, heatmap.labels[k],
             "middle", label_font);
  svg.text({left - at.label_width - 6.0 - axis_title_width / 2.0 + 4.0, top + grid / 2.0}, "query",
           "middle", 12.0, "normal", -90.0);
  svg.text({left + grid / 2.0, top + grid + 36.0}, "key", "middle", 12.0);
}

// The scale, upright beside the first row of panels: 1 at the top, 0 at the bottom.
void draw_legend(Svg& svg, const Heatmap& heatmap, const Layout& at, double left) {
  const double top = at.grid_top(0), height = at.grid();
  svg.text({left, top - 8.0}, heatmap.scale_label, "start", 12.0);
  const double band = height / static_cast<double>(legend_bands);
  for (std::size_t i = 0; i < legend_bands; ++i) {
    const double value = 1.0 - (static_cast<double>(i) + 0.5) / static_cast<double>(legend_bands);
    svg.rect(left, top + static_cast<double>(i) * band, legend_bar, band, heatmap_colour(value));
  }
  svg.polyline({{left, top},
                {left + legend_bar, top},
                {left + legend_bar, top + height},
                {left, top + height},
                {left, top}},
               axis_colour, 0.8);
  for (double tick : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const double y = top + (1.0 - tick) * height;
    svg.line({left + legend_bar, y}, {left + legend_bar + 4.0, y}, axis_colour, 1.0);
    svg.text({left + legend_bar + 7.0, y + 4.0}, short_number(tick), "start", label_font);
  }
}

}  // namespace

std::string heatmap_colour(double value) {
  if (!(value >= 0.0 && value <= 1.0))
    throw std::invalid_argument("plot: a heatmap value " + exact(value) +
                                " is NaN or outside [0, 1]");
  const auto channel = [value](int end) {
    return static_cast<int>(std::lround(255.0 - value * (255.0 - end)));
  };
  char text[16];
  std::snprintf(text, sizeof text, "#%02X%02X%02X", channel(0x09), channel(0x31), channel(0x6B));
  return text;
}

std::string heatmap_svg(const Heatmap& heatmap) {
  check(heatmap);
  const Layout at = layout(heatmap);
  const double panels_right = at.grid_left(at.columns - 1) + at.grid();
  const double legend_left = panels_right + legend_gap;
  const double legend_width = std::max(legend_bar + 7.0 + text_width("0.75", label_font),
                                       text_width(heatmap.scale_label, 12.0));
  const double width = legend_left + legend_width + margin_right;
  const double height = margin_top + static_cast<double>(at.rows) * at.block_height +
                        static_cast<double>(at.rows - 1) * panel_gap + margin_bottom;

  Svg svg(width, height, heatmap.title);
  svg.text({width / 2.0, 26.0}, heatmap.title, "middle", 16.0, "bold");
  for (std::size_t p = 0; p < heatmap.panels.size(); ++p) draw_panel(svg, heatmap, at, p);
  draw_legend(svg, heatmap, at, legend_left);
  return svg.str();
}

}  // namespace plot
