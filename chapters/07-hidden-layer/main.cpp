// Chapter 7 — a hidden layer: components nobody labelled.
//
// The network Sequential(Linear(2, 2), ReLU(), Linear(2, 1), Sigmoid()) is trained on AND, OR, NAND
// and XOR from seeds 0 to 9, and its two hidden neurons (the ReLU's output, "layer_1.output") are
// measured with layer integrated gradients and with activation patching in both directions. Look
// first at the training table (which seeds fail, and why), then at one model per gate, then at the
// pattern table: how often, over the seeds, IG and each patching direction find or miss a neuron.
// The program checks completeness, that dead neurons get exactly zero from every method, and that
// patching every neuron at once recovers everything; it exits with status 1 if a check fails.
// What each neuron's pattern is and why a training failed are decided in
// attribution/hidden_neurons.hpp.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "attribution/hidden_neurons.hpp"
#include "nn/gates.hpp"
#include "nn/network.hpp"

namespace {

constexpr std::size_t hidden = 2;
constexpr std::uint64_t seeds = 10;
constexpr double completeness_limit = 1e-9;
const std::vector<nn::Gate> gates = {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::nand_gate,
                                     nn::Gate::xor_gate};

bool all_checks_pass = true;
void check(bool holds, const std::string& what) {
  if (!holds) {
    std::printf("CHECK FAILED: %s\n", what.c_str());
    all_checks_pass = false;
  }
}

std::string list_text(const std::vector<double>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i)
    text += (i > 0 ? ", " : "") + std::to_string(static_cast<int>(values[i]));
  return text + "]";
}

struct Training {
  std::vector<attribution::TrainedNetwork> models;
  std::vector<int> dead_start;
  int successes = 0;
};

Training train_all(nn::Gate gate, std::size_t width) {
  Training training;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    training.models.push_back(attribution::train_network(gate, seed, width));
    training.dead_start.push_back(attribution::dead_at_start(gate, seed, width));
    training.successes += training.models.back().classifies_all_rows ? 1 : 0;
  }
  return training;
}

// Every hidden neuron patched at once, in both directions: the patched run is the other run.
attribution::TwoWayPatching all_at_once(const attribution::Experiment& e) {
  autodiff::Tape tape;
  nn::Sequential model =
      nn::network(tape, nn::input_count(e.network.gate), e.network.hidden, e.network.parameters);
  attribution::ComponentSet every(e.network.hidden);
  for (std::size_t j = 0; j < every.size(); ++j) every[j] = j;
  const std::vector<attribution::ComponentSet> sets = {every};
  return attribution::patch_both_directions(model, e.layer, e.pair.clean, e.pair.corrupt, sets);
}

// Checks every method against what must hold, whatever the seed.
void check_experiment(const attribution::Experiment& e) {
  const std::string name = std::string(nn::gate_name_upper(e.network.gate)) + " seed " +
                           std::to_string(e.network.training->seed) + " H " +
                           std::to_string(e.network.hidden);
  check(std::fabs(e.ig.convergence_delta) < completeness_limit, name + ": IG complete");
  for (std::size_t j = 0; j < e.network.hidden; ++j) {
    if (!e.silent_on_pair[j]) continue;  // dead neurons are silent on the pair too
    check(e.ig.attributions[j] == 0.0 && e.patching.denoising.differences[j] == 0.0 &&
              e.patching.noising.differences[j] == 0.0 && !e.asymmetry[j].has_value(),
          name + ": a silent neuron gets exactly zero");
  }
  if (e.ig_shares) {
    const attribution::TwoWayPatching all = all_at_once(e);
    check(all.denoising.scores && std::fabs((*all.denoising.scores)[0] - 1.0) < 1e-12 &&
              std::fabs((*all.noising.scores)[0] - 1.0) < 1e-12,
          name + ": patching every neuron at once recovers everything");
  }
}

void print_model(const attribution::Experiment& e) {
  const attribution::TrainedNetwork& t = e.network;
  std::printf("== %s, seed %llu: f(clean %s) = %.4f, f(corrupt %s) = %.4f ==\n",
              nn::gate_name_upper(t.gate), static_cast<unsigned long long>(t.training->seed),
              list_text(e.pair.clean).c_str(), e.ig.f_input, list_text(e.pair.corrupt).c_str(),
              e.ig.f_baseline);
  const auto& w1 = t.parameters.at("model.0.weight");
  const auto& b1 = t.parameters.at("model.0.bias");
  const auto& w2 = t.parameters.at("model.2.weight");
  std::printf("%-3s %-25s %6s %8s %8s %9s %7s %9s %8s %9s\n", "", "h = relu(w.x + b)", "out w",
              "h(clean)", "h(corr.)", "IG", "share", "denoising", "noising", "asymmetry");
  for (std::size_t j = 0; j < t.hidden; ++j) {
    char neuron[64];
    std::snprintf(neuron, sizeof neuron, "%.2f x1 %+.2f x2 %+.2f", w1[2 * j], w1[2 * j + 1], b1[j]);
    char asymmetry[16] = "-";
    if (e.asymmetry[j]) std::snprintf(asymmetry, sizeof asymmetry, "%+.4f", *e.asymmetry[j]);
    std::printf("h%-2zu %-25s %6.2f %8.4f %8.4f %9.6f %7.4f %9.4f %8.4f %9s%s\n", j + 1, neuron,
                w2[j], e.clean_activation[j], e.corrupt_activation[j], e.ig.attributions[j] + 0.0,
                (*e.ig_shares)[j] + 0.0, (*e.patching.denoising.scores)[j] + 0.0,
                (*e.patching.noising.scores)[j] + 0.0, asymmetry, t.dead[j] ? "  dead" : "");
  }
  const attribution::TwoWayPatching all = all_at_once(e);
  std::printf(
      "IG convergence delta %.1e; both neurons patched at once: denoising %.4f, noising %.4f\n\n",
      e.ig.convergence_delta, (*all.denoising.scores)[0], (*all.noising.scores)[0]);
}

