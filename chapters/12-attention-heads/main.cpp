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

#include "attribution/attention_patterns.hpp"
#include "attribution/heads.hpp"
#include "attribution/whole_path.hpp"
#include "nn/circuits.hpp"
#include "nn/induction_task.hpp"
#include "nn/induction_training.hpp"
#include "nn/random.hpp"
#include "nn/transformer.hpp"

namespace {

// A method "misses" a head that gets less than this share of the gap, and "finds" one that gets
// at least a quarter (half of what an even split of two heads gives each).
constexpr double miss_limit = 0.1;
constexpr double find_limit = 0.25;
// The hand-set circuits' IG splits evenly by symmetry: the two heads' shares agree to rounding.
constexpr double symmetry_limit = 1e-12;
// Where the metric is linear in a head's z, the methods agree to rounding.
constexpr double linear_limit = 1e-9;
// The whole path's trapezoid at 200 steps misses the exact split by about 3e-6 of the gap.
constexpr double whole_path_limit = 1e-5;

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
  attribution::WholePathIntegratedGradients whole_path;
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
  for (const auto& [name, tokens] :
       {std::pair{"clean", &prompts.clean}, std::pair{"corrupt", &prompts.corrupt}}) {
    std::printf("    %-8s", name);
    for (const double a : last_query_attention(model, *tokens, 1, 0)) std::printf(" %.6f", a);
    std::printf("\n");
  }

  result.table = attribution::measure_heads(model, prompts);
  result.whole_path = attribution::whole_path_integrated_gradients(model, prompts);
  const attribution::HeadTable& t = result.table;
  const attribution::WholePathIntegratedGradients& w = result.whole_path;
  const std::size_t heads = model.config().n_heads;
  std::printf(
      "  shares of the gap (IG: Gauss-Legendre, %d nodes; whole path: trapezoid, %d steps; AtP: "
      "attribution patching):\n",
      t.ig_base_corrupt.n_steps, w.n_steps);
  std::printf(
      "    head   denoise     noise   AtP den AtP noise  IG on corrupt IG on clean  whole path  "
      "asymmetry\n");
  for (std::size_t layer = 0; layer < model.config().n_layers; ++layer)
    for (std::size_t h = 0; h < heads; ++h)
      std::printf("    %zu.%zu  %s %s %s %s     %s    %s   %s  %s\n", layer, h,
                  signed_number(t.patching.denoising.scores(layer, h)).c_str(),
                  signed_number(t.patching.noising.scores(layer, h)).c_str(),
                  signed_number(t.atp_denoising.scores(layer, h)).c_str(),
                  signed_number(t.atp_noising.scores(layer, h)).c_str(),
                  signed_number(t.ig_base_corrupt.shares(layer, h)).c_str(),
                  signed_number(t.ig_base_clean.shares(layer, h)).c_str(),
                  signed_number(w.shares(layer, h)).c_str(),
                  optional_number(t.asymmetry[layer * heads + h]).c_str());
  std::printf("  whole path past each layer (the residual stream's bypass):");
  for (std::size_t layer = 0; layer < w.bypass_shares.size(); ++layer)
    std::printf(" layer %zu %s", layer, signed_number(w.bypass_shares[layer]).c_str());
  std::printf("; IG at the input misses the gap by %.1e\n", w.input_convergence_delta);
  return result;
}

// ---- the trained models -------------------------------------------------------------------------

constexpr std::uint64_t trained_seeds = 5;
// The prompts the head scores and the methods are averaged over, the same for every seed.
constexpr std::size_t pattern_prompts = 200;
constexpr std::size_t measured_pairs = 20;
constexpr std::uint64_t prompts_seed = 2000;

const char* corruption_label(nn::induction::Corruption corruption) {
  return corruption == nn::induction::Corruption::key
             ? "K (the query's earlier occurrence replaced)"
             : "KQ (that and the query itself replaced)";
}

// The chapter's prompt pairs under `corruption`, the same for every seed.
std::vector<nn::PromptPair> corrupted_pairs(nn::induction::Corruption corruption) {
  nn::Generator generator(prompts_seed);
  return nn::induction::prompt_pairs(nn::induction::pairs(measured_pairs, corruption, generator));
}

// What the checks on the trained models need, over every seed.
struct TrainedChecks {
  bool all_learn = true, last_layer_agrees = true, k_all_find = true, kq_denoising_misses = true,
       kq_captum_finds = true;
};

