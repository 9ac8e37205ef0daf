// The plotting module (plot/): SVG that is well formed, coordinates inside the picture, bars as
// tall as their values, text escaped, and bad data refused rather than drawn.
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "plot/axis.hpp"
#include "plot/bar_chart.hpp"
#include "plot/line_plot.hpp"
#include "plot/scatter_plot.hpp"
#include "plot/svg.hpp"
#include "tests/svg_structure.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using test_support::contains;
using test_support::invalid_argument_message;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

void expect_valid(const std::string& svg) {
  const svg_structure::Report report = svg_structure::check(svg);
  EXPECT_TRUE(report.problems.empty()) << svg_structure::describe(report) << svg;
  EXPECT_GT(report.elements.size(), 10u);
}

plot::BarChart small_chart() {
  plot::BarChart chart;
  chart.title = "two by two";
  chart.x_label = "category";
  chart.y_label = "value";
  chart.categories = {"a", "b"};
  chart.series = {{"first", {0.25, 0.75}}, {"second", {-0.5, 1.0}}};
  return chart;
}

plot::LinePlot log_log_plot() {
  plot::LinePlot chart;
  chart.title = "errors";
  chart.x_label = "n";
  chart.y_label = "error";
  chart.x_scale = chart.y_scale = plot::Scale::log;
  chart.series = {{"1/n", {1, 10, 100}, {1, 0.1, 0.01}, true},
                  {"tiny", {1, 10, 100}, {1e-3, 1e-10, 2e-16}, true}};
  chart.slopes = {{"1/n", -1.0, 10.0, 0.05}, {"1/n\u00b2", -2.0, 10.0, 0.005}};
  return chart;
}

// ---- text ---------------------------------------------------------------------------------------

TEST(PlotSvg, EscapesMarkupInText) {
  EXPECT_EQ(plot::escape("a < b & c > \"d\" 'e'"),
            "a &lt; b &amp; c &gt; &quot;d&quot; &apos;e&apos;");
  plot::BarChart chart = small_chart();
  chart.title = "<script>alert('x')</script> & co";
  chart.categories = {"x<1", "\"quoted\""};
  chart.series[0].name = "a&b";
  const std::string svg = plot::bar_chart_svg(chart);
  expect_valid(svg);
  EXPECT_FALSE(contains(svg, "<script>"));
  EXPECT_TRUE(contains(svg, "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; co"));
  EXPECT_TRUE(contains(svg, ">x&lt;1</text>"));
  EXPECT_TRUE(contains(svg, ">&quot;quoted&quot;</text>"));
  EXPECT_TRUE(contains(svg, ">a&amp;b</text>"));
}

TEST(PlotSvg, NumbersArePlainAndShort) {
  EXPECT_EQ(plot::coordinate(12.0), "12");
  EXPECT_EQ(plot::coordinate(12.345), "12.35");
  EXPECT_EQ(plot::coordinate(-0.001), "0");
  EXPECT_EQ(plot::coordinate(-3.5), "-3.5");
  EXPECT_EQ(plot::short_number(0.49864), "0.499");
  EXPECT_EQ(plot::short_number(-12.34), "-12.3");
  EXPECT_EQ(plot::short_number(12345.0), "12345");
  EXPECT_EQ(plot::short_number(2.2e-16), "2.2e-16");
  EXPECT_EQ(plot::short_number(3e9), "3.0e+09");
  EXPECT_EQ(plot::short_number(0.0), "0");
  EXPECT_THROW(plot::coordinate(nan), std::invalid_argument);
  EXPECT_THROW(plot::short_number(inf), std::invalid_argument);
}

// ---- axes ---------------------------------------------------------------------------------------

TEST(PlotAxis, LinearTicksAreRoundAndCoverTheData) {
  const plot::Axis axis(plot::Scale::linear, 0.08, 0.86);
  EXPECT_DOUBLE_EQ(axis.low(), 0.0);
  EXPECT_DOUBLE_EQ(axis.high(), 1.0);
  ASSERT_EQ(axis.ticks().size(), 6u);
  EXPECT_NEAR(axis.ticks()[3], 0.6, 1e-15);
  EXPECT_EQ(axis.label_markup(0.6000000000000001), "0.6");

  const plot::Axis wide(plot::Scale::linear, -250.0, 12000.0);
  EXPECT_LE(wide.low(), -250.0);
  EXPECT_GE(wide.high(), 12000.0);
  EXPECT_EQ(wide.label_markup(-2500.0), "\u22122500");
  EXPECT_DOUBLE_EQ(wide.fraction(wide.low()), 0.0);
  EXPECT_DOUBLE_EQ(wide.fraction(wide.high()), 1.0);
}