void print_training(const std::vector<Training>& trainings,
                    const std::vector<std::string>& labels) {
  std::printf("%-10s", "seed");
  for (const std::string& label : labels) std::printf(" %-22s", label.c_str());
  std::printf("\n");
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    std::printf("%-10llu", static_cast<unsigned long long>(seed));
    for (const Training& training : trainings) {
      const attribution::TrainedNetwork& t = training.models[seed];
      char cell[64];
      if (t.classifies_all_rows)
        std::snprintf(cell, sizeof cell, "4/4 ok%s", t.dead_count() > 0 ? ", 1 dead" : "");
      else
        std::snprintf(cell, sizeof cell, "%d/4 %s", t.correct_rows,
                      attribution::failure_reason(t, training.dead_start[seed]).c_str());
      std::printf(" %-22s", cell);
    }
    std::printf("\n");
  }
  std::printf("%-10s", "learnt");
  for (const Training& training : trainings) {
    char cell[32];
    std::snprintf(cell, sizeof cell, "%d of 10", training.successes);
    std::printf(" %-22s", cell);
  }
  std::printf("\n\n");
}

}  // namespace

int main() {
  std::printf("Chapter 7: a hidden layer\n\n");
  std::printf(
      "Sequential(Linear(2, %zu), ReLU(), Linear(%zu, 1), Sigmoid()), PyTorch's initialisation\n",
      hidden, hidden);
  std::printf(
      "from the seed, then %d epochs of SGD at lr %.1f on BCELoss. Rows classified (of 4):\n\n",
      attribution::default_training(hidden).epochs, attribution::default_training(hidden).lr);

  std::vector<Training> trainings;
  std::vector<std::string> labels;
  for (nn::Gate gate : gates) {
    trainings.push_back(train_all(gate, hidden));
    labels.push_back(nn::gate_name_upper(gate));
  }
  print_training(trainings, labels);

  std::printf("XOR needs both neurons alive; with a wider layer more seeds have two that are:\n\n");
  std::vector<Training> wider = {trainings.back(), train_all(nn::Gate::xor_gate, 3),
                                 train_all(nn::Gate::xor_gate, 4)};
  print_training(wider, {"XOR, H = 2", "XOR, H = 3", "XOR, H = 4"});

  std::printf("One model per gate (the first seed that classifies every row), measured between\n");
  std::printf("clean and corrupt: layer IG at layer_1.output with the corrupt run as baseline,\n");
  std::printf("denoising (clean -> corrupt) and noising (corrupt -> clean) of each neuron:\n\n");
  std::map<std::string, std::map<std::string, int>> patterns;  // column, then pattern
  std::vector<std::string> columns;
  auto tally = [&](const Training& training, const std::string& column, bool print_first) {
    columns.push_back(column);
    bool printed = !print_first;
    for (const attribution::TrainedNetwork& t : training.models) {
      const attribution::Experiment e = attribution::analyse(t);
      check_experiment(e);
      if (!t.classifies_all_rows) {
        patterns[column]["(in a failed model)"] += static_cast<int>(t.hidden);
        continue;
      }
      if (!printed) {
        print_model(e);
        printed = true;
      }
      for (std::size_t j = 0; j < t.hidden; ++j)
        patterns[column][attribution::pattern_of(e, j)] += 1;
    }
  };
  for (std::size_t g = 0; g < gates.size(); ++g) tally(trainings[g], labels[g], true);
  tally(wider[2], "XOR H=4", false);

  std::printf("Every neuron of every seed, in the models that classify every row; a method\n");
  std::printf("\"finds\" a neuron when its share or score is at least %.2f in size:\n\n",
              attribution::finds);
  std::printf("%-22s", "pattern");
  for (const std::string& column : columns) std::printf(" %8s", column.c_str());
  std::printf("\n");
  std::vector<std::string> rows(attribution::pattern_names.begin(),
                                attribution::pattern_names.end());
  rows.push_back("(in a failed model)");
  for (const std::string& row : rows) {
    std::printf("%-22s", row.c_str());
    for (const std::string& column : columns) std::printf(" %8d", patterns[column][row]);
    std::printf("\n");
  }

  std::printf(
      "\nChecks: IG complete (|delta| < 1e-9) for every model; every neuron that is 0 on\n");
  std::printf("both inputs gets exactly 0 from IG and both patching directions; patching all\n");
  std::printf("neurons at once scores 1 in both directions.\n");
  std::printf("%s\n", all_checks_pass ? "All checks hold." : "SOME CHECK FAILED: see above.");
  return all_checks_pass ? 0 : 1;
}
