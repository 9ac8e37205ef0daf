// HookedTransformer: TransformerLens's attention-only transformer without layer norm
// (attn_only=True, normalization_type=None, positional_embedding_type="standard"), on the tape,
// with TransformerLens's parameter names and shapes and its hook points.
//
//   autodiff::Tape tape;
//   nn::Generator generator(0);
//   nn::HookedTransformer model(tape, generator, {.d_vocab = 6, .n_ctx = 5, .d_model = 8,
//                                                 .d_head = 4, .n_heads = 2, .n_layers = 2});
//   const nn::Tokens tokens{{0, 3, 1, 4, 2}};
//   const auto& logits = model.forward(tokens);   // rows b*T + p, cols d_vocab
//   auto [numbers, cache] = model.run_with_cache(tokens);
//   cache[nn::hook_name(1, "attn.hook_pattern")];
//
// The forward pass, per layer L with x = blocks.L.hook_resid_pre (TL's maths, TL right-multiplies):
//   q_h = x W_Q[h] + b_Q[h], k_h, v_h likewise      (hook_q, hook_k, hook_v)
//   scores_h = (q_h k_h^T) / sqrt(d_head), k > q masked  (hook_attn_scores; divided after the dot)
//   pattern_h = softmax(scores_h) over the keys     (hook_pattern; nn/softmax.hpp)
//   z_h = pattern_h v_h                              (hook_z)
//   result_h = z_h W_O[h]                            (hook_result, only if use_attn_result; no b_O)
//   attn_out = sum_h result_h + b_O                  (hook_attn_out)
//   resid_post = x + attn_out                        (hook_resid_post = next layer's resid_pre)
// with blocks.0.hook_resid_pre = hook_embed + hook_pos_embed (W_E[token], W_pos[position]) and
// logits = (last resid_post) W_U + b_U.
//
// Activations are 2-D: with B sequences of T positions and H heads,
//   hook_embed, hook_pos_embed, hook_resid_pre/post, hook_attn_out: rows b*T + p, cols d_model
//     (hook_pos_embed repeated for every sequence, as TL);
//   hook_q, hook_k, hook_v, hook_z: rows b*T + p, cols h*d_head + e (TL's [batch, pos, head,
//   d_head]); hook_result: rows b*T + p, cols h*d_model + d (TL's [batch, pos, head, d_model]);
//   hook_attn_scores, hook_pattern: rows (b*H + h)*T + q, cols key (TL's [batch, head, q, k]).
// The masked entries (key > query) of scores and pattern hold -inf and 0. They are two leaves the
// model makes once, so masking costs no nodes; the pattern and z read only the causal part
// (key <= query), so a hook that writes a masked entry changes nothing downstream.
//
// Hooks run on an activation after it is computed and before anything reads it; a hook may
// replace entries (patching) but not change the shape (std::invalid_argument naming the hook).
// Hooks on one name run in the order given. blocks.L.hook_resid_post and blocks.L+1.hook_resid_pre
// hold the same numbers, as in TL, but are two hook points: the resid_post hooks run first.
//
// Nodes: lookups (embed, pos_embed) and the mask cost none; a dot product of n terms is n
// multiplications and n - 1 additions, a bias one more addition. Per sequence of T positions,
// with P = T(T+1)/2 causal pairs, D = d_model, dh = d_head, V = d_vocab:
//   T D (embed + pos_embed) + per layer [3 T H dh 2D (q, k, v) + H P 2dh (scores and the division)
//   + H (3P - T) (softmax) + H dh (2P - T) (z) + T D (2 H dh) (attn_out; with use_attn_result
//   T H D (2dh - 1) + T D H) + T D (residual)] + T V 2D (logits).
// forward_nodes(tokens) measures it.
//
// Memory: the activations live in buffers owned by the model and reused by every run (as
// Sequential's); the logits forward() returns are one of them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/tape.hpp"
#include "nn/hooks.hpp"
#include "nn/layer.hpp"
#include "nn/matrix.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"

namespace nn {

// TransformerLens's HookedTransformerConfig for an attention-only model without layer norm.
struct TransformerConfig {
  std::size_t d_vocab = 0, n_ctx = 0, d_model = 0, d_head = 0, n_heads = 0, n_layers = 0;
  bool use_attn_result = false;  // as TL: hook_result exists only when true
  double init_range = -1;        // < 0: TL's default 0.8 / sqrt(d_model)
};

// Rows = sequences (batch), columns = positions; every token < d_vocab, at most n_ctx columns.
using Tokens = Matrix<std::size_t>;

// The hook points' names: hook_name(L, "attn.hook_z") == "blocks.L.attn.hook_z",
// hook_name(L, "hook_resid_pre") == "blocks.L.hook_resid_pre".
std::string hook_name(std::size_t layer, std::string_view point);

class HookedTransformer {
 public:
  // Every parameter a leaf on `tape`, in named_parameters() order. The weights are drawn from
  // `generator` row-major, uniform on [-a, a) with a = init_range * sqrt(3): the standard deviation
  // of TL's normal init (init_range), with the project's generator, which draws uniforms only. The
  // biases are 0. Throws std::invalid_argument for a zero size (naming it) or an init_range that is
  // not finite.
  HookedTransformer(autodiff::Tape& tape, Generator& generator, TransformerConfig config);

