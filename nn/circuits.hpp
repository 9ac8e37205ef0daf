// Two hand-set attention circuits, where the heads' roles are known by construction: an OR of two
// redundant heads, and an AND of two heads that are only useful together.
//
// Both are two-layer attention-only transformers (nn::HookedTransformer, TransformerLens's
// conventions) on the vocabulary {BOS, A, B, C, D, F, G, Z}, eight positions, two heads of
// d_head = 8 per layer, and d_model = 40 cut into five subspaces of eight:
//
//   TOK  [0, 8)    the token, one-hot (W_E[t] = e_t)
//   POS  [8, 16)   the position, one-hot (W_pos[p])
//   PREV [16, 24)  where a previous-token head writes the token before this one
//   CUR  [24, 32)  where a current-token head writes this token
//   OUT  [32, 40)  what the unembedding reads: W_U[OUT + t, t] = 1, b_U = 0
//
// Layer 0's heads move tokens into PREV or CUR; head 1.0 is an induction head: from the last
// position (an A) it attends to the position after the earlier A, and copies that token (a B) into
// OUT with gain 10. Its attention scores also have a sink on BOS, score `sink`, which takes the
// attention when nothing else scores higher. Head 1.1 is all zero: a control that every method
// must score exactly 0. s = sqrt(d_head) below undoes TransformerLens's division of the scores.
//
//   previous-token head (layer 0)  W_Q[POS+p, p] = 20 s, W_K[POS+j, j+1] = 1: score 20 on key p-1;
//                                  W_V[TOK+t, t] = 1 (t >= 1), W_O[t, PREV+t] = 1
//   current-token head (layer 0)   the same with W_K[POS+p, p] = 1 (score 20 on key p) and
//                                  W_O[t, CUR+t] = 1
//   induction head 1.0             W_Q[source+t, t] = beta s, W_K[PREV+t, t] = 1 (t >= 1);
//                                  sink b_Q[0] = sink s, W_K[TOK+BOS, 0] = 1;
//                                  W_V[TOK+t, t] = 1, W_O[t, OUT+t] = 10
//
// OR: heads 0.0 and 0.1 are identical previous-token heads, and 1.0's query reads TOK with beta =
// 10 per copy: both copies score 20 on the key after the earlier A, one alone 10, against the sink
// 5, so either head suffices. AND: 0.0 is a previous-token head, 0.1 a current-token head,
// and 1.0's query reads CUR with beta = 20: the score is the product of the two heads' outputs (Q-
// and K-composition), so both are needed, against a sink of 10.
//
// The prompts: clean [BOS F G A B F G A], where the induction head predicts B; the OR corrupt
// prompt replaces the earlier A by C (no previous-token head finds it), the AND one also the last
// A by D. The metric is logit[B] - logit[Z] at the last position.
#pragma once

#include <cstddef>

#include "autodiff/tape.hpp"
#include "nn/sequential.hpp"
#include "nn/transformer.hpp"

namespace nn {

// The tokens.
inline constexpr std::size_t token_bos = 0, token_a = 1, token_b = 2, token_c = 3, token_d = 4,
                             token_f = 5, token_g = 6, token_z = 7;

// V = 8, T = 8, d_model = 40, d_head = 8, two heads, two layers.
TransformerConfig circuit_config();

// The induction head's scores: per previous-token copy in the OR model, and for the product of
// the two heads in the AND model; the sinks they are built with by default.
inline constexpr double or_score_per_copy = 10.0, and_score = 20.0;
inline constexpr double or_sink = 5.0, and_sink = 10.0;

// The circuits' parameters by TransformerLens's names (HookedTransformer::load_state_dict takes
// them), with the induction head's sink as given. Throws std::invalid_argument for a sink that is
// not finite.
StateDict or_heads_state_dict(double sink = or_sink);
StateDict and_heads_state_dict(double sink = and_sink);

// The models, their parameters created on `tape`.
HookedTransformer or_heads_model(autodiff::Tape& tape, double sink = or_sink);
HookedTransformer and_heads_model(autodiff::Tape& tape, double sink = and_sink);

// A clean prompt, its corrupt twin, and the two tokens of the logit difference at the last
// position (logit[correct] - logit[incorrect]).
struct PromptPair {
  Tokens clean, corrupt;
  std::size_t correct = token_b, incorrect = token_z;
};
PromptPair or_prompts();   // clean [BOS F G A B F G A], corrupt [BOS F G C B F G A]
PromptPair and_prompts();  // clean the same, corrupt [BOS F G C B F G D]

// Exercise 12.3: the sink that turns the OR model into an AND of its two redundant heads. One copy
// of the previous-token head gives the induction head a score of `score_per_copy`, two copies twice
// that; the sink returned lies between the two, as far from either, so that one copy alone loses
// the attention to BOS by as much as two copies win it. or_heads_model(tape,
// redundant_and_sink(or_score_per_copy)) is then an AND of heads 0.0 and 0.1. Throws
// std::invalid_argument for a score that is not finite and above 0.
double redundant_and_sink(double score_per_copy);

}  // namespace nn
