// Chapter 12: nn::HookedTransformer. Against PyTorch (tests/reference_transformer.hpp: every hook
// point, the logits, the loss and every parameter's gradient, to 1e-12), against central
// differences (every parameter of a small two-layer model), against the node-count formula of
// nn/transformer.hpp, and on what hooks, the cache and the state dict promise.
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "autodiff/gradcheck.hpp"
#include "autodiff/operations.hpp"
#include "nn/cross_entropy_loss.hpp"
#include "nn/transformer.hpp"
#include "tests/chapter_output.hpp"
#include "tests/reference_transformer.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using autodiff::Var;
using test_support::contains;
using test_support::invalid_argument_message;
namespace ref = reference_transformer;

// PyTorch and the tape sum in different orders; float64 rounding stays far below this.
constexpr double tolerance = 1e-12;

nn::TransformerConfig reference_config(bool use_attn_result = true) {
  return {.d_vocab = ref::d_vocab,
          .n_ctx = ref::n_ctx,
          .d_model = ref::d_model,
          .d_head = ref::d_head,
          .n_heads = ref::n_heads,
          .n_layers = ref::n_layers,
          .use_attn_result = use_attn_result};
}

nn::Tokens tokens_of(const std::vector<std::vector<std::size_t>>& rows) {
  nn::Tokens tokens(rows.size(), rows.empty() ? 0 : rows[0].size());
  for (std::size_t b = 0; b < rows.size(); ++b)
    for (std::size_t p = 0; p < rows[b].size(); ++p) tokens(b, p) = rows[b][p];
  return tokens;
}

// The closed-form weights the reference script uses: tensor k's value i is weight_value(k, i).
nn::StateDict closed_form_state(const nn::HookedTransformer& model) {
  nn::StateDict state;
  const std::vector<nn::NamedParameter> parameters = model.named_parameters();
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    std::vector<double>& values = state[parameters[k].name];
    for (std::size_t i = 0; i < parameters[k].value.size(); ++i)
      values.push_back(ref::weight_value(k, i));
  }
  return state;
}

struct ReferenceModel {
  explicit ReferenceModel(bool use_attn_result = true)
      : model(tape, generator, reference_config(use_attn_result)) {
    model.load_state_dict(closed_form_state(model));
  }
  autodiff::Tape tape;
  nn::Generator generator{0};
  nn::HookedTransformer model;
};

// The mean cross-entropy at each sequence's last position, on the tape.
Var last_position_loss(const nn::Matrix<Var>& logits, std::size_t batch, std::size_t positions,
                       const std::vector<std::size_t>& targets) {
  nn::Matrix<Var> last(batch, logits.cols());
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t t = 0; t < logits.cols(); ++t)
      last(b, t) = logits(b * positions + positions - 1, t);
  return nn::CrossEntropyLoss()(last, targets);
}

void expect_close(const nn::Matrix<double>& actual, const std::vector<double>& expected,
                  const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  const auto a = actual.flat();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::isinf(expected[i]))
      EXPECT_EQ(a[i], expected[i]) << what << " entry " << i;
    else
      EXPECT_NEAR(a[i], expected[i], tolerance) << what << " entry " << i;
  }
}

// ---- against PyTorch ----------------------------------------------------------------------------

TEST(Ch12Transformer, EveryHookPointMatchesPyTorch) {
  ReferenceModel r;
  const auto run = r.model.run_with_cache(tokens_of(ref::tokens));
  ASSERT_EQ(run.cache.names().size(), ref::hooks.size());
  for (std::size_t k = 0; k < ref::hooks.size(); ++k) {
    const std::string name(ref::hooks[k].name);
    EXPECT_EQ(run.cache.names()[k], name);
    expect_close(run.cache[name], ref::hooks[k].values, name);
  }
  expect_close(run.logits, ref::logits, "logits");
}

TEST(Ch12Transformer, LossAndEveryGradientMatchPyTorch) {
  ReferenceModel r;
  const nn::Tokens tokens = tokens_of(ref::tokens);
  const Var loss =
      last_position_loss(r.model.forward(tokens), tokens.rows(), tokens.cols(), ref::targets);
  EXPECT_NEAR(loss.value(), ref::loss, tolerance);
  loss.backward();
  const std::vector<nn::NamedParameter> parameters = r.model.named_parameters();
  ASSERT_EQ(parameters.size(), ref::gradients.size());
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    EXPECT_EQ(parameters[k].name, ref::gradients[k].name);
    nn::Matrix<double> grad(parameters[k].value.rows(), parameters[k].value.cols());
    for (std::size_t i = 0; i < grad.size(); ++i)
      grad.flat()[i] = parameters[k].value.flat()[i].grad();
    expect_close(grad, ref::gradients[k].values, parameters[k].name + " grad");
  }
}

