// Chapter 12's exercises.
//
// 12.1, the stable softmax of a causal row on the tape (nn::softmax_causal_row). Checked against
// PyTorch's torch.softmax (tests/reference_transformer.hpp, to 1e-15), the closed forms of the
// extreme rows, central differences and the node count 3k - 1.
//
// 12.2, attribution::patch_head: on the hand-set OR circuit (nn/circuits.hpp) a patched head
// takes the source run's hook_z at exactly the entries asked for, and moves the metric by what
// PyTorch measures for the same patch (tests/reference_heads.py).
// 12.3, nn::redundant_and_sink: the sink that turns the OR circuit's two redundant heads into an
// AND, checked by what it must do (one copy loses to the sink by as much as two copies win) and by
// the circuit it gives: denoising about 0.0067 per head, noising about 0.9933, IG 0.5 each, as
// PyTorch measures for sink 15. Its tests patch with nn::patch_activation, not patch_head, so
// that they do not depend on exercise 12.2.
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "attribution/heads.hpp"
#include "autodiff/gradcheck.hpp"
#include "autodiff/operations.hpp"
#include "autodiff/tape.hpp"
#include "nn/circuits.hpp"
#include "nn/hooks.hpp"
#include "nn/softmax.hpp"
#include "nn/transformer.hpp"
#include "tests/reference_heads.hpp"
#include "tests/reference_transformer.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using autodiff::Var;

std::vector<Var> leaves(autodiff::Tape& tape, const std::vector<double>& values) {
  std::vector<Var> result;
  for (double v : values) result.push_back(tape.variable(v));
  return result;
}

TEST(Ch12Ex1Softmax, MatchesPyTorchRows) {
  for (const auto& row : reference_transformer::softmax_rows) {
    autodiff::Tape tape;
    const std::vector<Var> p = nn::softmax_causal_row(leaves(tape, row.scores));
    ASSERT_EQ(p.size(), row.probabilities.size());
    for (std::size_t j = 0; j < p.size(); ++j)
      EXPECT_NEAR(p[j].value(), row.probabilities[j], 1e-15) << row.scores.size() << " keys, " << j;
  }
}

// [1000, 0, -1000]: exp(1000) overflows, so the naive form gives inf / inf = NaN; the stable one
// gives [1, e^-1000, e^-2000], which is [1, 0, 0] in doubles, and gradients that are numbers.
TEST(Ch12Ex1Softmax, LargeScoresGiveNoNaN) {
  autodiff::Tape tape;
  const std::vector<Var> s = leaves(tape, {1000.0, 0.0, -1000.0});
  const std::vector<Var> p = nn::softmax_causal_row(s);
  EXPECT_EQ(p[0].value(), 1.0);
  EXPECT_EQ(p[1].value(), 0.0);
  EXPECT_EQ(p[2].value(), 0.0);
  p[0].backward();
  for (const Var& x : s) EXPECT_TRUE(std::isfinite(x.grad()));
  // d p_0 / d s_0 = p_0 (1 - p_0) = 0 here.
  EXPECT_EQ(s[0].grad(), 0.0);
}

TEST(Ch12Ex1Softmax, OneKeyGivesOne) {
  autodiff::Tape tape;
  const std::vector<Var> s = leaves(tape, {-7.5});
  const std::vector<Var> p = nn::softmax_causal_row(s);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].value(), 1.0);
  p[0].backward();
  EXPECT_EQ(s[0].grad(), 0.0);  // p = 1 whatever the score
}

// A masked key (-inf) gets probability exactly 0, the others the softmax of the rest.
TEST(Ch12Ex1Softmax, MinusInfinityIsAKeyNotSeen) {
  autodiff::Tape tape;
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Var> p = nn::softmax_causal_row(leaves(tape, {0.0, -inf, std::log(3.0)}));
  EXPECT_NEAR(p[0].value(), 0.25, 1e-15);
  EXPECT_EQ(p[1].value(), 0.0);
  EXPECT_NEAR(p[2].value(), 0.75, 1e-15);
}

