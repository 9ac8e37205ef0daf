#include "nn/softmax.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "autodiff/operations.hpp"

namespace nn {

using autodiff::Var;

namespace {

// The largest score, after checking the row: the shift that keeps every exponent <= 0.
template <class Score, class Value>
double checked_max(std::span<const Score> scores, Value value) {
  if (scores.empty()) throw std::invalid_argument("softmax: the row has no scores");
  double m = -std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < scores.size(); ++j) {
    const double s = value(scores[j]);
    if (std::isnan(s) || s == std::numeric_limits<double>::infinity())
      throw std::invalid_argument("softmax: score " + std::to_string(j) + " is " +
                                  std::to_string(s) + "; a score must be finite or -inf");
    if (s > m) m = s;
  }
  if (!std::isfinite(m))
    throw std::invalid_argument("softmax: every score of the row is -inf (" +
                                std::to_string(scores.size()) + " keys): no key to attend to");
  return m;
}

}  // namespace

void softmax_causal_row(std::span<const Var> scores, std::span<Var> probabilities) {
  const double m = checked_max(scores, [](const Var& s) { return s.value(); });
  if (probabilities.size() != scores.size())
    throw std::invalid_argument("softmax: " + std::to_string(scores.size()) +
                                " scores but room for " + std::to_string(probabilities.size()) +
                                " probabilities");
  // BEGIN EXERCISE 12.1 [scores, probabilities, m]
  autodiff::Tape& tape = scores[0].tape();
  // e_j = exp(s_j - m): one node with s_j as its parent; d e_j / d s_j = e_j, as m is a constant.
  for (std::size_t j = 0; j < scores.size(); ++j) {
    const double e = std::exp(scores[j].value() - m);
    probabilities[j] = tape.push(autodiff::Op::exp, e, scores[j], e);
  }
  Var sum = probabilities[0];
  for (std::size_t j = 1; j < probabilities.size(); ++j) sum = sum + probabilities[j];
  for (Var& p : probabilities) p = p / sum;
  // END EXERCISE 12.1
}

std::vector<Var> softmax_causal_row(std::span<const Var> scores) {
  std::vector<Var> probabilities(scores.size());
  softmax_causal_row(scores, probabilities);
  return probabilities;
}

std::vector<double> softmax(std::span<const double> scores) {
  const double m = checked_max(scores, [](double s) { return s; });
  std::vector<double> p(scores.size());
  double sum = 0.0;
  for (std::size_t j = 0; j < scores.size(); ++j) sum += p[j] = std::exp(scores[j] - m);
  for (double& pj : p) pj /= sum;
  return p;
}

}  // namespace nn
