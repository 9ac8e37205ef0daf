// Chapter 12's figures: the hand-set OR and AND circuits (nn/circuits.hpp), the attention pattern
// of every head on the clean prompt, and each head's IG share, denoising and noising score, as the
// chapter measures them (attribution::measure_heads).
#include "attribution/heads.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/tape.hpp"
#include "nn/circuits.hpp"
#include "nn/gates.hpp"
#include "nn/matrix.hpp"
#include "nn/transformer.hpp"
#include "plot/figures/figures.hpp"
#include "plot/heatmap.hpp"

namespace figures {

namespace {

// The circuits' vocabulary, by token id (nn::token_bos = 0, ..., nn::token_z = 7).
const std::vector<std::string> token_names = {"BOS", "A", "B", "C", "D", "F", "G", "Z"};

void require_circuit(nn::Gate gate) {
  if (gate != nn::Gate::or_gate && gate != nn::Gate::and_gate)
    throw std::invalid_argument(
        std::string("figure: chapter 12 has hand-set circuits for OR and AND only, not ") +
        nn::gate_name_upper(gate));
}

nn::HookedTransformer circuit_model(autodiff::Tape& tape, nn::Gate gate) {
  return gate == nn::Gate::or_gate ? nn::or_heads_model(tape) : nn::and_heads_model(tape);
}

nn::PromptPair circuit_prompts(nn::Gate gate) {
  return gate == nn::Gate::or_gate ? nn::or_prompts() : nn::and_prompts();
}

std::string head_name(std::size_t layer, std::size_t head) {
  return std::to_string(layer) + "." + std::to_string(head);
}

}  // namespace

Figure head_attention_figure(nn::Gate gate) {
  require_circuit(gate);
  const std::string name = nn::gate_name(gate), label = nn::gate_name_upper(gate);
  return {"ch12-" + name + "-attention.svg",
          "Chapter 12: the attention of every head of the " + label +
              " circuit on the clean prompt: layer 0 " +
              (gate == nn::Gate::or_gate ? "copies the previous token twice"
                                         : "copies the previous and the current token") +
              ", head 1.0 attends from the last A to the B after the earlier A, head 1.1 is "
              "zero and attends evenly.",
          "chapters/12-attention-heads/figures/" + name + "-attention.svg", [gate, label] {
            autodiff::Tape tape;
            nn::HookedTransformer model = circuit_model(tape, gate);
            const nn::Tokens clean = circuit_prompts(gate).clean;
            const nn::HookedTransformer::CachedRun run = model.run_with_cache(clean);
            const nn::TransformerConfig& config = model.config();
            const std::size_t positions = clean.cols();

            plot::Heatmap heatmap;
            heatmap.title = label + " circuit: the attention of every head on the clean prompt";
            for (std::size_t p = 0; p < positions; ++p)
              heatmap.labels.push_back(token_names.at(clean(0, p)));
            heatmap.columns = config.n_heads;  // one row of panels per layer
            heatmap.show_values = true;
            for (std::size_t layer = 0; layer < config.n_layers; ++layer) {
              // hook_pattern: rows head * T + query (one sequence), columns key.
              const nn::Matrix<double>& pattern =
                  run.cache[nn::hook_name(layer, "attn.hook_pattern")];
              for (std::size_t head = 0; head < config.n_heads; ++head) {
                nn::Matrix<double> grid(positions, positions, 0.0);
                for (std::size_t q = 0; q < positions; ++q)
                  for (std::size_t k = 0; k < positions; ++k)
                    grid(q, k) = pattern(head * positions + q, k);
                heatmap.panels.push_back({"head " + head_name(layer, head), std::move(grid)});
              }
            }
            return plot::heatmap_svg(heatmap);
          }};
}

Figure head_scores_figure(nn::Gate gate) {
  require_circuit(gate);
  const std::string name = nn::gate_name(gate), label = nn::gate_name_upper(gate);
  return {"ch12-" + name + "-heads.svg",
          "Chapter 12: each head of the " + label +
              " circuit: the study's IG (base corrupt, a layer's heads moved together) gives "
              "the two layer-0 heads half each; " +
              (gate == nn::Gate::or_gate ? "denoising finds both, noising misses them."
                                         : "denoising misses both, noising finds them."),
          "chapters/12-attention-heads/figures/" + name + "-heads.svg", [gate, label] {
            autodiff::Tape tape;
            nn::HookedTransformer model = circuit_model(tape, gate);
            const attribution::HeadTable table =
                attribution::measure_heads(model, circuit_prompts(gate));
            const nn::TransformerConfig& config = model.config();
            std::vector<std::string> heads;
            std::vector<double> ig, denoising, noising;
            for (std::size_t layer = 0; layer < config.n_layers; ++layer)
              for (std::size_t head = 0; head < config.n_heads; ++head) {
                heads.push_back("head " + head_name(layer, head));
                ig.push_back(table.ig_base_corrupt.shares(layer, head));
                denoising.push_back(table.patching.denoising.scores(layer, head));
                noising.push_back(table.patching.noising.scores(layer, head));
              }
            return attribution_scores_svg(label + " circuit: which heads carry it?", heads, ig,
                                          denoising, noising);
          }};
}

}  // namespace figures