// Without use_attn_result the output is one dot product over (head, d_head), as TL's F.linear:
// the same logits, and no hook_result.
TEST(Ch12Transformer, WithoutAttnResultSameLogitsFewerHooks) {
  ReferenceModel r(false);
  const auto run = r.model.run_with_cache(tokens_of(ref::tokens));
  expect_close(run.logits, ref::logits, "logits");
  EXPECT_EQ(run.cache.size(), ref::hooks.size() - ref::n_layers);
  EXPECT_FALSE(run.cache.contains("blocks.0.attn.hook_result"));
  for (const auto& hook : ref::hooks)
    if (run.cache.contains(hook.name))
      expect_close(run.cache[hook.name], hook.values, std::string(hook.name));
}

// ---- against central differences ----------------------------------------------------------------

// autodiff::gradcheck perturbs its own leaves, so the function hands the model's gradient over to
// them: it builds the model on the check's tape, loads the inputs' values, takes the loss and its
// backward, and returns a chain of nodes with the loss's value whose partial towards input i is
// d loss / d parameter i. The check then compares those gradients with central differences of the
// loss itself.
TEST(Ch12Transformer, EveryParameterGradientMatchesFiniteDifferences) {
  const nn::TransformerConfig config{.d_vocab = 3,
                                     .n_ctx = 3,
                                     .d_model = 4,
                                     .d_head = 2,
                                     .n_heads = 2,
                                     .n_layers = 2,
                                     .use_attn_result = true};
  const nn::Tokens tokens = tokens_of({{0, 2, 1}, {1, 1, 0}});
  autodiff::Tape scratch;
  nn::Generator generator(3);
  nn::HookedTransformer shape(scratch, generator, config);
  std::vector<double> start;
  for (const Var& p : shape.parameters()) start.push_back(p.value());
  // Non-zero biases, so that their gradients are tested away from 0 too.
  for (std::size_t i = 0; i < start.size(); ++i)
    if (start[i] == 0.0) start[i] = 0.1 * std::sin(static_cast<double>(i));

  for (const bool cross_entropy : {false, true}) {
    const auto result = autodiff::gradcheck(
        [&](std::span<const Var> x) {
          autodiff::Tape& tape = x[0].tape();
          nn::Generator unused(0);
          nn::HookedTransformer model(tape, unused, config);
          const std::vector<Var> parameters = model.parameters();
          for (std::size_t i = 0; i < x.size(); ++i) parameters[i].set_value(x[i].value());
          const nn::Matrix<Var>& logits = model.forward(tokens);
          Var loss = cross_entropy ? last_position_loss(logits, 2, 3, {2, 0})
                                   : logits(2, 1) + logits(5, 0) * 2.0 - logits(4, 2);
          loss.backward();
          Var chain = tape.push(autodiff::Op::custom, 0.0, x[0], parameters[0].grad());
          for (std::size_t i = 1; i < x.size(); ++i)
            chain = tape.push(autodiff::Op::custom, i + 1 == x.size() ? loss.value() : 0.0, chain,
                              1.0, x[i], parameters[i].grad());
          return chain;
        },
        start, 1e-6, 1e-7);
    EXPECT_TRUE(result.passed) << (cross_entropy ? "cross-entropy" : "sum of logits")
                               << ": worst error " << result.worst_relative_error
                               << " at parameter " << result.worst_input;
    // Every parameter matters somewhere, except W_pos and the last position: check that the
    // gradients are not trivially zero.
    double largest = 0.0;
    for (double g : result.analytic) largest = std::max(largest, std::fabs(g));
    EXPECT_GT(largest, 1e-3);
  }
}

// ---- structure ----------------------------------------------------------------------------------

