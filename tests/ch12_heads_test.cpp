// Chapter 12's per-head measurements on the hand-set OR and AND circuits (nn/circuits.hpp), where
// every head's role is known by construction. Three kinds of check: the circuits worked by hand
// (the induction head's softmax over its sink and the key after the earlier A), PyTorch's numbers
// for the same weights (tests/reference_heads.py, float64; agreement to 1e-12 for patching, 1e-10
// for IG, whose Gauss-Legendre nodes come from numpy there), and invariants (completeness, the
// symmetry of two identical heads, an all-zero head scoring exactly 0, attribution patching exact
// where the metric is linear).
#include <cmath>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "attribution/heads.hpp"
#include "autodiff/tape.hpp"
#include "nn/circuits.hpp"
#include "nn/transformer.hpp"
#include "tests/reference_heads.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using attribution::HeadPatching;
using attribution::LogitDifference;
using test_support::contains;
using test_support::invalid_argument_message;

constexpr double torch_tolerance = 1e-12;  // patching: a few roundings of numbers near 10
constexpr double ig_tolerance = 1e-10;     // also numpy's Gauss-Legendre nodes against ours
// The previous-token heads leak e^-20 of their attention to other keys; a hand-worked number that
// ignores it is off by about 1e-8.
constexpr double leak_tolerance = 1e-7;

const LogitDifference metric{nn::token_b, nn::token_z};

void expect_grid(const nn::Matrix<double>& actual, const double (&expected)[2][2], double tolerance,
                 const char* what) {
  ASSERT_EQ(actual.rows(), 2u);
  ASSERT_EQ(actual.cols(), 2u);
  for (std::size_t l = 0; l < 2; ++l)
    for (std::size_t h = 0; h < 2; ++h)
      EXPECT_NEAR(actual(l, h), expected[l][h], tolerance) << what << " of head " << l << "." << h;
}

void expect_by_position(const nn::Matrix<double>& actual, const double (&expected)[2][8][2],
                        const char* what) {
  ASSERT_EQ(actual.rows(), 16u);
  ASSERT_EQ(actual.cols(), 2u);
  for (std::size_t l = 0; l < 2; ++l)
    for (std::size_t p = 0; p < 8; ++p)
      for (std::size_t h = 0; h < 2; ++h)
        EXPECT_NEAR(actual(l * 8 + p, h), expected[l][p][h], torch_tolerance)
            << what << " at (" << l << ", " << p << ", " << h << ")";
}

// The induction head's attention from the last position onto position 4 (the B after the earlier
// A).
double attention_on_4(nn::HookedTransformer& model, const nn::Tokens& tokens) {
  const auto run = model.run_with_cache(tokens);
  // hook_pattern rows (b*H + h)*T + q: head 0 of layer 1, query 7.
  return run.cache[nn::hook_name(1, "attn.hook_pattern")](7, 4);
}

// ---- the circuits, by hand and against PyTorch
// ---------------------------------------------------

TEST(Ch12Circuits, StateDictsLoadIntoTheModelByName) {
  autodiff::Tape tape;
  for (const nn::StateDict& state : {nn::or_heads_state_dict(), nn::and_heads_state_dict()}) {
    nn::HookedTransformer model = nn::or_heads_model(tape);
    model.load_state_dict(state);
    EXPECT_EQ(model.state_dict(), state);
  }
  EXPECT_NE(nn::or_heads_state_dict(5.0), nn::or_heads_state_dict(15.0));
  EXPECT_TRUE(contains(invalid_argument_message([] { nn::or_heads_state_dict(NAN); }), "sink"));
}

