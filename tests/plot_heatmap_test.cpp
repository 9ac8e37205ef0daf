// The attention heatmap (plot/heatmap): one cell per causal entry in each panel, coloured by the
// scale's closed form, the tokens along both edges in order, and bad patterns refused by name.
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/matrix.hpp"
#include "plot/heatmap.hpp"
#include "plot/svg.hpp"
#include "tests/svg_structure.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using test_support::contains;
using test_support::invalid_argument_message;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// A 4-position pattern whose causal rows each sum to 1, with the masked entries holding what
// hook_pattern holds there (0), except one NaN: the heatmap must never read them.
nn::Matrix<double> pattern() {
  return {{1.0, 0.0, 0.0, nan}, {0.5, 0.5, 0.0, 0.0}, {0.25, 0.25, 0.5, 0.0}, {0.0, 1.0, 0.0, 0.0}};
}

plot::Heatmap two_heads() {
  plot::Heatmap heatmap;
  heatmap.title = "attention";
  heatmap.labels = {"BOS", "F", "G", "F"};
  nn::Matrix<double> uniform = {
      {1.0, 0, 0, 0}, {0.5, 0.5, 0, 0}, {0.5, 0.25, 0.25, 0}, {0.25, 0.25, 0.25, 0.25}};
  heatmap.panels = {{"head 1.0", pattern()}, {"head 1.1", uniform}};
  return heatmap;
}

// The cells: the rectangles of side cell - 1, in drawing order.
std::vector<svg_structure::Element> cells(const std::string& svg, double cell = 40.0) {
  const std::string side = plot::coordinate(cell - 1.0);
  std::vector<svg_structure::Element> found;
  for (const svg_structure::Element& e : svg_structure::check(svg).elements)
    if (e.name == "rect" && e.attributes.at("width") == side && e.attributes.at("height") == side)
      found.push_back(e);
  return found;
}

// The content of every <text> element, in order (the markup of those that hold a <tspan>).
std::vector<std::string> texts(const std::string& svg) {
  std::vector<std::string> found;
  for (std::size_t at = svg.find("<text "); at != std::string::npos;
       at = svg.find("<text ", at + 1)) {
    const std::size_t open = svg.find('>', at) + 1;
    found.push_back(svg.substr(open, svg.find("</text>", open) - open));
  }
  return found;
}

TEST(PlotHeatmap, ColourScaleIsAStraightLineFromWhiteToDarkBlue) {
  // Each channel is round(255 - v (255 - end)) with end #09 #31 #6B = 9, 49, 107.
  EXPECT_EQ(plot::heatmap_colour(0.0), "#FFFFFF");
  EXPECT_EQ(plot::heatmap_colour(1.0), "#09316B");
  // 255 - 123 = 132, 255 - 103 = 152, 255 - 74 = 181.
  EXPECT_EQ(plot::heatmap_colour(0.5), "#8498B5");
  // 255 - 61.5 = 193.5 rounds away from zero to 194 (C2); 203.5 to 204 (CC); 218 (DA).
  EXPECT_EQ(plot::heatmap_colour(0.25), "#C2CCDA");
  for (double bad : {nan, -0.01, 1.01})
    EXPECT_TRUE(
        contains(invalid_argument_message([bad] { plot::heatmap_colour(bad); }), "outside [0, 1]"))
        << bad;
}

TEST(PlotHeatmap, OneCellPerCausalEntryColouredByItsValue) {
  const plot::Heatmap heatmap = two_heads();
  const std::string svg = plot::heatmap_svg(heatmap);
  const svg_structure::Report report = svg_structure::check(svg);
  ASSERT_TRUE(report.problems.empty()) << svg_structure::describe(report) << svg;

  // T (T + 1) / 2 = 10 causal entries per panel, panel by panel, query by query, key by key.
  const std::vector<svg_structure::Element> drawn = cells(svg);
  ASSERT_EQ(drawn.size(), 2u * 10u) << svg;
  std::size_t i = 0;
  for (const plot::HeatmapPanel& panel : heatmap.panels) {
    const double left = std::stod(drawn[i].attributes.at("x"));
    const double top = std::stod(drawn[i].attributes.at("y"));
    for (std::size_t q = 0; q < 4; ++q)
      for (std::size_t k = 0; k <= q; ++k, ++i) {
        EXPECT_EQ(drawn[i].attributes.at("fill"), plot::heatmap_colour(panel.values(q, k)))
            << panel.title << " " << q << " " << k;
        // Cell (q, k) sits k cells right and q cells down of cell (0, 0).
        EXPECT_NEAR(std::stod(drawn[i].attributes.at("x")) - left, 40.0 * k, 0.01);
        EXPECT_NEAR(std::stod(drawn[i].attributes.at("y")) - top, 40.0 * q, 0.01);
      }
  }
  // The closed form's colours, where the pattern holds 1, 0.5 and 0.
  EXPECT_EQ(drawn[0].attributes.at("fill"), "#09316B");  // head 1.0, query 0, key 0: 1
  EXPECT_EQ(drawn[1].attributes.at("fill"), "#8498B5");  // query 1, key 0: 0.5
  EXPECT_EQ(drawn[6].attributes.at("fill"), "#FFFFFF");  // query 3, key 0: 0
  // The second panel lies to the right of the first, on the same row.
  EXPECT_GT(std::stod(drawn[10].attributes.at("x")), std::stod(drawn[9].attributes.at("x")) + 40);
  EXPECT_EQ(drawn[10].attributes.at("y"), drawn[0].attributes.at("y"));
}

