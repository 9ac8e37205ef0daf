// The induction task's prompts, the head scores from attention patterns, and training a small
// transformer on the task.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "attribution/attention_patterns.hpp"
#include "autodiff/tape.hpp"
#include "nn/cross_entropy_loss.hpp"
#include "nn/induction_task.hpp"
#include "nn/induction_training.hpp"
#include "nn/matrix.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"
#include "nn/transformer.hpp"

#include <gtest/gtest.h>

namespace induction = nn::induction;
using attribution::HeadPatternScores;
using attribution::HeadRole;
using nn::Matrix;

namespace {

TEST(Ch12InductionTask, EveryPromptIsBosSixDistinctLettersAndAnEarlierLetter) {
  nn::Generator generator(7);
  const std::size_t count = 5000;
  const induction::Batch batch = induction::batch(count, generator);
  ASSERT_EQ(batch.tokens.rows(), count);
  ASSERT_EQ(batch.tokens.cols(), induction::n_ctx);
  std::vector<std::size_t> seen(induction::n_ctx, 0);
  for (std::size_t b = 0; b < count; ++b) {
    EXPECT_EQ(batch.tokens(b, 0), induction::bos);
    std::set<std::size_t> letters;
    for (std::size_t p = 1; p <= 6; ++p) {
      EXPECT_GE(batch.tokens(b, p), 1u);
      EXPECT_LE(batch.tokens(b, p), 8u);
      letters.insert(batch.tokens(b, p));
    }
    EXPECT_EQ(letters.size(), 6u) << induction::prompt_string(batch.tokens, b);
    const std::size_t i = batch.query_index[b];
    ASSERT_GE(i, 1u);
    ASSERT_LE(i, 5u);
    EXPECT_EQ(batch.tokens(b, 7), batch.tokens(b, i));
    EXPECT_EQ(batch.targets[b], batch.tokens(b, i + 1));
    ++seen[i];
  }
  // i is uniform on 1..5: 1000 expected each, standard deviation sqrt(5000 * 0.2 * 0.8) = 28.
  for (std::size_t i = 1; i <= 5; ++i) EXPECT_NEAR(static_cast<double>(seen[i]), 1000.0, 150.0);
}

TEST(Ch12InductionTask, OneSeedGivesTheSameCleanPromptsEverywhere) {
  nn::Generator a(3), b(3), c(3), d(4);
  const induction::Batch batch = induction::batch(50, a);
  const induction::Pairs key = induction::pairs(50, induction::Corruption::key, b);
  const induction::Pairs both = induction::pairs(50, induction::Corruption::key_and_query, c);
  const induction::Batch other = induction::batch(50, d);
  bool differs = false;
  for (std::size_t r = 0; r < 50; ++r) {
    for (std::size_t p = 0; p < induction::n_ctx; ++p) {
      EXPECT_EQ(key.clean(r, p), batch.tokens(r, p));
      EXPECT_EQ(both.clean(r, p), batch.tokens(r, p));
      differs = differs || other.tokens(r, p) != batch.tokens(r, p);
    }
    EXPECT_EQ(key.correct[r], batch.targets[r]);
    EXPECT_EQ(key.query_index[r], batch.query_index[r]);
  }
  EXPECT_TRUE(differs);  // another seed, other prompts
}

TEST(Ch12InductionTask, CorruptionsChangeOnlyTheKeyAndTheQuery) {
  for (induction::Corruption corruption :
       {induction::Corruption::key, induction::Corruption::key_and_query}) {
    SCOPED_TRACE(induction::corruption_name(corruption));
    nn::Generator generator(11);
    const induction::Pairs pairs = induction::pairs(500, corruption, generator);
    for (std::size_t r = 0; r < 500; ++r) {
      const std::size_t i = pairs.query_index[r];
      const auto clean = pairs.clean.row(r);
      auto in_clean = [&](std::size_t token) {
        return std::find(clean.begin(), clean.end(), token) != clean.end();
      };
      for (std::size_t p = 0; p < induction::n_ctx; ++p) {
        const bool changed = p == i || (p == 7 && corruption != induction::Corruption::key);
        if (!changed) {
          EXPECT_EQ(pairs.corrupt(r, p), pairs.clean(r, p));
          continue;
        }
        // The replacement is a letter the clean prompt does not have.
        EXPECT_GE(pairs.corrupt(r, p), 1u);
        EXPECT_FALSE(in_clean(pairs.corrupt(r, p))) << induction::prompt_string(pairs.corrupt, r);
      }
      if (corruption == induction::Corruption::key_and_query) {
        EXPECT_NE(pairs.corrupt(r, 7), pairs.corrupt(r, i));  // two different unused letters
      }
      // The query has no earlier occurrence left in the corrupt prompt.
      for (std::size_t p = 1; p < 7; ++p) EXPECT_NE(pairs.corrupt(r, p), pairs.corrupt(r, 7));
      EXPECT_EQ(pairs.correct[r], pairs.clean(r, i + 1));
      // incorrect = c_{j+1} for some j != i in 1..5: a letter at a position 2..6 other than i + 1.
      EXPECT_NE(pairs.incorrect[r], pairs.correct[r]);
      bool found = false;
      for (std::size_t p = 2; p <= 6; ++p) found = found || pairs.clean(r, p) == pairs.incorrect[r];
      EXPECT_TRUE(found);
    }
  }
}

TEST(Ch12InductionTask, NamesAndErrors) {
  EXPECT_EQ(induction::token_name(0), "BOS");
  EXPECT_EQ(induction::token_name(1), "A");
  EXPECT_EQ(induction::token_name(8), "H");
  EXPECT_THROW(induction::token_name(9), std::invalid_argument);
  const Matrix<std::size_t> tokens{{0, 6, 7, 1, 2, 3, 4, 1}};
  EXPECT_EQ(induction::prompt_string(tokens, 0), "BOS F G A B C D A");
  nn::Generator generator(0);
  EXPECT_THROW(induction::batch(0, generator), std::invalid_argument);
  EXPECT_THROW(induction::pairs(0, induction::Corruption::key, generator), std::invalid_argument);
  EXPECT_STREQ(induction::corruption_name(induction::Corruption::key), "K");
  EXPECT_STREQ(induction::corruption_name(induction::Corruption::key_and_query), "KQ");
}

// Two prompts, two heads, T = 4: head 0 is an exact previous-token head (query 0 on itself), head
// 1 spreads every row evenly over its causal keys, except the last query of prompt 1, which it
// puts on key 2 (an induction hit when the induction key is 2).
Matrix<double> hand_made_pattern() {
  const std::size_t T = 4, H = 2, B = 2;
  Matrix<double> pattern(B * H * T, T, 0.0);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t q = 0; q < T; ++q) {
      pattern((b * H + 0) * T + q, q == 0 ? 0 : q - 1) = 1.0;
      for (std::size_t k = 0; k <= q; ++k)
        pattern((b * H + 1) * T + q, k) = 1.0 / static_cast<double>(q + 1);
    }
  for (std::size_t k = 0; k < T; ++k) pattern((1 * H + 1) * T + 3, k) = k == 2 ? 1.0 : 0.0;
  return pattern;
}

