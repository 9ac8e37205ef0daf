// Chapter 12 — attention heads as latent components.
//
// A two-layer attention-only transformer on the tape (nn/transformer.hpp, TransformerLens's
// names), measured head by head. First two hand-set circuits whose heads' roles are known
// (nn/circuits.hpp): two redundant previous-token heads (an OR, backup heads) and a
// previous-token head with a current-token head that only work together (an AND). Look at the
// previous-token heads' rows: noising misses the redundant ones, denoising the jointly necessary
// ones, and IG with the corrupt baseline gives each half in both. Then models trained from seeds
// on an induction task (nn/induction_task.hpp): which heads their attention patterns name, and
// whether the methods agree there. The program checks every claim, and exits with status 1 if a
// check fails.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "attribution/heads.hpp"
#include "nn/circuits.hpp"
#include "nn/transformer.hpp"

namespace {

// A method "misses" a head that gets less than this share of the gap, and "finds" one that gets
// at least a quarter (half of what an even split of two heads gives each).
constexpr double miss_limit = 0.1;
constexpr double find_limit = 0.25;
// The hand-set circuits' IG splits evenly by symmetry: the two heads' shares agree to rounding.
constexpr double symmetry_limit = 1e-12;

bool all_checks_pass = true;
void check(bool holds, const std::string& what) {
  std::printf("  [%s] %s\n", holds ? "holds " : "FAILS ", what.c_str());
  all_checks_pass = all_checks_pass && holds;
}

const char* token_name(std::size_t token) {
  static const char* const names[] = {"BOS", "A", "B", "C", "D", "F", "G", "Z"};
  return token < std::size(names) ? names[token] : "?";
}

std::string prompt_string(const nn::Tokens& tokens) {
  std::string text;
  for (std::size_t p = 0; p < tokens.cols(); ++p) {
    if (p > 0) text += ' ';
    text += token_name(tokens(0, p));
  }
  return text;
}

// "+0.500000". A number that rounds to zero at six decimals prints as +0.000000 whatever its
// sign: a sign the digits cannot show is not information.
std::string signed_number(double value) {
  if (std::fabs(value) < 5e-7) value = 0.0;
  char text[32];
  std::snprintf(text, sizeof text, "%+9.6f", value);
  return text;
}

std::string optional_number(const std::optional<double>& value) {
  return value ? signed_number(*value) : std::string("undefined");
}

// The attention of head `head` of layer `layer` from the last position, as a row of numbers.
std::vector<double> last_query_attention(nn::HookedTransformer& model, const nn::Tokens& tokens,
                                         std::size_t layer, std::size_t head) {
  const auto run = model.run_with_cache(tokens);
  const nn::Matrix<double>& pattern = run.cache[nn::hook_name(layer, "attn.hook_pattern")];
  const std::size_t positions = tokens.cols();
  const std::size_t row = head * positions + positions - 1;  // batch 0
  return {pattern.row(row).begin(), pattern.row(row).end()};
}

struct CircuitResult {
  attribution::HeadTable table;
  double m_clean = 0.0, m_corrupt = 0.0;
};

CircuitResult report_circuit(const char* title, nn::HookedTransformer& model,
                             const nn::PromptPair& prompts) {
  std::printf("\n%s\n", title);
  const attribution::LogitDifference metric = attribution::logit_difference_of(prompts);
  CircuitResult result;
  result.m_clean = attribution::logit_difference(model.predict(prompts.clean), metric);
  result.m_corrupt = attribution::logit_difference(model.predict(prompts.corrupt), metric);
  std::printf("  clean    %s   m = logit[%s] - logit[%s] = %.6f\n",
              prompt_string(prompts.clean).c_str(), token_name(prompts.correct),
              token_name(prompts.incorrect), result.m_clean);
  std::printf("  corrupt  %s   m = %.6f\n", prompt_string(prompts.corrupt).c_str(),
              result.m_corrupt);

  std::printf("  head 1.0's attention from the last position, by key position:\n");
  for (const auto& [name, tokens] : {std::pair{"clean", &prompts.clean},
                                     std::pair{"corrupt", &prompts.corrupt}}) {
    std::printf("    %-8s", name);
    for (const double a : last_query_attention(model, *tokens, 1, 0)) std::printf(" %.6f", a);
    std::printf("\n");
  }

  result.table = attribution::measure_heads(model, prompts);
  const attribution::HeadTable& t = result.table;
  const std::size_t heads = model.config().n_heads;
  std::printf("  shares of the gap (IG: Gauss-Legendre, %d nodes; AtP: attribution patching):\n",
              t.ig_base_corrupt.n_steps);
  std::printf("    head   denoise     noise   AtP den AtP noise  IG corrupt  IG clean  asymmetry\n");
  for (std::size_t layer = 0; layer < model.config().n_layers; ++layer)
    for (std::size_t h = 0; h < heads; ++h)
      std::printf("    %zu.%zu  %s %s %s %s   %s %s  %s\n", layer, h,
                  signed_number(t.patching.denoising.scores(layer, h)).c_str(),
                  signed_number(t.patching.noising.scores(layer, h)).c_str(),
                  signed_number(t.atp_denoising.scores(layer, h)).c_str(),
                  signed_number(t.atp_noising.scores(layer, h)).c_str(),
                  signed_number(t.ig_base_corrupt.shares(layer, h)).c_str(),
                  signed_number(t.ig_base_clean.shares(layer, h)).c_str(),
                  optional_number(t.asymmetry[layer * heads + h]).c_str());
  return result;
}

}  // namespace

