// The tutorial's figures (plot/figures/): each is valid SVG inside its viewBox, the bar charts
// show the experiment's numbers, index.html shows them all, and the copies committed under the
// chapters are what the code draws now.
#include "plot/figures/figures.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "attribution/experiment.hpp"
#include "attribution/heads.hpp"
#include "autodiff/tape.hpp"
#include "nn/circuits.hpp"
#include "nn/transformer.hpp"
#include "plot/bar_chart.hpp"
#include "plot/heatmap.hpp"
#include "plot/svg.hpp"
#include "tests/reference_heads.hpp"
#include "tests/svg_structure.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

// The heights of an attribution bar chart's bars: the rectangles of the three series' colours
// (IG, denoising, noising), in drawing order, category by category.
std::vector<double> attribution_bar_heights(const std::string& svg) {
  std::vector<double> heights;
  for (const svg_structure::Element& e : svg_structure::check(svg).elements)
    if (e.name == "rect" && e.attributes.count("fill") &&
        std::set<std::string>{"#0072B2", "#D55E00", "#009E73"}.count(e.attributes.at("fill")) &&
        std::stod(e.attributes.at("width")) > 20.0)
      heights.push_back(std::stod(e.attributes.at("height")));
  return heights;
}

using test_support::contains;

// Drawing every figure trains and analyses a few neurons: do it once for the whole suite.
const std::vector<std::pair<figures::Figure, std::string>>& drawn() {
  static const std::vector<std::pair<figures::Figure, std::string>> all = [] {
    std::vector<std::pair<figures::Figure, std::string>> figures;
    for (figures::Figure& figure : figures::all_figures()) {
      std::string svg = figure.draw();
      figures.emplace_back(std::move(figure), std::move(svg));
    }
    return figures;
  }();
  return all;
}

TEST(Figures, EveryFigureIsValidSvgInsideItsViewBox) {
  ASSERT_GE(drawn().size(), 4u);
  for (const auto& [figure, svg] : drawn()) {
    const svg_structure::Report report = svg_structure::check(svg);
    EXPECT_TRUE(report.problems.empty()) << figure.file << ":\n" << svg_structure::describe(report);
    EXPECT_GT(report.elements.size(), 20u) << figure.file;
    EXPECT_GT(report.width, 0.0) << figure.file;
  }
}

TEST(Figures, NamesAreUniqueAndCaptionsOneLine) {
  std::set<std::string> files, copies;
  for (const auto& [figure, svg] : drawn()) {
    EXPECT_TRUE(files.insert(figure.file).second) << figure.file;
    EXPECT_TRUE(figure.file.ends_with(".svg")) << figure.file;
    EXPECT_FALSE(figure.caption.empty()) << figure.file;
    EXPECT_EQ(figure.caption.find('\n'), std::string::npos) << figure.file;
    if (!figure.chapter_copy.empty()) {
      EXPECT_TRUE(copies.insert(figure.chapter_copy).second) << figure.chapter_copy;
      EXPECT_TRUE(figure.chapter_copy.starts_with("chapters/")) << figure.chapter_copy;
    }
  }
}

TEST(Figures, IndexShowsEveryFigureWithItsCaption) {
  std::vector<figures::Figure> all;
  for (const auto& [figure, svg] : drawn()) all.push_back(figure);
  const std::string html = figures::index_html(all);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // The body, tags balanced and text escaped, checked as the SVG is (its images are
  // self-closing, as XHTML would have them).
  const std::size_t body = html.find("<body>"), end = html.find("</body>");
  ASSERT_NE(end, std::string::npos);
  const svg_structure::Report report = svg_structure::check(
      "<svg viewBox=\"0 0 1 1\">" + html.substr(body, end + 7 - body) + "</svg>");
  EXPECT_TRUE(report.problems.empty()) << svg_structure::describe(report) << html;
  for (const figures::Figure& figure : all) {
    EXPECT_TRUE(contains(html, "<img src=\"" + figure.file + "\"")) << figure.file;
    EXPECT_TRUE(contains(html, "<figcaption>" + figure.caption.substr(0, 20))) << figure.file;
  }
}