TEST(Ch12Circuits, LogitDifferencesWorkedByHand) {
  // OR: the induction head scores 10 per previous-token copy on position 4, 5 on the BOS sink and 0
  // elsewhere; m = 10 * its attention on position 4 (the only B; nothing writes Z).
  const double e = std::exp(1.0);
  autodiff::Tape tape;
  nn::HookedTransformer or_model = nn::or_heads_model(tape);
  const nn::PromptPair p = nn::or_prompts();
  const auto m = [&](nn::HookedTransformer& model, const nn::Tokens& tokens) {
    return attribution::logit_difference(model.predict(tokens), metric);
  };
  EXPECT_NEAR(m(or_model, p.clean), 10 * std::pow(e, 20) / (std::pow(e, 20) + std::pow(e, 5) + 6),
              leak_tolerance);
  EXPECT_NEAR(m(or_model, p.corrupt), 10 / (std::pow(e, 5) + 7), leak_tolerance);
  EXPECT_NEAR(m(or_model, p.clean), reference_heads::or_circuit.m_clean, torch_tolerance);
  EXPECT_NEAR(m(or_model, p.corrupt), reference_heads::or_circuit.m_corrupt, torch_tolerance);
  // AND: the product of the two heads scores 20, against the sink 10.
  nn::HookedTransformer and_model = nn::and_heads_model(tape);
  const nn::PromptPair q = nn::and_prompts();
  EXPECT_NEAR(m(and_model, q.clean), 10 * std::pow(e, 20) / (std::pow(e, 20) + std::pow(e, 10) + 6),
              leak_tolerance);
  EXPECT_NEAR(m(and_model, q.corrupt), 10 / (std::pow(e, 10) + 7), leak_tolerance);
  EXPECT_NEAR(m(and_model, q.clean), reference_heads::and_circuit.m_clean, torch_tolerance);
  EXPECT_NEAR(m(and_model, q.corrupt), reference_heads::and_circuit.m_corrupt, torch_tolerance);
}

TEST(Ch12Circuits, InductionHeadAttendsToTheTokenAfterTheEarlierA) {
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::or_heads_model(tape);
  const nn::PromptPair p = nn::or_prompts();
  EXPECT_NEAR(attention_on_4(model, p.clean), 1.000000, 5e-7);
  EXPECT_NEAR(attention_on_4(model, p.corrupt), 0.006434, 5e-7);
  EXPECT_NEAR(attention_on_4(model, p.clean), reference_heads::or_circuit.attention_clean,
              torch_tolerance);
  EXPECT_NEAR(attention_on_4(model, p.corrupt), reference_heads::or_circuit.attention_corrupt,
              torch_tolerance);
}

// ---- activation patching per head ---------------------------------------------------------------

TEST(Ch12HeadsOr, EitherPreviousTokenHeadSufficesAndNeitherIsNecessary) {
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::or_heads_model(tape);
  const auto both = attribution::patch_heads_both_directions(model, nn::or_prompts());
  const auto& ref = reference_heads::or_circuit;
  expect_grid(both.denoising.scores, ref.denoising, torch_tolerance, "denoising");
  expect_grid(both.noising.scores, ref.noising, torch_tolerance, "noising");
  for (std::size_t h = 0; h < 2; ++h) {
    EXPECT_NEAR(both.denoising.scores(0, h), 0.992994, 5e-7);
    EXPECT_NEAR(both.noising.scores(0, h), 0.007006, 5e-7);
    EXPECT_LT(both.noising.scores(0, h), 0.01);
  }
  // 1.0 carries the whole effect (it is the last layer's only live head); 1.1 is all zero.
  EXPECT_NEAR(both.denoising.scores(1, 0), 1.0, torch_tolerance);
  EXPECT_NEAR(both.noising.scores(1, 0), 1.0, torch_tolerance);
  EXPECT_EQ(both.denoising.scores(1, 1), 0.0);
  EXPECT_EQ(both.noising.scores(1, 1), 0.0);
  EXPECT_EQ(both.denoising.f_base, both.noising.f_source);
  // Chapter 5's asymmetry: denoising sees them, noising does not, as for chapter 6's OR.
  const auto asymmetry = attribution::head_asymmetry(both);
  ASSERT_EQ(asymmetry.size(), 4u);
  for (std::size_t h = 0; h < 2; ++h) {
    ASSERT_TRUE(asymmetry[h].has_value());
    EXPECT_NEAR(*asymmetry[h], (0.007006 - 0.992994) / 0.992994, 1e-6);
  }
  EXPECT_FALSE(asymmetry[3].has_value());  // the zero head: nothing to compare
}