// Each p_j against central differences, and a weighted sum of all of them, on a row of 4.
TEST(Ch12Ex1Softmax, GradientsMatchFiniteDifferences) {
  const std::vector<double> scores = {0.5, -1.25, 2.0, 0.3};
  for (std::size_t j = 0; j < scores.size(); ++j) {
    const auto result = autodiff::gradcheck(
        [j](std::span<const Var> s) { return nn::softmax_causal_row(s)[j]; }, scores);
    EXPECT_TRUE(result.passed) << "p_" << j << ": worst " << result.worst_relative_error;
  }
  const auto weighted = autodiff::gradcheck(
      [](std::span<const Var> s) {
        const std::vector<Var> p = nn::softmax_causal_row(s);
        return p[0] * 1.5 + p[1] * (-2.0) + p[2] * 0.25 + p[3] * 3.0;
      },
      scores);
  EXPECT_TRUE(weighted.passed) << weighted.worst_relative_error;
}

// k exponentials, k - 1 additions, k divisions.
TEST(Ch12Ex1Softmax, RowOfKKeysCostsThreeKMinusOneNodes) {
  for (std::size_t k = 1; k <= 6; ++k) {
    autodiff::Tape tape;
    std::vector<double> values;
    for (std::size_t j = 0; j < k; ++j) values.push_back(0.3 * static_cast<double>(j) - 0.5);
    const std::vector<Var> s = leaves(tape, values);
    const std::size_t before = tape.size();
    nn::softmax_causal_row(s);
    EXPECT_EQ(tape.size() - before, 3 * k - 1) << k << " keys";
  }
}

using attribution::LogitDifference;
using test_support::contains;
using test_support::invalid_argument_message;

const LogitDifference metric{nn::token_b, nn::token_z};
const std::string z0 = nn::hook_name(0, "attn.hook_z");

// ---- 12.2 ---------------------------------------------------------------------------------------

TEST(Ch12Ex2PatchHead, ReplacesOnlyTheHeadsEntriesAtThePosition) {
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::or_heads_model(tape);
  const nn::PromptPair p = nn::or_prompts();
  const nn::Matrix<double> clean = model.run_with_cache(p.clean).cache[z0];
  const nn::Matrix<double> corrupt = model.run_with_cache(p.corrupt).cache[z0];
  const attribution::ZShape shape = attribution::z_shape(model.config(), p.corrupt);
  for (const std::optional<std::size_t> position : {std::optional<std::size_t>(4), {}}) {
    const nn::Matrix<double> patched =
        model.run_with_cache(p.corrupt, {{z0, attribution::patch_head(shape, 1, position, clean)}})
            .cache[z0];
    for (std::size_t row = 0; row < 8; ++row)
      for (std::size_t col = 0; col < 16; ++col) {
        const bool replaced = col >= 8 && (!position || row == *position);
        EXPECT_EQ(patched(row, col), replaced ? clean(row, col) : corrupt(row, col))
            << "hook_z(" << row << ", " << col << ")";
      }
  }
}

TEST(Ch12Ex2PatchHead, DenoisingOnePreviousTokenHeadAtPosition4) {
  autodiff::Tape tape;
  nn::HookedTransformer model = nn::or_heads_model(tape);
  const nn::PromptPair p = nn::or_prompts();
  const double gap = reference_heads::or_circuit.m_clean - reference_heads::or_circuit.m_corrupt;
  for (std::size_t head = 0; head < 2; ++head) {
    const double m = attribution::metric_with_head_patched(model, p.corrupt, p.clean, metric, 0,
                                                           head, std::size_t{4});
    const double score = (m - reference_heads::or_circuit.m_corrupt) / gap;
    EXPECT_NEAR(score, reference_heads::or_circuit.denoising_by_pos[0][4][head], 1e-12);
    EXPECT_NEAR(score, 0.992994, 5e-7);
    // Elsewhere both prompts have the same previous token: no effect beyond e^-20 leakage.
    for (std::size_t pos : {0u, 1u, 2u, 3u, 5u, 6u, 7u}) {
      const double elsewhere =
          attribution::metric_with_head_patched(model, p.corrupt, p.clean, metric, 0, head, pos);
      EXPECT_NEAR(elsewhere, reference_heads::or_circuit.m_corrupt, 1e-9) << "position " << pos;
    }
  }
}