TEST(Figures, GateBarsShowTheExperimentsScores) {
  // The AND chart's bars against run_experiment's numbers: each bar is its value times the
  // pixels per unit of the axis.
  const attribution::Experiment result = attribution::run_experiment(nn::Gate::and_gate, 0);
  const std::string svg = drawn()[2].second;
  ASSERT_EQ(drawn()[2].first.file, "ch06-and.svg");
  ASSERT_TRUE(result.ig_shares && result.patching.denoising.scores &&
              result.patching.noising.scores);
  const std::vector<double> values = {(*result.ig_shares)[0],
                                      (*result.patching.denoising.scores)[0],
                                      (*result.patching.noising.scores)[0],
                                      (*result.ig_shares)[1],
                                      (*result.patching.denoising.scores)[1],
                                      (*result.patching.noising.scores)[1]};
  const std::vector<double> heights = attribution_bar_heights(svg);
  ASSERT_EQ(heights.size(), values.size()) << svg;
  // The axis runs from 0 to 1 over 400 - 78 - 64 = 258 pixels; heights are rounded to 0.01.
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_NEAR(heights[i], values[i] * 258.0, 0.006) << i;
  // Chapter 6's printed numbers, as labels.
  for (const char* label : {">0.499</text>", ">0.176</text>", ">0.822</text>", ">0.824</text>"})
    EXPECT_TRUE(contains(svg, label)) << label;
}

// The drawn figure named `file`.
const std::string& drawn_svg(const std::string& file) {
  for (const auto& [figure, svg] : drawn())
    if (figure.file == file) return svg;
  throw std::logic_error("no figure " + file);
}

TEST(Figures, MetricBarsAreEqualOnTheLogitAndApartOnTheProbability) {
  // Four bars per input (AND x1, AND x2, OR x1, OR x2): denoising and noising on the
  // probability, then on the logit, in the palette's first four colours.
  const std::vector<std::string> colours = {"#0072B2", "#D55E00", "#009E73", "#CC79A7"};
  std::vector<std::vector<double>> heights(4);
  for (const svg_structure::Element& e :
       svg_structure::check(drawn_svg("ch09-metric.svg")).elements)
    for (std::size_t s = 0; s < colours.size(); ++s)
      if (e.name == "rect" && e.attributes.count("fill") && e.attributes.at("fill") == colours[s] &&
          std::stod(e.attributes.at("width")) > 20.0)
        heights[s].push_back(std::stod(e.attributes.at("height")));
  for (const std::vector<double>& series : heights) ASSERT_EQ(series.size(), 4u);
  for (std::size_t c = 0; c < 4; ++c) {
    EXPECT_EQ(heights[2][c], heights[3][c]) << c;                     // logit: denoising = noising
    EXPECT_GT(std::fabs(heights[0][c] - heights[1][c]), 100.0) << c;  // probability: far apart
  }
  // Chapter 9's printed scores, as labels: AND x1 on the probability, the logit's shares.
  for (const char* label : {">0.18</text>", ">0.819</text>", ">0.912</text>", ">0.0873</text>",
                            ">0.499</text>", ">0.501</text>"})
    EXPECT_TRUE(contains(drawn_svg("ch09-metric.svg"), label)) << label;
}

TEST(Figures, ResidualScatterShowsEveryNeuronOfTheChaptersModels) {
  const std::string& svg = drawn_svg("ch10-ig-vs-patching.svg");
  // 29 models classify their gate, four hidden neurons each: 116 points per direction, and a
  // legend mark (denoising circles, noising squares).
  std::size_t circles = 0, squares = 0;
  for (const svg_structure::Element& e : svg_structure::check(svg).elements) {
    circles += e.name == "circle" ? 1 : 0;
    squares += e.name == "rect" && e.attributes.at("width") == "6.48" ? 1 : 0;
  }
  EXPECT_EQ(circles, 117u);
  EXPECT_EQ(squares, 117u);
  // Chapter 10's Pearson r of each direction, in the legend.
  EXPECT_TRUE(contains(svg, ">denoising (Pearson r 0.8210)</text>"));
  EXPECT_TRUE(contains(svg, ">noising (Pearson r 0.8457)</text>"));
  EXPECT_TRUE(contains(svg, "stroke-dasharray"));  // the diagonal
}