TEST(Ch12HeadsAnd, BothHeadsAreNecessaryAndNeitherSuffices) {
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::and_heads_model(tape);
  const auto both = attribution::patch_heads_both_directions(model, nn::and_prompts());
  const auto& ref = reference_heads::and_circuit;
  expect_grid(both.denoising.scores, ref.denoising, torch_tolerance, "denoising");
  expect_grid(both.noising.scores, ref.noising, torch_tolerance, "noising");
  for (std::size_t h = 0; h < 2; ++h) {
    EXPECT_LT(std::fabs(both.denoising.scores(0, h)), 1e-3);
    EXPECT_NEAR(both.noising.scores(0, h), 1.0, 1e-6);
  }
  EXPECT_NEAR(both.denoising.scores(1, 0), 1.0, torch_tolerance);
  EXPECT_EQ(both.noising.scores(1, 1), 0.0);
  const auto asymmetry = attribution::head_asymmetry(both);
  for (std::size_t h = 0; h < 2; ++h) EXPECT_NEAR(asymmetry[h].value_or(0.0), 1.0, 1e-3);
}

TEST(Ch12HeadsByPosition, OnlyThePositionsThatCarryTheTokensMatter) {
  autodiff::Tape tape;
  nn::HookedTransformer or_model = nn::or_heads_model(tape);
  const auto o = attribution::patch_heads_by_position_both_directions(or_model, nn::or_prompts());
  expect_by_position(o.denoising.scores, reference_heads::or_circuit.denoising_by_pos, "OR den");
  expect_by_position(o.noising.scores, reference_heads::or_circuit.noising_by_pos, "OR noise");
  // Layer 0: only position 4 (whose previous token is the corrupted one), both heads.
  for (std::size_t p = 0; p < 8; ++p)
    for (std::size_t h = 0; h < 2; ++h) {
      if (p == 4) {
        EXPECT_NEAR(o.denoising.scores(p, h), 0.992994, 5e-7);
      } else {
        EXPECT_LT(std::fabs(o.denoising.scores(p, h)), 1e-9) << "OR (0, " << p << ", " << h << ")";
        EXPECT_LT(std::fabs(o.noising.scores(p, h)), 1e-9) << "OR (0, " << p << ", " << h << ")";
      }
    }
  nn::HookedTransformer and_model = nn::and_heads_model(tape);
  const auto a = attribution::patch_heads_by_position_both_directions(and_model, nn::and_prompts());
  expect_by_position(a.denoising.scores, reference_heads::and_circuit.denoising_by_pos, "AND den");
  expect_by_position(a.noising.scores, reference_heads::and_circuit.noising_by_pos, "AND noise");
  // The previous-token head at 4 (it reads the earlier A) and the current-token head at 7 (the
  // last A): each necessary, neither sufficient.
  for (std::size_t p = 0; p < 8; ++p)
    for (std::size_t h = 0; h < 2; ++h) {
      const bool carries = (p == 4 && h == 0) || (p == 7 && h == 1);
      if (carries) {
        EXPECT_NEAR(a.noising.scores(p, h), 1.0, 1e-6) << "AND (0, " << p << ", " << h << ")";
      } else {
        EXPECT_LT(std::fabs(a.noising.scores(p, h)), 1e-9) << "AND (0, " << p << ", " << h << ")";
      }
      EXPECT_LT(std::fabs(a.denoising.scores(p, h)), 1e-3);
    }
  // Layer 1: the induction head at the last position, the only one the metric reads.
  EXPECT_NEAR(a.denoising.scores(8 + 7, 0), 1.0, torch_tolerance);
  EXPECT_EQ(a.denoising.scores(8 + 3, 0), 0.0);
}

// ---- attribution patching -----------------------------------------------------------------------