TEST(Ch12AttentionPatterns, ScoresOfAHandMadePatternInClosedForm) {
  const std::vector<std::size_t> induction_key = {3, 2};
  const std::vector<HeadPatternScores> scores =
      attribution::head_pattern_scores(hand_made_pattern(), 2, induction_key);
  ASSERT_EQ(scores.size(), 2u);
  // Head 0: every query p >= 1 on p - 1; query 3 on key 2, the induction key of prompt 1 only.
  EXPECT_DOUBLE_EQ(scores[0].previous_token, 1.0);
  EXPECT_DOUBLE_EQ(scores[0].current_token, 0.0);
  EXPECT_DOUBLE_EQ(scores[0].bos, 1.0 / 3.0);  // query 1 of 1..3: its previous token is BOS
  EXPECT_DOUBLE_EQ(scores[0].induction, 0.5);
  // Head 1, prompt 0: queries 1..3 give 1/2, 1/3, 1/4 to each of p - 1, p and 0; prompt 1 the
  // same except query 3, which gives key 2 (its p - 1) 1 and the others 0. Induction: prompt 0's
  // last row gives key 3 1/4, prompt 1's gives key 2 1.
  const double even = 1.0 / 2 + 1.0 / 3 + 1.0 / 4;
  EXPECT_NEAR(scores[1].previous_token, (even + (1.0 / 2 + 1.0 / 3 + 1.0)) / 6.0, 1e-15);
  EXPECT_NEAR(scores[1].current_token, (even + (1.0 / 2 + 1.0 / 3)) / 6.0, 1e-15);
  EXPECT_NEAR(scores[1].bos, (even + (1.0 / 2 + 1.0 / 3)) / 6.0, 1e-15);
  EXPECT_NEAR(scores[1].induction, (1.0 / 4 + 1.0) / 2.0, 1e-15);

  EXPECT_EQ(attribution::head_role(scores[0]), HeadRole::induction);  // 0.5 reaches 0.5
  EXPECT_EQ(attribution::head_role(scores[0], 0.6), HeadRole::previous_token);
  EXPECT_EQ(attribution::head_role(scores[1]), HeadRole::induction);  // 0.625
  EXPECT_EQ(attribution::head_role(scores[1], 0.7), HeadRole::none);  // 0.486, 0.403, 0.403
}

