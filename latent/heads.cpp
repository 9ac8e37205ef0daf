#include "latent/heads.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "attribution/attention_patterns.hpp"
#include "attribution/heads.hpp"
#include "attribution/model_run.hpp"
#include "autodiff/tape.hpp"
#include "latent/arguments.hpp"
#include "latent/json.hpp"
#include "nn/circuits.hpp"
#include "nn/induction_task.hpp"
#include "nn/induction_training.hpp"
#include "nn/random.hpp"
#include "nn/transformer.hpp"

namespace latent {

namespace {

using Statistic = std::optional<double>;

// The induction head, whose attention the report shows.
constexpr std::size_t induction_layer = 1, induction_head = 0;

using Vocabulary = std::vector<std::string>;  // a token's name, by token

// nn/circuits.hpp's vocabulary.
Vocabulary circuit_vocabulary() { return {"BOS", "A", "B", "C", "D", "F", "G", "Z"}; }

// What chapter 12 measures per head on one prompt pair.
struct PairMeasured {
  nn::PromptPair prompts;
  double f_clean = 0.0, f_corrupt = 0.0;
  attribution::HeadTable table;
  std::optional<std::vector<double>> study_asymmetry;
  attribution::TwoWayHeadPatching by_position;
  std::vector<std::size_t> matter;  // heads (layer * n_heads + head) the by-position text shows
};

// The logit differences of the two prompts, for the caller to check the gap before the rest.
PairMeasured measure_lds(nn::HookedTransformer& model, const nn::PromptPair& prompts) {
  PairMeasured m;
  m.prompts = prompts;
  const attribution::LogitDifference metric = attribution::logit_difference_of(prompts);
  m.f_clean = attribution::logit_difference(model.predict(prompts.clean), metric);
  m.f_corrupt = attribution::logit_difference(model.predict(prompts.corrupt), metric);
  return m;
}

bool no_gap(const PairMeasured& m) {
  return std::isfinite(m.f_clean) && std::isfinite(m.f_corrupt) &&
         attribution::gap_is_zero(m.f_clean, m.f_corrupt);
}

void measure_heads_of(nn::HookedTransformer& model, PairMeasured& m, int n_steps,
                      attribution::Method method) {
  m.table = attribution::measure_heads(model, m.prompts, n_steps, method);
  m.study_asymmetry = attribution::study_head_asymmetry(m.table.patching);
  m.by_position = attribution::patch_heads_by_position_both_directions(model, m.prompts);
  const std::span<const double> den = m.table.patching.denoising.scores.flat();
  const std::span<const double> noise = m.table.patching.noising.scores.flat();
  for (std::size_t k = 0; k < den.size(); ++k)
    if (std::fabs(den[k]) >= head_matters_floor || std::fabs(noise[k]) >= head_matters_floor)
      m.matter.push_back(k);
}

struct CircuitMeasured {
  nn::TransformerConfig config;
  double sink = 0.0;
  PairMeasured pair;
  // The induction head's attention from the last position over the keys, on either prompt.
  std::vector<double> attention_clean, attention_corrupt;
};

std::vector<double> last_query_attention(nn::HookedTransformer& model, const nn::Tokens& tokens) {
  const nn::HookedTransformer::CachedRun run = model.run_with_cache(tokens);
  const nn::Matrix<double>& pattern =
      run.cache[nn::hook_name(induction_layer, "attn.hook_pattern")];
  const std::size_t positions = tokens.cols();
  // hook_pattern rows (b * H + h) * T + q, for the one prompt b = 0 and the last query.
  const std::size_t row = induction_head * positions + positions - 1;
  std::vector<double> attention;
  for (std::size_t key = 0; key < positions; ++key) attention.push_back(pattern(row, key));
  return attention;
}

CircuitMeasured measure_circuit(const HeadsRequest& request) {
  CircuitMeasured m;
  const bool is_or = request.circuit == Circuit::or_heads;
  m.sink = request.sink.value_or(is_or ? nn::or_sink : nn::and_sink);
  autodiff::Tape tape;
  nn::HookedTransformer model =
      is_or ? nn::or_heads_model(tape, m.sink) : nn::and_heads_model(tape, m.sink);
  m.config = model.config();
  m.pair = measure_lds(model, is_or ? nn::or_prompts() : nn::and_prompts());
  // Told before the patched runs, in the words of the flag that did it.
  if (no_gap(m.pair))
    throw UsageError("with --sink " + shortest(m.sink) + " LD(clean) = " +
                     shortest(m.pair.f_clean) + " and LD(corrupt) = " + shortest(m.pair.f_corrupt) +
                     " are equal to rounding, so the scores (shares of their difference) are "
                     "undefined; choose a sink the induction head's scores can beat");
  m.attention_clean = last_query_attention(model, m.pair.prompts.clean);
  m.attention_corrupt = last_query_attention(model, m.pair.prompts.corrupt);
  measure_heads_of(model, m.pair, request.n_steps, request.method);
  return m;
}

std::string head_label(const nn::TransformerConfig& config, std::size_t k) {
  return std::to_string(k / config.n_heads) + "." + std::to_string(k % config.n_heads);
}

// ---- JSON -------------------------------------------------------------------------------------

Json json_of(const Statistic& value) { return value ? Json(*value) : Json(); }
Json json_of(std::span<const double> values) {
  return Json(std::vector<double>(values.begin(), values.end()));
}

Json token_names(const nn::Tokens& tokens, const Vocabulary& vocabulary) {
  Json::Array names;
  for (std::size_t p = 0; p < tokens.cols(); ++p) names.emplace_back(vocabulary.at(tokens(0, p)));
  return names;
}

// A by-position grid, rows layer * T + pos, as TransformerLens's [n_layers, pos, n_heads].
Json nested(const nn::Matrix<double>& grid, std::size_t layers) {
  const std::size_t positions = grid.rows() / layers;
  Json::Array by_layer;
  for (std::size_t layer = 0; layer < layers; ++layer) {
    Json::Array by_pos;
    for (std::size_t pos = 0; pos < positions; ++pos)
      by_pos.push_back(json_of(grid.row(layer * positions + pos)));
    by_layer.emplace_back(std::move(by_pos));
  }
  return by_layer;
}

Json json_of(const attribution::HeadIntegratedGradients& ig) {
  return Json::object({{"f_base", ig.f_base},
                       {"f_other", ig.f_other},
                       {"attributions", json_of(ig.attributions.flat())},
                       {"shares", json_of(ig.shares.flat())},
                       {"f_layer_patched", ig.f_layer_patched},
                       {"convergence_delta", ig.convergence_delta}});
}

// The prompts and their logit differences.
void add_prompts(Json::Object& report, const PairMeasured& m, const Vocabulary& vocabulary) {
  report.insert(report.end(), {{"clean", token_names(m.prompts.clean, vocabulary)},
                               {"corrupt", token_names(m.prompts.corrupt, vocabulary)},
                               {"correct", vocabulary.at(m.prompts.correct)},
                               {"incorrect", vocabulary.at(m.prompts.incorrect)},
                               {"f_clean", m.f_clean},
                               {"f_corrupt", m.f_corrupt}});
}

// Every per-head number, heads in row-major order (layer * n_heads + head).
void add_scores(Json::Object& report, const PairMeasured& m, const nn::TransformerConfig& config) {
  const attribution::HeadTable& t = m.table;
  const std::size_t layers = config.n_layers;
  Json::Array heads, asymmetry, matter;
  for (std::size_t k = 0; k < layers * config.n_heads; ++k)
    heads.emplace_back(head_label(config, k));
  for (const Statistic& value : t.asymmetry) asymmetry.push_back(json_of(value));
  for (const std::size_t k : m.matter) matter.emplace_back(head_label(config, k));
  report.insert(
      report.end(),
      {{"heads", Json(std::move(heads))},
       {"denoising", json_of(t.patching.denoising.scores.flat())},
       {"noising", json_of(t.patching.noising.scores.flat())},
       {"denoising_differences", json_of(t.patching.denoising.differences.flat())},
       {"noising_differences", json_of(t.patching.noising.differences.flat())},
       {"atp_denoising", json_of(t.atp_denoising.scores.flat())},
       {"atp_noising", json_of(t.atp_noising.scores.flat())},
       {"atp_denoising_differences", json_of(t.atp_denoising.differences.flat())},
       {"atp_noising_differences", json_of(t.atp_noising.differences.flat())},
       {"ig_base_corrupt", json_of(t.ig_base_corrupt)},
       {"ig_base_clean", json_of(t.ig_base_clean)},
       {"asymmetry", Json(std::move(asymmetry))},
       {"study_asymmetry", m.study_asymmetry ? Json(*m.study_asymmetry) : Json()},
       {"by_position",
        Json::object(
            {{"denoising", nested(m.by_position.denoising.scores, layers)},
             {"noising", nested(m.by_position.noising.scores, layers)},
             {"denoising_differences", nested(m.by_position.denoising.differences, layers)},
             {"noising_differences", nested(m.by_position.noising.differences, layers)},
             {"heads_that_matter", Json(std::move(matter))}})}});
}

Json circuit_json(const HeadsRequest& request, const CircuitMeasured& m) {
  Json::Object report = {{"circuit", circuit_name(request.circuit)},
                         {"sink", m.sink},
                         {"method", attribution::method_name(request.method)},
                         {"n_steps", request.n_steps}};
  add_prompts(report, m.pair, circuit_vocabulary());
  report.emplace_back(
      "attention", Json::object({{"head", head_label(m.config, induction_layer * m.config.n_heads +
                                                                   induction_head)},
                                 {"clean", m.attention_clean},
                                 {"corrupt", m.attention_corrupt}}));
  add_scores(report, m.pair, m.config);
  return Json(std::move(report));
}

// ---- text -------------------------------------------------------------------------------------

std::string prompt_text(const nn::Tokens& tokens, const Vocabulary& vocabulary) {
  std::string text;
  for (std::size_t p = 0; p < tokens.cols(); ++p)
    text += (p > 0 ? " " : "") + vocabulary.at(tokens(0, p));
  return text;
}

std::string scientific(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2e", value);
  return text;
}

std::string deltas_text(const attribution::HeadIntegratedGradients& ig) {
  std::string text;
  for (std::size_t layer = 0; layer < ig.convergence_delta.size(); ++layer)
    text += (layer > 0 ? ", layer " : "layer ") + std::to_string(layer) + " " +
            scientific(ig.convergence_delta[layer]);
  return text;
}

// The two prompts with their logit differences.
std::string prompts_text(const PairMeasured& m, const Vocabulary& vocabulary) {
  const std::string clean = prompt_text(m.prompts.clean, vocabulary),
                    corrupt = prompt_text(m.prompts.corrupt, vocabulary);
  const std::size_t width = std::max(clean.size(), corrupt.size()) + 2;
  return left_aligned("prompt   tokens", 9 + width) + padded("LD", 10) + "\nclean    " +
         left_aligned(clean, width) + padded(fixed_point(m.f_clean, 6), 10) + "\ncorrupt  " +
         left_aligned(corrupt, width) + padded(fixed_point(m.f_corrupt, 6), 10) + "\n";
}

// The per-head table, IG's convergence deltas and the by-position grid of the heads that matter.
std::string scores_text(const HeadsRequest& request, const PairMeasured& m,
                        const nn::TransformerConfig& config, const Vocabulary& vocabulary) {
  const attribution::HeadTable& t = m.table;
  const std::size_t positions = m.prompts.clean.cols();
  std::string text = std::string("per head, every score a share of LD(clean) - LD(corrupt);\n") +
                     "IG: the study's at hook_z, " + attribution::method_name(request.method) +
                     " rule, n_steps = " + std::to_string(request.n_steps) + "\n";
  text +=
      "head  denoising   noising     AtP den     AtP noise   IG corrupt  IG clean    asymmetry   "
      "study's\n"
      "----  ----------  ----------  ----------  ----------  ----------  ----------  ----------  "
      "----------\n";
  for (std::size_t k = 0; k < t.asymmetry.size(); ++k) {
    std::string row = left_aligned(head_label(config, k), 4);
    for (const Statistic& value :
         {Statistic(t.patching.denoising.scores.flat()[k]),
          Statistic(t.patching.noising.scores.flat()[k]),
          Statistic(t.atp_denoising.scores.flat()[k]), Statistic(t.atp_noising.scores.flat()[k]),
          Statistic(t.ig_base_corrupt.shares.flat()[k]),
          Statistic(t.ig_base_clean.shares.flat()[k]), t.asymmetry[k],
          m.study_asymmetry ? Statistic((*m.study_asymmetry)[k]) : std::nullopt})
      row += "  " + padded(fixed_point(value, 6), 10);
    text += row + "\n";
  }
  text += "\nIG's convergence delta, a layer's heads against its whole patch:\nbase corrupt " +
          deltas_text(t.ig_base_corrupt) + "; base clean " + deltas_text(t.ig_base_clean) + "\n";

  text += "\npatching by position of the heads that matter (a score of at least " +
          shortest(head_matters_floor) + " either way)\n";
  if (m.matter.empty()) return text + "none\n";
  std::string header = "pos  clean  corrupt";
  for (const std::size_t k : m.matter) {
    const std::string label = head_label(config, k);
    header += padded(label + " den", 12) + padded(label + " noise", 12);
  }
  text += header + "\n";
  for (std::size_t pos = 0; pos < positions; ++pos) {
    std::string row = left_aligned(std::to_string(pos), 5) +
                      left_aligned(vocabulary.at(m.prompts.clean(0, pos)), 7) +
                      left_aligned(vocabulary.at(m.prompts.corrupt(0, pos)), 7);
    for (const std::size_t k : m.matter) {
      const std::size_t layer = k / config.n_heads, head = k % config.n_heads;
      const std::size_t r = layer * positions + pos;
      row += padded(fixed_point(m.by_position.denoising.scores(r, head), 6), 12) +
             padded(fixed_point(m.by_position.noising.scores(r, head), 6), 12);
    }
    text += row + "\n";
  }
  return text;
}

std::string circuit_text(const HeadsRequest& request, const CircuitMeasured& m) {
  const bool is_or = request.circuit == Circuit::or_heads;
  const Vocabulary vocabulary = circuit_vocabulary();
  const std::size_t positions = m.pair.prompts.clean.cols();
  std::string text =
      std::string("Attention heads of the hand-set ") + (is_or ? "OR" : "AND") +
      " circuit, the induction head's sink at " + shortest(m.sink) + ":\n" +
      (is_or ? "heads 0.0 and 0.1 are the same previous-token head, either one enough"
             : "head 0.0 is a previous-token head, 0.1 a current-token head, both needed") +
      ";\n1.0 is the induction head, 1.1 all zero. LD = logit[" +
      vocabulary.at(m.pair.prompts.correct) + "] - logit[" +
      vocabulary.at(m.pair.prompts.incorrect) + "] at the last position\n\n";
  text += prompts_text(m.pair, vocabulary);
  text += "\nattention of head 1.0 from the last position, by key position\n";
  std::string keys = "key     ";
  for (std::size_t key = 0; key < positions; ++key) keys += padded(std::to_string(key), 10);
  text += keys + "\n";
  for (const auto& [name, attention] :
       {std::pair{"clean", &m.attention_clean}, std::pair{"corrupt", &m.attention_corrupt}}) {
    std::string row = left_aligned(name, 8);
    for (const double value : *attention) row += padded(fixed_point(value, 6), 10);
    text += row + "\n";
  }
  return text + "\n" + scores_text(request, m.pair, m.config, vocabulary);
}

// ---- the trained induction model ----------------------------------------------------------------

Vocabulary induction_vocabulary() {
  Vocabulary names;
  for (std::size_t t = 0; t < nn::induction::d_vocab; ++t)
    names.push_back(nn::induction::token_name(t));
  return names;
}

constexpr nn::induction::Corruption corruptions[] = {nn::induction::Corruption::key,
                                                     nn::induction::Corruption::key_and_query};

struct InductionMeasured {
  nn::TransformerConfig config;
  nn::induction::TrainingResult result;
  std::vector<std::vector<attribution::HeadPatternScores>> scores;  // [layer][head]
  // One pair per corruption, on the same clean prompt; a pair whose two prompts the model gives the
  // same logit difference has no scores (measured false).
  std::vector<PairMeasured> pairs;
  std::vector<bool> measured;
};

InductionMeasured measure_induction(const HeadsRequest& request) {
  InductionMeasured m;
  const nn::induction::TrainedModel trained = nn::induction::train_model(*request.induction_seed);
  m.config = trained.config;
  m.result = trained.result;
  autodiff::Tape tape;
  nn::Generator unused(0);  // the weights are the trained ones, loaded below
  nn::HookedTransformer model(tape, unused, trained.config);
  model.load_state_dict(trained.state);
  nn::Generator role_generator(induction_role_prompts_seed);
  const nn::induction::Batch prompts = nn::induction::batch(induction_role_prompts, role_generator);
  std::vector<std::size_t> key;  // the position after the query's earlier occurrence
  for (const std::size_t i : prompts.query_index) key.push_back(i + 1);
  m.scores = attribution::head_pattern_scores(model, prompts.tokens, key);
  for (const nn::induction::Corruption corruption : corruptions) {
    nn::Generator generator(induction_pair_seed);
    const nn::induction::Pairs pair = nn::induction::pairs(1, corruption, generator);
    PairMeasured p =
        measure_lds(model, {pair.clean, pair.corrupt, pair.correct[0], pair.incorrect[0]});
    const bool measured = !no_gap(p);
    if (measured) measure_heads_of(model, p, request.n_steps, request.method);
    m.pairs.push_back(std::move(p));
    m.measured.push_back(measured);
  }
  return m;
}

Json induction_json(const HeadsRequest& request, const InductionMeasured& m) {
  const nn::TransformerConfig& c = m.config;
  Json::Array heads, roles;
  Json::Array previous_token, current_token, bos, induction;
  for (std::size_t layer = 0; layer < m.scores.size(); ++layer)
    for (std::size_t head = 0; head < m.scores[layer].size(); ++head) {
      const attribution::HeadPatternScores& s = m.scores[layer][head];
      heads.emplace_back(head_label(c, layer * c.n_heads + head));
      roles.emplace_back(attribution::head_role_name(attribution::head_role(s)));
      previous_token.emplace_back(s.previous_token);
      current_token.emplace_back(s.current_token);
      bos.emplace_back(s.bos);
      induction.emplace_back(s.induction);
    }
  const Vocabulary vocabulary = induction_vocabulary();
  Json::Array pairs;
  for (std::size_t k = 0; k < m.pairs.size(); ++k) {
    Json::Object pair = {{"corruption", nn::induction::corruption_name(corruptions[k])}};
    add_prompts(pair, m.pairs[k], vocabulary);
    pair.emplace_back("measured", m.measured[k]);
    if (m.measured[k]) add_scores(pair, m.pairs[k], c);
    pairs.emplace_back(std::move(pair));
  }
  const nn::induction::TrainingResult& r = m.result;
  return Json::object({{"induction", true},
                       {"seed", static_cast<long long>(*request.induction_seed)},
                       {"method", attribution::method_name(request.method)},
                       {"n_steps", request.n_steps},
                       {"config", Json::object({{"d_vocab", static_cast<long long>(c.d_vocab)},
                                                {"n_ctx", static_cast<long long>(c.n_ctx)},
                                                {"d_model", static_cast<long long>(c.d_model)},
                                                {"d_head", static_cast<long long>(c.d_head)},
                                                {"n_heads", static_cast<long long>(c.n_heads)},
                                                {"n_layers", static_cast<long long>(c.n_layers)}})},
                       {"training", Json::object({{"steps", static_cast<long long>(r.steps)},
                                                  {"reached", r.reached},
                                                  {"final_loss", r.final_loss},
                                                  {"accuracy", r.accuracy},
                                                  {"eval_loss", r.eval_loss}})},
                       {"heads", Json(std::move(heads))},
                       {"roles", Json(std::move(roles))},
                       {"scores", Json::object({{"previous_token", Json(std::move(previous_token))},
                                                {"current_token", Json(std::move(current_token))},
                                                {"bos", Json(std::move(bos))},
                                                {"induction", Json(std::move(induction))}})},
                       {"pairs", Json(std::move(pairs))}});
}

std::string induction_text(const HeadsRequest& request, const InductionMeasured& m) {
  const nn::TransformerConfig& c = m.config;
  const nn::induction::TrainingOptions options;
  const nn::induction::TrainingResult& r = m.result;
  std::string text =
      "Chapter 12's induction model trained from seed " + std::to_string(*request.induction_seed) +
      ": " + std::to_string(c.n_layers) + " layers of " + std::to_string(c.n_heads) +
      " heads (d_head " + std::to_string(c.d_head) + "), d_model " + std::to_string(c.d_model) +
      ",\nAdam at lr " + shortest(options.lr) + " on batches of " +
      std::to_string(options.batch_size) + " prompts [BOS c1 .. c6 q], q = c_i, target c_(i+1)\n" +
      "steps " + std::to_string(r.steps) + " (accuracy " + shortest(options.target_accuracy) +
      " reached: " + (r.reached ? "yes" : "no") + "), last batch loss " +
      fixed_point(r.final_loss, 6) + "\nevaluation on " + std::to_string(options.eval_prompts) +
      " prompts: accuracy " + fixed_point(r.accuracy, 6) + ", loss " + fixed_point(r.eval_loss, 6) +
      "\n\nhead roles from the attention of " + std::to_string(induction_role_prompts) +
      " prompts (mean attention to the token before, to itself, to BOS;\ninduction: of the "
      "query on the position after its earlier occurrence)\n" +
      "head  role            prev-token  current     BOS         induction\n" +
      "----  --------------  ----------  ----------  ----------  ----------\n";
  for (std::size_t layer = 0; layer < m.scores.size(); ++layer)
    for (std::size_t head = 0; head < m.scores[layer].size(); ++head) {
      const attribution::HeadPatternScores& s = m.scores[layer][head];
      std::string row = left_aligned(head_label(c, layer * c.n_heads + head), 4) + "  " +
                        left_aligned(attribution::head_role_name(attribution::head_role(s)), 14);
      for (const double value : {s.previous_token, s.current_token, s.bos, s.induction})
        row += "  " + padded(fixed_point(value, 6), 10);
      text += row + "\n";
    }
  const Vocabulary vocabulary = induction_vocabulary();
  for (std::size_t k = 0; k < m.pairs.size(); ++k) {
    const PairMeasured& p = m.pairs[k];
    text += std::string("\ncorruption ") + nn::induction::corruption_name(corruptions[k]) +
            (corruptions[k] == nn::induction::Corruption::key
                 ? ": the query's earlier occurrence becomes an unused letter"
                 : ": the earlier occurrence and the query both become unused letters") +
            "; LD = logit[" + vocabulary.at(p.prompts.correct) + "] - logit[" +
            vocabulary.at(p.prompts.incorrect) + "] at the last position\n" +
            prompts_text(p, vocabulary) + "\n";
    text += m.measured[k] ? scores_text(request, p, c, vocabulary)
                          : "the two prompts' LDs are equal to rounding: no scores\n";
  }
  return text;
}

}  // namespace

const char* circuit_name(Circuit circuit) { return circuit == Circuit::or_heads ? "or" : "and"; }

Circuit parse_circuit(std::string_view text) {
  if (text == "or") return Circuit::or_heads;
  if (text == "and") return Circuit::and_heads;
  throw UsageError("--circuit: '" + std::string(text) +
                   "' is not a hand-set circuit; give or or and");
}

std::string heads_report(const HeadsRequest& request, Format format) {
  if (request.induction_seed) {
    const InductionMeasured m = measure_induction(request);
    const Json json = induction_json(request, m);
    require_finite(json, "heads");
    return format == Format::json ? json.dump() + "\n" : induction_text(request, m);
  }
  const CircuitMeasured m = measure_circuit(request);
  const Json json = circuit_json(request, m);
  require_finite(json, "heads");
  return format == Format::json ? json.dump() + "\n" : circuit_text(request, m);
}

}  // namespace latent