TEST(Ch12AttributionPatching, MatchesPyTorchAndIsExactWhereTheMetricIsLinear) {
  autodiff::Tape tape;
  for (const bool is_or : {true, false}) {
    nn::HookedTransformer model = is_or ? nn::or_heads_model(tape) : nn::and_heads_model(tape);
    const nn::PromptPair p = is_or ? nn::or_prompts() : nn::and_prompts();
    const auto& ref = is_or ? reference_heads::or_circuit : reference_heads::and_circuit;
    const HeadPatching denoising =
        attribution::attribution_patching_heads(model, p.corrupt, p.clean, metric);
    const HeadPatching noising =
        attribution::attribution_patching_heads(model, p.clean, p.corrupt, metric);
    expect_grid(denoising.scores, ref.atp_denoising, torch_tolerance, "AtP denoising");
    expect_grid(noising.scores, ref.atp_noising, torch_tolerance, "AtP noising");
    // m is linear in layer 1's z (it is the last layer, and the unembedding is linear), so the
    // first-order estimate is the patching difference itself.
    const HeadPatching exact = attribution::patch_heads(model, p.corrupt, p.clean, metric);
    for (std::size_t h = 0; h < 2; ++h)
      EXPECT_NEAR(denoising.differences(1, h), exact.differences(1, h), torch_tolerance);
    // Its closed form: dm/dz of head 1.0 is 10 (W_O's gain) at d_head entry B and -10 at Z, at
    // the last position only, so the estimate is 10 (dz_B - dz_Z) there.
    const auto z_clean = model.run_with_cache(p.clean).cache[nn::hook_name(1, "attn.hook_z")];
    const auto z_corrupt = model.run_with_cache(p.corrupt).cache[nn::hook_name(1, "attn.hook_z")];
    const double closed_form = 10 * ((z_corrupt(7, nn::token_b) - z_clean(7, nn::token_b)) -
                                     (z_corrupt(7, nn::token_z) - z_clean(7, nn::token_z)));
    EXPECT_NEAR(denoising.differences(1, 0), closed_form, torch_tolerance);
  }
}

// ---- the study's integrated gradients -----------------------------------------------------------

void expect_study_ig(bool is_or) {
  autodiff::Tape tape;
  nn::HookedTransformer model = is_or ? nn::or_heads_model(tape) : nn::and_heads_model(tape);
  const nn::PromptPair p = is_or ? nn::or_prompts() : nn::and_prompts();
  const auto& ref = is_or ? reference_heads::or_circuit : reference_heads::and_circuit;
  const auto base_corrupt =
      attribution::study_integrated_gradients(model, p.corrupt, p.clean, metric);
  const auto base_clean =
      attribution::study_integrated_gradients(model, p.clean, p.corrupt, metric);
  expect_grid(base_corrupt.shares, ref.ig_base_corrupt, ig_tolerance, "IG base corrupt");
  expect_grid(base_clean.shares, ref.ig_base_clean, ig_tolerance, "IG base clean");
  for (const auto* ig : {&base_corrupt, &base_clean}) {
    EXPECT_EQ(ig->n_steps, 50);
    EXPECT_EQ(ig->method, attribution::Method::gausslegendre);
    // Two heads moved together, with the circuit symmetric in their roles: equal shares.
    EXPECT_NEAR(ig->shares(0, 0), ig->shares(0, 1), 1e-12);
    EXPECT_NEAR(ig->shares(0, 0), 0.5, 1e-6);
    EXPECT_NEAR(ig->shares(1, 0), 1.0, 1e-9);
    EXPECT_EQ(ig->shares(1, 1), 0.0);
    // Completeness, layer by layer: the heads add up to the layer's full patch, up to the rule's
    // error (Gauss-Legendre 50 misses the AND's sharper integrand by 3e-8 of a gap of 10).
    ASSERT_EQ(ig->convergence_delta.size(), 2u);
    for (std::size_t l = 0; l < 2; ++l) {
      EXPECT_LT(std::fabs(ig->convergence_delta[l]), 1e-7) << "layer " << l;
      EXPECT_NEAR(
          ig->convergence_delta[l],
          ig->attributions(l, 0) + ig->attributions(l, 1) - (ig->f_layer_patched[l] - ig->f_base),
          1e-12);
    }
  }
  // With twice the nodes the rule's error is below rounding: completeness itself.
  const auto fine = attribution::study_integrated_gradients(model, p.corrupt, p.clean, metric, 100);
  for (std::size_t l = 0; l < 2; ++l) EXPECT_LT(std::fabs(fine.convergence_delta[l]), 1e-12);
  EXPECT_EQ(base_corrupt.f_base, base_clean.f_other);
}

TEST(Ch12StudyIntegratedGradients, OrHeadsShareEvenlyAndComplete) { expect_study_ig(true); }
TEST(Ch12StudyIntegratedGradients, AndHeadsShareEvenlyAndComplete) { expect_study_ig(false); }

