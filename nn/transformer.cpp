#include "nn/transformer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "autodiff/operations.hpp"
#include "nn/softmax.hpp"

namespace nn {

using autodiff::Var;

namespace {

constexpr std::string_view layer_points[] = {
    "hook_resid_pre",        "attn.hook_q",       "attn.hook_k", "attn.hook_v",
    "attn.hook_attn_scores", "attn.hook_pattern", "attn.hook_z", "attn.hook_result",
    "hook_attn_out",         "hook_resid_post"};

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

TransformerConfig checked(TransformerConfig config) {
  const std::pair<const char*, std::size_t> sizes[] = {
      {"d_vocab", config.d_vocab}, {"n_ctx", config.n_ctx},     {"d_model", config.d_model},
      {"d_head", config.d_head},   {"n_heads", config.n_heads}, {"n_layers", config.n_layers}};
  for (const auto& [name, size] : sizes)
    if (size == 0)
      throw std::invalid_argument(std::string("HookedTransformer: ") + name +
                                  " is 0; every size of the config must be at least 1");
  if (!std::isfinite(config.init_range))
    throw std::invalid_argument("HookedTransformer: init_range " +
                                std::to_string(config.init_range) + " is not finite");
  if (config.init_range < 0)
    config.init_range = 0.8 / std::sqrt(static_cast<double>(config.d_model));
  return config;
}

// Leaves for a weight, uniform on [-a, a) with a = init_range sqrt(3) (standard deviation
// init_range), row-major; all zero when init_range is 0.
Matrix<Var> weight(autodiff::Tape& tape, Generator& generator, std::size_t rows, std::size_t cols,
                   double init_range) {
  const double a = init_range * std::sqrt(3.0);
  Matrix<Var> w(rows, cols);
  for (Var& entry : w.flat()) entry = tape.variable(a > 0 ? generator.uniform(-a, a) : 0.0);
  return w;
}

Matrix<Var> zeros(autodiff::Tape& tape, std::size_t rows, std::size_t cols) {
  Matrix<Var> b(rows, cols);
  for (Var& entry : b.flat()) entry = tape.variable(0.0);
  return b;
}

}  // namespace

std::string hook_name(std::size_t layer, std::string_view point) {
  return "blocks." + std::to_string(layer) + "." + std::string(point);
}

HookedTransformer::HookedTransformer(autodiff::Tape& tape, Generator& generator,
                                     TransformerConfig config)
    : tape_(&tape), config_(checked(config)) {
  const std::size_t V = config_.d_vocab, D = config_.d_model, dh = config_.d_head,
                    H = config_.n_heads;
  const double r = config_.init_range;
  W_E_ = weight(tape, generator, V, D, r);
  W_pos_ = weight(tape, generator, config_.n_ctx, D, r);
  blocks_.resize(config_.n_layers);
  for (Block& block : blocks_) {
    block.W_Q = weight(tape, generator, H * D, dh, r);
    block.W_K = weight(tape, generator, H * D, dh, r);
    block.W_V = weight(tape, generator, H * D, dh, r);
    block.W_O = weight(tape, generator, H * dh, D, r);
    block.b_Q = zeros(tape, H, dh);
    block.b_K = zeros(tape, H, dh);
    block.b_V = zeros(tape, H, dh);
    block.b_O = zeros(tape, 1, D);
  }
  W_U_ = weight(tape, generator, D, V, r);
  b_U_ = zeros(tape, 1, V);
  minus_infinity_ = tape.variable(-std::numeric_limits<double>::infinity());
  zero_ = tape.variable(0.0);
  activations_.resize(hook_names().size());
}

// ---- structure ----------------------------------------------------------------------------------

std::size_t HookedTransformer::index(std::size_t layer, Point point) const {
  const std::size_t per = config_.use_attn_result ? points_per_layer : points_per_layer - 1;
  const std::size_t offset = !config_.use_attn_result && point > result ? point - 1 : point;
  return 2 + layer * per + offset;
}

std::vector<std::string> HookedTransformer::hook_names() const {
  std::vector<std::string> names = {"hook_embed", "hook_pos_embed"};
  for (std::size_t layer = 0; layer < config_.n_layers; ++layer)
    for (std::size_t point = 0; point < points_per_layer; ++point)
      if (point != result || config_.use_attn_result)
        names.push_back(hook_name(layer, layer_points[point]));
  return names;
}

// ---- running ------------------------------------------------------------------------------------

void HookedTransformer::check_tokens(const Tokens& tokens) const {
  if (tokens.rows() == 0 || tokens.cols() == 0)
    throw std::invalid_argument("HookedTransformer: the tokens are " + shape_string(tokens) +
                                "; give at least one sequence of at least one token");
  if (tokens.cols() > config_.n_ctx)
    throw std::invalid_argument("HookedTransformer: the sequences have " +
                                std::to_string(tokens.cols()) + " positions but n_ctx is " +
                                std::to_string(config_.n_ctx));
  for (std::size_t b = 0; b < tokens.rows(); ++b)
    for (std::size_t p = 0; p < tokens.cols(); ++p)
      if (tokens(b, p) >= config_.d_vocab)
        throw std::invalid_argument("HookedTransformer: token " + std::to_string(tokens(b, p)) +
                                    " (sequence " + std::to_string(b) + ", position " +
                                    std::to_string(p) + ") is outside the vocabulary [0, " +
                                    std::to_string(config_.d_vocab) + ")");
}

std::vector<HookedTransformer::ResolvedHook> HookedTransformer::resolve(const Hooks& hooks) const {
  const std::vector<std::string> names = hook_names();
  std::vector<ResolvedHook> resolved;
  resolved.reserve(hooks.size());
  for (const auto& [name, hook] : hooks) {
    const auto found = std::find(names.begin(), names.end(), name);
    if (found == names.end())
      throw std::invalid_argument("run_with_hooks: unknown hook name '" + name +
                                  "'; this model's names are: " + join(names));
    if (!hook) throw std::invalid_argument("run_with_hooks: the hook for '" + name + "' is empty");
    resolved.push_back({static_cast<std::size_t>(found - names.begin()), &hook});
  }
  std::stable_sort(
      resolved.begin(), resolved.end(),
      [](const ResolvedHook& a, const ResolvedHook& b) { return a.activation < b.activation; });
  return resolved;
}

void HookedTransformer::apply_hooks(std::size_t activation, const std::vector<ResolvedHook>& hooks,
                                    std::size_t& next) {
  Matrix<Var>& a = activations_[activation];
  const std::size_t rows = a.rows(), cols = a.cols();
  for (; next < hooks.size() && hooks[next].activation == activation; ++next) {
    (*hooks[next].hook)(a);
    if (a.rows() != rows || a.cols() != cols)
      throw std::invalid_argument("run_with_hooks: the hook on " + hook_names()[activation] +
                                  " changed its shape from " + shape_string(rows, cols) + " to " +
                                  shape_string(a));
  }
}

const Matrix<Var>& HookedTransformer::run(const Tokens& tokens,
                                          const std::vector<ResolvedHook>& hooks) {
  check_tokens(tokens);
  const std::size_t B = tokens.rows(), T = tokens.cols(), D = config_.d_model, V = config_.d_vocab;
  std::size_t next = 0;
  const auto apply = [&](std::size_t activation) { apply_hooks(activation, hooks, next); };

  Matrix<Var>& embed = activations_[0];
  Matrix<Var>& pos_embed = activations_[1];
  embed.resize(B * T, D);
  pos_embed.resize(B * T, D);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t p = 0; p < T; ++p) {
      const auto e = W_E_.row(tokens(b, p)), w = W_pos_.row(p);
      std::copy(e.begin(), e.end(), embed.row(b * T + p).begin());
      std::copy(w.begin(), w.end(), pos_embed.row(b * T + p).begin());
    }
  apply(0);
  apply(1);
  Matrix<Var>& resid = activations_[index(0, resid_pre)];
  resid.resize(B * T, D);
  {
    const auto e = embed.flat(), p = pos_embed.flat(), x = resid.flat();
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = e[i] + p[i];
  }
  apply(index(0, resid_pre));

