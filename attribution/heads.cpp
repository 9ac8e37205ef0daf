#include "attribution/heads.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "attribution/comparison.hpp"
#include "attribution/model_run.hpp"
#include "autodiff/operations.hpp"

namespace attribution {
namespace {

using autodiff::Var;

std::string z_name(std::size_t layer) { return nn::hook_name(layer, "attn.hook_z"); }

void check_prompts(const nn::Tokens& base, const nn::Tokens& source) {
  for (const auto& [name, tokens] :
       {std::pair<const char*, const nn::Tokens*>{"base", &base}, {"source", &source}})
    if (tokens->rows() != 1)
      throw std::invalid_argument(std::string("heads: the ") + name +
                                  " tokens must be one prompt (one row), not " +
                                  nn::shape_string(*tokens));
  if (base.cols() != source.cols())
    throw std::invalid_argument("heads: the base prompt has " + std::to_string(base.cols()) +
                                " positions but the source prompt " +
                                std::to_string(source.cols()));
}

void check_layer_head(const nn::TransformerConfig& config, std::size_t layer, std::size_t head) {
  if (layer >= config.n_layers)
    throw std::invalid_argument("heads: layer " + std::to_string(layer) + " of a model of " +
                                std::to_string(config.n_layers) + " layers");
  if (head >= config.n_heads)
    throw std::invalid_argument("heads: head " + std::to_string(head) + " of a layer of " +
                                std::to_string(config.n_heads) + " heads");
}

// The gap every score is divided by; zero (by gap_is_zero) leaves nothing to share out.
double checked_gap(double f_base, double f_source, const char* what) {
  if (gap_is_zero(f_base, f_source))
    throw std::invalid_argument(std::string(what) + ": both prompts give the logit difference " +
                                std::to_string(f_base) + ", so there is no gap to normalise by");
  return f_base - f_source;
}

Var logit_difference_var(const nn::Matrix<Var>& logits, const LogitDifference& metric) {
  const std::size_t last = logits.rows() - 1;
  return logits(last, metric.correct) - logits(last, metric.incorrect);
}

double run_metric(nn::HookedTransformer& model, const nn::Tokens& tokens, const nn::Hooks& hooks,
                  const LogitDifference& metric) {
  const ModelScope scope(model);
  return logit_difference_var(model.run_with_hooks(tokens, hooks), metric).value();
}

// Every layer's hook_z of a run, as numbers.
std::vector<nn::Matrix<double>> z_of(nn::HookedTransformer& model, const nn::Tokens& tokens) {
  const nn::HookedTransformer::CachedRun run = model.run_with_cache(tokens);
  std::vector<nn::Matrix<double>> z;
  for (std::size_t layer = 0; layer < model.config().n_layers; ++layer)
    z.push_back(run.cache[z_name(layer)]);
  return z;
}

struct Prepared {
  double f_base = 0.0, f_source = 0.0, gap = 0.0;
  std::vector<nn::Matrix<double>> source_z;
};

Prepared prepare(nn::HookedTransformer& model, const nn::Tokens& base, const nn::Tokens& source,
                 const LogitDifference& metric, const char* what) {
  check_prompts(base, source);
  check_metric(model, metric);
  Prepared p;
  p.f_base = logit_difference(model.predict(base), metric);
  p.f_source = logit_difference(model.predict(source), metric);
  p.gap = checked_gap(p.f_base, p.f_source, what);
  p.source_z = z_of(model, source);
  return p;
}

HeadPatching patching(nn::HookedTransformer& model, const nn::Tokens& base,
                      const nn::Tokens& source, const LogitDifference& metric, bool by_position) {
  const Prepared p = prepare(model, base, source, metric, "head patching");
  const nn::TransformerConfig& config = model.config();
  const ZShape shape = z_shape(config, base);
  const std::size_t positions = by_position ? shape.positions : 1;
  HeadPatching result{p.f_base, p.f_source,
                      nn::Matrix<double>(config.n_layers * positions, config.n_heads),
                      nn::Matrix<double>(config.n_layers * positions, config.n_heads)};
  for (std::size_t layer = 0; layer < config.n_layers; ++layer)
    for (std::size_t pos = 0; pos < positions; ++pos)
      for (std::size_t head = 0; head < config.n_heads; ++head) {
        const std::optional<std::size_t> at =
            by_position ? std::optional<std::size_t>(pos) : std::nullopt;
        const nn::Hooks hooks{{z_name(layer), patch_head(shape, head, at, p.source_z[layer])}};
        const double difference = p.f_base - run_metric(model, base, hooks, metric);
        result.differences(layer * positions + pos, head) = difference;
        result.scores(layer * positions + pos, head) = difference / p.gap;
      }
  return result;
}

void check_shape(const nn::Matrix<double>& m, const ZShape& shape, const char* what) {
  if (m.rows() != shape.batch * shape.positions || m.cols() != shape.heads * shape.d_head)
    throw std::invalid_argument(
        std::string("patch_head: the ") + what + " is " + nn::shape_string(m) + " but hook_z of " +
        std::to_string(shape.batch) + " x " + std::to_string(shape.positions) + " tokens and " +
        std::to_string(shape.heads) + " heads of " + std::to_string(shape.d_head) + " is " +
        nn::shape_string(shape.batch * shape.positions, shape.heads * shape.d_head));
}

}  // namespace

void check_metric(const nn::HookedTransformer& model, const LogitDifference& metric) {
  const std::size_t vocabulary = model.config().d_vocab;
  for (const auto& [name, token] :
       {std::pair{"correct", metric.correct}, std::pair{"incorrect", metric.incorrect}})
    if (token >= vocabulary)
      throw std::invalid_argument(std::string("logit difference: the ") + name + " token " +
                                  std::to_string(token) + " is outside the vocabulary of " +
                                  std::to_string(vocabulary));
}

ModelScope::ModelScope(nn::HookedTransformer& model)
    : tape_(model.tape()), mark_(tape_.mark()), parameters_(model.parameters()) {
  gradients_.reserve(parameters_.size());
  for (const Var& p : parameters_) gradients_.push_back(p.grad());
}

ModelScope::~ModelScope() {
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    tape_.at(parameters_[i]).grad = gradients_[i];
  tape_.rewind(mark_);
}

LogitDifference logit_difference_of(const nn::PromptPair& prompts) {
  return {prompts.correct, prompts.incorrect};
}

double logit_difference(const nn::Matrix<double>& logits, const LogitDifference& metric) {
  if (metric.correct >= logits.cols() || metric.incorrect >= logits.cols())
    throw std::invalid_argument("logit difference: tokens " + std::to_string(metric.correct) +
                                " and " + std::to_string(metric.incorrect) + " of logits " +
                                nn::shape_string(logits));
  if (logits.rows() == 0) throw std::invalid_argument("logit difference: no positions");
  const std::size_t last = logits.rows() - 1;
  return logits(last, metric.correct) - logits(last, metric.incorrect);
}

ZShape z_shape(const nn::TransformerConfig& config, const nn::Tokens& tokens) {
  return {tokens.rows(), tokens.cols(), config.n_heads, config.d_head};
}

nn::Hook patch_head(const ZShape& shape, std::size_t head, std::optional<std::size_t> position,
                    nn::Matrix<double> source) {
  if (head >= shape.heads)
    throw std::invalid_argument("patch_head: head " + std::to_string(head) + " of a layer of " +
                                std::to_string(shape.heads) + " heads");
  if (position && *position >= shape.positions)
    throw std::invalid_argument("patch_head: position " + std::to_string(*position) +
                                " of a prompt of " + std::to_string(shape.positions) +
                                " positions");
  check_shape(source, shape, "source");
  return [shape, head, position, source = std::move(source)](nn::Matrix<Var>& activation) {
    if (activation.rows() != source.rows() || activation.cols() != source.cols())
      throw std::invalid_argument("patch_head: the activation is " + nn::shape_string(activation) +
                                  " but the source " + nn::shape_string(source));
    // BEGIN EXERCISE 12.2 [activation, shape, head, position, source]
    const std::size_t first = position.value_or(0);
    const std::size_t end = position ? *position + 1 : shape.positions;
    for (std::size_t b = 0; b < shape.batch; ++b)
      for (std::size_t p = first; p < end; ++p)
        for (std::size_t e = 0; e < shape.d_head; ++e) {
          const std::size_t row = b * shape.positions + p, col = head * shape.d_head + e;
          activation(row, col) = activation(row, col).tape().variable(source(row, col));
        }
    // END EXERCISE 12.2
  };
}

double metric_with_head_patched(nn::HookedTransformer& model, const nn::Tokens& base,
                                const nn::Tokens& source, const LogitDifference& metric,
                                std::size_t layer, std::size_t head,
                                std::optional<std::size_t> position) {
  check_prompts(base, source);
  check_metric(model, metric);
  check_layer_head(model.config(), layer, head);
  const nn::Matrix<double> source_z = z_of(model, source)[layer];
  const nn::Hooks hooks{
      {z_name(layer), patch_head(z_shape(model.config(), base), head, position, source_z)}};
  return run_metric(model, base, hooks, metric);
}

HeadPatching patch_heads(nn::HookedTransformer& model, const nn::Tokens& base,
                         const nn::Tokens& source, const LogitDifference& metric) {
  return patching(model, base, source, metric, false);
}

HeadPatching patch_heads_by_position(nn::HookedTransformer& model, const nn::Tokens& base,
                                     const nn::Tokens& source, const LogitDifference& metric) {
  return patching(model, base, source, metric, true);
}

TwoWayHeadPatching patch_heads_both_directions(nn::HookedTransformer& model,
                                               const nn::PromptPair& prompts) {
  const LogitDifference metric = logit_difference_of(prompts);
  return {patch_heads(model, prompts.corrupt, prompts.clean, metric),
          patch_heads(model, prompts.clean, prompts.corrupt, metric)};
}

TwoWayHeadPatching patch_heads_by_position_both_directions(nn::HookedTransformer& model,
                                                           const nn::PromptPair& prompts) {
  const LogitDifference metric = logit_difference_of(prompts);
  return {patch_heads_by_position(model, prompts.corrupt, prompts.clean, metric),
          patch_heads_by_position(model, prompts.clean, prompts.corrupt, metric)};
}

std::vector<std::optional<double>> head_asymmetry(const TwoWayHeadPatching& patching) {
  return relative_asymmetry(patching.noising.scores.flat(), patching.denoising.scores.flat());
}

std::optional<std::vector<double>> study_head_asymmetry(const TwoWayHeadPatching& patching) {
  return study_asymmetry(patching.noising.scores.flat(), patching.denoising.scores.flat());
}

HeadPatching attribution_patching_heads(nn::HookedTransformer& model, const nn::Tokens& base,
                                        const nn::Tokens& source, const LogitDifference& metric) {
  const Prepared p = prepare(model, base, source, metric, "attribution patching");
  const nn::TransformerConfig& config = model.config();
  const std::vector<nn::Matrix<double>> base_z = z_of(model, base);
  HeadPatching result{p.f_base, p.f_source, nn::Matrix<double>(config.n_layers, config.n_heads),
                      nn::Matrix<double>(config.n_layers, config.n_heads)};
  const ModelScope scope(model);
  // Only read: the gradient of m at each z node is on the tape after backward.
  std::vector<nn::Matrix<Var>> z(config.n_layers);
  nn::Hooks hooks;
  for (std::size_t layer = 0; layer < config.n_layers; ++layer)
    hooks.emplace_back(z_name(layer),
                       [&z, layer](nn::Matrix<Var>& activation) { z[layer] = activation; });
  const Var m = logit_difference_var(model.run_with_hooks(base, hooks), metric);
  m.backward();
  for (std::size_t layer = 0; layer < config.n_layers; ++layer)
    for (std::size_t row = 0; row < z[layer].rows(); ++row)
      for (std::size_t col = 0; col < z[layer].cols(); ++col) {
        const double delta = base_z[layer](row, col) - p.source_z[layer](row, col);
        result.differences(layer, col / config.d_head) += z[layer](row, col).grad() * delta;
      }
  for (std::size_t k = 0; k < result.scores.size(); ++k)
    result.scores.flat()[k] = result.differences.flat()[k] / p.gap;
  return result;
}

HeadIntegratedGradients study_integrated_gradients(nn::HookedTransformer& model,
                                                   const nn::Tokens& base, const nn::Tokens& other,
                                                   const LogitDifference& metric, int n_steps,
                                                   Method method) {
  const QuadratureRule& rule = cached_quadrature_rule(method, n_steps);
  const Prepared p = prepare(model, base, other, metric, "integrated gradients");
  const nn::TransformerConfig& config = model.config();
  const std::vector<nn::Matrix<double>> base_z = z_of(model, base);
  HeadIntegratedGradients result;
  result.method = method;
  result.n_steps = n_steps;
  result.f_base = p.f_base;
  result.f_other = p.f_source;
  result.attributions = nn::Matrix<double>(config.n_layers, config.n_heads);
  result.shares = nn::Matrix<double>(config.n_layers, config.n_heads);
  for (std::size_t layer = 0; layer < config.n_layers; ++layer) {
    const nn::Matrix<double>& start = base_z[layer];
    const nn::Matrix<double>& end = p.source_z[layer];
    nn::Matrix<double> integral(start.rows(), start.cols());
    for (std::size_t k = 0; k < rule.alphas.size(); ++k) {
      nn::Matrix<double> point(start.rows(), start.cols());
      for (std::size_t i = 0; i < point.size(); ++i)
        point.flat()[i] = start.flat()[i] + rule.alphas[k] * (end.flat()[i] - start.flat()[i]);
      const ModelScope scope(model);
      nn::Matrix<Var> leaves;
      const nn::Hooks hooks{{z_name(layer), nn::patch_activation(std::move(point), &leaves)}};
      logit_difference_var(model.run_with_hooks(base, hooks), metric).backward();
      for (std::size_t i = 0; i < integral.size(); ++i)
        integral.flat()[i] += rule.weights[k] * leaves.flat()[i].grad();
    }
    double layer_sum = 0.0;
    for (std::size_t row = 0; row < integral.rows(); ++row)
      for (std::size_t col = 0; col < integral.cols(); ++col) {
        const double attribution = (end(row, col) - start(row, col)) * integral(row, col);
        result.attributions(layer, col / config.d_head) += attribution;
        layer_sum += attribution;
      }
    const nn::Hooks patched{{z_name(layer), nn::patch_activation(end)}};
    result.f_layer_patched.push_back(run_metric(model, base, patched, metric));
    result.convergence_delta.push_back(layer_sum - (result.f_layer_patched.back() - p.f_base));
  }
  // p.gap is f_base - f_other; a share is of f_other - f_base.
  for (std::size_t k = 0; k < result.shares.size(); ++k)
    result.shares.flat()[k] = result.attributions.flat()[k] / -p.gap;
  return result;
}

HeadTable measure_heads(nn::HookedTransformer& model, const nn::PromptPair& prompts, int n_steps,
                        Method method) {
  const LogitDifference metric = logit_difference_of(prompts);
  HeadTable table;
  table.patching = patch_heads_both_directions(model, prompts);
  table.atp_denoising = attribution_patching_heads(model, prompts.corrupt, prompts.clean, metric);
  table.atp_noising = attribution_patching_heads(model, prompts.clean, prompts.corrupt, metric);
  table.ig_base_corrupt =
      study_integrated_gradients(model, prompts.corrupt, prompts.clean, metric, n_steps, method);
  table.ig_base_clean =
      study_integrated_gradients(model, prompts.clean, prompts.corrupt, metric, n_steps, method);
  table.asymmetry = head_asymmetry(table.patching);
  return table;
}

PooledHeadShares pooled_head_shares(nn::HookedTransformer& model,
                                    std::span<const nn::PromptPair> pairs, int n_steps,
                                    Method method) {
  if (pairs.empty()) throw std::invalid_argument("pooled_head_shares: no prompt pairs");
  const nn::TransformerConfig& config = model.config();
  PooledHeadShares pooled;
  pooled.pairs = pairs.size();
  for (nn::Matrix<double>* m :
       {&pooled.denoising, &pooled.noising, &pooled.atp_denoising, &pooled.atp_noising,
        &pooled.ig_base_corrupt, &pooled.ig_base_clean})
    *m = nn::Matrix<double>(config.n_layers, config.n_heads, 0.0);
  const auto add = [](nn::Matrix<double>& total, const nn::Matrix<double>& values) {
    for (std::size_t k = 0; k < total.size(); ++k) total.flat()[k] += values.flat()[k];
  };
  double gap = 0.0;  // the sum of m(clean) - m(corrupt)
  for (const nn::PromptPair& prompts : pairs) {
    const HeadTable t = measure_heads(model, prompts, n_steps, method);
    gap += t.ig_base_corrupt.f_other - t.ig_base_corrupt.f_base;
    // Every difference below is in its own direction's sign: denoising's and AtP-den's are
    // m(corrupt) - m(patched), IG on clean's attributions sum towards m(corrupt) - m(clean).
    add(pooled.denoising, t.patching.denoising.differences);
    add(pooled.noising, t.patching.noising.differences);
    add(pooled.atp_denoising, t.atp_denoising.differences);
    add(pooled.atp_noising, t.atp_noising.differences);
    add(pooled.ig_base_corrupt, t.ig_base_corrupt.attributions);
    add(pooled.ig_base_clean, t.ig_base_clean.attributions);
  }
  if (gap == 0.0)
    throw std::invalid_argument(
        "pooled_head_shares: the summed gap m(clean) - m(corrupt) over the pairs is zero");
  for (std::size_t k = 0; k < pooled.noising.size(); ++k) {
    pooled.denoising.flat()[k] /= -gap;
    pooled.noising.flat()[k] /= gap;
    pooled.atp_denoising.flat()[k] /= -gap;
    pooled.atp_noising.flat()[k] /= gap;
    pooled.ig_base_corrupt.flat()[k] /= gap;
    pooled.ig_base_clean.flat()[k] /= -gap;
  }
  pooled.mean_gap = gap / static_cast<double>(pairs.size());
  return pooled;
}

}  // namespace attribution