TEST(PlotAxis, LogAxisRunsFromPowerToPowerOfTen) {
  const plot::Axis axis(plot::Scale::log, 1.0, 1000.0);
  ASSERT_EQ(axis.ticks().size(), 4u);
  EXPECT_DOUBLE_EQ(axis.ticks()[2], 100.0);
  EXPECT_EQ(axis.label_markup(100.0), "100");
  EXPECT_DOUBLE_EQ(axis.fraction(std::sqrt(10.0)), 1.0 / 6.0);
  const plot::Axis tiny(plot::Scale::log, 2e-16, 0.7);
  EXPECT_EQ(tiny.label_markup(1e-16), "10<tspan dy=\"-6\" font-size=\"8\">\u221216</tspan>");
  EXPECT_TRUE(contains(invalid_argument_message([] { plot::Axis(plot::Scale::log, 0.0, 1.0); }),
                       "positive"));
  EXPECT_THROW(plot::Axis(plot::Scale::linear, nan, 1.0), std::invalid_argument);
}

// ---- bar charts ---------------------------------------------------------------------------------

TEST(PlotBarChart, BarHeightsAreProportionalToValues) {
  // Values from -0.5 to 1: the axis runs exactly from -0.5 to 1 (steps of 0.5), over a plot area
  // 400 - 78 - 64 = 258 pixels high, so one unit is 258 / 1.5 = 172 pixels and 0 sits 172
  // pixels below the top of the area, at y = 78 + 172 = 250.
  const plot::BarChart chart = small_chart();
  const std::vector<plot::BarGeometry> bars = plot::bar_geometry(chart);
  ASSERT_EQ(bars.size(), 4u);
  const double unit = 172.0, zero = 250.0;
  for (const plot::BarGeometry& bar : bars) {
    const double value = chart.series[bar.series].values[bar.category];
    EXPECT_NEAR(bar.zero_y, zero, 1e-9);
    EXPECT_NEAR(bar.height, std::fabs(value) * unit, 1e-9) << value;
    // Positive bars stand on the zero line; negative ones hang from it.
    EXPECT_NEAR(value >= 0.0 ? bar.y + bar.height : bar.y, zero, 1e-9) << value;
  }
  EXPECT_NEAR(bars[3].height, 172.0, 1e-9);  // the value 1
  EXPECT_NEAR(bars[1].height, 86.0, 1e-9);   // the value -0.5, hanging down
  EXPECT_LT(bars[0].x, bars[1].x);
  EXPECT_LT(bars[1].x + bars[1].width, bars[2].x);  // a gap between the groups

  // The SVG holds exactly these rectangles, and a label with each value.
  const std::string svg = plot::bar_chart_svg(chart);
  expect_valid(svg);
  for (const plot::BarGeometry& bar : bars)
    EXPECT_TRUE(contains(svg, "<rect x=\"" + plot::coordinate(bar.x) + "\" y=\"" +
                                  plot::coordinate(bar.y) + "\" width=\"" +
                                  plot::coordinate(bar.width) + "\" height=\"" +
                                  plot::coordinate(bar.height) + "\""))
        << svg;
  for (const char* label : {">0.25</text>", ">0.75</text>", ">\u22120.5</text>", ">1</text>"})
    EXPECT_TRUE(contains(svg, label)) << label;
  EXPECT_TRUE(contains(svg, ">first</text>"));  // the legend
  EXPECT_TRUE(contains(svg, ">value</text>"));  // the y axis' title
}