  for (std::size_t layer = 0; layer < config_.n_layers; ++layer) {
    if (layer > 0) {
      activations_[index(layer, resid_pre)] = activations_[index(layer - 1, resid_post)];
      apply(index(layer, resid_pre));
    }
    attention(layer, B, T, hooks, next);
    apply(index(layer, attn_out));
    const auto x = activations_[index(layer, resid_pre)].flat();
    const auto a = activations_[index(layer, attn_out)].flat();
    Matrix<Var>& post = activations_[index(layer, resid_post)];
    post.resize(B * T, D);
    const auto y = post.flat();
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = x[i] + a[i];
    apply(index(layer, resid_post));
  }

  // logits = x W_U + b_U
  const Matrix<Var>& x = activations_[index(config_.n_layers - 1, resid_post)];
  logits_.resize(B * T, V);
  for (std::size_t r = 0; r < B * T; ++r) {
    const auto xr = x.row(r);
    for (std::size_t t = 0; t < V; ++t) {
      Var sum = xr[0] * W_U_(0, t);
      for (std::size_t d = 1; d < D; ++d) sum = sum + xr[d] * W_U_(d, t);
      logits_(r, t) = sum + b_U_(0, t);
    }
  }
  return logits_;
}

void HookedTransformer::attention(std::size_t layer, std::size_t batch, std::size_t positions,
                                  const std::vector<ResolvedHook>& hooks, std::size_t& next) {
  const std::size_t B = batch, T = positions, D = config_.d_model, dh = config_.d_head,
                    H = config_.n_heads;
  const Block& block = blocks_[layer];
  const Matrix<Var>& x = activations_[index(layer, resid_pre)];

  // q, k, v = x W[h] + b[h]: for each row and head, d_head dot products over d_model.
  const auto project = [&](Point point, const Matrix<Var>& W, const Matrix<Var>& bias) {
    Matrix<Var>& out = activations_[index(layer, point)];
    out.resize(B * T, H * dh);
    for (std::size_t r = 0; r < B * T; ++r) {
      const auto xr = x.row(r);
      for (std::size_t h = 0; h < H; ++h)
        for (std::size_t e = 0; e < dh; ++e) {
          Var sum = xr[0] * W(h * D, e);
          for (std::size_t i = 1; i < D; ++i) sum = sum + xr[i] * W(h * D + i, e);
          out(r, h * dh + e) = sum + bias(h, e);
        }
    }
    apply_hooks(index(layer, point), hooks, next);
  };
  project(q, block.W_Q, block.b_Q);
  project(k, block.W_K, block.b_K);
  project(v, block.W_V, block.b_V);
  const Matrix<Var>& Q = activations_[index(layer, q)];
  const Matrix<Var>& K = activations_[index(layer, k)];
  const Matrix<Var>& Vv = activations_[index(layer, v)];

  // scores = (q . k) / sqrt(d_head) on the causal part, -inf above it.
  const double scale = std::sqrt(static_cast<double>(dh));
  Matrix<Var>& scores = activations_[index(layer, attn_scores)];
  scores.resize(B * H * T, T);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t h = 0; h < H; ++h)
      for (std::size_t qp = 0; qp < T; ++qp) {
        const auto s = scores.row((b * H + h) * T + qp);
        const auto qr = Q.row(b * T + qp).subspan(h * dh, dh);
        for (std::size_t kp = 0; kp <= qp; ++kp) {
          const auto kr = K.row(b * T + kp).subspan(h * dh, dh);
          Var dot = qr[0] * kr[0];
          for (std::size_t e = 1; e < dh; ++e) dot = dot + qr[e] * kr[e];
          s[kp] = dot / scale;
        }
        std::fill(s.begin() + static_cast<std::ptrdiff_t>(qp) + 1, s.end(), minus_infinity_);
      }
  apply_hooks(index(layer, attn_scores), hooks, next);

  Matrix<Var>& pattern = activations_[index(layer, Point::pattern)];
  pattern.resize(B * H * T, T);
  for (std::size_t row = 0; row < B * H * T; ++row) {
    const std::size_t qp = row % T;
    const auto p = pattern.row(row);
    softmax_causal_row(std::span<const Var>(scores.row(row)).first(qp + 1), p.first(qp + 1));
    std::fill(p.begin() + static_cast<std::ptrdiff_t>(qp) + 1, p.end(), zero_);
  }
  apply_hooks(index(layer, Point::pattern), hooks, next);

  // z = pattern v, over the keys the query sees.
  Matrix<Var>& Z = activations_[index(layer, z)];
  Z.resize(B * T, H * dh);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t h = 0; h < H; ++h)
      for (std::size_t qp = 0; qp < T; ++qp) {
        const auto p = pattern.row((b * H + h) * T + qp);
        for (std::size_t e = 0; e < dh; ++e) {
          Var sum = p[0] * Vv(b * T, h * dh + e);
          for (std::size_t kp = 1; kp <= qp; ++kp) sum = sum + p[kp] * Vv(b * T + kp, h * dh + e);
          Z(b * T + qp, h * dh + e) = sum;
        }
      }
  apply_hooks(index(layer, z), hooks, next);

  Matrix<Var>& out = activations_[index(layer, attn_out)];
  out.resize(B * T, D);
  if (config_.use_attn_result) {
    // result_h = z_h W_O[h] per head, then attn_out = sum_h result_h + b_O.
    Matrix<Var>& R = activations_[index(layer, result)];
    R.resize(B * T, H * D);
    for (std::size_t r = 0; r < B * T; ++r)
      for (std::size_t h = 0; h < H; ++h)
        for (std::size_t d = 0; d < D; ++d) {
          Var sum = Z(r, h * dh) * block.W_O(h * dh, d);
          for (std::size_t e = 1; e < dh; ++e)
            sum = sum + Z(r, h * dh + e) * block.W_O(h * dh + e, d);
          R(r, h * D + d) = sum;
        }
    apply_hooks(index(layer, result), hooks, next);
    for (std::size_t r = 0; r < B * T; ++r)
      for (std::size_t d = 0; d < D; ++d) {
        Var sum = R(r, d);
        for (std::size_t h = 1; h < H; ++h) sum = sum + R(r, h * D + d);
        out(r, d) = sum + block.b_O(0, d);
      }
  } else {
    // TL's F.linear on z flattened over (head, d_head): one dot product of H d_head terms.
    for (std::size_t r = 0; r < B * T; ++r) {
      const auto zr = Z.row(r);
      for (std::size_t d = 0; d < D; ++d) {
        Var sum = zr[0] * block.W_O(0, d);
        for (std::size_t j = 1; j < H * dh; ++j) sum = sum + zr[j] * block.W_O(j, d);
        out(r, d) = sum + block.b_O(0, d);
      }
    }
  }
}