TEST(Ch12Transformer, HookNamesInTransformerLensOrder) {
  autodiff::Tape tape;
  nn::Generator generator(0);
  nn::HookedTransformer one(
      tape, generator,
      {.d_vocab = 3, .n_ctx = 2, .d_model = 2, .d_head = 1, .n_heads = 1, .n_layers = 1});
  EXPECT_EQ(one.hook_names(),
            (std::vector<std::string>{"hook_embed", "hook_pos_embed", "blocks.0.hook_resid_pre",
                                      "blocks.0.attn.hook_q", "blocks.0.attn.hook_k",
                                      "blocks.0.attn.hook_v", "blocks.0.attn.hook_attn_scores",
                                      "blocks.0.attn.hook_pattern", "blocks.0.attn.hook_z",
                                      "blocks.0.hook_attn_out", "blocks.0.hook_resid_post"}));
  ReferenceModel r;
  const std::vector<std::string> names = r.model.hook_names();
  ASSERT_EQ(names.size(), 22u);
  EXPECT_EQ(names[9], "blocks.0.attn.hook_result");
  EXPECT_EQ(names[12], "blocks.1.hook_resid_pre");
  EXPECT_EQ(names[21], "blocks.1.hook_resid_post");
  EXPECT_EQ(nn::hook_name(1, "attn.hook_z"), "blocks.1.attn.hook_z");
  EXPECT_EQ(nn::hook_name(0, "hook_resid_pre"), "blocks.0.hook_resid_pre");
}

TEST(Ch12Transformer, ParameterNamesAndShapesAsTransformerLens) {
  ReferenceModel r;
  const std::vector<nn::NamedParameter> p = r.model.named_parameters();
  const std::size_t V = 6, C = 6, D = 8, dh = 4, H = 2;
  const char* const per_layer[] = {"W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O"};
  const std::size_t rows[] = {H * D, H * D, H * D, H * dh, H, H, H, 1};
  const std::size_t cols[] = {dh, dh, dh, D, dh, dh, dh, D};
  ASSERT_EQ(p.size(), 2u + 2 * 8 + 2);
  EXPECT_EQ(p[0].name, "embed.W_E");
  EXPECT_EQ(p[0].value.rows(), V);
  EXPECT_EQ(p[0].value.cols(), D);
  EXPECT_EQ(p[1].name, "pos_embed.W_pos");
  EXPECT_EQ(p[1].value.rows(), C);
  for (std::size_t layer = 0; layer < 2; ++layer)
    for (std::size_t j = 0; j < 8; ++j) {
      const nn::NamedParameter& q = p[2 + layer * 8 + j];
      EXPECT_EQ(q.name, "blocks." + std::to_string(layer) + ".attn." + per_layer[j]);
      EXPECT_EQ(q.value.rows(), rows[j]) << q.name;
      EXPECT_EQ(q.value.cols(), cols[j]) << q.name;
    }
  EXPECT_EQ(p[18].name, "unembed.W_U");
  EXPECT_EQ(p[18].value.rows(), D);
  EXPECT_EQ(p[18].value.cols(), V);
  EXPECT_EQ(p[19].name, "unembed.b_U");
  EXPECT_EQ(p[19].value.cols(), V);
  EXPECT_EQ(r.model.parameters().size(),
            V * D + C * D + 2 * (4 * H * D * dh + 3 * H * dh + D) + D * V + V);
}

// Weights uniform with standard deviation init_range (half-width init_range sqrt(3)), biases 0.
TEST(Ch12Transformer, InitialisationHasTheStandardDeviationOfTransformerLens) {
  autodiff::Tape tape;
  nn::Generator generator(7);
  nn::HookedTransformer model(
      tape, generator,
      {.d_vocab = 100, .n_ctx = 4, .d_model = 64, .d_head = 4, .n_heads = 1, .n_layers = 1});
  const double range = 0.8 / std::sqrt(64.0);
  EXPECT_DOUBLE_EQ(model.config().init_range, range);
  for (const nn::NamedParameter& p : model.named_parameters()) {
    const bool bias = p.name.find(".b_") != std::string::npos;
    double sum = 0.0, squares = 0.0;
    for (const Var& v : p.value.flat()) {
      if (bias) {
        EXPECT_EQ(v.value(), 0.0) << p.name;
      }
      EXPECT_LT(std::fabs(v.value()), range * std::sqrt(3.0)) << p.name;
      sum += v.value();
      squares += v.value() * v.value();
    }
    if (p.name == "embed.W_E") {  // 6400 draws: the sample deviation is within 3% of range
      const double n = static_cast<double>(p.value.size());
      const double sd = std::sqrt(squares / n - (sum / n) * (sum / n));
      EXPECT_NEAR(sd / range, 1.0, 0.03);
    }
  }
  // The same seed gives the same model.
  autodiff::Tape tape2;
  nn::Generator generator2(7);
  nn::HookedTransformer again(tape2, generator2, model.config());
  EXPECT_EQ(again.state_dict(), model.state_dict());
}