TEST(Ch12StudyIntegratedGradients, CompletenessHoldsForAnyRuleAndSteps) {
  // A coarse rule misses the integral, and convergence_delta says by how much: it is the sum of
  // the attributions minus the layer's full patch, exactly.
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::or_heads_model(tape);
  const nn::PromptPair p = nn::or_prompts();
  const auto ig = attribution::study_integrated_gradients(model, p.corrupt, p.clean, metric, 3,
                                                          attribution::Method::riemann_left);
  EXPECT_GT(std::fabs(ig.convergence_delta[0]), 1e-3);
  EXPECT_NEAR(ig.convergence_delta[0],
              ig.attributions(0, 0) + ig.attributions(0, 1) - (ig.f_layer_patched[0] - ig.f_base),
              1e-12);
  // Layer 1 is linear in its z: every rule is exact there.
  EXPECT_LT(std::fabs(ig.convergence_delta[1]), 1e-12);
}

TEST(Ch12HeadTable, EachColumnIsItsMeasurement) {
  // Which base each column runs: the table must not swap the directions.
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::and_heads_model(tape);
  const attribution::HeadTable t = attribution::measure_heads(model, nn::and_prompts());
  const auto& ref = reference_heads::and_circuit;
  expect_grid(t.patching.denoising.scores, ref.denoising, torch_tolerance, "denoising");
  expect_grid(t.patching.noising.scores, ref.noising, torch_tolerance, "noising");
  expect_grid(t.atp_denoising.scores, ref.atp_denoising, torch_tolerance, "AtP denoising");
  expect_grid(t.atp_noising.scores, ref.atp_noising, torch_tolerance, "AtP noising");
  expect_grid(t.ig_base_corrupt.shares, ref.ig_base_corrupt, ig_tolerance, "IG base corrupt");
  expect_grid(t.ig_base_clean.shares, ref.ig_base_clean, ig_tolerance, "IG base clean");
  EXPECT_NEAR(t.ig_base_corrupt.f_base, ref.m_corrupt, torch_tolerance);
  EXPECT_EQ(t.asymmetry.size(), 4u);
}

// ---- bookkeeping and errors ---------------------------------------------------------------------

TEST(Ch12Heads, LeaveTheTapeAndTheGradientsAsFound) {
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::or_heads_model(tape);
  const nn::PromptPair p = nn::or_prompts();
  const std::size_t size = tape.size();
  const autodiff::Var w = model.parameters().front();
  tape.at(w).grad = 0.25;
  attribution::attribution_patching_heads(model, p.clean, p.corrupt, metric);
  attribution::study_integrated_gradients(model, p.clean, p.corrupt, metric, 2);
  attribution::patch_heads(model, p.clean, p.corrupt, metric);
  EXPECT_EQ(tape.size(), size);
  EXPECT_EQ(w.grad(), 0.25);
}

TEST(Ch12Heads, BadInputIsNamed) {
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::or_heads_model(tape);
  const nn::PromptPair p = nn::or_prompts();
  EXPECT_TRUE(contains(
      invalid_argument_message([&] { attribution::patch_heads(model, p.clean, p.clean, metric); }),
      "no gap"));
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         attribution::study_integrated_gradients(model, p.clean, p.clean, metric);
                       }),
                       "no gap"));
  const nn::Tokens two_rows{{0, 1, 2}, {0, 1, 2}};
  EXPECT_TRUE(contains(invalid_argument_message(
                           [&] { attribution::patch_heads(model, two_rows, p.corrupt, metric); }),
                       "one prompt"));
  const nn::Tokens shorter{{0, 5, 6, 1}};
  EXPECT_TRUE(contains(
      invalid_argument_message([&] { attribution::patch_heads(model, p.clean, shorter, metric); }),
      "8 positions but the source prompt 4"));
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         attribution::patch_heads(model, p.clean, p.corrupt, {nn::token_b, 8});
                       }),
                       "incorrect token 8"));
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         attribution::metric_with_head_patched(model, p.corrupt, p.clean, metric, 2,
                                                               0);
                       }),
                       "layer 2 of a model of 2 layers"));
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         attribution::metric_with_head_patched(model, p.corrupt, p.clean, metric, 0,
                                                               2);
                       }),
                       "head 2"));
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         attribution::metric_with_head_patched(model, p.corrupt, p.clean, metric, 0,
                                                               0, 8);
                       }),
                       "position 8 of a prompt of 8 positions"));
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         attribution::study_integrated_gradients(model, p.clean, p.corrupt, metric,
                                                                 0);
                       }),
                       "n_steps"));
}

}  // namespace
