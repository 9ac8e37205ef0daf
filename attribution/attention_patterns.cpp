#include "attribution/attention_patterns.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace attribution {

std::vector<HeadPatternScores> head_pattern_scores(const nn::Matrix<double>& pattern,
                                                   std::size_t n_heads,
                                                   std::span<const std::size_t> induction_key) {
  const std::size_t batch = induction_key.size(), T = pattern.cols();
  if (n_heads == 0) throw std::invalid_argument("head_pattern_scores: n_heads must be >= 1");
  if (batch == 0)
    throw std::invalid_argument("head_pattern_scores: no prompts (induction_key is empty)");
  if (T < 2)
    throw std::invalid_argument("head_pattern_scores: the pattern has " + std::to_string(T) +
                                " positions; the scores need at least 2");
  if (pattern.rows() != batch * n_heads * T)
    throw std::invalid_argument(
        "head_pattern_scores: the pattern has " + std::to_string(pattern.rows()) + " rows; batch " +
        std::to_string(batch) + " x n_heads " + std::to_string(n_heads) + " x positions " +
        std::to_string(T) + " = " + std::to_string(batch * n_heads * T));
  for (std::size_t b = 0; b < batch; ++b)
    if (induction_key[b] >= T)
      throw std::invalid_argument("head_pattern_scores: induction_key[" + std::to_string(b) +
                                  "] = " + std::to_string(induction_key[b]) +
                                  " is not a position (there are " + std::to_string(T) + ")");

  std::vector<HeadPatternScores> scores(n_heads);
  const double queries = static_cast<double>(batch * (T - 1));
  for (std::size_t h = 0; h < n_heads; ++h) {
    HeadPatternScores& s = scores[h];
    for (std::size_t b = 0; b < batch; ++b) {
      const std::size_t first = (b * n_heads + h) * T;
      for (std::size_t p = 1; p < T; ++p) {
        s.previous_token += pattern(first + p, p - 1);
        s.current_token += pattern(first + p, p);
        s.bos += pattern(first + p, 0);
      }
      s.induction += pattern(first + T - 1, induction_key[b]);
    }
    s.previous_token /= queries;
    s.current_token /= queries;
    s.bos /= queries;
    s.induction /= static_cast<double>(batch);
  }
  return scores;
}

std::vector<std::vector<HeadPatternScores>> head_pattern_scores(
    nn::HookedTransformer& model, const nn::Tokens& tokens,
    std::span<const std::size_t> induction_key) {
  if (induction_key.size() != tokens.rows())
    throw std::invalid_argument("head_pattern_scores: " + std::to_string(tokens.rows()) +
                                " prompts but " + std::to_string(induction_key.size()) +
                                " induction keys");
  if (tokens.rows() == 0) throw std::invalid_argument("head_pattern_scores: no prompts");
  const std::size_t chunk = 50, count = tokens.rows(), T = tokens.cols();
  const std::size_t layers = model.config().n_layers, heads = model.config().n_heads;
  std::vector<std::vector<HeadPatternScores>> total(layers, std::vector<HeadPatternScores>(heads));
  for (std::size_t start = 0; start < count; start += chunk) {
    const std::size_t n = std::min(chunk, count - start);
    nn::Tokens part(n, T);
    for (std::size_t b = 0; b < n; ++b)
      for (std::size_t p = 0; p < T; ++p) part(b, p) = tokens(start + b, p);
    const nn::ActivationCache cache = model.run_with_cache(part).cache;
    // Each chunk's means, weighted by its share of the prompts.
    const double weight = static_cast<double>(n) / static_cast<double>(count);
    for (std::size_t L = 0; L < layers; ++L) {
      const std::vector<HeadPatternScores> scores = head_pattern_scores(
          cache[nn::hook_name(L, "attn.hook_pattern")], heads, induction_key.subspan(start, n));
      for (std::size_t h = 0; h < heads; ++h) {
        total[L][h].previous_token += weight * scores[h].previous_token;
        total[L][h].current_token += weight * scores[h].current_token;
        total[L][h].bos += weight * scores[h].bos;
        total[L][h].induction += weight * scores[h].induction;
      }
    }
  }
  return total;
}

const char* head_role_name(HeadRole role) {
  switch (role) {
    case HeadRole::induction: return "induction";
    case HeadRole::previous_token: return "previous-token";
    case HeadRole::current_token: return "current-token";
    case HeadRole::bos: return "BOS";
    case HeadRole::none: break;
  }
  return "none";
}

HeadRole head_role(const HeadPatternScores& scores, double threshold) {
  if (!(threshold > 0.0 && threshold <= 1.0))
    throw std::invalid_argument("head_role: the threshold " + std::to_string(threshold) +
                                " is not in (0, 1]");
  if (scores.induction >= threshold) return HeadRole::induction;
  HeadRole best = HeadRole::previous_token;
  double best_score = scores.previous_token;
  if (scores.current_token > best_score)
    best = HeadRole::current_token, best_score = scores.current_token;
  if (scores.bos > best_score) best = HeadRole::bos, best_score = scores.bos;
  return best_score >= threshold ? best : HeadRole::none;
}

}  // namespace attribution