// ---- running ------------------------------------------------------------------------------------

TEST(Ch12Transformer, ShapesOfEveryActivation) {
  ReferenceModel r;
  const auto run = r.model.run_with_cache(tokens_of(ref::tokens));
  const std::size_t BT = 10, D = 8, H = 2, dh = 4, T = 5;
  EXPECT_EQ(run.logits.rows(), BT);
  EXPECT_EQ(run.logits.cols(), 6u);
  for (const std::string& name : r.model.hook_names()) {
    const nn::Matrix<double>& a = run.cache[name];
    std::size_t rows = BT, cols = D;
    if (contains(name, "hook_q") || contains(name, "hook_k") || contains(name, "hook_v") ||
        contains(name, "hook_z"))
      cols = H * dh;
    if (contains(name, "hook_result")) cols = H * D;
    if (contains(name, "hook_attn_scores") || contains(name, "hook_pattern")) {
      rows = 2 * H * T;
      cols = T;
    }
    EXPECT_EQ(a.rows(), rows) << name;
    EXPECT_EQ(a.cols(), cols) << name;
  }
  // Masked entries: -inf scores, 0 pattern; each pattern row sums to 1.
  const nn::Matrix<double>& scores = run.cache["blocks.1.attn.hook_attn_scores"];
  const nn::Matrix<double>& pattern = run.cache["blocks.1.attn.hook_pattern"];
  for (std::size_t row = 0; row < 2 * H * T; ++row) {
    double sum = 0.0;
    for (std::size_t key = 0; key < T; ++key) {
      if (key > row % T) {
        EXPECT_EQ(scores(row, key), -std::numeric_limits<double>::infinity());
        EXPECT_EQ(pattern(row, key), 0.0);
      }
      sum += pattern(row, key);
    }
    EXPECT_NEAR(sum, 1.0, 1e-15) << row;
  }
}

// Position p's logits depend only on tokens 0..p: change the last token and the others stay
// bit for bit.
TEST(Ch12Transformer, AttentionIsCausal) {
  ReferenceModel r;
  const nn::Matrix<double> a = r.model.predict(tokens_of({{0, 3, 1, 4, 2}}));
  const nn::Matrix<double> b = r.model.predict(tokens_of({{0, 3, 1, 4, 5}}));
  for (std::size_t p = 0; p < 4; ++p)
    for (std::size_t t = 0; t < 6; ++t) EXPECT_EQ(a(p, t), b(p, t));
  EXPECT_NE(a(4, 0), b(4, 0));
}

// forward_nodes against the formula of nn/transformer.hpp, with and without hook_result.
TEST(Ch12Transformer, NodeCountFollowsTheFormula) {
  const std::size_t B = 2, T = 5, D = 8, dh = 4, H = 2, V = 6, L = 2, P = T * (T + 1) / 2;
  for (const bool use_attn_result : {true, false}) {
    ReferenceModel r(use_attn_result);
    const std::size_t out =
        use_attn_result ? T * H * D * (2 * dh - 1) + T * D * H : T * D * 2 * H * dh;
    const std::size_t per_layer = 3 * T * H * dh * 2 * D + H * P * 2 * dh + H * (3 * P - T) +
                                  H * dh * (2 * P - T) + out + T * D;
    const std::size_t expected = B * (T * D + L * per_layer + T * V * 2 * D);
    const std::size_t before = r.tape.size();
    EXPECT_EQ(r.model.forward_nodes(tokens_of(ref::tokens)), expected);
    EXPECT_EQ(r.tape.size(), before);
    r.model.forward(tokens_of(ref::tokens));
    EXPECT_EQ(r.tape.size() - before, expected);
  }
}