int main() {
  std::printf("Chapter 12 — attention heads as latent components\n");
  autodiff::Tape tape;
  nn::HookedTransformer or_model = nn::or_heads_model(tape);
  nn::HookedTransformer and_model = nn::and_heads_model(tape);
  const nn::TransformerConfig& config = or_model.config();
  const nn::PromptPair or_pair = nn::or_prompts();
  const nn::PromptPair and_pair = nn::and_prompts();
  std::printf(
      "\nThe hand-set model: d_vocab %zu, n_ctx %zu, d_model %zu, d_head %zu, n_heads %zu, "
      "n_layers %zu, attention only\n",
      config.d_vocab, config.n_ctx, config.d_model, config.d_head, config.n_heads,
      config.n_layers);
  std::printf("  %zu parameters, %zu hook points; one forward pass of one prompt: %zu tape nodes\n",
              or_model.parameters().size(), or_model.hook_names().size(),
              or_model.forward_nodes(or_pair.clean));

  const CircuitResult orr =
      report_circuit("OR: heads 0.0 and 0.1 are the same previous-token head (backup heads)",
                     or_model, or_pair);
  const CircuitResult andr = report_circuit(
      "AND: head 0.0 a previous-token head, 0.1 a current-token head, both needed by 1.0",
      and_model, and_pair);

  std::printf("\nChecks\n");
  const auto pair_scores = [](const nn::Matrix<double>& scores) {
    return std::vector<double>{scores(0, 0), scores(0, 1)};
  };
  const auto all_below = [](const std::vector<double>& v, double limit) {
    return std::all_of(v.begin(), v.end(), [&](double x) { return std::fabs(x) < limit; });
  };
  const auto all_at_least = [](const std::vector<double>& v, double limit) {
    return std::all_of(v.begin(), v.end(), [&](double x) { return x >= limit; });
  };
  check(all_below(pair_scores(orr.table.patching.noising.scores), miss_limit),
        "noising misses the redundant heads 0.0 and 0.1 of OR: each below 0.1");
  check(all_at_least(pair_scores(orr.table.patching.denoising.scores), find_limit),
        "denoising finds them: each at least 0.25");
  check(all_below(pair_scores(andr.table.patching.denoising.scores), miss_limit),
        "denoising misses the jointly necessary heads 0.0 and 0.1 of AND: each below 0.1");
  check(all_at_least(pair_scores(andr.table.patching.noising.scores), find_limit),
        "noising finds them: each at least 0.25");
  bool ig_finds = true, ig_even = true;
  for (const CircuitResult* r : {&orr, &andr}) {
    const std::vector<double> ig = pair_scores(r->table.ig_base_corrupt.shares);
    ig_finds = ig_finds && all_at_least(ig, find_limit);
    ig_even = ig_even && std::fabs(ig[0] - ig[1]) <= symmetry_limit;
  }
  check(ig_finds, "IG with the corrupt baseline finds all four: each at least 0.25");
  check(ig_even, "and splits each pair evenly: the two shares agree within 1e-12");
  bool control_zero = true;
  for (const CircuitResult* r : {&orr, &andr}) {
    const attribution::HeadTable& t = r->table;
    for (const nn::Matrix<double>* m :
         {&t.patching.denoising.scores, &t.patching.noising.scores, &t.atp_denoising.scores,
          &t.atp_noising.scores, &t.ig_base_corrupt.shares, &t.ig_base_clean.shares})
      control_zero = control_zero && (*m)(1, 1) == 0.0;
  }
  check(control_zero, "head 1.1 (all zero) scores exactly 0 by every method");

  std::printf("%s\n", all_checks_pass ? "All checks hold." : "SOME CHECK FAILED: see above.");
  return all_checks_pass ? 0 : 1;
}