// Prints one layer's head-pattern scores and roles; says whether it has a head of `wanted` role.
bool report_roles(const std::vector<attribution::HeadPatternScores>& scores, std::size_t layer,
                  attribution::HeadRole wanted) {
  bool found = false;
  for (std::size_t h = 0; h < scores.size(); ++h) {
    const attribution::HeadPatternScores& sc = scores[h];
    const attribution::HeadRole role = attribution::head_role(sc);
    found = found || role == wanted;
    std::printf("    %zu.%zu     %.3f    %.3f   %.3f    %.3f   %s\n", layer, h, sc.previous_token,
                sc.current_token, sc.bos, sc.induction, attribution::head_role_name(role));
  }
  return found;
}

// Trains seed `seed`, prints its head roles and every method under both corruptions, and folds
// what it found into `checks`.
void report_trained(std::uint64_t seed, TrainedChecks& checks) {
  const nn::induction::TrainedModel trained = nn::induction::train_model(seed);
  autodiff::Tape tape;
  nn::Generator unused(0);  // the parameters come from the trained state
  nn::HookedTransformer model(tape, unused, trained.config);
  model.load_state_dict(trained.state);
  std::printf("\n  seed %llu: %zu steps, accuracy %.3f, loss %.4f\n",
              static_cast<unsigned long long>(seed), trained.result.steps, trained.result.accuracy,
              trained.result.eval_loss);

  nn::Generator prompt_generator(prompts_seed);
  const nn::induction::Batch prompts = nn::induction::batch(pattern_prompts, prompt_generator);
  std::vector<std::size_t> key(prompts.query_index);
  for (std::size_t& k : key) ++k;  // the key after the query's earlier occurrence
  const auto scores = attribution::head_pattern_scores(model, prompts.tokens, key);
  std::printf("    head  previous  current   BOS  induction  role\n");
  const bool previous_in_0 = report_roles(scores[0], 0, attribution::HeadRole::previous_token);
  const bool induction_in_1 = report_roles(scores[1], 1, attribution::HeadRole::induction);
  checks.all_learn = checks.all_learn && trained.result.reached && previous_in_0 && induction_in_1;

  for (const nn::induction::Corruption corruption :
       {nn::induction::Corruption::key, nn::induction::Corruption::key_and_query}) {
    const std::vector<nn::PromptPair> pairs = corrupted_pairs(corruption);
    const attribution::PooledHeadShares m = attribution::pooled_head_shares(model, pairs);
    const attribution::PooledWholePath whole = attribution::pooled_whole_path(model, pairs);
    std::printf("    %s, mean gap %.4f\n", corruption_label(corruption), m.mean_gap);
    std::printf(
        "      head   denoise     noise   AtP den  IG on corrupt IG on clean  whole path\n");
    for (std::size_t layer = 0; layer < 2; ++layer)
      for (std::size_t h = 0; h < 2; ++h)
        std::printf("      %zu.%zu  %s %s %s      %s   %s   %s\n", layer, h,
                    signed_number(m.denoising(layer, h)).c_str(),
                    signed_number(m.noising(layer, h)).c_str(),
                    signed_number(m.atp_denoising(layer, h)).c_str(),
                    signed_number(m.ig_base_corrupt(layer, h)).c_str(),
                    signed_number(m.ig_base_clean(layer, h)).c_str(),
                    signed_number(whole.shares(layer, h)).c_str());
    std::printf("      whole path past layer 0, through the residual stream: %s\n",
                signed_number(whole.bypass_shares[0]).c_str());
    for (std::size_t h = 0; h < 2; ++h)
      for (const nn::Matrix<double>* other :
           {&m.denoising, &m.atp_denoising, &m.ig_base_corrupt, &m.ig_base_clean})
        checks.last_layer_agrees =
            checks.last_layer_agrees && std::fabs((*other)(1, h) - m.noising(1, h)) <= linear_limit;
    // The layer-0 head noising gives the most: the previous-token head the circuit needs.
    const std::size_t top = m.noising(0, 1) > m.noising(0, 0) ? 1 : 0;
    if (corruption == nn::induction::Corruption::key) {
      for (const nn::Matrix<double>* method :
           {&m.denoising, &m.noising, &m.ig_base_corrupt, &m.ig_base_clean})
        checks.k_all_find = checks.k_all_find && (*method)(0, top) >= find_limit;
    } else {
      checks.kq_denoising_misses = checks.kq_denoising_misses && m.denoising(0, top) < find_limit &&
                                   m.ig_base_corrupt(0, top) < find_limit;
      checks.kq_captum_finds = checks.kq_captum_finds && m.noising(0, top) >= find_limit &&
                               m.ig_base_clean(0, top) >= find_limit;
      std::printf(
          "      head 0.%zu, noising's first in layer 0: noising %.3f, IG on clean %.3f; "
          "denoising %.3f, IG on corrupt %.3f\n",
          top, m.noising(0, top), m.ig_base_clean(0, top), m.denoising(0, top),
          m.ig_base_corrupt(0, top));
    }
  }
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
      config.d_vocab, config.n_ctx, config.d_model, config.d_head, config.n_heads, config.n_layers);
  std::printf("  %zu parameters, %zu hook points; one forward pass of one prompt: %zu tape nodes\n",
              or_model.parameters().size(), or_model.hook_names().size(),
              or_model.forward_nodes(or_pair.clean));

  const CircuitResult orr = report_circuit(
      "OR: heads 0.0 and 0.1 are the same previous-token head (backup heads)", or_model, or_pair);
  const CircuitResult andr = report_circuit(
      "AND: head 0.0 a previous-token head, 0.1 a current-token head, both needed by 1.0",
      and_model, and_pair);

  std::printf("\nChecks on the hand-set circuits\n");
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
  for (const CircuitResult* r : {&orr, &andr})
    for (const attribution::HeadIntegratedGradients* ig :
         {&r->table.ig_base_corrupt, &r->table.ig_base_clean}) {
      const std::vector<double> shares = pair_scores(ig->shares);
      ig_finds = ig_finds && all_at_least(shares, find_limit);
      ig_even = ig_even && std::fabs(shares[0] - shares[1]) <= symmetry_limit;
    }
  check(ig_finds,
        "IG finds all four, on the corrupt prompt and on the clean one (Captum's IG with the "
        "corrupt baseline): each at least 0.25");
  check(ig_even, "and splits each pair evenly: the two shares agree within 1e-12");
  bool whole_even = true;
  for (const CircuitResult* r : {&orr, &andr}) {
    const std::vector<double> shares = pair_scores(r->whole_path.shares);
    whole_even = whole_even && std::fabs(shares[0] - shares[1]) <= symmetry_limit &&
                 std::fabs(shares[0] - 0.5) <= whole_path_limit;
  }
  check(whole_even,
        "so does the whole path, from the embedding: 0.5 each within 1e-5 (the trapezoid's error)");
  bool control_zero = true;
  for (const CircuitResult* r : {&orr, &andr}) {
    const attribution::HeadTable& t = r->table;
    for (const nn::Matrix<double>* m :
         {&t.patching.denoising.scores, &t.patching.noising.scores, &t.atp_denoising.scores,
          &t.atp_noising.scores, &t.ig_base_corrupt.shares, &t.ig_base_clean.shares})
      control_zero = control_zero && (*m)(1, 1) == 0.0;
  }
  check(control_zero, "head 1.1 (all zero) scores exactly 0 by every method");

  const nn::TransformerConfig trained_config = nn::induction::default_config();
  std::printf(
      "\nTrained: the induction task, seeds 0-%llu (d_model %zu, %zu layers, %zu heads of %zu; "
      "%zu prompts for the patterns, %zu pairs for the methods)\n",
      static_cast<unsigned long long>(trained_seeds - 1), trained_config.d_model,
      trained_config.n_layers, trained_config.n_heads, trained_config.d_head, pattern_prompts,
      measured_pairs);
  TrainedChecks trained;
  for (std::uint64_t seed = 0; seed < trained_seeds; ++seed) report_trained(seed, trained);
  std::printf("\nChecks on the trained models\n");
  check(trained.all_learn,
        "every seed reaches 99% accuracy, with a previous-token head in layer 0 and an induction "
        "head in layer 1");
  check(trained.last_layer_agrees,
        "in the last layer every method gives each head the same share, within 1e-9 (the logit "
        "difference is linear in its heads)");
  check(trained.k_all_find,
        "K: denoising, noising and IG both ways give layer 0's main head at least 0.25 (no miss)");
  check(trained.kq_denoising_misses,
        "KQ: denoising and IG on corrupt give that head less than 0.25, on every seed");
  check(
      trained.kq_captum_finds,
      "KQ: noising and IG on clean (Captum's IG with the corrupt baseline) give it at least 0.25");

  std::printf("%s\n", all_checks_pass ? "All checks hold." : "SOME CHECK FAILED: see above.");
  return all_checks_pass ? 0 : 1;
}
