#include "latent/heads.hpp"

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "attribution/heads.hpp"
#include "attribution/model_run.hpp"
#include "autodiff/tape.hpp"
#include "latent/arguments.hpp"
#include "latent/json.hpp"
#include "nn/circuits.hpp"
#include "nn/transformer.hpp"

namespace latent {

namespace {

using Statistic = std::optional<double>;

// The induction head, whose attention the report shows.
constexpr std::size_t induction_layer = 1, induction_head = 0;

// nn/circuits.hpp's vocabulary, by token.
const char* const circuit_tokens[] = {"BOS", "A", "B", "C", "D", "F", "G", "Z"};

struct Measured {
  nn::TransformerConfig config;
  nn::PromptPair prompts;
  double sink = 0.0;
  double f_clean = 0.0, f_corrupt = 0.0;
  // The induction head's attention from the last position over the keys, on either prompt.
  std::vector<double> attention_clean, attention_corrupt;
  attribution::HeadTable table;
  std::optional<std::vector<double>> study_asymmetry;
  attribution::TwoWayHeadPatching by_position;
  std::vector<std::size_t> matter;  // heads (layer * n_heads + head) the by-position text shows
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

Measured measure(const HeadsRequest& request) {
  Measured m;
  const bool is_or = request.circuit == Circuit::or_heads;
  m.sink = request.sink.value_or(is_or ? nn::or_sink : nn::and_sink);
  autodiff::Tape tape;
  nn::HookedTransformer model =
      is_or ? nn::or_heads_model(tape, m.sink) : nn::and_heads_model(tape, m.sink);
  m.config = model.config();
  m.prompts = is_or ? nn::or_prompts() : nn::and_prompts();
  const attribution::LogitDifference metric = attribution::logit_difference_of(m.prompts);
  m.f_clean = attribution::logit_difference(model.predict(m.prompts.clean), metric);
  m.f_corrupt = attribution::logit_difference(model.predict(m.prompts.corrupt), metric);
  // Told before the patched runs, in the words of the flag that did it.
  if (std::isfinite(m.f_clean) && std::isfinite(m.f_corrupt) &&
      attribution::gap_is_zero(m.f_clean, m.f_corrupt))
    throw UsageError("with --sink " + shortest(m.sink) + " LD(clean) = " + shortest(m.f_clean) +
                     " and LD(corrupt) = " + shortest(m.f_corrupt) +
                     " are equal to rounding, so the scores (shares of their difference) are "
                     "undefined; choose a sink the induction head's scores can beat");
  m.attention_clean = last_query_attention(model, m.prompts.clean);
  m.attention_corrupt = last_query_attention(model, m.prompts.corrupt);
  m.table = attribution::measure_heads(model, m.prompts, request.n_steps, request.method);
  m.study_asymmetry = attribution::study_head_asymmetry(m.table.patching);
  m.by_position = attribution::patch_heads_by_position_both_directions(model, m.prompts);
  const std::span<const double> den = m.table.patching.denoising.scores.flat();
  const std::span<const double> noise = m.table.patching.noising.scores.flat();
  for (std::size_t k = 0; k < den.size(); ++k)
    if (std::fabs(den[k]) >= head_matters_floor || std::fabs(noise[k]) >= head_matters_floor)
      m.matter.push_back(k);
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

Json token_names(const nn::Tokens& tokens) {
  Json::Array names;
  for (std::size_t p = 0; p < tokens.cols(); ++p) names.emplace_back(circuit_tokens[tokens(0, p)]);
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

Json json_report(const HeadsRequest& request, const Measured& m) {
  const attribution::HeadTable& t = m.table;
  const std::size_t layers = m.config.n_layers;
  Json::Array heads, asymmetry, matter;
  for (std::size_t k = 0; k < layers * m.config.n_heads; ++k)
    heads.emplace_back(head_label(m.config, k));
  for (const Statistic& value : t.asymmetry) asymmetry.push_back(json_of(value));
  for (const std::size_t k : m.matter) matter.emplace_back(head_label(m.config, k));
  return Json::object(
      {{"circuit", circuit_name(request.circuit)},
       {"sink", m.sink},
       {"method", attribution::method_name(request.method)},
       {"n_steps", request.n_steps},
       {"clean", token_names(m.prompts.clean)},
       {"corrupt", token_names(m.prompts.corrupt)},
       {"correct", circuit_tokens[m.prompts.correct]},
       {"incorrect", circuit_tokens[m.prompts.incorrect]},
       {"f_clean", m.f_clean},
       {"f_corrupt", m.f_corrupt},
       {"attention",
        Json::object(
            {{"head", head_label(m.config, induction_layer * m.config.n_heads + induction_head)},
             {"clean", m.attention_clean},
             {"corrupt", m.attention_corrupt}})},
       {"heads", Json(std::move(heads))},
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

// ---- text -------------------------------------------------------------------------------------

std::string fixed(const Statistic& value, int decimals) {
  return value ? fixed_point(*value, decimals) : "undefined";
}

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

std::string left(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

std::string prompt_text(const nn::Tokens& tokens) {
  std::string text;
  for (std::size_t p = 0; p < tokens.cols(); ++p)
    text += (p > 0 ? " " : "") + std::string(circuit_tokens[tokens(0, p)]);
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

std::string text_report(const HeadsRequest& request, const Measured& m) {
  const bool is_or = request.circuit == Circuit::or_heads;
  const attribution::HeadTable& t = m.table;
  const std::size_t positions = m.prompts.clean.cols();
  const std::string correct = circuit_tokens[m.prompts.correct],
                    incorrect = circuit_tokens[m.prompts.incorrect];
  std::string text =
      std::string("Attention heads of the hand-set ") + (is_or ? "OR" : "AND") +
      " circuit, the induction head's sink at " + shortest(m.sink) + ":\n" +
      (is_or ? "heads 0.0 and 0.1 are the same previous-token head, either one enough"
             : "head 0.0 is a previous-token head, 0.1 a current-token head, both needed") +
      ";\n1.0 is the induction head, 1.1 all zero. LD = logit[" + correct + "] - logit[" +
      incorrect + "] at the last position\n\n";
  text += left("prompt   tokens", 9 + 2 * positions + 1) + padded("LD", 10) + "\n";
  text += "clean    " + prompt_text(m.prompts.clean) + "  " +
          padded(fixed_point(m.f_clean, 6), 10) + "\n";
  text += "corrupt  " + prompt_text(m.prompts.corrupt) + "  " +
          padded(fixed_point(m.f_corrupt, 6), 10) + "\n";

  text += "\nattention of head 1.0 from the last position, by key position\n";
  std::string keys = "key     ";
  for (std::size_t key = 0; key < positions; ++key) keys += padded(std::to_string(key), 10);
  text += keys + "\n";
  for (const auto& [name, attention] :
       {std::pair{"clean", &m.attention_clean}, std::pair{"corrupt", &m.attention_corrupt}}) {
    std::string row = left(name, 8);
    for (const double value : *attention) row += padded(fixed_point(value, 6), 10);
    text += row + "\n";
  }

  text += std::string(
              "\nper head, every score a share of LD(clean) - LD(corrupt);\nIG: the study's at "
              "hook_z, ") +
          attribution::method_name(request.method) +
          " rule, n_steps = " + std::to_string(request.n_steps) + "\n";
  text +=
      "head  denoising   noising     AtP den     AtP noise   IG corrupt  IG clean    asymmetry   "
      "study's\n"
      "----  ----------  ----------  ----------  ----------  ----------  ----------  ----------  "
      "----------\n";
  for (std::size_t k = 0; k < t.asymmetry.size(); ++k) {
    std::string row = left(head_label(m.config, k), 4);
    for (const Statistic& value :
         {Statistic(t.patching.denoising.scores.flat()[k]),
          Statistic(t.patching.noising.scores.flat()[k]),
          Statistic(t.atp_denoising.scores.flat()[k]), Statistic(t.atp_noising.scores.flat()[k]),
          Statistic(t.ig_base_corrupt.shares.flat()[k]),
          Statistic(t.ig_base_clean.shares.flat()[k]), t.asymmetry[k],
          m.study_asymmetry ? Statistic((*m.study_asymmetry)[k]) : std::nullopt})
      row += "  " + padded(fixed(value, 6), 10);
    text += row + "\n";
  }
  text += "\nIG's convergence delta, a layer's heads against its whole patch:\nbase corrupt " +
          deltas_text(t.ig_base_corrupt) + "; base clean " + deltas_text(t.ig_base_clean) + "\n";

  text += "\npatching by position of the heads that matter (a score of at least " +
          shortest(head_matters_floor) + " either way)\n";
  if (m.matter.empty()) return text + "none\n";
  std::string header = "pos  clean  corrupt";
  for (const std::size_t k : m.matter) {
    const std::string label = head_label(m.config, k);
    header += padded(label + " den", 12) + padded(label + " noise", 12);
  }
  text += header + "\n";
  for (std::size_t pos = 0; pos < positions; ++pos) {
    std::string row = left(std::to_string(pos), 5) +
                      left(circuit_tokens[m.prompts.clean(0, pos)], 7) +
                      left(circuit_tokens[m.prompts.corrupt(0, pos)], 7);
    for (const std::size_t k : m.matter) {
      const std::size_t layer = k / m.config.n_heads, head = k % m.config.n_heads;
      const std::size_t r = layer * positions + pos;
      row += padded(fixed_point(m.by_position.denoising.scores(r, head), 6), 12) +
             padded(fixed_point(m.by_position.noising.scores(r, head), 6), 12);
    }
    text += row + "\n";
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
  const Measured m = measure(request);
  const Json json = json_report(request, m);
  require_finite(json, "heads");
  return format == Format::json ? json.dump() + "\n" : text_report(request, m);
}

}  // namespace latent
