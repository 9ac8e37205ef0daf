// The softmax of one causal row of attention scores, on the tape and on plain numbers.
//
//   p_j = exp(s_j) / sum_k exp(s_k)
//
// taken stably: with m = max_j s_j, e_j = exp(s_j - m) and S = sum_j e_j, p_j = e_j / S. Every
// exponent is <= 0, so nothing overflows, and the largest term is exactly 1, so S >= 1 never
// underflows to 0: the row [1000, 0, -1000] gives [1, e^-1000, e^-2000] = [1, 0, 0], not NaN.
// Softmax is unchanged by a shift of all its inputs, so m is a plain number, not a node: the
// derivative does not depend on it.
//
// On the tape a row of k scores costs 3k - 1 nodes: k for the e_j (one node each, exp(s_j - m)
// with its local derivative e_j), k - 1 additions for S and k divisions (parents e_j and S,
// partials 1/S and -e_j/S^2). A row of one key gives p = 1 (with gradient 0).
//
// A score of -infinity is a key the query may not see: its probability is exactly 0. Errors
// (std::invalid_argument): an empty row, a row whose output has a different length, a score that
// is NaN or +infinity, or a row with no finite score.
#pragma once

#include <span>
#include <vector>

#include "autodiff/tape.hpp"

namespace nn {

// probabilities[j] = softmax(scores)[j], new nodes on the scores' tape.
void softmax_causal_row(std::span<const autodiff::Var> scores,
                        std::span<autodiff::Var> probabilities);
std::vector<autodiff::Var> softmax_causal_row(std::span<const autodiff::Var> scores);

// The same on numbers.
std::vector<double> softmax(std::span<const double> scores);

}  // namespace nn
