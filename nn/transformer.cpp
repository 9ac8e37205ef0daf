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

// A run of n entries of a matrix of Vars and of its values, from (row, col), stride apart.
struct Strided {
  const Var* vars;
  const double* values;
  std::size_t stride;
};

Strided view(const Matrix<Var>& vars, const Matrix<double>& values, std::size_t row,
             std::size_t col, std::size_t stride) {
  const std::size_t at = row * vars.cols() + col;
  return {vars.flat().data() + at, values.flat().data() + at, stride};
}

// a[0] b[0] + a[1] b[1] + ... + a[n-1] b[n-1] on the tape, node for node what operator* and
// operator+ make of it, left to right: the same values, partials and parents in the same order,
// with the values read from plain copies instead of through every Var. `value` gets the sum.
Var dot(autodiff::Tape& tape, std::size_t n, Strided a, Strided b, double& value) {
  double x = a.values[0], y = b.values[0];
  double sum = x * y;
  Var node = tape.push(autodiff::Op::multiply, sum, a.vars[0], y, b.vars[0], x);
  for (std::size_t i = 1; i < n; ++i) {
    x = a.values[i * a.stride];
    y = b.values[i * b.stride];
    const double product = x * y;
    const Var term = tape.push(autodiff::Op::multiply, product, a.vars[i * a.stride], y,
                               b.vars[i * b.stride], x);
    sum = sum + product;
    node = tape.push(autodiff::Op::add, sum, node, 1.0, term, 1.0);
  }
  value = sum;
  return node;
}

}  // namespace

void HookedTransformer::values_of(const autodiff::Tape& tape, const Matrix<Var>& vars,
                                  Matrix<double>& values) {
  values.resize(vars.rows(), vars.cols());
  const auto v = vars.flat();
  const auto x = values.flat();
  for (std::size_t i = 0; i < v.size(); ++i) x[i] = tape.at(v[i]).value;
}

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
  values_.resize(activations_.size());
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
  bool hooked = false;
  for (; next < hooks.size() && hooks[next].activation == activation; ++next) {
    (*hooks[next].hook)(a);
    hooked = true;
    if (a.rows() != rows || a.cols() != cols)
      throw std::invalid_argument("run_with_hooks: the hook on " + hook_names()[activation] +
                                  " changed its shape from " + shape_string(rows, cols) + " to " +
                                  shape_string(a));
  }
  // A hook may have put in other nodes: what reads this activation must see their values.
  if (hooked) values_of(*tape_, a, values_[activation]);
}

const Matrix<Var>& HookedTransformer::run(const Tokens& tokens,
                                          const std::vector<ResolvedHook>& hooks, bool last_only) {
  check_tokens(tokens);
  const std::size_t B = tokens.rows(), T = tokens.cols(), D = config_.d_model, V = config_.d_vocab;
  autodiff::Tape& tape = *tape_;
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
  values_of(tape, embed, values_[0]);
  values_of(tape, pos_embed, values_[1]);
  apply(0);
  apply(1);
  const std::size_t pre0 = index(0, resid_pre);
  Matrix<Var>& resid = activations_[pre0];
  resid.resize(B * T, D);
  values_[pre0].resize(B * T, D);
  {
    const auto e = embed.flat(), p = pos_embed.flat(), x = resid.flat();
    const auto ev = values_[0].flat(), pv = values_[1].flat(), xv = values_[pre0].flat();
    for (std::size_t i = 0; i < x.size(); ++i) {
      xv[i] = ev[i] + pv[i];
      x[i] = tape.push(autodiff::Op::add, xv[i], e[i], 1.0, p[i], 1.0);
    }
  }
  apply(pre0);

  const std::size_t L = config_.n_layers;
  for (std::size_t layer = 0; layer < L; ++layer) {
    const std::size_t pre = index(layer, resid_pre), out = index(layer, attn_out),
                      post = index(layer, resid_post);
    if (layer > 0) {
      activations_[pre] = activations_[index(layer - 1, resid_post)];
      values_[pre] = values_[index(layer - 1, resid_post)];
      apply(pre);
    }
    // The positions from `first` on; in a last-position run the final layer needs only the last.
    const std::size_t first = last_only && layer + 1 == L ? T - 1 : 0;
    attention(layer, B, T, first, hooks, next);
    apply(out);
    const auto x = activations_[pre].flat(), a = activations_[out].flat();
    const auto xv = values_[pre].flat(), av = values_[out].flat();
    activations_[post].resize(B * T, D);
    values_[post].resize(B * T, D);
    const auto y = activations_[post].flat();
    const auto yv = values_[post].flat();
    for (std::size_t r = 0; r < B * T; ++r) {
      if (r % T < first) continue;
      for (std::size_t i = r * D; i < (r + 1) * D; ++i) {
        yv[i] = xv[i] + av[i];
        y[i] = tape.push(autodiff::Op::add, yv[i], x[i], 1.0, a[i], 1.0);
      }
    }
    apply(post);
  }

  // logits = x W_U + b_U, at every position, or in a last-position run at the last one only.
  const std::size_t last = index(L - 1, resid_post);
  const Matrix<Var>& x = activations_[last];
  const Matrix<double>& xv = values_[last];
  const Matrix<double> W_U = detach(W_U_), b_U = detach(b_U_);
  Matrix<Var>& logits = last_only ? last_logits_ : logits_;
  logits.resize(last_only ? B : B * T, V);
  for (std::size_t r = 0; r < B * T; ++r) {
    if (last_only && r % T != T - 1) continue;
    const auto row = logits.row(last_only ? r / T : r);
    for (std::size_t t = 0; t < V; ++t) {
      double s = 0;
      const Var sum = dot(tape, D, view(x, xv, r, 0, 1), view(W_U_, W_U, 0, t, V), s);
      row[t] = tape.push(autodiff::Op::add, s + b_U(0, t), sum, 1.0, b_U_(0, t), 1.0);
    }
  }
  return logits;
}