  HookedTransformer(const HookedTransformer&) = delete;
  HookedTransformer& operator=(const HookedTransformer&) = delete;
  HookedTransformer(HookedTransformer&&) = default;
  HookedTransformer& operator=(HookedTransformer&&) = default;

  const TransformerConfig& config() const { return config_; }
  autodiff::Tape& tape() const { return *tape_; }

  // ---- running ----------------------------------------------------------------------------------
  // The logits: rows b*T + p (T = tokens.cols()), cols d_vocab; a buffer the next run reuses.
  // Throws std::invalid_argument for no sequences, no positions, more than n_ctx positions or a
  // token >= d_vocab (naming its sequence and position).
  const Matrix<autodiff::Var>& forward(const Tokens& tokens);
  // forward with hooks by TL name. Every name is checked before anything runs: an unknown one
  // throws std::invalid_argument naming it and listing the valid names.
  const Matrix<autodiff::Var>& run_with_hooks(const Tokens& tokens, const Hooks& hooks);

  struct CachedRun {
    Matrix<double> logits;
    ActivationCache cache;  // every name of hook_names(), after the hooks ran
  };
  // The logits and every hook point's activation, as numbers; leaves the tape as it found it.
  CachedRun run_with_cache(const Tokens& tokens, const Hooks& hooks = {});
  // Only the logits, as numbers; the tape is left unchanged too.
  Matrix<double> predict(const Tokens& tokens);
  // How many nodes forward(tokens) puts on the tape (the formula above); the tape is left
  // unchanged.
  std::size_t forward_nodes(const Tokens& tokens);

  // ---- structure --------------------------------------------------------------------------------
  // TL order: hook_embed, hook_pos_embed, then per layer L: blocks.L.hook_resid_pre,
  // blocks.L.attn.hook_q, hook_k, hook_v, hook_attn_scores, hook_pattern, hook_z,
  // [hook_result if use_attn_result], blocks.L.hook_attn_out, blocks.L.hook_resid_post.
  std::vector<std::string> hook_names() const;

  // ---- parameters -------------------------------------------------------------------------------
  // TL names and order: embed.W_E [d_vocab, d_model], pos_embed.W_pos [n_ctx, d_model], per layer
  // blocks.L.attn.W_Q, W_K, W_V [n_heads, d_model, d_head], W_O [n_heads, d_head, d_model], b_Q,
  // b_K, b_V [n_heads, d_head], b_O [d_model]; unembed.W_U [d_model, d_vocab], unembed.b_U
  // [d_vocab]. Each Matrix is the tensor with its leading dimensions folded into the rows (W_Q:
  // rows h*d_model + i, cols e; b_O: 1 x d_model), so its row-major values are torch's .flatten()
  // and a state dict moves between PyTorch and here by name. TL's buffers (IGNORE, mask) are not
  // parameters and are left out.
  std::vector<NamedParameter> named_parameters() const;
  // Every parameter's leaf, in the same order, row-major.
  std::vector<autodiff::Var> parameters() const;
  StateDict state_dict() const;
  // Strict, as Sequential's: a missing or unexpected name, a wrong number of values or a value that
  // is not finite throws std::invalid_argument naming it; nothing changes unless all is valid.
  void load_state_dict(const StateDict& state);

 private:
  // The hook points of one layer, in forward order (result only with use_attn_result).
  enum Point : std::size_t {
    resid_pre,
    q,
    k,
    v,
    attn_scores,
    pattern,
    z,
    result,
    attn_out,
    resid_post,
    points_per_layer
  };
  struct Block {
    Matrix<autodiff::Var> W_Q, W_K, W_V, W_O, b_Q, b_K, b_V, b_O;
  };
  struct ResolvedHook {
    std::size_t activation;  // index into activations_, = position in hook_names()
    const Hook* hook;
  };

  std::size_t index(std::size_t layer, Point point) const;
  std::vector<ResolvedHook> resolve(const Hooks& hooks) const;
  void check_tokens(const Tokens& tokens) const;
  const Matrix<autodiff::Var>& run(const Tokens& tokens, const std::vector<ResolvedHook>& hooks);
  void apply_hooks(std::size_t activation, const std::vector<ResolvedHook>& hooks,
                   std::size_t& next);
  // Layer `layer`'s attention, from its resid_pre to its attn_out (before the attn_out hooks).
  void attention(std::size_t layer, std::size_t batch, std::size_t positions,
                 const std::vector<ResolvedHook>& hooks, std::size_t& next);

  autodiff::Tape* tape_;
  TransformerConfig config_;
  Matrix<autodiff::Var> W_E_, W_pos_, W_U_, b_U_;
  std::vector<Block> blocks_;
  autodiff::Var minus_infinity_, zero_;             // the masked entries of scores and pattern
  std::vector<Matrix<autodiff::Var>> activations_;  // one per hook point, in hook_names() order
  Matrix<autodiff::Var> logits_;
};

}  // namespace nn