// Training's forward: the last position's logits, the loss and every parameter's gradient are
// the full forward's, bit for bit (the nodes it leaves out feed no scored logit, and the others
// are made in the same order), with the node count nn/transformer.hpp gives for it.
TEST(Ch12Transformer, LastPositionForwardGivesTheSameBitsWithFewerNodes) {
  const std::size_t B = 2, T = 5, D = 8, dh = 4, H = 2, V = 6, L = 2, P = T * (T + 1) / 2;
  for (const bool use_attn_result : {true, false}) {
    ReferenceModel r(use_attn_result);
    const nn::Tokens tokens = tokens_of(ref::tokens);
    const std::vector<Var> parameters = r.model.parameters();
    const auto gradients = [&] {
      std::vector<double> grads;
      for (const Var& v : parameters) {
        grads.push_back(v.grad());
        v.zero_grad();
      }
      return grads;
    };
    const std::size_t before = r.tape.size();
    const autodiff::Tape::Mark mark = r.tape.mark();

    const nn::Matrix<Var>& forward = r.model.forward(tokens);
    const nn::Matrix<double> all = detach(forward);
    const Var full = last_position_loss(forward, B, T, ref::targets);
    full.backward();
    const double full_loss = full.value();
    const std::vector<double> full_gradients = gradients();
    r.tape.rewind(mark);

    const nn::Matrix<Var>& logits = r.model.forward_last_position(tokens);
    const std::size_t out = use_attn_result ? H * D * (2 * dh - 1) + D * H : D * 2 * H * dh;
    const std::size_t layer = 3 * T * H * dh * 2 * D + H * P * 2 * dh + H * (3 * P - T) +
                              H * dh * (2 * P - T) + T * out + T * D;
    const std::size_t final_layer = (2 * T + 1) * H * dh * 2 * D + H * T * 2 * dh +
                                    H * (3 * T - 1) + H * dh * (2 * T - 1) + out + D;
    EXPECT_EQ(r.tape.size() - before, B * (T * D + (L - 1) * layer + final_layer + V * 2 * D));
    ASSERT_EQ(logits.rows(), B);
    ASSERT_EQ(logits.cols(), V);
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t t = 0; t < V; ++t) EXPECT_EQ(logits(b, t).value(), all(b * T + T - 1, t));
    const Var loss = nn::CrossEntropyLoss()(logits, ref::targets);
    EXPECT_EQ(loss.value(), full_loss);
    loss.backward();
    const std::vector<double> last_gradients = gradients();
    ASSERT_EQ(last_gradients.size(), full_gradients.size());
    std::size_t nonzero = 0;
    for (std::size_t i = 0; i < full_gradients.size(); ++i) {
      EXPECT_EQ(last_gradients[i], full_gradients[i]) << "parameter entry " << i;
      nonzero += full_gradients[i] != 0.0 ? 1 : 0;
    }
    EXPECT_GT(nonzero, full_gradients.size() / 2);
    r.tape.rewind(mark);
  }
  // One position: the final layer is the whole layer.
  ReferenceModel r;
  const nn::Tokens one = tokens_of({{4}, {1}});
  const nn::Matrix<double> all = r.model.predict(one);
  EXPECT_EQ(detach(r.model.forward_last_position(one)), all);
  EXPECT_THROW(r.model.forward_last_position(tokens_of({{6}})), std::invalid_argument);
}

TEST(Ch12Transformer, RunWithCacheAndPredictLeaveTheTape) {
  ReferenceModel r;
  const std::size_t before = r.tape.size();
  const auto run = r.model.run_with_cache(tokens_of(ref::tokens));
  EXPECT_EQ(r.tape.size(), before);
  EXPECT_EQ(r.model.predict(tokens_of(ref::tokens)), run.logits);
  EXPECT_EQ(r.tape.size(), before);
  // A hook that throws: the tape is rewound all the same.
  EXPECT_THROW(r.model.run_with_cache(tokens_of(ref::tokens),
                                      {{"blocks.0.attn.hook_z",
                                        [](nn::Matrix<Var>&) { throw std::runtime_error("x"); }}}),
               std::runtime_error);
  EXPECT_EQ(r.tape.size(), before);
}