TEST(PlotHeatmap, LabelsRunInOrderDownTheRowsThenAlongTheColumns) {
  const std::string svg = plot::heatmap_svg(two_heads());
  const std::vector<std::string> expected = {
      "attention", "head 1.0", "BOS", "F", "G", "F",   "BOS", "F", "G", "F",     "query", "key",
      "head 1.1",  "BOS",      "F",   "G", "F", "BOS", "F",   "G", "F", "query", "key"};
  const std::vector<std::string> found = texts(svg);
  ASSERT_GE(found.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(found[i], expected[i]) << i;
  // The scale: its title and five ticks from 0 to 1.
  const std::vector<std::string> legend(found.end() - 6, found.end());
  EXPECT_EQ(legend, (std::vector<std::string>{"attention", "0", "0.25", "0.5", "0.75", "1"}));
}

TEST(PlotHeatmap, ScaleBandsRunFromOneAtTheTopToZero) {
  const std::string svg = plot::heatmap_svg(two_heads());
  std::vector<std::string> bands;
  for (const svg_structure::Element& e : svg_structure::check(svg).elements)
    if (e.name == "rect" && e.attributes.at("width") == "14")
      bands.push_back(e.attributes.at("fill"));
  ASSERT_EQ(bands.size(), 50u);
  // Band i of 50 shows the value at its middle, 1 - (i + 0.5) / 50.
  EXPECT_EQ(bands.front(), plot::heatmap_colour(0.99));
  EXPECT_EQ(bands[25], plot::heatmap_colour(0.49));
  EXPECT_EQ(bands.back(), plot::heatmap_colour(0.01));
}

TEST(PlotHeatmap, ValuesAreWrittenInTheirCellsOnlyWhenAsked) {
  plot::Heatmap heatmap = two_heads();
  heatmap.panels.pop_back();
  heatmap.panels[0].values(0, 3) = 0.123;  // masked: never written
  EXPECT_FALSE(contains(plot::heatmap_svg(heatmap), "<tspan"));
  heatmap.show_values = true;
  const std::string svg = plot::heatmap_svg(heatmap);
  EXPECT_TRUE(svg_structure::check(svg).problems.empty());
  std::vector<std::string> values;
  for (const std::string& text : texts(svg))
    if (text.rfind("<tspan", 0) == 0) values.push_back(text);
  // Query by query, as short_number writes them; light ink on the darker half of the scale.
  const std::string dark = "<tspan fill=\"#222222\">", light = "<tspan fill=\"#FFFFFF\">";
  const std::vector<std::string> expected = {
      light + "1</tspan>",   light + "0.5</tspan>", light + "0.5</tspan>", dark + "0.25</tspan>",
      dark + "0.25</tspan>", light + "0.5</tspan>", dark + "0</tspan>",    light + "1</tspan>",
      dark + "0</tspan>",    dark + "0</tspan>"};
  EXPECT_EQ(values, expected);
  EXPECT_FALSE(contains(svg, "0.123"));
}

TEST(PlotHeatmap, PanelsWrapIntoRowsAndStayInsideThePicture) {
  plot::Heatmap heatmap = two_heads();
  heatmap.panels.push_back({"head <0.2> & co", pattern()});
  heatmap.columns = 2;
  heatmap.show_values = true;
  const std::string svg = plot::heatmap_svg(heatmap);
  const svg_structure::Report report = svg_structure::check(svg);
  ASSERT_TRUE(report.problems.empty()) << svg_structure::describe(report) << svg;
  EXPECT_TRUE(contains(svg, ">head &lt;0.2&gt; &amp; co</text>"));
  const std::vector<svg_structure::Element> drawn = cells(svg);
  ASSERT_EQ(drawn.size(), 30u);
  // The third panel starts a second row: under the first, as far left.
  EXPECT_EQ(drawn[20].attributes.at("x"), drawn[0].attributes.at("x"));
  EXPECT_GT(std::stod(drawn[20].attributes.at("y")), std::stod(drawn[9].attributes.at("y")) + 40);
}

TEST(PlotHeatmap, BadPatternsAreNamed) {
  plot::Heatmap heatmap = two_heads();
  heatmap.panels.clear();
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::heatmap_svg(heatmap); }), "no panels"));
  heatmap = two_heads();
  heatmap.labels.clear();
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::heatmap_svg(heatmap); }), "no labels"));
  heatmap = two_heads();
  heatmap.panels[1].values = nn::Matrix<double>(4, 3, 0.0);
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::heatmap_svg(heatmap); }),
                       "the panel 'head 1.1' is 4 x 3, not square"));
  heatmap = two_heads();
  heatmap.labels.pop_back();
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::heatmap_svg(heatmap); }),
                       "the panel 'head 1.0' has 4 positions but there are 3 labels"));
  heatmap = two_heads();
  heatmap.panels[1].values(2, 1) = nan;
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::heatmap_svg(heatmap); }),
                       "the panel 'head 1.1' holds a value that is not finite (NaN or infinity) "
                       "at query 2, key 1"));
  heatmap.panels[1].values(2, 1) = 1.5;
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::heatmap_svg(heatmap); }),
                       "the panel 'head 1.1' holds 1.5 at query 2, key 1, outside [0, 1]"));
  heatmap.panels[1].values(2, 1) = -0.25;
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::heatmap_svg(heatmap); }),
                       "holds -0.25 at query 2, key 1"));
  heatmap = two_heads();
  heatmap.cell = 2.0;
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::heatmap_svg(heatmap); }), "too small"));
}

}  // namespace