// The value the chapter's README prints for a row of an agreement table: the Pearson r column of
// the line that starts with `methods` and has width 16.
std::string readme_mean_r(const std::string& readme, const std::string& methods) {
  std::istringstream lines(readme);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(methods + " ", 0) != 0) continue;
    std::istringstream fields(line.substr(methods.size()));
    std::string hidden, r;
    fields >> hidden >> r;
    if (hidden == "16") return r;
  }
  return "missing";
}

TEST(Figures, WideScatterShowsEveryNeuronWithTheChaptersR) {
  const std::string& svg = drawn_svg("ch11-ig-vs-noising.svg");
  // 30 models of 16 neurons classify their gate, without the skip path and with it: 480 points
  // each, and a legend mark (circles without, squares with).
  std::size_t circles = 0, squares = 0;
  for (const svg_structure::Element& e : svg_structure::check(svg).elements) {
    circles += e.name == "circle" ? 1 : 0;
    squares += e.name == "rect" && e.attributes.at("width") == "6.48" ? 1 : 0;
  }
  EXPECT_EQ(circles, 481u);
  EXPECT_EQ(squares, 481u);
  std::ifstream in(std::string(PROJECT_ROOT) + "/chapters/11-comparing-methods/README.md");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string plain = readme_mean_r(text.str(), "IG vs noising");
  const std::string skip = readme_mean_r(text.str(), "IG noise vs noising");
  EXPECT_EQ(plain, "0.890");
  EXPECT_EQ(skip, "0.891");
  EXPECT_TRUE(contains(svg, ">no skip path: IG (mean r " + plain + ")</text>"));
  EXPECT_TRUE(contains(svg, ">skip path: IG noise (mean r " + skip + ")</text>"));
  EXPECT_TRUE(contains(svg, "stroke-dasharray"));  // the diagonal
}

// The recall and precision of each pick in the chapter README's tables of picks ("pick  recall
// precision ..."), table by table: the chapter prints the two tables without the skip path, then
// the two with it, zero ablation before mean. The first token of each column, as printed.
std::vector<std::map<std::string, std::pair<std::string, std::string>>> readme_pick_tables(
    const std::string& readme) {
  std::vector<std::map<std::string, std::pair<std::string, std::string>>> tables;
  std::istringstream lines(readme);
  bool inside = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("pick ", 0) == 0) {
      tables.emplace_back();
      inside = true;
      continue;
    }
    if (!inside || line.size() < 52) {
      inside = false;
      continue;
    }
    // "%-10s %-20s %-20s": the name, then recall and precision.
    const auto first = [](const std::string& column) {
      std::istringstream in(column);
      std::string token;
      in >> token;
      return token;
    };
    std::string name = line.substr(0, 10);
    name.erase(name.find_last_not_of(' ') + 1);
    tables.back()[name] = {first(line.substr(11, 20)), first(line.substr(32, 20))};
  }
  return tables;
}

// A printed "0.250" as the bars' labels write it: trailing zeros dropped.
std::string label_of(std::string printed) {
  printed.erase(printed.find_last_not_of('0') + 1);
  if (printed.back() == '.') printed.pop_back();
  return printed;
}

TEST(Figures, PickBarsAreTheChaptersTables) {
  std::ifstream in(std::string(PROJECT_ROOT) + "/chapters/11-comparing-methods/README.md");
  std::ostringstream text;
  text << in.rdbuf();
  const auto tables = readme_pick_tables(text.str());
  ASSERT_EQ(tables.size(), 4U);
  struct Case {
    const char* file;
    std::size_t zero_table;
    std::vector<std::string> picks;
  };
  for (const Case& c :
       {Case{"ch11-picks.svg", 0, {"IG", "denoising", "noising", "chance"}},
        Case{"ch11-picks-skip.svg", 2, {"IG den", "IG noise", "denoising", "noising", "chance"}}}) {
    // Category by category: recall and precision under zero ablation, then under mean.
    std::vector<std::string> printed;
    for (const std::string& pick : c.picks)
      for (std::size_t table : {c.zero_table, c.zero_table + 1}) {
        ASSERT_TRUE(tables[table].count(pick)) << c.file << ": " << pick;
        printed.push_back(tables[table].at(pick).first);
        printed.push_back(tables[table].at(pick).second);
      }
    const std::string& svg = drawn_svg(c.file);
    std::vector<double> heights;
    for (const svg_structure::Element& e : svg_structure::check(svg).elements)
      if (e.name == "rect" && e.attributes.count("fill") &&
          std::set<std::string>{"#0072B2", "#D55E00", "#009E73", "#CC79A7"}.count(
              e.attributes.at("fill")) &&
          std::stod(e.attributes.at("width")) > 20.0)
        heights.push_back(std::stod(e.attributes.at("height")));
    ASSERT_EQ(heights.size(), printed.size()) << c.file;
    // Every bar is its printed value times one number of pixels per unit (printed to 0.0005,
    // heights to 0.005 pixels), and carries the value as its label.
    const double scale = heights[0] / std::stod(printed[0]);
    EXPECT_GT(scale, 200.0) << c.file;
    for (std::size_t i = 0; i < printed.size(); ++i) {
      EXPECT_NEAR(heights[i], std::stod(printed[i]) * scale, 0.0011 * scale) << c.file << " " << i;
      EXPECT_TRUE(contains(svg, ">" + label_of(printed[i]) + "</text>")) << c.file << " " << i;
    }
  }
}