TEST(Ch12Ex2PatchHead, ShapeErrorsAreNamed) {
  const attribution::ZShape shape{1, 8, 2, 8};
  const nn::Matrix<double> source(8, 16);
  EXPECT_TRUE(contains(
      invalid_argument_message([&] { attribution::patch_head(shape, 2, std::nullopt, source); }),
      "head 2 of a layer of 2 heads"));
  EXPECT_TRUE(contains(
      invalid_argument_message([&] { attribution::patch_head(shape, 0, std::size_t{8}, source); }),
      "position 8 of a prompt of 8 positions"));
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         attribution::patch_head(shape, 0, std::nullopt, nn::Matrix<double>(8, 8));
                       }),
                       "the source is 8 x 8"));
}

// ---- 12.3 ---------------------------------------------------------------------------------------

TEST(Ch12Ex3RedundantAndSink, AsFarFromOneCopyAsFromTwo) {
  for (const double score : {10.0, 4.0, 16.5}) {
    const double sink = nn::redundant_and_sink(score);
    EXPECT_GT(sink, score);
    EXPECT_LT(sink, 2 * score);
    EXPECT_NEAR(sink - score, 2 * score - sink, 1e-12 * score) << "score per copy " << score;
  }
}

// m of the corrupt prompt with layer 0's head `head` (all positions) from the clean run.
double denoise_head(nn::HookedTransformer& model, const nn::PromptPair& p, std::size_t head) {
  const nn::Matrix<double> clean = model.run_with_cache(p.clean).cache[z0];
  nn::Matrix<double> source = model.run_with_cache(p.corrupt).cache[z0];
  for (std::size_t row = 0; row < source.rows(); ++row)
    for (std::size_t e = 0; e < 8; ++e) source(row, head * 8 + e) = clean(row, head * 8 + e);
  return attribution::logit_difference(
      model.run_with_cache(p.corrupt, {{z0, nn::patch_activation(source)}}).logits, metric);
}

double noise_head(nn::HookedTransformer& model, const nn::PromptPair& p, std::size_t head) {
  return denoise_head(model, {p.corrupt, p.clean, p.correct, p.incorrect}, head);
}

TEST(Ch12Ex3RedundantAndSink, TurnsTheOrCircuitIntoAnAnd) {
  autodiff::Tape tape;
  nn::HookedTransformer model =
      nn::or_heads_model(tape, nn::redundant_and_sink(nn::or_score_per_copy));
  const nn::PromptPair p = nn::or_prompts();
  const auto& ref = reference_heads::threshold_circuit;
  const double m_clean = attribution::logit_difference(model.predict(p.clean), metric);
  const double m_corrupt = attribution::logit_difference(model.predict(p.corrupt), metric);
  EXPECT_NEAR(m_clean, ref.m_clean, 1e-12);
  EXPECT_NEAR(m_corrupt, ref.m_corrupt, 1e-12);
  const double gap = m_clean - m_corrupt;
  for (std::size_t head = 0; head < 2; ++head) {
    const double denoising = (denoise_head(model, p, head) - m_corrupt) / gap;
    const double noising = (m_clean - noise_head(model, p, head)) / gap;
    EXPECT_NEAR(denoising, ref.denoising[0][head], 1e-12);
    EXPECT_NEAR(noising, ref.noising[0][head], 1e-12);
    EXPECT_NEAR(denoising, 0.0067, 1e-4);
    EXPECT_NEAR(noising, 0.9933, 1e-4);
  }
  // IG with either base still splits evenly: it sees both heads of an AND as of an OR.
  for (const bool base_corrupt : {true, false}) {
    const auto ig =
        base_corrupt ? attribution::study_integrated_gradients(model, p.corrupt, p.clean, metric)
                     : attribution::study_integrated_gradients(model, p.clean, p.corrupt, metric);
    EXPECT_NEAR(ig.shares(0, 0), 0.5, 1e-6);
    EXPECT_NEAR(ig.shares(0, 1), 0.5, 1e-6);
  }
}

}  // namespace