const Matrix<Var>& HookedTransformer::forward(const Tokens& tokens) { return run(tokens, {}); }

const Matrix<Var>& HookedTransformer::run_with_hooks(const Tokens& tokens, const Hooks& hooks) {
  return run(tokens, resolve(hooks));
}

HookedTransformer::CachedRun HookedTransformer::run_with_cache(const Tokens& tokens,
                                                               const Hooks& hooks) {
  const std::vector<ResolvedHook> resolved = resolve(hooks);
  const autodiff::Tape::Mark mark = tape_->mark();
  CachedRun cached;
  try {
    cached.logits = detach(run(tokens, resolved));
    const std::vector<std::string> names = hook_names();
    for (std::size_t k = 0; k < names.size(); ++k)
      cached.cache.insert(names[k], detach(activations_[k]));
  } catch (...) {
    tape_->rewind(mark);
    throw;
  }
  tape_->rewind(mark);
  return cached;
}

Matrix<double> HookedTransformer::predict(const Tokens& tokens) {
  const autodiff::Tape::Mark mark = tape_->mark();
  Matrix<double> logits;
  try {
    logits = detach(forward(tokens));
  } catch (...) {
    tape_->rewind(mark);
    throw;
  }
  tape_->rewind(mark);
  return logits;
}

std::size_t HookedTransformer::forward_nodes(const Tokens& tokens) {
  const autodiff::Tape::Mark mark = tape_->mark();
  try {
    forward(tokens);
  } catch (...) {
    tape_->rewind(mark);
    throw;
  }
  const std::size_t nodes = tape_->size() - mark.size;
  tape_->rewind(mark);
  return nodes;
}