TEST(Figures, HeadHeatmapsShowEveryHeadsAttentionOnTheCleanPrompt) {
  for (const bool is_or : {true, false}) {
    autodiff::Tape tape;
    nn::HookedTransformer model = is_or ? nn::or_heads_model(tape) : nn::and_heads_model(tape);
    const nn::Tokens clean = (is_or ? nn::or_prompts() : nn::and_prompts()).clean;
    const nn::ActivationCache cache = model.run_with_cache(clean).cache;
    const std::string& svg = drawn_svg(is_or ? "ch12-or-attention.svg" : "ch12-and-attention.svg");
    // The cells, 39 pixels square, panel by panel (layer by layer, head by head), query by query,
    // key by key: T (T + 1) / 2 = 36 causal entries in each of the four panels.
    std::vector<std::string> fills;
    for (const svg_structure::Element& e : svg_structure::check(svg).elements)
      if (e.name == "rect" && e.attributes.at("width") == "39" && e.attributes.at("height") == "39")
        fills.push_back(e.attributes.at("fill"));
    ASSERT_EQ(fills.size(), 4U * 36U) << svg;
    std::size_t i = 0;
    for (std::size_t layer = 0; layer < 2; ++layer) {
      const nn::Matrix<double>& pattern = cache[nn::hook_name(layer, "attn.hook_pattern")];
      for (std::size_t head = 0; head < 2; ++head) {
        EXPECT_TRUE(contains(
            svg, ">head " + std::to_string(layer) + "." + std::to_string(head) + "</text>"));
        for (std::size_t q = 0; q < 8; ++q)
          for (std::size_t k = 0; k <= q; ++k, ++i)
            EXPECT_EQ(fills[i], plot::heatmap_colour(pattern(head * 8 + q, k)))
                << layer << "." << head << " " << q << " " << k;
      }
    }
    // Head 1.1 is all zero: every score 0, so query q spreads 1 / (q + 1) over its keys, whose
    // colours are the scale's closed form: 0.5 is #8498B5, 0.25 #C2CCDA (panel 3 starts at 108).
    EXPECT_EQ(fills[108 + 1], "#8498B5");
    EXPECT_EQ(fills[108 + 2], "#8498B5");
    for (std::size_t k = 0; k < 4; ++k) EXPECT_EQ(fills[108 + 6 + k], "#C2CCDA") << k;
    EXPECT_TRUE(contains(svg, ">0.125</tspan>"));
    // Head 1.0 from the last A onto the B after the earlier A (panel 2 from 72, query 7 from 28),
    // PyTorch's attention: within half a colour step (1/492) of 1, so the scale's end.
    const reference_heads::Circuit& reference =
        is_or ? reference_heads::or_circuit : reference_heads::and_circuit;
    EXPECT_EQ(fills[72 + 28 + 4], plot::heatmap_colour(reference.attention_clean));
    EXPECT_EQ(fills[72 + 28 + 4], "#09316B");
    // The tokens of the clean prompt along each panel's rows, then its columns.
    std::size_t at = svg.find(">head 0.0</text>");
    for (int edge = 0; edge < 2; ++edge)
      for (const char* token : {"BOS", "F", "G", "A", "B", "F", "G", "A"}) {
        at = svg.find(">" + std::string(token) + "</text>", at + 1);
        ASSERT_NE(at, std::string::npos) << token;
      }
    EXPECT_LT(at, svg.find(">head 0.1</text>"));
  }
}

