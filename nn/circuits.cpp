#include "nn/circuits.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/random.hpp"

namespace nn {
namespace {

constexpr std::size_t vocabulary = 8, positions = 8, d_head = 8, heads = 2, layers = 2;
constexpr std::size_t tok = 0, pos = 8, prev = 16, cur = 24, out = 32, d_model = 40;
constexpr double previous_token_score = 20.0, induction_gain = 10.0;
const double s = std::sqrt(static_cast<double>(d_head));

// A tensor of TransformerLens's shape, row-major (torch's .flatten()), set by index.
class Tensor {
 public:
  Tensor(std::size_t a, std::size_t b, std::size_t c = 1) : b_(b), c_(c), values_(a * b * c, 0.0) {}
  double& operator()(std::size_t i, std::size_t j) { return values_.at(i * b_ + j); }
  double& operator()(std::size_t h, std::size_t i, std::size_t j) {
    return values_.at((h * b_ + i) * c_ + j);
  }
  std::vector<double> release() { return std::move(values_); }

 private:
  std::size_t b_, c_;
  std::vector<double> values_;
};

struct AttentionLayer {
  Tensor w_q{heads, d_model, d_head}, w_k{heads, d_model, d_head}, w_v{heads, d_model, d_head};
  Tensor w_o{heads, d_head, d_model};
  Tensor b_q{heads, d_head}, b_k{heads, d_head}, b_v{heads, d_head};
  Tensor b_o{d_model, 1};
};

void previous_token_head(AttentionLayer& layer, std::size_t h) {
  for (std::size_t p = 0; p < positions; ++p) layer.w_q(h, pos + p, p) = previous_token_score * s;
  for (std::size_t j = 0; j + 1 < positions; ++j) layer.w_k(h, pos + j, j + 1) = 1.0;
  for (std::size_t t = 1; t < vocabulary; ++t) layer.w_v(h, tok + t, t) = 1.0;
  for (std::size_t t = 0; t < d_head; ++t) layer.w_o(h, t, prev + t) = 1.0;
}

void current_token_head(AttentionLayer& layer, std::size_t h) {
  for (std::size_t p = 0; p < positions; ++p) {
    layer.w_q(h, pos + p, p) = previous_token_score * s;
    layer.w_k(h, pos + p, p) = 1.0;
  }
  for (std::size_t t = 1; t < vocabulary; ++t) layer.w_v(h, tok + t, t) = 1.0;
  for (std::size_t t = 0; t < d_head; ++t) layer.w_o(h, t, cur + t) = 1.0;
}

// Head 0 of the layer; the query reads the subspace starting at `query_source`.
void induction_head(AttentionLayer& layer, std::size_t query_source, double beta, double sink) {
  for (std::size_t t = 0; t < vocabulary; ++t) {
    layer.w_q(0, query_source + t, t) = beta * s;
    layer.w_v(0, tok + t, t) = 1.0;
    layer.w_o(0, t, out + t) = induction_gain;
  }
  for (std::size_t t = 1; t < vocabulary; ++t) layer.w_k(0, prev + t, t) = 1.0;
  layer.b_q(0, 0) = sink * s;
  layer.w_k(0, tok + token_bos, 0) = 1.0;
}

StateDict state_dict(AttentionLayer zero, AttentionLayer one) {
  Tensor w_e(vocabulary, d_model), w_pos(positions, d_model), w_u(d_model, vocabulary);
  for (std::size_t t = 0; t < vocabulary; ++t) {
    w_e(t, tok + t) = 1.0;
    w_u(out + t, t) = 1.0;
  }
  for (std::size_t p = 0; p < positions; ++p) w_pos(p, pos + p) = 1.0;
  StateDict state;
  state["embed.W_E"] = w_e.release();
  state["pos_embed.W_pos"] = w_pos.release();
  AttentionLayer* both[] = {&zero, &one};
  for (std::size_t l = 0; l < layers; ++l) {
    const std::string a = "blocks." + std::to_string(l) + ".attn.";
    AttentionLayer& layer = *both[l];
    state[a + "W_Q"] = layer.w_q.release();
    state[a + "W_K"] = layer.w_k.release();
    state[a + "W_V"] = layer.w_v.release();
    state[a + "W_O"] = layer.w_o.release();
    state[a + "b_Q"] = layer.b_q.release();
    state[a + "b_K"] = layer.b_k.release();
    state[a + "b_V"] = layer.b_v.release();
    state[a + "b_O"] = layer.b_o.release();
  }
  state["unembed.W_U"] = w_u.release();
  state["unembed.b_U"] = std::vector<double>(vocabulary, 0.0);
  return state;
}

void check_sink(double sink) {
  if (!std::isfinite(sink))
    throw std::invalid_argument("the induction head's sink must be finite, not " +
                                std::to_string(sink));
}

HookedTransformer model_from(autodiff::Tape& tape, const StateDict& state) {
  // The weights are all overwritten by the state dict; the generator only fills them first.
  Generator generator(0);
  HookedTransformer model(tape, generator, circuit_config());
  model.load_state_dict(state);
  return model;
}

Tokens prompt(std::initializer_list<std::size_t> tokens) {
  Tokens result(1, tokens.size());
  std::size_t p = 0;
  for (std::size_t t : tokens) result(0, p++) = t;
  return result;
}

}  // namespace

TransformerConfig circuit_config() {
  TransformerConfig config;
  config.d_vocab = vocabulary;
  config.n_ctx = positions;
  config.d_model = d_model;
  config.d_head = d_head;
  config.n_heads = heads;
  config.n_layers = layers;
  return config;
}

StateDict or_heads_state_dict(double sink) {
  check_sink(sink);
  AttentionLayer zero, one;
  previous_token_head(zero, 0);
  previous_token_head(zero, 1);
  induction_head(one, tok, or_score_per_copy, sink);
  return state_dict(std::move(zero), std::move(one));
}

StateDict and_heads_state_dict(double sink) {
  check_sink(sink);
  AttentionLayer zero, one;
  previous_token_head(zero, 0);
  current_token_head(zero, 1);
  induction_head(one, cur, and_score, sink);
  return state_dict(std::move(zero), std::move(one));
}

HookedTransformer or_heads_model(autodiff::Tape& tape, double sink) {
  return model_from(tape, or_heads_state_dict(sink));
}

HookedTransformer and_heads_model(autodiff::Tape& tape, double sink) {
  return model_from(tape, and_heads_state_dict(sink));
}

PromptPair or_prompts() {
  return {prompt({token_bos, token_f, token_g, token_a, token_b, token_f, token_g, token_a}),
          prompt({token_bos, token_f, token_g, token_c, token_b, token_f, token_g, token_a}),
          token_b, token_z};
}

PromptPair and_prompts() {
  return {prompt({token_bos, token_f, token_g, token_a, token_b, token_f, token_g, token_a}),
          prompt({token_bos, token_f, token_g, token_c, token_b, token_f, token_g, token_d}),
          token_b, token_z};
}

double redundant_and_sink(double score_per_copy) {
  if (!std::isfinite(score_per_copy) || score_per_copy <= 0.0)
    throw std::invalid_argument(
        "redundant_and_sink: the score per copy must be finite and above "
        "0, not " +
        std::to_string(score_per_copy));
  // BEGIN EXERCISE 12.3
  // One copy scores score_per_copy, two copies twice that: the middle is as far from both.
  return 1.5 * score_per_copy;
  // END EXERCISE 12.3
}

}  // namespace nn