// ---- parameters ---------------------------------------------------------------------------------

std::vector<NamedParameter> HookedTransformer::named_parameters() const {
  std::vector<NamedParameter> result = {{"embed.W_E", W_E_}, {"pos_embed.W_pos", W_pos_}};
  for (std::size_t layer = 0; layer < blocks_.size(); ++layer) {
    const Block& b = blocks_[layer];
    const std::string prefix = "blocks." + std::to_string(layer) + ".attn.";
    for (const auto& [name, value] : {std::pair<const char*, const Matrix<Var>*>{"W_Q", &b.W_Q},
                                      {"W_K", &b.W_K},
                                      {"W_V", &b.W_V},
                                      {"W_O", &b.W_O},
                                      {"b_Q", &b.b_Q},
                                      {"b_K", &b.b_K},
                                      {"b_V", &b.b_V},
                                      {"b_O", &b.b_O}})
      result.push_back({prefix + name, *value});
  }
  result.push_back({"unembed.W_U", W_U_});
  result.push_back({"unembed.b_U", b_U_});
  return result;
}

std::vector<Var> HookedTransformer::parameters() const {
  std::vector<Var> result;
  for (const NamedParameter& parameter : named_parameters())
    for (const Var& v : parameter.value.flat()) result.push_back(v);
  return result;
}