TEST(PlotBarChart, ValuesFarOutsideTheUnitIntervalFit) {
  plot::BarChart chart = small_chart();
  chart.series = {{"big", {-250.0, 12000.0}}, {"huge", {3e9, -7e8}}};
  chart.lines = {{1e9, "a billion"}};
  const std::string svg = plot::bar_chart_svg(chart);
  expect_valid(svg);
  EXPECT_TRUE(contains(svg, ">3.0e+09</text>"));
  EXPECT_TRUE(contains(svg, ">\u22127.0e+08</text>"));
  const std::vector<plot::BarGeometry> bars = plot::bar_geometry(chart);
  // The ratio of heights is the ratio of values.
  EXPECT_NEAR(bars[1].height / bars[3].height, 3e9 / 7e8, 1e-9);
  EXPECT_NEAR(bars[1].y + bars[1].height, bars[1].zero_y, 1e-9);
  EXPECT_NEAR(bars[3].y, bars[3].zero_y, 1e-9);

  chart.series = {{"all negative", {-3.0, -0.01}}};
  chart.lines.clear();
  expect_valid(plot::bar_chart_svg(chart));
  chart.series = {{"all zero", {0.0, 0.0}}};
  expect_valid(plot::bar_chart_svg(chart));
}

TEST(PlotBarChart, EmptyOrNonFiniteDataThrows) {
  plot::BarChart chart = small_chart();
  chart.categories.clear();
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { plot::bar_chart_svg(chart); }), "no categories"));
  chart = small_chart();
  chart.series.clear();
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::bar_chart_svg(chart); }), "no series"));
  chart = small_chart();
  chart.series[1].values.pop_back();
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::bar_chart_svg(chart); }),
                       "'second' has 1 values for 2 categories"));
  for (double bad : {nan, inf, -inf}) {
    chart = small_chart();
    chart.series[0].values[1] = bad;
    EXPECT_TRUE(contains(invalid_argument_message([&] { plot::bar_chart_svg(chart); }),
                         "'first' holds a value that is not finite"));
    EXPECT_THROW(plot::bar_geometry(chart), std::invalid_argument);
  }
  chart = small_chart();
  chart.lines = {{nan, "threshold"}};
  EXPECT_THROW(plot::bar_chart_svg(chart), std::invalid_argument);
}

// ---- line plots ---------------------------------------------------------------------------------

TEST(PlotLinePlot, LogLogWithReferenceSlopesIsValid) {
  const std::string svg = plot::line_plot_svg(log_log_plot());
  expect_valid(svg);
  EXPECT_TRUE(contains(svg, "stroke-dasharray"));  // the reference slopes
  EXPECT_TRUE(contains(svg, ">1/n\u00b2</text>"));
  EXPECT_TRUE(contains(svg, "\u221216</tspan>"));  // the axis reaches 10^-16
}

TEST(PlotLinePlot, ReferenceSlopeRunsAtItsSlope) {
  // One series, one slope of -1 through (10, 0.1), on axes 1..100 by 0.01..1: from x = 1 to 100
  // the line falls from 1 to 0.01, corner to corner of the plot area.
  plot::LinePlot chart;
  chart.title = "corner";
  chart.x_scale = chart.y_scale = plot::Scale::log;
  chart.series = {{"data", {1, 100}, {0.01, 1}, false}};
  chart.slopes = {{"ref", -1.0, 10.0, 0.1}};
  const svg_structure::Report report = svg_structure::check(plot::line_plot_svg(chart));
  ASSERT_TRUE(report.problems.empty()) << svg_structure::describe(report);
  // The data runs from the bottom-left corner to the top-right one, the slope the other way.
  const svg_structure::Element* data = nullptr;
  const svg_structure::Element* slope = nullptr;
  for (const svg_structure::Element& e : report.elements) {
    if (e.name == "polyline" && !data) data = &e;
    if (e.name == "line" && e.attributes.count("stroke-dasharray") && !slope) slope = &e;
  }
  ASSERT_NE(data, nullptr);
  ASSERT_NE(slope, nullptr);
  const std::string points = data->attributes.at("points");
  const std::string first = points.substr(0, points.find(' '));
  const std::string last = points.substr(points.find(' ') + 1);
  EXPECT_EQ(slope->attributes.at("x1") + "," + slope->attributes.at("y2"), first);
  EXPECT_EQ(slope->attributes.at("x2") + "," + slope->attributes.at("y1"), last);
}

TEST(PlotLinePlot, LinearPlotWithNegativeAndLargeValues) {
  plot::LinePlot chart;
  chart.title = "swings";
  chart.series = {{"a", {-5, 0, 5}, {-1e4, 3e4, -2e4}, true}, {"b", {-5, 5}, {0.5, 0.25}, false}};
  expect_valid(plot::line_plot_svg(chart));
}

