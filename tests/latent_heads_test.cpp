// `latent heads`: chapter 12's per-head measurements from the command line. Its JSON holds the
// library's own doubles (attribution/heads.hpp on nn/circuits.hpp's models); its numbers agree with
// the hand-set circuits' table, computed in float64 PyTorch for the same weights
// (tests/reference_heads.py) and quoted to six decimals, so compared to 1e-6; they obey the
// invariants of the study's IG (completeness layer by layer, two identical heads scoring the same,
// an all-zero head scoring 0); its text shows the same numbers; bad input is refused naming the
// flag.
//
// A run that reaches an unfinished exercise (the student edition) fails its ASSERT on the status
// before any of its JSON is read.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attribution/attention_patterns.hpp"
#include "attribution/heads.hpp"
#include "autodiff/tape.hpp"
#include "latent/heads.hpp"
#include "nn/circuits.hpp"
#include "nn/induction_task.hpp"
#include "nn/induction_training.hpp"
#include "nn/random.hpp"
#include "nn/transformer.hpp"
#include "tests/latent_test_support.hpp"

#include <gtest/gtest.h>

namespace {

using namespace latent_test;

// The hand-set table's numbers are printed to six decimals.
constexpr double table_tolerance = 1e-6;

// The library's measurements of one prompt pair, as `latent heads` makes them.
struct PairLibrary {
  nn::PromptPair prompts;
  double f_clean = 0.0, f_corrupt = 0.0;
  attribution::HeadTable table;
  attribution::TwoWayHeadPatching by_position;
};

PairLibrary pair_library(nn::HookedTransformer& model, const nn::PromptPair& prompts, int n_steps,
                         attribution::Method method) {
  PairLibrary l;
  l.prompts = prompts;
  const attribution::LogitDifference metric = attribution::logit_difference_of(prompts);
  l.f_clean = attribution::logit_difference(model.predict(prompts.clean), metric);
  l.f_corrupt = attribution::logit_difference(model.predict(prompts.corrupt), metric);
  l.table = attribution::measure_heads(model, prompts, n_steps, method);
  l.by_position = attribution::patch_heads_by_position_both_directions(model, prompts);
  return l;
}

struct Library {
  PairLibrary pair;
  std::vector<double> attention_clean, attention_corrupt;
};

std::vector<double> attention_row(nn::HookedTransformer& model, const nn::Tokens& tokens) {
  const auto run = model.run_with_cache(tokens);
  const auto row = run.cache[nn::hook_name(1, "attn.hook_pattern")].row(7);  // head 0, query 7
  return {row.begin(), row.end()};
}

Library library(bool is_or, double sink, int n_steps = attribution::default_n_steps,
                attribution::Method method = attribution::default_method) {
  autodiff::Tape tape;
  nn::HookedTransformer model =
      is_or ? nn::or_heads_model(tape, sink) : nn::and_heads_model(tape, sink);
  Library l;
  l.pair = pair_library(model, is_or ? nn::or_prompts() : nn::and_prompts(), n_steps, method);
  l.attention_clean = attention_row(model, l.pair.prompts.clean);
  l.attention_corrupt = attention_row(model, l.pair.prompts.corrupt);
  return l;
}

std::vector<double> flat(const nn::Matrix<double>& m) { return {m.flat().begin(), m.flat().end()}; }

// A [layer][position][head] array of the JSON, flattened to rows layer * T + pos.
std::vector<double> grid(const latent::Json& json) {
  std::vector<double> values;
  const latent::Json::Array* layers = json.get<latent::Json::Array>();
  EXPECT_NE(layers, nullptr);
  if (layers == nullptr) return values;
  for (const latent::Json& layer : *layers) {
    const latent::Json::Array* positions = layer.get<latent::Json::Array>();
    EXPECT_NE(positions, nullptr);
    if (positions == nullptr) return values;
    for (const latent::Json& heads : *positions)
      for (const double value : numbers(heads)) values.push_back(value);
  }
  return values;
}

void expect_same_ig(const latent::Json& json, const attribution::HeadIntegratedGradients& ig,
                    const std::string& what) {
  EXPECT_EQ(number_at(json, {"f_base"}), ig.f_base) << what;
  EXPECT_EQ(number_at(json, {"f_other"}), ig.f_other) << what;
  expect_same_doubles(numbers_at(json, {"attributions"}), flat(ig.attributions),
                      what + ".attributions");
  expect_same_doubles(numbers_at(json, {"shares"}), flat(ig.shares), what + ".shares");
  expect_same_doubles(numbers_at(json, {"f_layer_patched"}), ig.f_layer_patched,
                      what + ".f_layer_patched");
  expect_same_doubles(numbers_at(json, {"convergence_delta"}), ig.convergence_delta,
                      what + ".convergence_delta");
}

void expect_same_statistics(const latent::Json& json,
                            const std::vector<std::optional<double>>& expected,
                            const std::string& what) {
  const latent::Json::Array* items = json.get<latent::Json::Array>();
  ASSERT_NE(items, nullptr) << what;
  ASSERT_EQ(items->size(), expected.size()) << what;
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(is_null((*items)[k]), !expected[k].has_value()) << what << "[" << k << "]";
    if (expected[k] && !is_null((*items)[k])) {
      EXPECT_EQ(number((*items)[k]), *expected[k]) << what << "[" << k << "]";
    }
  }
}

