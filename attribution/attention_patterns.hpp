// What an attention head does, read off its attention pattern: the scores that name the heads of
// an induction circuit (as TransformerLens's demos and ARENA's detectors score them), and a role
// from those scores.
//
// `pattern` is one layer's blocks.L.attn.hook_pattern as the cache holds it: rows (b H + h) T + q,
// columns the key position, each causal row summing to 1 (T positions, H heads, B prompts). For
// head h, averaged over the prompts b:
//
//   previous_token   mean over queries p = 1..T-1 of pattern[p, p-1]   ("attends to the token
//   before") current_token    mean over queries p = 1..T-1 of pattern[p, p] bos              mean
//   over queries p = 1..T-1 of pattern[p, 0]     (a sink: attend to BOS when
//                                                                       there is nothing to find)
//   induction        pattern[T-1, k_b], k_b = induction_key[b]: how much the last query attends to
//                    the position after its earlier occurrence (the induction task's i + 1)
//
// Query 0 is left out of the first three: its one key is itself, a 1 that says nothing about the
// head. Query 1's previous token is BOS, so its pattern[1, 0] counts in both previous_token and
// bos (a previous-token head scores 1 / (T - 1) on bos); induction reads one row per prompt.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "nn/matrix.hpp"
#include "nn/transformer.hpp"

namespace attribution {

struct HeadPatternScores {
  double previous_token = 0, current_token = 0, bos = 0, induction = 0;
};

// One entry per head, h = 0..n_heads-1. Throws std::invalid_argument, naming the numbers, for
// n_heads == 0, no prompts (induction_key empty), fewer than 2 positions, a pattern whose rows are
// not induction_key.size() * n_heads * T (T = its columns), or an induction key >= T.
std::vector<HeadPatternScores> head_pattern_scores(const nn::Matrix<double>& pattern,
                                                   std::size_t n_heads,
                                                   std::span<const std::size_t> induction_key);

// The same for every layer of `model` run on `tokens` (result[L][h]), from the cache's
// blocks.L.attn.hook_pattern; run in chunks of 50 prompts, so the tape stays small, and left as it
// was. Throws std::invalid_argument as above, and when induction_key has not one entry per prompt.
std::vector<std::vector<HeadPatternScores>> head_pattern_scores(
    nn::HookedTransformer& model, const nn::Tokens& tokens,
    std::span<const std::size_t> induction_key);

enum class HeadRole { induction, previous_token, current_token, bos, none };
// "induction", "previous-token", "current-token", "BOS", "none".
const char* head_role_name(HeadRole role);

// Induction when its score reaches the threshold: it is the most specific (an induction head
// attends to BOS elsewhere, so its bos score is high too). Otherwise the largest of previous_token,
// current_token and bos if it reaches the threshold (ties in that order), else none. Throws
// std::invalid_argument for a threshold outside (0, 1] or NaN.
HeadRole head_role(const HeadPatternScores& scores, double threshold = 0.5);

}  // namespace attribution