// Patch head 0 of layer 0 at hook_z with another prompt's z: its hook_result columns become the
// other prompt's, head 1's stay; everything before hook_z is untouched; the logits move. Patching
// in the run's own values changes no bit.
TEST(Ch12Transformer, HookOnOneHeadChangesOnlyWhatItShould) {
  ReferenceModel r;
  const nn::Tokens clean = tokens_of(ref::tokens);
  const nn::Tokens other = tokens_of({{1, 1, 5, 0, 3}, {2, 4, 0, 3, 3}});
  const auto base = r.model.run_with_cache(clean);
  const auto source = r.model.run_with_cache(other);
  const std::string z = "blocks.0.attn.hook_z";
  constexpr std::size_t dh = 4, D = 8;
  const auto patch_head0 = [&](const nn::Matrix<double>& from) {
    return nn::Hook([&from](nn::Matrix<Var>& act) {
      for (std::size_t row = 0; row < act.rows(); ++row)
        for (std::size_t e = 0; e < dh; ++e)
          act(row, e) = act(row, e).tape().variable(from(row, e));
    });
  };
  const auto patched = r.model.run_with_cache(clean, {{z, patch_head0(source.cache[z])}});
  const nn::Matrix<double>& result = patched.cache["blocks.0.attn.hook_result"];
  for (std::size_t row = 0; row < 10; ++row) {
    for (std::size_t d = 0; d < D; ++d) {
      EXPECT_NEAR(result(row, d), source.cache["blocks.0.attn.hook_result"](row, d), 1e-15);
      EXPECT_EQ(result(row, D + d), base.cache["blocks.0.attn.hook_result"](row, D + d));
    }
    for (std::size_t e = 0; e < dh; ++e)
      EXPECT_EQ(patched.cache[z](row, dh + e), base.cache[z](row, dh + e));
  }
  for (const char* name : {"hook_embed", "blocks.0.attn.hook_q", "blocks.0.attn.hook_pattern"})
    EXPECT_EQ(patched.cache[name], base.cache[name]) << name;
  EXPECT_NE(patched.logits, base.logits);
  const auto same = r.model.run_with_cache(clean, {{z, patch_head0(base.cache[z])}});
  EXPECT_EQ(same.logits, base.logits);
}

// blocks.0.hook_resid_post and blocks.1.hook_resid_pre are two points on one activation: the
// resid_post hooks run first, whatever order they are given in, and both see the change.
TEST(Ch12Transformer, HooksRunInForwardOrder) {
  ReferenceModel r;
  std::vector<std::string> order;
  const auto record = [&order](std::string name) {
    return nn::Hook([&order, name](nn::Matrix<Var>&) { order.push_back(name); });
  };
  r.model.run_with_hooks(tokens_of(ref::tokens),
                         {{"blocks.1.hook_resid_pre", record("pre1")},
                          {"blocks.0.hook_resid_post", record("post0")},
                          {"hook_embed", record("embed")},
                          {"blocks.0.hook_resid_post", record("post0 again")}});
  EXPECT_EQ(order, (std::vector<std::string>{"embed", "post0", "post0 again", "pre1"}));
}

TEST(Ch12Transformer, BadHooksAreRefusedBeforeAnythingRuns) {
  ReferenceModel r;
  const std::size_t before = r.tape.size();
  const std::string unknown = invalid_argument_message([&] {
    r.model.run_with_hooks(tokens_of(ref::tokens),
                           {{"blocks.0.attn.hook_z", [](nn::Matrix<Var>&) {}},
                            {"blocks.2.attn.hook_z", [](nn::Matrix<Var>&) {}}});
  });
  EXPECT_TRUE(contains(unknown, "'blocks.2.attn.hook_z'")) << unknown;
  EXPECT_TRUE(contains(unknown, "blocks.1.hook_resid_post")) << unknown;
  EXPECT_EQ(r.tape.size(), before);
  EXPECT_TRUE(contains(invalid_argument_message([&] {
                         r.model.run_with_hooks(tokens_of(ref::tokens), {{"hook_embed", nullptr}});
                       }),
                       "empty"));
  const std::string shape = invalid_argument_message([&] {
    r.model.run_with_cache(tokens_of(ref::tokens),
                           {{"blocks.1.attn.hook_v", [](nn::Matrix<Var>& a) { a.resize(1, 1); }}});
  });
  EXPECT_TRUE(contains(shape, "blocks.1.attn.hook_v")) << shape;
  EXPECT_TRUE(contains(shape, "10 x 8")) << shape;
}