TEST(Ch12AttentionPatterns, RolesByThreshold) {
  using attribution::head_role;
  // Induction first, whatever the others: an induction head rests on BOS elsewhere.
  EXPECT_EQ(head_role({.previous_token = 0.1, .bos = 0.9, .induction = 0.8}), HeadRole::induction);
  EXPECT_EQ(head_role({.previous_token = 0.8, .induction = 0.3}), HeadRole::previous_token);
  EXPECT_EQ(head_role({.previous_token = 0.3, .current_token = 0.6}), HeadRole::current_token);
  EXPECT_EQ(head_role({.previous_token = 0.2, .current_token = 0.2, .bos = 0.6}), HeadRole::bos);
  EXPECT_EQ(head_role({.previous_token = 0.5, .current_token = 0.5}), HeadRole::previous_token);
  EXPECT_EQ(head_role({.previous_token = 0.49, .current_token = 0.49}), HeadRole::none);
  EXPECT_EQ(head_role({.previous_token = 0.37}, 0.3), HeadRole::previous_token);
  EXPECT_EQ(head_role({}, 1.0), HeadRole::none);
  for (double bad : {0.0, -0.5, 1.5, std::nan("")})
    EXPECT_THROW(head_role({}, bad), std::invalid_argument);
  EXPECT_STREQ(attribution::head_role_name(HeadRole::previous_token), "previous-token");
  EXPECT_STREQ(attribution::head_role_name(HeadRole::none), "none");
}

TEST(Ch12AttentionPatterns, ShapeErrorsAreNamed) {
  const Matrix<double> pattern = hand_made_pattern();  // 16 x 4: B 2, H 2, T 4
  const std::vector<std::size_t> two = {3, 2}, three = {3, 2, 1}, outside = {3, 4};
  EXPECT_THROW(attribution::head_pattern_scores(pattern, 0, two), std::invalid_argument);
  EXPECT_THROW(attribution::head_pattern_scores(pattern, 2, {}), std::invalid_argument);
  EXPECT_THROW(attribution::head_pattern_scores(Matrix<double>(4, 1, 1.0), 2, two),
               std::invalid_argument);
  EXPECT_THROW(attribution::head_pattern_scores(pattern, 3, two), std::invalid_argument);
  try {
    attribution::head_pattern_scores(pattern, 2, three);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("16 rows"), std::string::npos) << error.what();
  }
  EXPECT_THROW(attribution::head_pattern_scores(pattern, 2, outside), std::invalid_argument);
}

// A model of the task's default config with every parameter 0 except b_U[1] = 1: the logits are
// b_U at every position, and every attention score is 0, so each causal row is uniform.
void load_constant_model(nn::HookedTransformer& model) {
  nn::StateDict state = model.state_dict();
  for (auto& [name, values] : state) std::fill(values.begin(), values.end(), 0.0);
  state.at("unembed.b_U").at(1) = 1.0;
  model.load_state_dict(state);
}