// Every number of one pair's JSON (its prompts' LDs and the per-head members) against the
// library's.
void expect_pair_is_library(const latent::Json& json, const PairLibrary& l,
                            const std::string& line) {
  const attribution::HeadTable& t = l.table;
  EXPECT_EQ(number_at(json, {"f_clean"}), l.f_clean) << line;
  EXPECT_EQ(number_at(json, {"f_corrupt"}), l.f_corrupt) << line;
  const std::pair<const char*, const nn::Matrix<double>*> lists[] = {
      {"denoising", &t.patching.denoising.scores},
      {"noising", &t.patching.noising.scores},
      {"denoising_differences", &t.patching.denoising.differences},
      {"noising_differences", &t.patching.noising.differences},
      {"atp_denoising", &t.atp_denoising.scores},
      {"atp_noising", &t.atp_noising.scores},
      {"atp_denoising_differences", &t.atp_denoising.differences},
      {"atp_noising_differences", &t.atp_noising.differences}};
  for (const auto& [key, values] : lists)
    expect_same_doubles(numbers(at(json, {key})), flat(*values), line + ": " + key);
  expect_same_ig(at(json, {"ig_base_corrupt"}), t.ig_base_corrupt, line + ": ig_base_corrupt");
  expect_same_ig(at(json, {"ig_base_clean"}), t.ig_base_clean, line + ": ig_base_clean");
  expect_same_statistics(at(json, {"asymmetry"}), t.asymmetry, line + ": asymmetry");
  const std::optional<std::vector<double>> study = attribution::study_head_asymmetry(t.patching);
  EXPECT_EQ(is_null(at(json, {"study_asymmetry"})), !study.has_value()) << line;
  if (study && !is_null(at(json, {"study_asymmetry"})))
    expect_same_doubles(numbers_at(json, {"study_asymmetry"}), *study, line + ": study_asymmetry");
  const std::pair<const char*, const nn::Matrix<double>*> grids[] = {
      {"denoising", &l.by_position.denoising.scores},
      {"noising", &l.by_position.noising.scores},
      {"denoising_differences", &l.by_position.denoising.differences},
      {"noising_differences", &l.by_position.noising.differences}};
  for (const auto& [key, values] : grids)
    expect_same_doubles(grid(at(json, {"by_position", key})), flat(*values),
                        line + ": by_position." + key);
}

// `latent heads FLAGS --json`, which must succeed, parsed.
latent::Json heads_json(const std::vector<std::string>& flags, std::string& line) {
  std::vector<std::string> words = {"heads"};
  words.insert(words.end(), flags.begin(), flags.end());
  words.push_back("--json");
  line = line_of(words);
  const Outcome run = run_strings(words);
  if (run.status != 0) {
    ADD_FAILURE() << line << "\n" << run.err;
    return {};
  }
  return json_of(run);
}