TEST(PlotLinePlot, BadDataThrows) {
  plot::LinePlot chart = log_log_plot();
  chart.series.clear();
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::line_plot_svg(chart); }), "no series"));
  chart = log_log_plot();
  chart.series[0].x.clear();
  chart.series[0].y.clear();
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { plot::line_plot_svg(chart); }), "has no points"));
  chart = log_log_plot();
  chart.series[0].y.pop_back();
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::line_plot_svg(chart); }),
                       "3 x values and 2 y values"));
  chart = log_log_plot();
  chart.series[1].y[1] = nan;
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { plot::line_plot_svg(chart); }), "not finite"));
  chart = log_log_plot();
  chart.series[1].y[2] = 0.0;
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::line_plot_svg(chart); }),
                       "not positive, on a logarithmic axis"));
  chart = log_log_plot();
  chart.slopes[0].y_at = 1e30;  // far above the plot
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::line_plot_svg(chart); }),
                       "does not cross the plot"));
  chart = log_log_plot();
  chart.y_scale = plot::Scale::linear;
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { plot::line_plot_svg(chart); }), "need log-log"));
}

// ---- scatter plots ------------------------------------------------------------------------------

plot::ScatterPlot comparison_plot() {
  plot::ScatterPlot chart;
  chart.title = "two measures";
  chart.x_label = "patching";
  chart.y_label = "IG";
  chart.series = {{"on the diagonal", {-0.5, 0.0, 0.25, 1.0}, {-0.5, 0.0, 0.25, 1.0}},
                  {"off it", {0.5, -0.25, 0.75}, {0.1, 0.5, -0.3}}};
  chart.diagonal = "y = x";
  return chart;
}

std::vector<svg_structure::Element> elements_named(const std::string& svg,
                                                   const std::string& name) {
  std::vector<svg_structure::Element> found;
  for (const svg_structure::Element& e : svg_structure::check(svg).elements)
    if (e.name == name) found.push_back(e);
  return found;
}

double number(const svg_structure::Element& e, const std::string& key) {
  return std::stod(e.attributes.at(key));
}

TEST(PlotScatterPlot, PointsOnTheDiagonalLieOnIt) {
  const std::string svg = plot::scatter_plot_svg(comparison_plot());
  expect_valid(svg);
  // The diagonal is the first dashed line; the legend's sample is the second.
  std::vector<svg_structure::Element> dashed;
  for (const svg_structure::Element& e : elements_named(svg, "line"))
    if (e.attributes.count("stroke-dasharray")) dashed.push_back(e);
  ASSERT_EQ(dashed.size(), 2u) << svg;
  const double x1 = number(dashed[0], "x1"), y1 = number(dashed[0], "y1");
  const double x2 = number(dashed[0], "x2"), y2 = number(dashed[0], "y2");
  // Bottom-left to top-right of a square: both axes share one range, one unit as long on each.
  EXPECT_LT(x1, x2);
  EXPECT_GT(y1, y2);
  EXPECT_NEAR(x2 - x1, y1 - y2, 0.011);
  // Series 0 is drawn as circles: its four points, then its legend mark.
  const std::vector<svg_structure::Element> circles = elements_named(svg, "circle");
  ASSERT_EQ(circles.size(), 5u) << svg;
  for (std::size_t i = 0; i < 4; ++i) {
    const double along_x = (number(circles[i], "cx") - x1) / (x2 - x1);
    const double along_y = (y1 - number(circles[i], "cy")) / (y1 - y2);
    EXPECT_NEAR(along_x, along_y, 1e-4) << i;
  }
  // Larger values lie further right and higher up.
  EXPECT_LT(number(circles[0], "cx"), number(circles[3], "cx"));
  EXPECT_GT(number(circles[0], "cy"), number(circles[3], "cy"));
  // Series 1 is drawn as squares, three points and a legend mark, each 6.48 wide.
  std::size_t squares = 0;
  for (const svg_structure::Element& e : elements_named(svg, "rect"))
    squares += e.attributes.at("width") == "6.48" ? 1 : 0;
  EXPECT_EQ(squares, 4u);
  for (const char* label : {">on the diagonal</text>", ">off it</text>", ">y = x</text>",
                            ">patching</text>", ">IG</text>"})
    EXPECT_TRUE(contains(svg, label)) << label;
}