TEST(Ch12InductionTraining, EvaluateOnAConstantModelInClosedForm) {
  autodiff::Tape tape;
  nn::Generator generator(0);
  nn::HookedTransformer model(tape, generator, induction::default_config());
  load_constant_model(model);
  nn::Generator prompts_generator(5);
  const induction::Batch prompts = induction::batch(120, prompts_generator);  // 3 chunks of 50
  // It always answers A: right exactly where the target is A. Its loss on a row is
  // logsumexp(b_U) - b_U[target] = log(8 + e) - [target = A].
  double hits = 0;
  for (std::size_t target : prompts.targets) hits += target == 1 ? 1 : 0;
  const std::size_t before = tape.size();
  const induction::Evaluation evaluation = induction::evaluate(model, prompts);
  EXPECT_EQ(tape.size(), before);
  EXPECT_DOUBLE_EQ(evaluation.accuracy, hits / 120.0);
  EXPECT_NEAR(evaluation.loss, std::log(8.0 + std::exp(1.0)) - hits / 120.0, 1e-14);
}

TEST(Ch12InductionTraining, HeadScoresOfUniformAttentionInClosedForm) {
  autodiff::Tape tape;
  nn::Generator generator(0);
  nn::HookedTransformer model(tape, generator, induction::default_config());
  load_constant_model(model);
  nn::Generator prompts_generator(6);
  const induction::Batch prompts = induction::batch(120, prompts_generator);
  std::vector<std::size_t> key;
  for (std::size_t i : prompts.query_index) key.push_back(i + 1);
  const std::size_t before = tape.size();
  const auto scores = attribution::head_pattern_scores(model, prompts.tokens, key);
  EXPECT_EQ(tape.size(), before);
  // Query p spreads 1 / (p + 1) over its keys: previous, current and BOS each get the mean of
  // 1 / (p + 1) over p = 1..7; the last query gives every key, i + 1 too, 1/8.
  double mean = 0;
  for (int p = 1; p <= 7; ++p) mean += 1.0 / (p + 1) / 7.0;
  ASSERT_EQ(scores.size(), 2u);
  for (const auto& layer : scores) {
    ASSERT_EQ(layer.size(), 2u);
    for (const HeadPatternScores& head : layer) {
      EXPECT_NEAR(head.previous_token, mean, 1e-14);
      EXPECT_NEAR(head.current_token, mean, 1e-14);
      EXPECT_NEAR(head.bos, mean, 1e-14);
      EXPECT_NEAR(head.induction, 1.0 / 8.0, 1e-14);
      EXPECT_EQ(attribution::head_role(head), HeadRole::none);
    }
  }
  EXPECT_THROW(attribution::head_pattern_scores(model, prompts.tokens, std::span(key).first(3)),
               std::invalid_argument);
}

// The fraction of fresh prompts, from a generator training never saw, on which the model's last
// logits are largest at the target: computed here from predict(), not by evaluate().
double fresh_accuracy(const induction::TrainedModel& trained, std::uint64_t seed) {
  autodiff::Tape tape;
  nn::Generator unused(0);
  nn::HookedTransformer model(tape, unused, trained.config);
  model.load_state_dict(trained.state);
  nn::Generator generator(seed);
  const induction::Batch prompts = induction::batch(200, generator);
  const Matrix<double> logits = model.predict(prompts.tokens);
  double correct = 0;
  for (std::size_t b = 0; b < 200; ++b) {
    const auto last = logits.row(b * induction::n_ctx + induction::n_ctx - 1);
    const std::size_t best =
        static_cast<std::size_t>(std::max_element(last.begin(), last.end()) - last.begin());
    correct += best == prompts.targets[b] ? 1 : 0;
  }
  return correct / 200.0;
}