// Every number of a circuit's JSON against the library's own computation of the same.
void expect_json_is_library(const std::vector<std::string>& flags, bool is_or, double sink,
                            int n_steps = attribution::default_n_steps,
                            attribution::Method method = attribution::default_method) {
  std::string line;
  const latent::Json json = heads_json(flags, line);
  ASSERT_FALSE(is_null(json)) << line;
  const Library l = library(is_or, sink, n_steps, method);
  EXPECT_EQ(string_at(json, {"circuit"}), is_or ? "or" : "and") << line;
  EXPECT_EQ(number_at(json, {"sink"}), sink) << line;
  EXPECT_EQ(number_at(json, {"n_steps"}), n_steps) << line;
  EXPECT_EQ(string_at(json, {"method"}), attribution::method_name(method)) << line;
  expect_same_doubles(numbers_at(json, {"attention", "clean"}), l.attention_clean, line);
  expect_same_doubles(numbers_at(json, {"attention", "corrupt"}), l.attention_corrupt, line);
  expect_pair_is_library(json, l.pair, line);
}

TEST(LatentHeads, JsonHoldsTheLibrarysDoubles) {
  expect_json_is_library({"--circuit", "or"}, true, nn::or_sink);
  expect_json_is_library({"--circuit", "and"}, false, nn::and_sink);
  expect_json_is_library({"--circuit", "or", "--sink", "15"}, true, 15.0);
  expect_json_is_library(
      {"--circuit", "and", "--sink", "7.5", "--n-steps", "9", "--method", "riemann_trapezoid"},
      false, 7.5, 9, attribution::Method::riemann_trapezoid);
}