TEST(PlotScatterPlot, WithoutADiagonalEachAxisFitsItsOwnData) {
  plot::ScatterPlot chart = comparison_plot();
  chart.diagonal.clear();
  chart.series = {{"wide", {0.0, 5000.0}, {0.0, 0.003}}};
  const std::string svg = plot::scatter_plot_svg(chart);
  expect_valid(svg);
  EXPECT_FALSE(contains(svg, "stroke-dasharray"));
  EXPECT_TRUE(contains(svg, ">5000</text>"));   // an x tick
  EXPECT_TRUE(contains(svg, ">0.003</text>"));  // a y tick, not lost on a shared axis
  // The points at the ends of the data sit at the corners of the plot area.
  const std::vector<svg_structure::Element> circles = elements_named(svg, "circle");
  ASSERT_EQ(circles.size(), 3u);
  EXPECT_LT(number(circles[0], "cx"), number(circles[1], "cx"));
  EXPECT_GT(number(circles[0], "cy"), number(circles[1], "cy"));
  EXPECT_GT(number(circles[1], "cx") - number(circles[0], "cx"),
            0.8 * (number(circles[0], "cy") - number(circles[1], "cy")));
}

TEST(PlotScatterPlot, EscapesTextAndRefusesBadData) {
  plot::ScatterPlot chart = comparison_plot();
  chart.series[0].name = "r < 0 & \"so\"";
  chart.diagonal = "IG = <patching>";
  const std::string svg = plot::scatter_plot_svg(chart);
  expect_valid(svg);
  EXPECT_TRUE(contains(svg, ">r &lt; 0 &amp; &quot;so&quot;</text>"));
  EXPECT_TRUE(contains(svg, ">IG = &lt;patching&gt;</text>"));

  chart = comparison_plot();
  chart.series.clear();
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { plot::scatter_plot_svg(chart); }), "no series"));
  chart = comparison_plot();
  chart.series[1].x.clear();
  chart.series[1].y.clear();
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::scatter_plot_svg(chart); }),
                       "'off it' has no points"));
  chart = comparison_plot();
  chart.series[1].y.pop_back();
  EXPECT_TRUE(contains(invalid_argument_message([&] { plot::scatter_plot_svg(chart); }),
                       "3 x values and 2 y values"));
  for (double bad : {nan, inf, -inf}) {
    chart = comparison_plot();
    chart.series[0].x[2] = bad;
    EXPECT_TRUE(
        contains(invalid_argument_message([&] { plot::scatter_plot_svg(chart); }), "not finite"));
  }
  chart = comparison_plot();
  chart.width = 150.0;  // no room left beside the legend
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { plot::scatter_plot_svg(chart); }), "too small"));
}

TEST(PlotSvgStructure, CheckerCatchesBrokenSvg) {
  // The checker the figure tests rely on must itself fail on what it exists to catch.
  const std::string good =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 50\">\n"
      "<rect x=\"1\" y=\"2\" width=\"10\" height=\"10\" fill=\"#fff\"/>\n<text x=\"5\" "
      "y=\"5\">a &amp; b</text>\n</svg>\n";
  EXPECT_TRUE(svg_structure::check(good).problems.empty());
  for (const std::string& bad :
       {std::string("<svg viewBox=\"0 0 100 50\"><g></svg>"),
        std::string("<svg viewBox=\"0 0 100 50\"><text x=\"1\" y=\"1\">a & b</text></svg>"),
        std::string("<svg viewBox=\"0 0 100 50\"><line x1=\"150\" y1=\"0\" x2=\"0\" "
                    "y2=\"0\"/></svg>"),
        std::string("<svg viewBox=\"0 0 100 50\"><circle cx=\"nan\" cy=\"1\" r=\"1\"/></svg>"),
        std::string("<svg viewBox=\"0 0 100 50\"><rect x=\"95\" y=\"0\" width=\"10\" "
                    "height=\"1\"/></svg>"),
        std::string("<svg viewBox=\"0 0 100 50\"><polyline points=\"1,1 2,60\"/></svg>"),
        std::string("<svg viewBox=\"0 0 100 50\"></g></svg>")})
    EXPECT_FALSE(svg_structure::check(bad).problems.empty()) << bad;
}

}  // namespace