void HookedTransformer::attention(std::size_t layer, std::size_t batch, std::size_t positions,
                                  std::size_t first, const std::vector<ResolvedHook>& hooks,
                                  std::size_t& next) {
  const std::size_t B = batch, T = positions, D = config_.d_model, dh = config_.d_head,
                    H = config_.n_heads;
  autodiff::Tape& tape = *tape_;
  const Block& block = blocks_[layer];
  const Matrix<Var>& x = activations_[index(layer, resid_pre)];
  const Matrix<double>& xv = values_[index(layer, resid_pre)];

  // q, k, v = x W[h] + b[h]: for each row and head, d_head dot products over d_model.
  const auto project = [&](Point point, const Matrix<Var>& W, const Matrix<Var>& bias,
                           std::size_t from) {
    const Matrix<double> Wv = detach(W), bv = detach(bias);
    Matrix<Var>& out = activations_[index(layer, point)];
    Matrix<double>& outv = values_[index(layer, point)];
    out.resize(B * T, H * dh);
    outv.resize(B * T, H * dh);
    for (std::size_t r = 0; r < B * T; ++r) {
      if (r % T < from) continue;
      const auto o = out.row(r);
      const auto ov = outv.row(r);
      for (std::size_t h = 0; h < H; ++h)
        for (std::size_t e = 0; e < dh; ++e) {
          double s = 0;
          const Var sum = dot(tape, D, view(x, xv, r, 0, 1), view(W, Wv, h * D, e, dh), s);
          ov[h * dh + e] = s + bv(h, e);
          o[h * dh + e] = tape.push(autodiff::Op::add, ov[h * dh + e], sum, 1.0, bias(h, e), 1.0);
        }
    }
    apply_hooks(index(layer, point), hooks, next);
  };
  project(q, block.W_Q, block.b_Q, first);
  project(k, block.W_K, block.b_K, 0);
  project(v, block.W_V, block.b_V, 0);
  const Matrix<Var>& Q = activations_[index(layer, q)];
  const Matrix<Var>& K = activations_[index(layer, k)];
  const Matrix<Var>& Vv = activations_[index(layer, v)];
  const Matrix<double>& Qv = values_[index(layer, q)];
  const Matrix<double>& Kv = values_[index(layer, k)];
  const Matrix<double>& Vvv = values_[index(layer, v)];

  // scores = (q . k) / sqrt(d_head) on the causal part, -inf above it.
  const double scale = std::sqrt(static_cast<double>(dh));
  Matrix<Var>& scores = activations_[index(layer, attn_scores)];
  scores.resize(B * H * T, T);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t h = 0; h < H; ++h)
      for (std::size_t qp = first; qp < T; ++qp) {
        const auto s = scores.row((b * H + h) * T + qp);
        for (std::size_t kp = 0; kp <= qp; ++kp) {
          double d = 0;
          const Var dot_qk = dot(tape, dh, view(Q, Qv, b * T + qp, h * dh, 1),
                                 view(K, Kv, b * T + kp, h * dh, 1), d);
          s[kp] = tape.push(autodiff::Op::divide, d / scale, dot_qk, 1.0 / scale);
        }
        std::fill(s.begin() + static_cast<std::ptrdiff_t>(qp) + 1, s.end(), minus_infinity_);
      }
  apply_hooks(index(layer, attn_scores), hooks, next);

  Matrix<Var>& pattern = activations_[index(layer, Point::pattern)];
  Matrix<double>& pattern_values = values_[index(layer, Point::pattern)];
  pattern.resize(B * H * T, T);
  pattern_values.resize(B * H * T, T);
  for (std::size_t row = 0; row < B * H * T; ++row) {
    const std::size_t qp = row % T;
    if (qp < first) continue;
    const auto p = pattern.row(row);
    const auto pv = pattern_values.row(row);
    softmax_causal_row(std::span<const Var>(scores.row(row)).first(qp + 1), p.first(qp + 1));
    std::fill(p.begin() + static_cast<std::ptrdiff_t>(qp) + 1, p.end(), zero_);
    for (std::size_t kp = 0; kp < T; ++kp) pv[kp] = kp <= qp ? tape.at(p[kp]).value : 0.0;
  }
  apply_hooks(index(layer, Point::pattern), hooks, next);

  // z = pattern v, over the keys the query sees.
  Matrix<Var>& Z = activations_[index(layer, z)];
  Matrix<double>& Zv = values_[index(layer, z)];
  Z.resize(B * T, H * dh);
  Zv.resize(B * T, H * dh);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t h = 0; h < H; ++h)
      for (std::size_t qp = first; qp < T; ++qp) {
        const std::size_t row = (b * H + h) * T + qp;
        for (std::size_t e = 0; e < dh; ++e) {
          double s = 0;
          const Var sum = dot(tape, qp + 1, view(pattern, pattern_values, row, 0, 1),
                              view(Vv, Vvv, b * T, h * dh + e, H * dh), s);
          Zv(b * T + qp, h * dh + e) = s;
          Z(b * T + qp, h * dh + e) = sum;
        }
      }
  apply_hooks(index(layer, z), hooks, next);

  Matrix<Var>& out = activations_[index(layer, attn_out)];
  Matrix<double>& outv = values_[index(layer, attn_out)];
  out.resize(B * T, D);
  outv.resize(B * T, D);
  const Matrix<double> W_O = detach(block.W_O), b_O = detach(block.b_O);
  if (config_.use_attn_result) {
    // result_h = z_h W_O[h] per head, then attn_out = sum_h result_h + b_O.
    Matrix<Var>& R = activations_[index(layer, result)];
    R.resize(B * T, H * D);
    for (std::size_t r = 0; r < B * T; ++r) {
      if (r % T < first) continue;
      for (std::size_t h = 0; h < H; ++h)
        for (std::size_t d = 0; d < D; ++d) {
          double s = 0;
          R(r, h * D + d) =
              dot(tape, dh, view(Z, Zv, r, h * dh, 1), view(block.W_O, W_O, h * dh, d, D), s);
        }
    }
    apply_hooks(index(layer, result), hooks, next);
    for (std::size_t r = 0; r < B * T; ++r) {
      if (r % T < first) continue;
      for (std::size_t d = 0; d < D; ++d) {
        Var sum = R(r, d);
        for (std::size_t h = 1; h < H; ++h) sum = sum + R(r, h * D + d);
        out(r, d) = sum + block.b_O(0, d);
        outv(r, d) = tape.at(out(r, d)).value;
      }
    }
  } else {
    // TL's F.linear on z flattened over (head, d_head): one dot product of H d_head terms.
    for (std::size_t r = 0; r < B * T; ++r) {
      if (r % T < first) continue;
      const auto o = out.row(r);
      const auto ov = outv.row(r);
      for (std::size_t d = 0; d < D; ++d) {
        double s = 0;
        const Var sum = dot(tape, H * dh, view(Z, Zv, r, 0, 1), view(block.W_O, W_O, 0, d, D), s);
        ov[d] = s + b_O(0, d);
        o[d] = tape.push(autodiff::Op::add, ov[d], sum, 1.0, block.b_O(0, d), 1.0);
      }
    }
  }
}

const Matrix<Var>& HookedTransformer::forward(const Tokens& tokens) {
  return run(tokens, {}, false);
}

const Matrix<Var>& HookedTransformer::forward_last_position(const Tokens& tokens) {
  return run(tokens, {}, true);
}

const Matrix<Var>& HookedTransformer::run_with_hooks(const Tokens& tokens, const Hooks& hooks) {
  return run(tokens, resolve(hooks), false);
}

HookedTransformer::CachedRun HookedTransformer::run_with_cache(const Tokens& tokens,
                                                               const Hooks& hooks) {
  const std::vector<ResolvedHook> resolved = resolve(hooks);
  const autodiff::Tape::Mark mark = tape_->mark();
  CachedRun cached;
  try {
    cached.logits = detach(run(tokens, resolved, false));
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
  return parameter_leaves(named_parameters());
}

StateDict HookedTransformer::state_dict() const { return state_dict_of(named_parameters()); }

void HookedTransformer::load_state_dict(const StateDict& state) {
  load_state_dict_into(named_parameters(), state);
}

}  // namespace nn