// The hand-set circuits' table (PyTorch, float64, to six decimals): LD of either prompt, per head
// denoising, noising and the study's IG (Gauss-Legendre 50) from either base, and head 1.0's
// attention on position 4 from the last position.
TEST(LatentHeads, AgreesWithTheHandSetTable) {
  struct Row {
    const char* circuit;
    double f_clean, f_corrupt, denoising, noising, attention_clean;
  };
  for (const Row& row : {Row{"or", 9.999997, 0.064345, 0.992994, 0.007006, 1.000000},
                         Row{"and", 9.999546, 0.000454, 0.000000, 1.000000, 0.999955}}) {
    const Outcome run = latent_run({"heads", "--circuit", row.circuit, "--json"});
    ASSERT_EQ(run.status, 0) << run.err;
    const latent::Json json = json_of(run);
    EXPECT_NEAR(number_at(json, {"f_clean"}), row.f_clean, table_tolerance) << row.circuit;
    EXPECT_NEAR(number_at(json, {"f_corrupt"}), row.f_corrupt, table_tolerance) << row.circuit;
    const std::vector<double> den = numbers_at(json, {"denoising"}),
                              noise = numbers_at(json, {"noising"}),
                              ig_corrupt = numbers_at(json, {"ig_base_corrupt", "shares"}),
                              ig_clean = numbers_at(json, {"ig_base_clean", "shares"});
    ASSERT_EQ(den.size(), 4u);
    ASSERT_EQ(noise.size(), 4u);
    ASSERT_EQ(ig_corrupt.size(), 4u);
    ASSERT_EQ(ig_clean.size(), 4u);
    for (std::size_t h = 0; h < 2; ++h) {  // heads 0.0 and 0.1
      EXPECT_NEAR(den[h], row.denoising, table_tolerance) << row.circuit << " 0." << h;
      EXPECT_NEAR(noise[h], row.noising, table_tolerance) << row.circuit << " 0." << h;
      EXPECT_NEAR(ig_corrupt[h], 0.5, table_tolerance) << row.circuit << " 0." << h;
      EXPECT_NEAR(ig_clean[h], 0.5, table_tolerance) << row.circuit << " 0." << h;
    }
    // Two heads of the same role in symmetric places score the same.
    EXPECT_NEAR(ig_corrupt[0], ig_corrupt[1], 1e-12) << row.circuit;
    // The induction head carries the whole difference; the all-zero head nothing, exactly.
    for (const std::vector<double>* scores : {&den, &noise, &ig_corrupt, &ig_clean}) {
      EXPECT_NEAR((*scores)[2], 1.0, table_tolerance) << row.circuit;
      EXPECT_EQ((*scores)[3], 0.0) << row.circuit;
    }
    EXPECT_NEAR(numbers_at(json, {"attention", "clean"}).at(4), row.attention_clean,
                table_tolerance)
        << row.circuit;
    // An undefined asymmetry (1.1 scores 0 both ways) is null, not NaN.
    const latent::Json::Array* asymmetry = at(json, {"asymmetry"}).get<latent::Json::Array>();
    ASSERT_NE(asymmetry, nullptr);
    ASSERT_EQ(asymmetry->size(), 4u);
    EXPECT_TRUE(is_null((*asymmetry)[3]));
  }
  // The OR corrupt prompt: no key scores against BOS's sink of 5, so each of the 7 others takes
  // e^0 / (e^5 + 7) of the attention.
  const Outcome run = latent_run({"heads", "--circuit", "or", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  // The e^-20 the previous-token heads leak moves it by about 1e-12.
  EXPECT_NEAR(numbers_at(json_of(run), {"attention", "corrupt"}).at(4), 1.0 / (std::exp(5.0) + 7.0),
              1e-10);
}

// Exercise 12.3: a sink between one copy's score (10) and two copies' (20) turns the OR circuit's
// redundant heads into an AND (chapter 12's README, exercise 12.3, from PyTorch: denoising about
// 0.0067 per head, noising about 0.9933, IG 0.5 and 0.5).
TEST(LatentHeads, AMiddleSinkMakesTheOrAnAnd) {
  const Outcome run = latent_run({"heads", "--circuit", "or", "--sink", "15", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const latent::Json json = json_of(run);
  const std::vector<double> den = numbers_at(json, {"denoising"}),
                            noise = numbers_at(json, {"noising"}),
                            ig = numbers_at(json, {"ig_base_corrupt", "shares"});
  ASSERT_EQ(den.size(), 4u);
  for (std::size_t h = 0; h < 2; ++h) {
    EXPECT_NEAR(den[h], 0.0067, 1e-4);
    EXPECT_NEAR(noise[h], 0.9933, 1e-4);
    EXPECT_NEAR(ig.at(h), 0.5, table_tolerance);
  }
}

// Completeness layer by layer: a layer's heads add up to its whole patch, up to the delta the
// JSON reports; and patching all of layer 0's z from the other prompt reproduces that prompt's LD
// (layer 1 recomputed on it).
TEST(LatentHeads, IgIsCompleteLayerByLayer) {
  for (const char* circuit : {"or", "and"}) {
    const Outcome run = latent_run({"heads", "--circuit", circuit, "--json"});
    ASSERT_EQ(run.status, 0) << run.err;
    const latent::Json json = json_of(run);
    for (const char* base : {"ig_base_corrupt", "ig_base_clean"}) {
      const latent::Json& ig = at(json, {base});
      const std::vector<double> a = numbers_at(ig, {"attributions"}),
                                patched = numbers_at(ig, {"f_layer_patched"}),
                                delta = numbers_at(ig, {"convergence_delta"});
      ASSERT_EQ(a.size(), 4u);
      ASSERT_EQ(patched.size(), 2u);
      ASSERT_EQ(delta.size(), 2u);
      const double f_base = number_at(ig, {"f_base"}), f_other = number_at(ig, {"f_other"});
      for (std::size_t layer = 0; layer < 2; ++layer) {
        EXPECT_NEAR(a[2 * layer] + a[2 * layer + 1] - (patched[layer] - f_base), delta[layer],
                    1e-12)
            << circuit << " " << base << " layer " << layer;
        EXPECT_LT(std::fabs(delta[layer]), 1e-6) << circuit << " " << base;
        EXPECT_NEAR(patched[layer], f_other, table_tolerance) << circuit << " " << base;
      }
    }
  }
}

// By position (PyTorch's grid, tests/reference_heads.py, to six decimals): only (layer 0, position
// 4, both heads) matter for OR, and (0, 4, 0) and (0, 7, 1) for AND, the others differing by the
// e^-20 leakage alone; at layer 1 only the induction head at the last position.
TEST(LatentHeads, ByPositionOnlyTheKnownPlacesMatter) {
  struct Place {
    std::size_t layer, pos, head;
    double score;
  };
  struct Case {
    const char* circuit;
    const char* direction;
    std::vector<Place> places;
  };
  const std::vector<Case> cases = {
      {"or", "denoising", {{0, 4, 0, 0.992994}, {0, 4, 1, 0.992994}, {1, 7, 0, 1.0}}},
      {"or", "noising", {{0, 4, 0, 0.007006}, {0, 4, 1, 0.007006}, {1, 7, 0, 1.0}}},
      {"and", "noising", {{0, 4, 0, 1.0}, {0, 7, 1, 1.0}, {1, 7, 0, 1.0}}},
      {"and", "denoising", {{1, 7, 0, 1.0}}},
  };
  for (const Case& c : cases) {
    const Outcome run = latent_run({"heads", "--circuit", c.circuit, "--json"});
    ASSERT_EQ(run.status, 0) << run.err;
    const std::vector<double> values = grid(at(json_of(run), {"by_position", c.direction}));
    ASSERT_EQ(values.size(), 32u) << c.circuit;
    for (std::size_t layer = 0; layer < 2; ++layer)
      for (std::size_t pos = 0; pos < 8; ++pos)
        for (std::size_t head = 0; head < 2; ++head) {
          std::optional<double> known;
          for (const Place& p : c.places)
            if (p.layer == layer && p.pos == pos && p.head == head) known = p.score;
          const double value = values[(layer * 8 + pos) * 2 + head];
          const std::string place = std::string(c.circuit) + " " + c.direction + " at (" +
                                    std::to_string(layer) + ", " + std::to_string(pos) + ", " +
                                    std::to_string(head) + ")";
          if (known) {
            EXPECT_NEAR(value, *known, table_tolerance) << place;
          } else {
            EXPECT_LT(std::fabs(value), 1e-7) << place;
          }
        }
  }
}

TEST(LatentHeads, TextShowsTheSameNumbers) {
  const Outcome json_run = latent_run({"heads", "--circuit", "or", "--json"});
  const Outcome text = latent_run({"heads", "--circuit", "or"});
  ASSERT_EQ(json_run.status, 0) << json_run.err;
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_EQ(text.err, "");
  const latent::Json json = json_of(json_run);
  const std::vector<std::string> head = row_of(text.out, "0.0", 9);
  ASSERT_EQ(head.size(), 9u) << text.out;
  const char* keys[] = {"denoising", "noising", "atp_denoising", "atp_noising"};
  for (std::size_t k = 0; k < 4; ++k)
    EXPECT_EQ(head[1 + k], fixed(numbers_at(json, {keys[k]})[0], 6)) << keys[k];
  EXPECT_EQ(head[5], fixed(numbers_at(json, {"ig_base_corrupt", "shares"})[0], 6));
  EXPECT_EQ(head[6], fixed(numbers_at(json, {"ig_base_clean", "shares"})[0], 6));
  const std::vector<std::string> control = row_of(text.out, "1.1", 9);
  ASSERT_EQ(control.size(), 9u);
  EXPECT_EQ(control[7], "undefined");
  const std::vector<std::string> clean = row_of(text.out, "clean", 10);
  ASSERT_EQ(clean.size(), 10u);
  EXPECT_EQ(clean[9], fixed(number_at(json, {"f_clean"}), 6));
  // By position: head 0.0's denoising at position 4, the B after the earlier A.
  const std::vector<std::string> four = row_of(text.out, "4");
  ASSERT_GE(four.size(), 4u);
  EXPECT_EQ(four[3], fixed(grid(at(json, {"by_position", "denoising"})).at(4 * 2), 6));
  // The all-zero head 1.1 matters to nothing, and is left out of the by-position table.
  EXPECT_EQ(text.out.find("1.1 den"), std::string::npos);
  EXPECT_NE(text.out.find("1.0 den"), std::string::npos);
}

TEST(LatentHeads, HelpListsTheSubcommand) {
  const Outcome help = latent_run({"--help"});
  ASSERT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("\n  heads "), std::string::npos) << help.out;
  const Outcome own = latent_run({"heads", "--help"});
  ASSERT_EQ(own.status, 0);
  EXPECT_TRUE(own.out.starts_with("usage: latent heads --circuit or|and")) << own.out;
  EXPECT_NE(own.out.find("\n       latent heads --induction --seed N"), std::string::npos);
  for (const char* flag :
       {"--circuit", "--sink", "--induction", "--seed", "--n-steps", "--method", "--json"})
    EXPECT_NE(own.out.find("\n  " + std::string(flag) + " "), std::string::npos) << flag;
  expect_refused(latent_run({"head"}),
                 "the commands are train, ig, patch, experiment, residual, "
                 "compare, heads",
                 "unknown command");
}

TEST(LatentHeads, BadInputIsRefusedNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string_view>, std::string>> cases = {
      {{"heads"}, "--circuit is required"},
      {{"heads", "--json"}, "--circuit is required"},
      {{"heads", "--circuit", "xor"}, "--circuit: 'xor' is not a hand-set circuit"},
      {{"heads", "--circuit", "OR"}, "--circuit: 'OR'"},
      {{"heads", "--circuit"}, "--circuit needs a value"},
      {{"heads", "--circuit", "or", "--circuit", "and"}, "--circuit is given twice"},
      {{"heads", "--circuit", "or", "--sink", "nan"}, "--sink: 'nan' is not a finite number"},
      {{"heads", "--circuit", "or", "--sink", "inf"}, "--sink: 'inf' is not a finite number"},
      {{"heads", "--circuit", "or", "--sink", "1e999"}, "--sink: '1e999'"},
      {{"heads", "--circuit", "or", "--sink", "five"}, "--sink: 'five' is not a number"},
      {{"heads", "--circuit", "or", "--sink", "1e308"}, "--sink: '1e308' is out of range"},
      {{"heads", "--circuit", "or", "--sink", "-1000001"}, "--sink: '-1000001' is out of range"},
      {{"heads", "--circuit", "or", "--n-steps", "0"}, "--n-steps: '0' is out of range"},
      {{"heads", "--circuit", "or", "--n-steps", "10001"}, "--n-steps: '10001' is out of range"},
      {{"heads", "--circuit", "or", "--n-steps", "2.5"}, "--n-steps: '2.5'"},
      {{"heads", "--circuit", "or", "--method", "simpson"}, "'simpson'"},
      {{"heads", "--circuit", "or", "--n-steps", "1", "--method", "riemann_trapezoid"},
       "riemann_trapezoid"},
      {{"heads", "--circuit", "or", "--csv"}, "unknown flag '--csv'"},
      {{"heads", "--circuit", "or", "--gate", "and"}, "unknown flag '--gate'"},
      {{"heads", "--circuit", "or", "stray"}, "unexpected argument 'stray'"},
      {{"heads", "--induction", "--seed", "0", "--circuit", "or"},
       "--circuit belongs to the hand-set circuits; --induction"},
      {{"heads", "--circuit", "and", "--induction", "--seed", "0"}, "--circuit belongs"},
      {{"heads", "--induction", "--seed", "0", "--sink", "5"}, "--sink belongs"},
      {{"heads", "--induction"}, "--induction needs --seed"},
      {{"heads", "--induction", "--json"}, "--induction needs --seed"},
      {{"heads", "--circuit", "or", "--seed", "1"}, "--seed is the training seed of --induction"},
      {{"heads", "--induction", "--seed", "-1"}, "--seed: '-1' is out of range"},
      {{"heads", "--induction", "--seed", "x"}, "--seed: 'x' is not a whole number"},
      {{"heads", "--induction", "--seed", "0", "--n-steps", "0"}, "--n-steps: '0'"},
      {{"heads", "--induction", "--induction", "--seed", "0"}, "--induction is given twice"},
  };
  for (const auto& [words, part] : cases) {
    std::string line = "latent";
    for (const std::string_view word : words) line += " " + std::string(word);
    expect_refused(latent_run(words), part, line);
  }
}

// A sink far above the induction head's scores takes all its attention on both prompts: the two
// logit differences are equal and there is no gap to share out, said in the words of the flag.
TEST(LatentHeads, ASinkThatLeavesNoGapIsRefused) {
  const Outcome run = latent_run({"heads", "--circuit", "or", "--sink", "1000"});
  expect_refused(run, "with --sink 1000", "sink 1000");
  expect_refused(run, "are equal to rounding", "sink 1000");
}

// ---- the trained induction model ---------------------------------------------------------------

bool boolean(const latent::Json& json) {
  EXPECT_NE(json.get<bool>(), nullptr) << "not true or false: " << json.dump().substr(0, 100);
  return json.get<bool>() != nullptr && *json.get<bool>();
}

std::string text(const latent::Json& json) {
  EXPECT_NE(json.get<std::string>(), nullptr) << "not a string: " << json.dump().substr(0, 100);
  return json.get<std::string>() != nullptr ? *json.get<std::string>() : "";
}

// The library's run of what `latent heads --induction --seed S` reports.
struct InductionLibrary {
  nn::induction::TrainedModel trained;
  std::vector<std::vector<attribution::HeadPatternScores>> scores;
  std::vector<PairLibrary> pairs;  // K, then KQ
};

InductionLibrary induction_library(std::uint64_t seed) {
  InductionLibrary l;
  l.trained = nn::induction::train_model(seed);
  autodiff::Tape tape;
  nn::Generator unused(0);
  nn::HookedTransformer model(tape, unused, l.trained.config);
  model.load_state_dict(l.trained.state);
  nn::Generator role_generator(latent::induction_role_prompts_seed);
  const nn::induction::Batch prompts =
      nn::induction::batch(latent::induction_role_prompts, role_generator);
  std::vector<std::size_t> key;
  for (const std::size_t i : prompts.query_index) key.push_back(i + 1);
  l.scores = attribution::head_pattern_scores(model, prompts.tokens, key);
  for (const nn::induction::Corruption corruption :
       {nn::induction::Corruption::key, nn::induction::Corruption::key_and_query}) {
    nn::Generator generator(latent::induction_pair_seed);
    const nn::induction::Pairs pair = nn::induction::pairs(1, corruption, generator);
    l.pairs.push_back(pair_library(model,
                                   {pair.clean, pair.corrupt, pair.correct[0], pair.incorrect[0]},
                                   attribution::default_n_steps, attribution::default_method));
  }
  return l;
}

// The pairs of a run, each of which must have been measured.
const latent::Json::Array& measured_pairs(const latent::Json& json) {
  static const latent::Json::Array none;
  const latent::Json::Array* pairs = at(json, {"pairs"}).get<latent::Json::Array>();
  EXPECT_NE(pairs, nullptr);
  if (pairs == nullptr) return none;
  for (const latent::Json& pair : *pairs) EXPECT_TRUE(boolean(at(pair, {"measured"})));
  return *pairs;
}

TEST(LatentHeadsInduction, JsonHoldsTheLibrarysDoubles) {
  std::string line;
  const latent::Json json = heads_json({"--induction", "--seed", "1"}, line);
  ASSERT_FALSE(is_null(json)) << line;
  const InductionLibrary l = induction_library(1);
  const nn::induction::TrainingResult& r = l.trained.result;
  EXPECT_EQ(number_at(json, {"seed"}), 1.0);
  EXPECT_EQ(number_at(json, {"training", "steps"}), static_cast<double>(r.steps));
  EXPECT_EQ(boolean(at(json, {"training", "reached"})), r.reached);
  EXPECT_EQ(number_at(json, {"training", "final_loss"}), r.final_loss);
  EXPECT_EQ(number_at(json, {"training", "accuracy"}), r.accuracy);
  EXPECT_EQ(number_at(json, {"training", "eval_loss"}), r.eval_loss);
  std::vector<double> previous, current, bos, induction;
  std::vector<std::string> roles;
  for (const auto& layer : l.scores)
    for (const attribution::HeadPatternScores& s : layer) {
      previous.push_back(s.previous_token);
      current.push_back(s.current_token);
      bos.push_back(s.bos);
      induction.push_back(s.induction);
      roles.push_back(attribution::head_role_name(attribution::head_role(s)));
    }
  expect_same_doubles(numbers_at(json, {"scores", "previous_token"}), previous, "previous_token");
  expect_same_doubles(numbers_at(json, {"scores", "current_token"}), current, "current_token");
  expect_same_doubles(numbers_at(json, {"scores", "bos"}), bos, "bos");
  expect_same_doubles(numbers_at(json, {"scores", "induction"}), induction, "induction");
  const latent::Json::Array* printed_roles = at(json, {"roles"}).get<latent::Json::Array>();
  ASSERT_NE(printed_roles, nullptr);
  ASSERT_EQ(printed_roles->size(), roles.size());
  for (std::size_t k = 0; k < roles.size(); ++k)
    EXPECT_EQ(text((*printed_roles)[k]), roles[k]) << k;
  const latent::Json::Array& pairs = measured_pairs(json);
  ASSERT_EQ(pairs.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k)
    expect_pair_is_library(pairs[k], l.pairs[k], line + " pair " + std::to_string(k));
}

// Seeds 0 to 2 learn the task with an induction circuit (tests/ch12_training_test.cpp): the report
// says so, and the last layer's heads, on which LD is linear, get one score from every method:
// patching either way, attribution patching and IG are all the same first-order term.
TEST(LatentHeadsInduction, ALearnedCircuitAndTheLastLayerIsLinear) {
  for (const char* seed : {"0", "2"}) {
    std::string line;
    const latent::Json json = heads_json({"--induction", "--seed", seed}, line);
    ASSERT_FALSE(is_null(json)) << line;
    EXPECT_TRUE(boolean(at(json, {"training", "reached"}))) << line;
    EXPECT_GE(number_at(json, {"training", "accuracy"}), 0.99) << line;
    const latent::Json::Array* roles = at(json, {"roles"}).get<latent::Json::Array>();
    ASSERT_NE(roles, nullptr);
    ASSERT_EQ(roles->size(), 4u);
    const auto role = [&](std::size_t k) { return text((*roles)[k]); };
    EXPECT_TRUE(role(0) == "previous-token" || role(1) == "previous-token") << line;
    EXPECT_TRUE(role(2) == "induction" || role(3) == "induction") << line;
    for (const latent::Json& pair : measured_pairs(json)) {
      const std::vector<double> den = numbers_at(pair, {"denoising"}),
                                noise = numbers_at(pair, {"noising"}),
                                atp = numbers_at(pair, {"atp_denoising"}),
                                ig = numbers_at(pair, {"ig_base_corrupt", "shares"});
      ASSERT_EQ(den.size(), 4u);
      for (std::size_t k = 2; k < 4; ++k) {
        EXPECT_NEAR(noise.at(k), den[k], 1e-9) << line << " head 1." << k - 2;
        EXPECT_NEAR(atp.at(k), den[k], 1e-9) << line << " head 1." << k - 2;
        EXPECT_NEAR(ig.at(k), den[k], 1e-9) << line << " head 1." << k - 2;
      }
    }
  }
}

}  // namespace