TEST(Figures, HeadBarsShowTheChaptersHeadScores) {
  for (const bool is_or : {true, false}) {
    autodiff::Tape tape;
    nn::HookedTransformer model = is_or ? nn::or_heads_model(tape) : nn::and_heads_model(tape);
    const attribution::HeadTable table =
        attribution::measure_heads(model, is_or ? nn::or_prompts() : nn::and_prompts());
    std::vector<double> values;  // head by head: IG share, denoising, noising
    for (std::size_t layer = 0; layer < 2; ++layer)
      for (std::size_t head = 0; head < 2; ++head)
        for (const nn::Matrix<double>* scores :
             {&table.ig_base_corrupt.shares, &table.patching.denoising.scores,
              &table.patching.noising.scores})
          values.push_back((*scores)(layer, head));
    const std::string& svg = drawn_svg(is_or ? "ch12-or-heads.svg" : "ch12-and-heads.svg");
    const std::vector<double> heights = attribution_bar_heights(svg);
    ASSERT_EQ(heights.size(), values.size()) << svg;
    // One number of pixels per unit for every bar (heights rounded to 0.01), read off head 1.0's
    // IG share, which is 1.
    const double scale = heights[6] / values[6];
    EXPECT_GT(scale, 150.0);
    for (std::size_t i = 0; i < values.size(); ++i)
      EXPECT_NEAR(heights[i], std::fabs(values[i]) * scale, 0.006) << i;
    // The bars against PyTorch's numbers (tests/reference_heads.py), to the heights' rounding and
    // the quadrature's error, and PyTorch's layer-0 scores as the bars' labels.
    const reference_heads::Circuit& reference =
        is_or ? reference_heads::or_circuit : reference_heads::and_circuit;
    for (std::size_t layer = 0; layer < 2; ++layer)
      for (std::size_t head = 0; head < 2; ++head) {
        const std::size_t bar = (layer * 2 + head) * 3;
        const double expected[] = {reference.ig_base_corrupt[layer][head],
                                   reference.denoising[layer][head],
                                   reference.noising[layer][head]};
        for (std::size_t m = 0; m < 3; ++m)
          EXPECT_NEAR(heights[bar + m], std::fabs(expected[m]) * scale, 0.006)
              << layer << "." << head << " " << m;
        if (layer == 1) continue;
        for (double score : expected) {
          // AND's layer-0 denoising is 0 up to rounding, which differs between the two programs.
          if (std::fabs(score) < 1e-3) continue;
          EXPECT_TRUE(contains(svg, ">" + plot::short_number(score) + "</text>"))
              << plot::short_number(score);
        }
      }
    EXPECT_TRUE(contains(svg, is_or ? ">0.993</text>" : ">1</text>"));
  }
}

TEST(Figures, CommittedCopiesAreUpToDate) {
  for (const auto& [figure, svg] : drawn()) {
    if (figure.chapter_copy.empty()) continue;
    const std::string path = std::string(PROJECT_ROOT) + "/" + figure.chapter_copy;
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path << " is missing: run `make figures-update`";
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(text.str() == svg)
        << figure.chapter_copy << " is not what the code draws now: run `make figures-update`";
  }
}

TEST(Figures, ChapterReadmesShowTheirFigures) {
  for (const auto& [figure, svg] : drawn()) {
    if (figure.chapter_copy.empty()) continue;
    // chapters/NN-name/figures/x.svg is shown by chapters/NN-name/README.md as figures/x.svg.
    const std::size_t split = figure.chapter_copy.find("/figures/");
    ASSERT_NE(split, std::string::npos) << figure.chapter_copy;
    std::ifstream in(std::string(PROJECT_ROOT) + "/" + figure.chapter_copy.substr(0, split) +
                     "/README.md");
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(contains(text.str(), "](" + figure.chapter_copy.substr(split + 1) + ")"))
        << figure.chapter_copy.substr(0, split) << "/README.md does not show "
        << figure.chapter_copy;
  }
}

}  // namespace
