// make bench: how fast the engine is, against gradients derived by hand and against the PyTorch +
// Captum numbers the README quotes. Each case runs once to warm up, then `repeats` times; the table
// shows the median, min and max. `bench --json` prints the same as one JSON object. Peak memory is
// read with getrusage(RUSAGE_SELF) (POSIX, part of the C library, not a package).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <sys/resource.h>
#include <vector>

#include "attribution/experiment.hpp"
#include "bench/hand_training.hpp"
#include "latent/json.hpp"
#include "nn/adam.hpp"
#include "nn/cross_entropy_loss.hpp"
#include "nn/induction_task.hpp"
#include "nn/nn.hpp"
#include "nn/transformer.hpp"

namespace {

struct Case {
  std::string name;
  double median_s = 0, min_s = 0, max_s = 0;
  int repeats = 0;
};

struct Work {
  std::string name;
  std::function<void()> run;
};

// Runs the works in turn, `repeats` rounds after one warm-up round: works compared by a ratio are
// measured together, so that a neighbour slowing a shared machine down slows both alike.
std::vector<Case> measure_together(const std::vector<Work>& works, int repeats) {
  for (const Work& work : works) work.run();  // warm-up: caches, page faults, the tape's growth
  std::vector<std::vector<double>> seconds(works.size());
  for (int r = 0; r < repeats; ++r)
    for (std::size_t w = 0; w < works.size(); ++w) {
      const auto start = std::chrono::steady_clock::now();
      works[w].run();
      seconds[w].push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  std::vector<Case> cases;
  for (std::size_t w = 0; w < works.size(); ++w) {
    std::vector<double>& s = seconds[w];
    std::sort(s.begin(), s.end());
    cases.push_back({works[w].name, s[s.size() / 2], s.front(), s.back(), repeats});
  }
  return cases;
}

Case measure(const std::string& name, int repeats, const std::function<void()>& work) {
  return measure_together({{name, work}}, repeats).front();
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Least-squares slope of log(y) on log(x): the growth exponent.
double growth_exponent(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += std::log(x[i]), my += std::log(y[i]);
  const auto count = static_cast<double>(x.size());
  mx /= count, my /= count;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (std::log(x[i]) - mx) * (std::log(y[i]) - my);
    sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
  }
  return sxy / sxx;
}

volatile double sink = 0;  // keeps the optimiser from dropping the measured work

// Trains the engine and the hand loop from the same start and generator state; returns the largest
// difference in the final weights and in every epoch's loss, so the floor is known to compute the
// same thing.
double engine_vs_hand_difference(nn::Gate gate, std::uint64_t seed) {
  nn::Generator generator(seed);
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, generator, 2);
  nn::Generator hand_generator = generator;
  const nn::StateDict start = model.state_dict();
  std::vector<double> weights = start.at("model.0.weight");
  double bias = start.at("model.0.bias").at(0);
  const nn::TruthTable table = nn::truth_table(gate);
  std::vector<double> losses;
  nn::train(model, table.inputs, table.targets, generator, {.epochs = 1000, .lr = 0.1},
            [&losses](int, double loss) { losses.push_back(loss); });
  const std::vector<double> hand_losses =
      bench::train_by_hand(table, hand_generator, weights, bias, 1000, 0.1);
  const nn::StateDict end = model.state_dict();
  double difference = std::fabs(end.at("model.0.bias").at(0) - bias);
  for (std::size_t j = 0; j < weights.size(); ++j)
    difference = std::max(difference, std::fabs(end.at("model.0.weight").at(j) - weights[j]));
  if (hand_losses.size() != losses.size()) return HUGE_VAL;
  for (std::size_t e = 0; e < losses.size(); ++e)
    difference = std::max(difference, std::fabs(losses[e] - hand_losses[e]));
  return difference;
}

// One training step of an attention-only transformer on the induction task (2 layers, T 8, V 9):
// forward, cross-entropy on the last position, zero_grad, backward, Adam, rewind. The same batch
// every step, so that drawing prompts is not timed; bench/compare_pytorch.py times the same step.
struct TransformerStep {
  std::string name;
  std::size_t d_model, n_heads, d_head, batch;
  int repeats;
};

Case transformer_step(const TransformerStep& spec, std::size_t& nodes) {
  namespace induction = nn::induction;
  const nn::TransformerConfig config{.d_vocab = induction::d_vocab,
                                     .n_ctx = induction::n_ctx,
                                     .d_model = spec.d_model,
                                     .d_head = spec.d_head,
                                     .n_heads = spec.n_heads,
                                     .n_layers = 2};
  nn::Generator generator(0);
  autodiff::Tape tape;
  nn::HookedTransformer model(tape, generator, config);
  nn::Adam optimizer(model.parameters(), {.lr = 1e-2});
  const induction::Batch prompts = induction::batch(spec.batch, generator);
  const autodiff::Tape::Mark mark = tape.mark();
  nn::Matrix<autodiff::Var> last(spec.batch, induction::d_vocab);
  return measure(spec.name, spec.repeats, [&] {
    const nn::Matrix<autodiff::Var>& logits = model.forward(prompts.tokens);
    for (std::size_t b = 0; b < spec.batch; ++b)
      for (std::size_t t = 0; t < induction::d_vocab; ++t)
        last(b, t) = logits(b * induction::n_ctx + induction::n_ctx - 1, t);
    const autodiff::Var loss = nn::CrossEntropyLoss()(last, prompts.targets);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    sink = sink + loss.value();
    nodes = tape.size() - mark.size;
    tape.rewind(mark);
  });
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) {
      json = true;
    } else {
      std::fprintf(stderr, "bench: unknown argument '%s' (the only option is --json)\n", argv[i]);
      return 2;
    }
  }

  const double difference = std::max(engine_vs_hand_difference(nn::Gate::and_gate, 0),
                                     engine_vs_hand_difference(nn::Gate::or_gate, 1));
  if (!(difference <= 1e-12)) {
    std::fprintf(stderr, "bench: the hand-derived loop differs from the engine by %g\n",
                 difference);
    return 1;
  }

  std::vector<Case> cases;
  const nn::TruthTable and_table = nn::truth_table(nn::Gate::and_gate);
  for (const Case& c : measure_together(
           {{"train_1000_epochs_engine",
             [] {
               sink = sink + attribution::train_network(nn::Gate::and_gate, 0)
                                 .parameters.at("model.0.bias")
                                 .at(0);
             }},
            {"train_1000_epochs_hand",
             [&] {
               nn::Generator generator(0);
               autodiff::Tape tape;
               nn::Sequential model = nn::network(tape, generator, 2);
               const nn::StateDict start = model.state_dict();
               std::vector<double> weights = start.at("model.0.weight");
               double bias = start.at("model.0.bias").at(0);
               sink = sink +
                      bench::train_by_hand(and_table, generator, weights, bias, 1000, 0.1).back();
             }}},
           51))
    cases.push_back(c);

  const attribution::TrainedNetwork trained = attribution::train_network(nn::Gate::and_gate, 0);
  autodiff::Tape tape;
  nn::Sequential model = nn::network(tape, 2, 0, trained.parameters);
  const auto& clean = nn::notebook_clean_input;
  const auto& corrupt = nn::notebook_corrupt_input;
  cases.push_back(measure("ig_50_steps", 201, [&] {
    sink = sink + attribution::integrated_gradients(model, clean, corrupt, 50).convergence_delta;
  }));
  cases.push_back(measure("ig_300_steps", 51, [&] {
    sink = sink + attribution::integrated_gradients(model, clean, corrupt, 300).convergence_delta;
  }));
  cases.push_back(measure("patching_both_ways", 201, [&] {
    sink = sink + attribution::patch_both_directions(model, nn::model_input, clean, corrupt)
                      .noising.differences.at(0);
  }));
  cases.push_back(measure("notebook_experiment", 21, [] {
    sink = sink + attribution::run_experiment(nn::Gate::and_gate, 0).ig.convergence_delta +
           attribution::run_experiment(nn::Gate::or_gate, 0).ig.convergence_delta;
  }));

  // Growth in the hidden width H of 2 -> H -> 1: time and tape bytes per training step. Built by
  // hand: the widths go past nn::network's max_hidden.
  std::vector<double> widths = {2, 8, 32, 128, 512}, step_seconds, tape_bytes;
  for (double h : widths) {
    const std::size_t width = static_cast<std::size_t>(h);
    nn::Generator generator(0);
    autodiff::Tape growth_tape;
    nn::Sequential net(growth_tape, generator, nn::Linear(2, width), nn::ReLU(),
                       nn::Linear(width, 1), nn::Sigmoid());
    const std::size_t before = growth_tape.size();
    {
      const autodiff::Tape::Mark mark = growth_tape.mark();
      const autodiff::Var loss = nn::BCELoss()(net.forward(and_table.inputs), and_table.targets);
      loss.backward();
      tape_bytes.push_back(
          static_cast<double>((growth_tape.size() - before) * sizeof(autodiff::Tape::Node)));
      growth_tape.rewind(mark);
    }
    const int epochs = 100;
    const Case c = measure("train_step_h" + std::to_string(width), 5, [&] {
      nn::train(net, and_table.inputs, and_table.targets, generator,
                {.epochs = epochs, .lr = 0.01});
    });
    step_seconds.push_back(c.median_s / epochs);
    cases.push_back(c);
  }
  std::vector<double> steps = {10, 50, 300, 3000}, ig_seconds;
  for (double n : steps) {
    const Case c = measure(
        "ig_" + std::to_string(static_cast<int>(n)) + "_steps_growth", n >= 3000 ? 5 : 21, [&] {
          sink =
              sink + attribution::integrated_gradients(model, clean, corrupt, static_cast<int>(n))
                         .convergence_delta;
        });
    ig_seconds.push_back(c.median_s);
    cases.push_back(c);
  }

  // Memory over 10^5 epochs: the tape is rewound each step, so peak RSS must not move. (nn::train
  // itself, not train_network, whose list of 10^5 losses would be 800 KB of memory that is not
  // the tape's.)
  nn::Generator long_generator(0);
  autodiff::Tape long_tape;
  nn::Sequential long_model = nn::network(long_tape, long_generator, 2);
  const long rss_before = peak_rss_kb();
  sink = sink + nn::train(long_model, and_table.inputs, and_table.targets, long_generator,
                          {.epochs = 100000, .lr = 0.1})
                    .final_loss;
  const long rss_after = peak_rss_kb();

  // The transformer step at chapter 12's size (d_model 16, 2 heads of 4) in the batch, then wider
  // (H d_head = d_model), where the tape's cost per node meets batched matrix products. After the
  // memory check, whose peak RSS its larger tapes would otherwise set.
  const std::vector<TransformerStep> transformer_steps = {
      {"transformer_step_d16_b1", 16, 2, 4, 1, 201},
      {"transformer_step_d16_b8", 16, 2, 4, 8, 101},
      {"transformer_step_d16_b32", 16, 2, 4, 32, 31},
      {"transformer_step_d64_b1", 64, 4, 16, 1, 31},
      {"transformer_step_d64_b8", 64, 4, 16, 8, 11},
      {"transformer_step_d128_b1", 128, 4, 32, 1, 11}};
  std::vector<std::size_t> transformer_nodes;
  for (const TransformerStep& spec : transformer_steps) {
    std::size_t nodes = 0;
    cases.push_back(transformer_step(spec, nodes));
    transformer_nodes.push_back(nodes);
  }

  auto median = [&](const char* name) {
    for (const Case& c : cases)
      if (c.name == name) return c.median_s;
    return 0.0;
  };
  const double engine_over_hand =
      median("train_1000_epochs_engine") / median("train_1000_epochs_hand");
  // Issue 5's PyTorch 1.13 + Captum 0.8 medians on a 2-core machine.
  const double torch_train = 129e-3, captum_ig50 = 3.1e-3, torch_notebook = 357e-3;
  const double h_exponent = growth_exponent(widths, step_seconds);
  const double bytes_exponent = growth_exponent(widths, tape_bytes);
  const double steps_exponent = growth_exponent(steps, ig_seconds);

  if (json) {
    latent::Json::Array array, steps_array;
    for (std::size_t i = 0; i < transformer_steps.size(); ++i)
      steps_array.push_back(
          latent::Json::object({{"name", transformer_steps[i].name},
                                {"d_model", static_cast<long long>(transformer_steps[i].d_model)},
                                {"n_heads", static_cast<long long>(transformer_steps[i].n_heads)},
                                {"d_head", static_cast<long long>(transformer_steps[i].d_head)},
                                {"batch", static_cast<long long>(transformer_steps[i].batch)},
                                {"tape_nodes", static_cast<long long>(transformer_nodes[i])}}));
    for (const Case& c : cases)
      array.push_back(latent::Json::object({{"name", c.name},
                                            {"median_s", c.median_s},
                                            {"min_s", c.min_s},
                                            {"max_s", c.max_s},
                                            {"repeats", c.repeats}}));
    latent::Json out = latent::Json::object(
        {{"cases", latent::Json(array)},
         {"ratios",
          latent::Json::object(
              {{"train_engine_over_hand", engine_over_hand},
               {"pytorch_train_over_engine", torch_train / median("train_1000_epochs_engine")},
               {"captum_ig_50_over_engine", captum_ig50 / median("ig_50_steps")},
               {"pytorch_notebook_over_engine", torch_notebook / median("notebook_experiment")},
               {"growth_exponent_hidden_width", h_exponent},
               {"growth_exponent_tape_bytes", bytes_exponent},
               {"growth_exponent_ig_steps", steps_exponent}})},
         {"transformer_steps", latent::Json(steps_array)},
         {"engine_hand_max_weight_difference", difference},
         {"peak_rss_kb_before_1e5_epochs", static_cast<long long>(rss_before)},
         {"peak_rss_kb_after_1e5_epochs", static_cast<long long>(rss_after)}});
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }

  std::printf("%-28s %12s %12s %12s %8s\n", "case", "median (ms)", "min (ms)", "max (ms)",
              "repeats");
  for (const Case& c : cases)
    std::printf("%-28s %12.4f %12.4f %12.4f %8d\n", c.name.c_str(), c.median_s * 1e3, c.min_s * 1e3,
                c.max_s * 1e3, c.repeats);
  std::printf(
      "\nengine / hand-derived training:        %8.2f x  (weights and losses agree to %.1e)\n",
      engine_over_hand, difference);
  std::printf("PyTorch training (129 ms) / engine:    %8.0f x\n",
              torch_train / median("train_1000_epochs_engine"));
  std::printf("Captum IG 50 steps (3.1 ms) / engine:  %8.0f x\n",
              captum_ig50 / median("ig_50_steps"));
  std::printf("PyTorch notebook (357 ms) / engine:    %8.0f x\n",
              torch_notebook / median("notebook_experiment"));
  std::printf("\ngrowth, 2 -> H -> 1, per training step (4 rows):\n");
  for (std::size_t i = 0; i < widths.size(); ++i)
    std::printf("  H = %4.0f   %10.2f us/step   %9.0f tape bytes/step\n", widths[i],
                step_seconds[i] * 1e6, tape_bytes[i]);
  std::printf("  fitted exponent in H: time %.2f, tape bytes %.2f\n", h_exponent, bytes_exponent);
  std::printf(
      "IG growth in n_steps (the Gauss-Legendre rule, O(n^2) to compute, is cached per thread):\n");
  for (std::size_t i = 0; i < steps.size(); ++i)
    std::printf("  n_steps = %5.0f   %10.4f ms\n", steps[i], ig_seconds[i] * 1e3);
  std::printf("  fitted exponent in n_steps: %.2f\n", steps_exponent);
  std::printf("\ntransformer training step (2 layers, T 8, V 9, Adam), per step:\n");
  for (std::size_t i = 0; i < transformer_steps.size(); ++i) {
    const TransformerStep& spec = transformer_steps[i];
    const double seconds = median(spec.name.c_str());
    std::printf(
        "  d_model %3zu  %zu x %2zu heads  batch %2zu   %9zu nodes   %10.3f ms   %5.1f ns/node\n",
        spec.d_model, spec.n_heads, spec.d_head, spec.batch, transformer_nodes[i], seconds * 1e3,
        seconds * 1e9 / static_cast<double>(transformer_nodes[i]));
  }
  std::printf("\npeak RSS (getrusage): %ld KiB before and %ld KiB after 10^5 training epochs\n",
              rss_before, rss_after);
  return 0;
}