TEST(Ch12InductionTraining, SeedsZeroToTwoLearnTheTaskWithAnInductionCircuit) {
  for (std::uint64_t seed : {0, 1, 2}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const induction::TrainedModel trained = induction::train_model(seed);
    EXPECT_TRUE(trained.result.reached);
    EXPECT_GE(trained.result.accuracy, 0.99);
    EXPECT_LE(trained.result.steps, induction::TrainingOptions{}.max_steps);
    // It generalises: 200 prompts of another generator, scored independently. Chance is 1/8 for
    // a model that knows only "a letter of the prompt", 1/5 for one that also knows which follow.
    EXPECT_GE(fresh_accuracy(trained, 424242), 0.97);

    // It solved it the way an induction circuit does: a previous-token head in layer 0 and an
    // induction head in layer 1.
    autodiff::Tape tape;
    nn::Generator unused(0);
    nn::HookedTransformer model(tape, unused, trained.config);
    model.load_state_dict(trained.state);
    nn::Generator generator(99);
    const induction::Batch prompts = induction::batch(100, generator);
    std::vector<std::size_t> key;
    for (std::size_t i : prompts.query_index) key.push_back(i + 1);
    const auto scores = attribution::head_pattern_scores(model, prompts.tokens, key);
    auto has = [&](std::size_t layer, HeadRole role) {
      return std::any_of(
          scores[layer].begin(), scores[layer].end(),
          [&](const HeadPatternScores& s) { return attribution::head_role(s) == role; });
    };
    EXPECT_TRUE(has(0, HeadRole::previous_token));
    EXPECT_TRUE(has(1, HeadRole::induction));

    // The corruptions take away what it copies from: the logit difference correct - incorrect
    // is large on the clean prompts and falls by most of it on the corrupt ones.
    for (induction::Corruption corruption :
         {induction::Corruption::key, induction::Corruption::key_and_query}) {
      nn::Generator pairs_generator(7);
      const induction::Pairs pairs = induction::pairs(100, corruption, pairs_generator);
      const Matrix<double> clean = model.predict(pairs.clean),
                           corrupt = model.predict(pairs.corrupt);
      double clean_ld = 0, corrupt_ld = 0;
      for (std::size_t b = 0; b < 100; ++b) {
        const std::size_t row = b * induction::n_ctx + induction::n_ctx - 1;
        clean_ld += (clean(row, pairs.correct[b]) - clean(row, pairs.incorrect[b])) / 100.0;
        corrupt_ld += (corrupt(row, pairs.correct[b]) - corrupt(row, pairs.incorrect[b])) / 100.0;
      }
      EXPECT_GT(clean_ld, 3.0) << induction::corruption_name(corruption);
      EXPECT_LT(corrupt_ld, 0.5 * clean_ld) << induction::corruption_name(corruption);
    }
  }
}

TEST(Ch12InductionTraining, TheSameSeedGivesTheSameBits) {
  const induction::TrainingOptions options{.max_steps = 120, .eval_every = 60, .eval_prompts = 50};
  const induction::TrainedModel a = induction::train_model(5, options);
  const induction::TrainedModel b = induction::train_model(5, options);
  const induction::TrainedModel c = induction::train_model(6, options);
  EXPECT_EQ(a.state, b.state);  // every double equal
  EXPECT_EQ(a.result.final_loss, b.result.final_loss);
  EXPECT_EQ(a.result.accuracy, b.result.accuracy);
  EXPECT_EQ(a.result.steps, 120u);
  EXPECT_NE(a.state, c.state);
  // Training moved the weights away from the seed's initial ones.
  autodiff::Tape tape;
  nn::Generator generator(5);
  const nn::HookedTransformer initial(tape, generator, induction::default_config());
  EXPECT_NE(initial.state_dict(), a.state);
}

TEST(Ch12InductionTraining, BadOptionsAndModelsAreRejected) {
  autodiff::Tape tape;
  nn::Generator generator(0);
  nn::HookedTransformer model(tape, generator, induction::default_config());
  for (const induction::TrainingOptions& bad :
       {induction::TrainingOptions{.batch_size = 0}, induction::TrainingOptions{.max_steps = 0},
        induction::TrainingOptions{.eval_every = 0}, induction::TrainingOptions{.eval_prompts = 0},
        induction::TrainingOptions{.target_accuracy = 0.0},
        induction::TrainingOptions{.target_accuracy = 1.5}, induction::TrainingOptions{.lr = -1.0}})
    EXPECT_THROW(induction::train(model, generator, bad), std::invalid_argument);
  nn::TransformerConfig small = induction::default_config();
  small.d_vocab = 5;
  nn::HookedTransformer wrong(tape, generator, small);
  EXPECT_THROW(induction::train(wrong, generator), std::invalid_argument);
  nn::Generator prompts_generator(0);
  EXPECT_THROW(induction::evaluate(wrong, induction::batch(3, prompts_generator)),
               std::invalid_argument);
}

}  // namespace
