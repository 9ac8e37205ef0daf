#include "attribution/whole_path.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "attribution/model_run.hpp"
#include "autodiff/operations.hpp"
#include "nn/hooks.hpp"

namespace attribution {
namespace {

using autodiff::Var;

constexpr const char* what = "whole-path IG";

void check_prompts(const nn::HookedTransformer& model, const nn::Tokens& input,
                   const nn::Tokens& baseline, const LogitDifference& metric, int n_steps) {
  for (const auto& [name, tokens] :
       {std::pair<const char*, const nn::Tokens*>{"input", &input}, {"baseline", &baseline}})
    if (tokens->rows() != 1)
      throw std::invalid_argument(std::string(what) + ": the " + name +
                                  " tokens must be one prompt (one row), not " +
                                  nn::shape_string(*tokens));
  if (input.cols() != baseline.cols())
    throw std::invalid_argument(std::string(what) + ": the input prompt has " +
                                std::to_string(input.cols()) + " positions but the baseline " +
                                std::to_string(baseline.cols()));
  check_metric(model, metric);
  if (n_steps < 1 || n_steps > max_n_steps)
    throw std::invalid_argument(std::string(what) +
                                ": n_steps (the trapezoid's steps) must be 1 .. " +
                                std::to_string(max_n_steps) + ", not " + std::to_string(n_steps));
}

// The values and gradients of one cut's nodes at one step of the path, as numbers.
struct Snapshot {
  std::vector<double> input, input_grad;  // blocks.0.hook_resid_pre and its gradient
  // Per layer: resid_pre_L's values, resid_post_L's gradients, hook_z's values and gradients.
  std::vector<std::vector<double>> pre, post_grad, z, z_grad;
};

void values_of(const nn::Matrix<Var>& m, std::vector<double>& values) {
  values.resize(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) values[i] = m.flat()[i].value();
}
void grads_of(const nn::Matrix<Var>& m, std::vector<double>& grads) {
  grads.resize(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) grads[i] = m.flat()[i].grad();
}

// One forward and backward pass with blocks.0.hook_resid_pre replaced by `point`.
Snapshot step(nn::HookedTransformer& model, const nn::Tokens& tokens, const LogitDifference& metric,
              nn::Matrix<double> point) {
  const std::size_t layers = model.config().n_layers;
  const ModelScope scope(model);
  nn::Matrix<Var> input;
  std::vector<nn::Matrix<Var>> pre(layers), z(layers), post(layers);
  nn::Hooks hooks{
      {nn::hook_name(0, "hook_resid_pre"), nn::patch_activation(std::move(point), &input)}};
  // Only read: after backward each node holds d(m)/d(node) (autodiff/tape.hpp).
  for (std::size_t layer = 0; layer < layers; ++layer) {
    hooks.emplace_back(nn::hook_name(layer, "hook_resid_pre"),
                       [&pre, layer](nn::Matrix<Var>& a) { pre[layer] = a; });
    hooks.emplace_back(nn::hook_name(layer, "attn.hook_z"),
                       [&z, layer](nn::Matrix<Var>& a) { z[layer] = a; });
    hooks.emplace_back(nn::hook_name(layer, "hook_resid_post"),
                       [&post, layer](nn::Matrix<Var>& a) { post[layer] = a; });
  }
  const nn::Matrix<Var>& logits = model.run_with_hooks(tokens, hooks);
  const std::size_t last = logits.rows() - 1;
  (logits(last, metric.correct) - logits(last, metric.incorrect)).backward();
  Snapshot s;
  values_of(input, s.input);
  grads_of(input, s.input_grad);
  s.pre.resize(layers);
  s.post_grad.resize(layers);
  s.z.resize(layers);
  s.z_grad.resize(layers);
  for (std::size_t layer = 0; layer < layers; ++layer) {
    values_of(pre[layer], s.pre[layer]);
    grads_of(post[layer], s.post_grad[layer]);
    values_of(z[layer], s.z[layer]);
    grads_of(z[layer], s.z_grad[layer]);
  }
  return s;
}

// 1/2 (g_k + g_{k+1}) . (x_{k+1} - x_k), entry by entry, added into `sums` by `group(entry)`.
template <class Group>
void add_trapezoid(const std::vector<double>& x0, const std::vector<double>& g0,
                   const std::vector<double>& x1, const std::vector<double>& g1, Group group,
                   std::vector<double>& sums) {
  for (std::size_t i = 0; i < x0.size(); ++i)
    sums[group(i)] += 0.5 * (g0[i] + g1[i]) * (x1[i] - x0[i]);
}

}  // namespace

WholePathIntegratedGradients whole_path_integrated_gradients(nn::HookedTransformer& model,
                                                             const nn::Tokens& input,
                                                             const nn::Tokens& baseline,
                                                             const LogitDifference& metric,
                                                             int n_steps) {
  check_prompts(model, input, baseline, metric, n_steps);
  const nn::TransformerConfig& config = model.config();
  WholePathIntegratedGradients result;
  result.n_steps = n_steps;
  result.f_input = logit_difference(model.predict(input), metric);
  result.f_baseline = logit_difference(model.predict(baseline), metric);
  if (gap_is_zero(result.f_input, result.f_baseline))
    throw std::invalid_argument(std::string(what) + ": both prompts give the logit difference " +
                                std::to_string(result.f_input) +
                                ", so there is no gap to normalise by");
  const double gap = result.f_input - result.f_baseline;

  const std::string embedding = nn::hook_name(0, "hook_resid_pre");
  const nn::Matrix<double> start = model.run_with_cache(baseline).cache[embedding];
  const nn::Matrix<double> end = model.run_with_cache(input).cache[embedding];
  const std::size_t positions = input.cols(), d_model = config.d_model, d_head = config.d_head;
  const std::size_t heads = config.n_heads, layers = config.n_layers;

  std::vector<double> input_sums(positions, 0.0);
  std::vector<std::vector<double>> bypass(layers, std::vector<double>(1, 0.0));
  std::vector<std::vector<double>> conductance(layers, std::vector<double>(heads, 0.0));
  Snapshot previous;
  for (int k = 0; k <= n_steps; ++k) {
    // The last point is the input's value itself, so the path ends exactly where m(input) is.
    const double alpha = static_cast<double>(k) / n_steps;
    nn::Matrix<double> point = end;
    if (k < n_steps)
      for (std::size_t i = 0; i < point.size(); ++i)
        point.flat()[i] = start.flat()[i] + alpha * (end.flat()[i] - start.flat()[i]);
    Snapshot current = step(model, input, metric, std::move(point));
    if (k > 0) {
      add_trapezoid(
          previous.input, previous.input_grad, current.input, current.input_grad,
          [d_model](std::size_t i) { return i / d_model; }, input_sums);
      for (std::size_t layer = 0; layer < layers; ++layer) {
        add_trapezoid(
            previous.pre[layer], previous.post_grad[layer], current.pre[layer],
            current.post_grad[layer], [](std::size_t) { return std::size_t{0}; }, bypass[layer]);
        // hook_z's columns are h * d_head + e, rows positions.
        const std::size_t width = heads * d_head;
        add_trapezoid(
            previous.z[layer], previous.z_grad[layer], current.z[layer], current.z_grad[layer],
            [width, d_head](std::size_t i) { return i % width / d_head; }, conductance[layer]);
      }
    }
    previous = std::move(current);
  }

  result.conductance = nn::Matrix<double>(layers, heads);
  result.shares = nn::Matrix<double>(layers, heads);
  for (std::size_t layer = 0; layer < layers; ++layer) {
    double sum = bypass[layer][0];
    for (std::size_t h = 0; h < heads; ++h) {
      result.conductance(layer, h) = conductance[layer][h];
      result.shares(layer, h) = conductance[layer][h] / gap;
      sum += conductance[layer][h];
    }
    result.bypass.push_back(bypass[layer][0]);
    result.bypass_shares.push_back(bypass[layer][0] / gap);
    result.convergence_delta.push_back(sum - gap);
  }
  double input_sum = 0.0;
  for (const double a : input_sums) input_sum += a;
  result.input_attributions = std::move(input_sums);
  result.input_convergence_delta = input_sum - gap;
  return result;
}

WholePathIntegratedGradients whole_path_integrated_gradients(nn::HookedTransformer& model,
                                                             const nn::PromptPair& prompts,
                                                             int n_steps) {
  return whole_path_integrated_gradients(model, prompts.clean, prompts.corrupt,
                                         logit_difference_of(prompts), n_steps);
}

PooledWholePath pooled_whole_path(nn::HookedTransformer& model,
                                  std::span<const nn::PromptPair> pairs, int n_steps) {
  if (pairs.empty()) throw std::invalid_argument("whole-path IG: no prompt pairs to pool");
  const nn::TransformerConfig& config = model.config();
  PooledWholePath pooled{nn::Matrix<double>(config.n_layers, config.n_heads, 0.0),
                         std::vector<double>(config.n_layers, 0.0)};
  double gap = 0.0;
  for (const nn::PromptPair& prompts : pairs) {
    const WholePathIntegratedGradients w = whole_path_integrated_gradients(model, prompts, n_steps);
    gap += w.f_input - w.f_baseline;
    for (std::size_t k = 0; k < pooled.shares.size(); ++k)
      pooled.shares.flat()[k] += w.conductance.flat()[k];
    for (std::size_t layer = 0; layer < config.n_layers; ++layer)
      pooled.bypass_shares[layer] += w.bypass[layer];
  }
  if (gap == 0.0)
    throw std::invalid_argument(
        "whole-path IG: the summed gap m(clean) - m(corrupt) over the pairs is zero");
  for (double& s : pooled.shares.flat()) s /= gap;
  for (double& s : pooled.bypass_shares) s /= gap;
  return pooled;
}

}  // namespace attribution