TEST(Ch12Transformer, BadTokensAreRefusedWithTheirPlace) {
  ReferenceModel r;
  const std::string vocab = invalid_argument_message([&] {
    r.model.forward(tokens_of({{0, 1}, {2, 6}}));
  });
  EXPECT_TRUE(contains(vocab, "token 6 (sequence 1, position 1)")) << vocab;
  const std::string length = invalid_argument_message([&] {
    r.model.forward(tokens_of({{0, 1, 2, 3, 4, 5, 0}}));
  });
  EXPECT_TRUE(contains(length, "7 positions but n_ctx is 6")) << length;
  EXPECT_TRUE(contains(invalid_argument_message([&] { r.model.predict(nn::Tokens(0, 3)); }),
                       "at least one sequence"));
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { r.model.predict(nn::Tokens(2, 0)); }), "are 2 x 0"));
}

TEST(Ch12Transformer, ZeroSizesAreRefusedByName) {
  const char* const names[] = {"d_vocab", "n_ctx", "d_model", "d_head", "n_heads", "n_layers"};
  for (std::size_t k = 0; k < 6; ++k) {
    nn::TransformerConfig config = reference_config();
    std::size_t* sizes[] = {&config.d_vocab, &config.n_ctx,   &config.d_model,
                            &config.d_head,  &config.n_heads, &config.n_layers};
    *sizes[k] = 0;
    autodiff::Tape tape;
    nn::Generator generator(0);
    const std::string message =
        invalid_argument_message([&] { nn::HookedTransformer(tape, generator, config); });
    EXPECT_TRUE(contains(message, std::string(names[k]) + " is 0")) << message;
  }
  nn::TransformerConfig config = reference_config();
  config.init_range = std::numeric_limits<double>::quiet_NaN();
  autodiff::Tape tape;
  nn::Generator generator(0);
  EXPECT_TRUE(
      contains(invalid_argument_message([&] { nn::HookedTransformer(tape, generator, config); }),
               "init_range"));
}

// ---- state dict ---------------------------------------------------------------------------------

TEST(Ch12Transformer, StateDictRoundTrip) {
  ReferenceModel r;
  autodiff::Tape tape;
  nn::Generator generator(11);
  nn::HookedTransformer other(tape, generator, reference_config());
  const nn::Tokens tokens = tokens_of(ref::tokens);
  EXPECT_NE(other.predict(tokens), r.model.predict(tokens));
  other.load_state_dict(r.model.state_dict());
  EXPECT_EQ(other.state_dict(), r.model.state_dict());
  EXPECT_EQ(other.predict(tokens), r.model.predict(tokens));
  // Values are torch's .flatten(): W_Q[h=1][i=2][e=3] is at (1 * d_model + 2) * d_head + 3.
  EXPECT_EQ(other.state_dict().at("blocks.0.attn.W_Q")[(1 * 8 + 2) * 4 + 3],
            ref::weight_value(2, (1 * 8 + 2) * 4 + 3));
}

TEST(Ch12Transformer, LoadStateDictIsStrict) {
  ReferenceModel r;
  const nn::StateDict good = r.model.state_dict();
  const auto refused = [&](nn::StateDict state) {
    return invalid_argument_message([&] { r.model.load_state_dict(state); });
  };
  nn::StateDict missing = good;
  missing.erase("blocks.1.attn.b_O");
  EXPECT_TRUE(contains(refused(missing), "missing parameter 'blocks.1.attn.b_O'"));
  nn::StateDict extra = good;
  extra["blocks.0.attn.IGNORE"] = {0.0};
  EXPECT_TRUE(contains(refused(extra), "unexpected parameter 'blocks.0.attn.IGNORE'"));
  nn::StateDict short_one = good;
  short_one["unembed.W_U"].pop_back();
  EXPECT_TRUE(contains(refused(short_one), "unembed.W_U has 48 values (8 x 6) but 47 were given"));
  nn::StateDict nan = good;
  nan["embed.W_E"][3] = std::nan("");
  nan["unembed.b_U"][0] = 123.0;  // valid, but nothing may change when anything is invalid
  EXPECT_TRUE(contains(refused(nan), "embed.W_E"));
  EXPECT_EQ(r.model.state_dict(), good);
}

}  // namespace

// The chapter's README shows what its program prints (tests/chapter_output.hpp).
TEST(Ch12Chapter, ReadmeShowsTheProgramOutput) {
  chapter_output::expect_readme_matches_program("ch12");
}
