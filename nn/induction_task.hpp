// The toy induction task a two-layer attention-only transformer learns: "after the query's earlier
// occurrence came X, so predict X".
//
// Vocabulary (d_vocab 9): token 0 is BOS, tokens 1..8 are the letters A..H. A prompt is n_ctx = 8
// tokens:
//
//   position  0    1   2   3   4   5   6   7
//   token     BOS  c1  c2  c3  c4  c5  c6  q        q = c_i, i uniform in [1, 5]
//
// c1..c6 are 6 distinct letters in a random order and the target is c_{i+1}, the token at position
// i + 1; the loss is read at the last position only. Because i is random, no head attending at a
// fixed offset can solve it: the model must find where q appeared before (a previous-token head in
// layer 0 writes "my previous token was c_i" at position i + 1, an induction head in layer 1 lets
// the query attend to it) and copy that token. i stops at 5 so that c_{i+1} exists.
//
// Each prompt draws, in this order, from the generator: randperm(8) (its first 6 entries + 1 are
// c1..c6, its last two + 1 the unused letters u1, u2), randint(5) (i - 1) and randint(4) (the
// incorrect answer's index, below). Every function here draws exactly that per prompt, so one
// seed gives the same clean prompts to batch() and to pairs() of either corruption.
//
// Corruptions, for patching (clean and corrupt differ only at the positions named):
//   key            position i (the earlier c_i) becomes u1: the query's earlier occurrence is gone
//   key_and_query  also position 7 (the query) becomes u2, a letter the prompt never had
// The metric is the logit difference at the last position between `correct` = c_{i+1} and
// `incorrect` = c_{j+1} for a j != i in [1, 5], drawn uniformly: another letter of the prompt that
// follows a letter, so that the difference asks "the right one of the candidates" rather than
// "any letter of the prompt".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nn/matrix.hpp"
#include "nn/random.hpp"

namespace nn::induction {

inline constexpr std::size_t bos = 0;
inline constexpr std::size_t letters = 8;  // A..H, tokens 1..8
inline constexpr std::size_t d_vocab = letters + 1;
inline constexpr std::size_t prompt_letters = 6;  // c1..c6
inline constexpr std::size_t n_ctx = prompt_letters + 2;
inline constexpr std::size_t query_position = n_ctx - 1;
inline constexpr std::size_t max_query_index = prompt_letters - 1;  // i in [1, 5]

// "BOS", "A".."H"; throws std::invalid_argument for a token >= d_vocab.
std::string token_name(std::size_t token);
// A prompt's tokens by name, space-separated: "BOS F G A B C D A".
std::string prompt_string(const Matrix<std::size_t>& tokens, std::size_t row);

struct Batch {
  Matrix<std::size_t> tokens;            // batch x n_ctx
  std::vector<std::size_t> targets;      // c_{i+1} per row
  std::vector<std::size_t> query_index;  // i per row: the query's earlier position
};
// `count` prompts, as described above. Throws std::invalid_argument for count == 0.
Batch batch(std::size_t count, Generator& generator);

enum class Corruption { key, key_and_query };
const char* corruption_name(Corruption corruption);  // "K", "KQ"

struct Pairs {
  Matrix<std::size_t> clean, corrupt;  // count x n_ctx each
  std::vector<std::size_t> correct, incorrect;
  std::vector<std::size_t> query_index;
};
// `count` clean prompts and their corrupted copies. Throws std::invalid_argument for count == 0.
Pairs pairs(std::size_t count, Corruption corruption, Generator& generator);

}  // namespace nn::induction