StateDict HookedTransformer::state_dict() const {
  StateDict state;
  for (const NamedParameter& parameter : named_parameters()) {
    std::vector<double>& list = state[parameter.name];
    for (const Var& v : parameter.value.flat()) list.push_back(v.value());
  }
  return state;
}

void HookedTransformer::load_state_dict(const StateDict& state) {
  const std::vector<NamedParameter> parameters = named_parameters();
  std::vector<std::string> names;
  names.reserve(parameters.size());
  for (const NamedParameter& parameter : parameters) names.push_back(parameter.name);
  for (const auto& entry : state)
    if (std::find(names.begin(), names.end(), entry.first) == names.end())
      throw std::invalid_argument("load_state_dict: unexpected parameter '" + entry.first +
                                  "'; this model's parameters are: " + join(names));
  for (const NamedParameter& parameter : parameters) {
    const auto found = state.find(parameter.name);
    if (found == state.end())
      throw std::invalid_argument("load_state_dict: missing parameter '" + parameter.name + "'");
    const std::vector<double>& given = found->second;
    if (given.size() != parameter.value.size())
      throw std::invalid_argument("load_state_dict: " + parameter.name + " has " +
                                  std::to_string(parameter.value.size()) + " values but " +
                                  std::to_string(given.size()) + " were given");
    for (double v : given)
      if (!std::isfinite(v))
        throw std::invalid_argument("load_state_dict: " + parameter.name + " has the value " +
                                    std::to_string(v) + ", which is not finite");
  }
  for (const NamedParameter& parameter : parameters) {
    const std::vector<double>& given = state.at(parameter.name);
    const auto leaves = parameter.value.flat();
    for (std::size_t k = 0; k < leaves.size(); ++k) leaves[k].set_value(given[k]);
  }
}

}  // namespace nn
