// Chapter 12 — attention heads as latent components: a two-layer attention-only transformer on
// the tape, with TransformerLens's names, shapes and hook points.
//
// This program builds the two-layer model the PyTorch reference checks
// (tests/reference_transformer.py) and prints its config and the number of tape nodes one forward
// pass of a batch makes.
#include <cstddef>
#include <cstdio>

#include "autodiff/tape.hpp"
#include "nn/random.hpp"
#include "nn/transformer.hpp"

int main() {
  autodiff::Tape tape;
  nn::Generator generator(0);
  const nn::TransformerConfig config{.d_vocab = 6,
                                     .n_ctx = 6,
                                     .d_model = 8,
                                     .d_head = 4,
                                     .n_heads = 2,
                                     .n_layers = 2,
                                     .use_attn_result = true};
  nn::HookedTransformer model(tape, generator, config);
  const nn::Tokens tokens{{0, 3, 1, 4, 2}, {5, 2, 2, 0, 1}};
  std::printf(
      "config: d_vocab %zu, n_ctx %zu, d_model %zu, d_head %zu, n_heads %zu, n_layers %zu, "
      "use_attn_result %s, init_range %.4f\n",
      config.d_vocab, config.n_ctx, config.d_model, config.d_head, config.n_heads, config.n_layers,
      config.use_attn_result ? "true" : "false", model.config().init_range);
  std::printf("parameters: %zu, hook points: %zu\n", model.parameters().size(),
              model.hook_names().size());
  std::printf("one forward pass of %zu sequences x %zu tokens: %zu tape nodes\n", tokens.rows(),
              tokens.cols(), model.forward_nodes(tokens));
  return 0;
}
