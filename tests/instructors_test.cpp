// The instructor guide, docs/instructors.md, checked against the library.
//
// The guide answers every question-exercise of the chapters (the prose exercises after the code
// ones) on a line of its own, "**Answer N.K:** ...". Where an answer is a number, a count or a
// yes/no the library can compute, a test here computes it with attribution/, nn/ and autodiff/ and
// checks that the answer line states that very value, formatted as the guide prints it: the guide
// cannot drift from the code. The same goes for the numbers the guide quotes about the course's
// common confusions and for its table of time per chapter, which is checked against
// chapters/exercises.md and the chapters' READMEs.
//
// The student edition (make student) leaves out this file and the guide: they hold the answers.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <numbers>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "attribution/ablation.hpp"
#include "attribution/activation_patching.hpp"
#include "attribution/closed_form.hpp"
#include "attribution/comparison.hpp"
#include "attribution/experiment.hpp"
#include "attribution/heads.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/quadrature.hpp"
#include "attribution/residual_stream.hpp"
#include "attribution/skip_path.hpp"
#include "attribution/subset_patching.hpp"
#include "autodiff/gradcheck.hpp"
#include "autodiff/operations.hpp"
#include "autodiff/tape.hpp"
#include "nn/activations.hpp"
#include "nn/bce_loss.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "nn/induction_task.hpp"
#include "nn/induction_training.hpp"
#include "nn/linear.hpp"
#include "nn/matrix.hpp"
#include "nn/network.hpp"
#include "nn/random.hpp"
#include "nn/residual.hpp"
#include "nn/sequential.hpp"
#include "nn/sgd.hpp"
#include "nn/training.hpp"
#include "nn/transformer.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using attribution::ComponentSet;
using attribution::Method;
using autodiff::Tape;
using autodiff::Var;
using test_support::contains;

// The notebook's AND and OR neurons (chapters 1, 4 and 5).
const std::vector<double> and_weights = {3.0482, 3.0556};
constexpr double and_bias = -4.7946;
const std::vector<double> or_weights = {4.0211, 4.0242};
constexpr double or_bias = -1.4725;

const std::vector<double> one_one = {1.0, 1.0}, zero_zero = {0.0, 0.0}, one_zero = {1.0, 0.0},
                          zero_one = {0.0, 1.0};

std::string read_text(const std::string& relative_path) {
  const std::string path = std::string(PROJECT_ROOT) + "/" + relative_path;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string& guide() {
  static const std::string text = read_text("docs/instructors.md");
  return text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The guide's line "**Answer <id>:** ...", or "" when it has none.
std::string answer_line(const std::string& id) {
  const std::string key = "**Answer " + id + ":**";
  for (const std::string& line : lines_of(guide()))
    if (line.starts_with(key)) return line;
  return "";
}

std::string fixed(double x, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, x);
  return text;
}

// 9.38e-04: C's %e, as the chapters print small numbers.
std::string scientific(double x, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*e", decimals, x);
  return text;
}

// " + 3.95" or " - 3.95": a term of a sum, as the guide writes a neuron.
std::string term(double x, int decimals) {
  return (x < 0.0 ? " - " : " + ") + fixed(std::fabs(x), decimals);
}

std::string vector_text(std::span<const double> values, int decimals) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i)
    text += (i > 0 ? ", " : "") + fixed(values[i], decimals);
  return text + "]";
}

// "0, 5 and 7"
std::string list_text(const std::vector<std::string>& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i)
    text += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return text;
}

// Expects answer `id` of the guide to state every one of `parts`.
void expect_answer_states(const std::string& id, const std::vector<std::string>& parts) {
  const std::string line = answer_line(id);
  ASSERT_FALSE(line.empty()) << "docs/instructors.md has no line starting **Answer " << id << ":**";
  for (const std::string& part : parts)
    EXPECT_TRUE(contains(line, part))
        << "Answer " << id << " should state \"" << part << "\"; it reads:\n"
        << line;
}

// Expects the guide, anywhere, to state every one of `parts`.
void expect_guide_states(const std::vector<std::string>& parts) {
  for (const std::string& part : parts)
    EXPECT_TRUE(contains(guide(), part)) << "docs/instructors.md should state \"" << part << "\"";
}

// The cells of a Markdown table row "| a | b |", trimmed.
std::vector<std::string> table_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::istringstream row(line.substr(1));
  for (std::string cell; std::getline(row, cell, '|');) {
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    cells.push_back(cell);
  }
  return cells;
}

double score(const std::optional<std::vector<double>>& scores, std::size_t k) {
  if (!scores) throw std::logic_error("no scores: the gap between the runs is zero");
  return scores->at(k);
}

}  // namespace

// Every prose exercise of the chapters (numbered after the code exercises) has an answer.
TEST(InstructorsGuide, EveryQuestionHasAnAnswer) {
  for (const char* id :
       {"1.3", "1.4", "1.5", "2.3",  "2.4",  "2.5",  "3.4",  "3.5",  "3.6",  "4.4",  "4.5", "4.6",
        "5.4", "5.5", "5.6", "6.3",  "6.4",  "6.5",  "7.3",  "7.4",  "7.5",  "8.3",  "8.4", "8.5",
        "9.4", "9.5", "9.6", "10.4", "10.5", "10.6", "11.3", "11.4", "11.5", "12.4", "12.5"})
    EXPECT_FALSE(answer_line(id).empty()) << "no **Answer " << id << ":** line";
}

// The time table: each chapter's exercise minutes and points are the sums of chapters/exercises.md,
// and each row's total adds up (the reading and question minutes are the guide's estimates).
TEST(InstructorsGuide, TimePerChapterFollowsTheExerciseTable) {
  std::map<int, int> minutes, points;
  for (const std::string& line : lines_of(read_text("chapters/exercises.md"))) {
    if (!line.starts_with("| ") || line.size() < 3 ||
        !std::isdigit(static_cast<unsigned char>(line[2])))
      continue;
    const std::vector<std::string> cells = table_cells(line);
    ASSERT_GE(cells.size(), 7u) << line;
    const int chapter = std::stoi(cells[0]);
    points[chapter] += std::stoi(cells[3]);
    minutes[chapter] += std::stoi(cells[6]);
  }
  ASSERT_FALSE(minutes.empty());
  std::map<std::string, std::vector<std::string>> rows;  // "1", "2", ..., "all"
  for (const std::string& line : lines_of(guide()))
    if (line.starts_with("| ")) {
      const std::vector<std::string> cells = table_cells(line);
      if (cells.size() == 6 &&
          (cells[0] == "all" || std::isdigit(static_cast<unsigned char>(cells[0][0]))))
        rows[cells[0]] = cells;
    }
  int all_minutes = 0, all_points = 0, all_total = 0;
  // Every chapter with exercises has its row (a chapter number may be skipped).
  for (const auto& [chapter, chapter_minutes] : minutes) {
    ASSERT_EQ(rows.count(std::to_string(chapter)), 1u) << "no row for chapter " << chapter;
    const std::vector<std::string>& row = rows[std::to_string(chapter)];
    EXPECT_EQ(std::stoi(row[1]), chapter_minutes) << "chapter " << chapter << "'s exercise minutes";
    EXPECT_EQ(std::stoi(row[5]), points[chapter]) << "chapter " << chapter << "'s points";
    EXPECT_EQ(std::stoi(row[4]), std::stoi(row[1]) + std::stoi(row[2]) + std::stoi(row[3]))
        << "chapter " << chapter << "'s total";
    all_minutes += chapter_minutes;
    all_points += points[chapter];
    all_total += std::stoi(row[4]);
  }
  ASSERT_EQ(rows.count("all"), 1u) << "no row 'all'";
  EXPECT_EQ(std::stoi(rows["all"][1]), all_minutes);
  EXPECT_EQ(std::stoi(rows["all"][4]), all_total);
  EXPECT_EQ(std::stoi(rows["all"][5]), all_points);
}

// Confusion 2: the convergence delta does not fall monotonically with n_steps (chapter 4's n = 1
// against n = 2), and swapping input and baseline turns the left rule into the right one, while a
// symmetric rule (Gauss-Legendre) only changes the delta's sign.
TEST(InstructorsGuide, ConvergenceDeltaAgainstStepsAndSwap) {
  Tape tape;
  nn::Sequential model = nn::neuron(tape, and_weights, and_bias);
  const auto delta = [&](Method method, int n, bool swapped) {
    return swapped ? attribution::integrated_gradients(model, zero_zero, one_one, n, method)
                         .convergence_delta
                   : attribution::integrated_gradients(model, one_one, zero_zero, n, method)
                         .convergence_delta;
  };
  const double gl1 = delta(Method::gausslegendre, 1, false),
               gl2 = delta(Method::gausslegendre, 2, false);
  EXPECT_GT(std::fabs(gl2), 10.0 * std::fabs(gl1));
  EXPECT_NEAR(delta(Method::gausslegendre, 2, true), -gl2, 1e-15);
  const double left = delta(Method::riemann_left, 10, false);
  const double left_swapped = delta(Method::riemann_left, 10, true);
  EXPECT_NEAR(left_swapped, -delta(Method::riemann_right, 10, false), 1e-15);
  EXPECT_GT(std::fabs(std::fabs(left) - std::fabs(left_swapped)), 1e-3);
  expect_guide_states({scientific(std::fabs(gl1), 2), scientific(std::fabs(gl2), 2),
                       scientific(std::fabs(left), 2), scientific(std::fabs(left_swapped), 2)});
}

// Confusion 4: on the logit, which is linear in the inputs, both patching directions give each
// input of the AND neuron the same score, w_i / (w_1 + w_2), and one left Riemann node is complete.
TEST(InstructorsGuide, OnTheLogitTheDirectionsAgree) {
  Tape tape;
  nn::Generator generator(0);
  nn::Sequential logit(tape, generator, nn::Linear(2, 1));
  logit.load_state_dict({{"model.0.weight", and_weights}, {"model.0.bias", {and_bias}}});
  const auto patching =
      attribution::patch_both_directions(logit, nn::model_input, one_one, zero_zero);
  const double sum = and_weights[0] + and_weights[1];
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(score(patching.denoising.scores, i), and_weights[i] / sum, 1e-12);
    EXPECT_NEAR(score(patching.noising.scores, i), and_weights[i] / sum, 1e-12);
    parts.push_back(fixed(score(patching.denoising.scores, i), 4));
  }
  const auto ig =
      attribution::integrated_gradients(logit, one_one, zero_zero, 1, Method::riemann_left);
  EXPECT_LT(std::fabs(ig.convergence_delta), 1e-15);
  expect_guide_states(parts);
}

// ---- chapter 1 ----------------------------------------------------------------------------------

namespace {
// Answer 1.3's sin: value sin x, local derivative cos x.
Var sin(Var a) {
  const double x = a.value();
  return a.tape().push(autodiff::Op::custom, std::sin(x), a, std::cos(x));
}
}  // namespace

// Answer 1.3: the guide's sin passes gradcheck at 0, pi/2 and two other points.
TEST(InstructorsGuide, Answer13SinPassesGradcheck) {
  for (double x : {0.0, std::numbers::pi / 2, 1.0, -2.0}) {
    const auto result = autodiff::gradcheck([](std::span<const Var> v) { return sin(v[0]); },
                                            std::vector<double>{x}, 1e-6, 1e-10);
    EXPECT_TRUE(result.passed) << "x = " << x << ": " << result.worst_relative_error;
    EXPECT_EQ(result.analytic[0], std::cos(x));
  }
  expect_answer_states("1.3", {"1e-10"});
}

// Answer 1.4: x * x * x is three nodes; the sweep adds x^2 three times.
TEST(InstructorsGuide, Answer14XCubedIsThreeNodes) {
  Tape tape;
  const Var x = tape.variable(2.0);
  const Var y = x * x * x;
  y.backward();
  EXPECT_EQ(tape.node(1).parent[0], 0u);  // x * x: both parents are x
  EXPECT_EQ(tape.node(1).parent[1], 0u);
  EXPECT_DOUBLE_EQ(x.grad(), 3.0 * 2.0 * 2.0);
  expect_answer_states("1.4",
                       {std::to_string(tape.size()) + " nodes", "dy/dx = " + fixed(x.grad(), 0)});
}

// Answer 1.5: a zero gradient is skipped, so sqrt's infinite partial at 0 never meets it.
TEST(InstructorsGuide, Answer15ZeroGradientsAreSkipped) {
  Tape tape;
  const Var x = tape.variable(0.0);
  const Var root = autodiff::sqrt(x);
  const Var y = x * 3.0;
  y.backward();
  const double partial = tape.at(root).partial[0];
  EXPECT_TRUE(std::isinf(partial));
  EXPECT_TRUE(std::isnan(0.0 * partial));
  EXPECT_TRUE(std::isfinite(x.grad()));
  const double through_three_x = x.grad();
  // A zero gradient inside the output's graph is skipped too: sqrt(x) * 0 at 0.
  tape.zero_grad();
  const Var zero = autodiff::sqrt(x) * 0.0;
  zero.backward();
  EXPECT_EQ(x.grad(), 0.0);
  expect_answer_states("1.5", {"dy/dx = " + fixed(through_three_x, 0), "NaN",
                               "`y = sqrt(x) * 0` gives dy/dx = " + fixed(x.grad(), 0)});
}

// ---- chapter 2 ----------------------------------------------------------------------------------

// Answer 2.3: the names and shapes of the hidden-layer network's parameters, and the bound of
// each layer's initial values.
TEST(InstructorsGuide, Answer23HiddenLayerParameters) {
  Tape tape;
  nn::Generator generator(0);
  nn::Sequential model(tape, generator, nn::Linear(2, 2), nn::ReLU(), nn::Linear(2, 1),
                       nn::Sigmoid());
  std::vector<std::string> parts;
  const double bound0 = dynamic_cast<const nn::Linear&>(model.layer(0)).init_bound();
  const double bound2 = dynamic_cast<const nn::Linear&>(model.layer(2)).init_bound();
  EXPECT_EQ(bound0, bound2);
  for (const nn::NamedParameter& parameter : model.named_parameters()) {
    parts.push_back(parameter.name + " " + std::to_string(parameter.value.rows()) + " x " +
                    std::to_string(parameter.value.cols()));
    for (const Var& v : parameter.value.flat()) {
      EXPECT_GE(v.value(), -bound0) << parameter.name;
      EXPECT_LT(v.value(), bound0) << parameter.name;
    }
  }
  EXPECT_EQ(parts.size(), 4u);
  parts.push_back(fixed(bound0, 4));
  expect_answer_states("2.3", parts);
}

// Answer 2.4: the gradient of y with respect to z, read from a leaf put in by a hook, is
// y (1 - y), and the same under both names of the activation.
TEST(InstructorsGuide, Answer24GradientAtTheLogit) {
  std::vector<double> gradients;
  for (const char* name : {"layer_0.output", "layer_1.input"}) {
    Tape tape;
    nn::Sequential model = nn::neuron(tape, and_weights, and_bias);
    const nn::Matrix<double> x{{1.0, 1.0}};
    const nn::Matrix<double> z = model.run_with_cache(x).cache["layer_0.output"];
    nn::Matrix<Var> leaves;
    const Var y = model.run_with_hooks(x, {{name, nn::patch_activation(z, &leaves)}})(0, 0);
    y.backward();
    EXPECT_NEAR(leaves(0, 0).grad(), y.value() * (1.0 - y.value()), 1e-15) << name;
    gradients.push_back(leaves(0, 0).grad());
  }
  EXPECT_EQ(gradients[0], gradients[1]);
  expect_answer_states("2.4", {"dy/dz = " + fixed(gradients[0], 6)});
}

// Answer 2.5: patching input neuron 1 of [1, 1] from [0, 0] gives what [1, 0] gives.
TEST(InstructorsGuide, Answer25PatchingTheOtherNeuron) {
  Tape tape;
  nn::Sequential model = nn::neuron(tape, and_weights, and_bias);
  const nn::Matrix<double> x{{1.0, 1.0}}, corrupt{{0.0, 0.0}};
  const auto patched = [&](std::size_t neuron) {
    return model
        .run_with_hooks(x, {{std::string(nn::model_input), nn::patch_neuron(neuron, corrupt)}})(0,
                                                                                                0)
        .value();
  };
  const double neuron1 = patched(1), neuron0 = patched(0);
  EXPECT_NEAR(neuron1, model.predict(nn::Matrix<double>{{1.0, 0.0}})(0, 0), 1e-15);
  EXPECT_NEAR(neuron0, model.predict(nn::Matrix<double>{{0.0, 1.0}})(0, 0), 1e-15);
  EXPECT_NE(fixed(neuron1, 4), fixed(neuron0, 4));
  expect_answer_states("2.5", {"[1, 0]", fixed(neuron1, 4), fixed(neuron0, 4)});
}

// ---- chapter 3 ----------------------------------------------------------------------------------

// Answer 3.4: NAND's and NOR's neurons (seed 0) have negative weights and a positive bias, each
// within 0.25 of minus AND's and OR's.
TEST(InstructorsGuide, Answer34NandAndNorMirrorAndAndOr) {
  std::vector<std::string> parts = {"0.25"};
  for (const auto& [gate, mirror] : {std::pair{nn::Gate::nand_gate, nn::Gate::and_gate},
                                     std::pair{nn::Gate::nor_gate, nn::Gate::or_gate}}) {
    const auto trained = attribution::train_network(gate, 0);
    const auto reference = attribution::train_network(mirror, 0);
    EXPECT_TRUE(trained.classifies_all_rows) << nn::gate_name(gate);
    const std::vector<double>& w = trained.parameters.at("model.0.weight");
    const double b = trained.parameters.at("model.0.bias")[0];
    EXPECT_LT(w[0], 0.0);
    EXPECT_LT(w[1], 0.0);
    EXPECT_GT(b, 0.0);
    for (const auto& [name, values] : trained.parameters)
      for (std::size_t i = 0; i < values.size(); ++i)
        EXPECT_LT(std::fabs(values[i] + reference.parameters.at(name)[i]), 0.25)
            << nn::gate_name(gate) << " " << name;
    parts.push_back(std::string(nn::gate_name_upper(gate)) + " w = " + vector_text(w, 4) +
                    ", b = " + fixed(b, 4));
  }
  expect_answer_states("3.4", parts);
}

// Answer 3.5: training on the logit with BCEWithLogitsLoss instead of Sigmoid and BCELoss changes
// only the last bits: the runs are not bit-identical, but no loss differs by 1e-15 and no final
// parameter by 1e-14.
TEST(InstructorsGuide, Answer35LogitsLossChangesOnlyTheLastBits) {
  const nn::TruthTable table = nn::truth_table(nn::Gate::and_gate);
  const nn::TrainingOptions options;  // chapter 3's: 1000 epochs at lr 0.1

  std::vector<double> probability_losses;
  Tape tape_p;
  nn::Generator generator_p(0);
  nn::Sequential with_sigmoid(tape_p, generator_p, nn::Linear(2, 1), nn::Sigmoid());
  nn::train(with_sigmoid, table.inputs, table.targets, generator_p, options,
            [&](int, double loss) { probability_losses.push_back(loss); });

  // The copy of the training loop: no Sigmoid, BCEWithLogitsLoss.
  std::vector<double> logit_losses;
  Tape tape_l;
  nn::Generator generator_l(0);
  nn::Sequential logits(tape_l, generator_l, nn::Linear(2, 1));
  const nn::SGD optimizer(logits.parameters(), options.lr);
  const nn::BCEWithLogitsLoss criterion;
  const Tape::Mark mark = tape_l.mark();
  const std::size_t n = table.inputs.rows();
  std::vector<std::size_t> order(n);
  nn::Matrix<double> batch_inputs(n, table.inputs.cols()), batch_targets(n, 1);
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    generator_l.randperm(n, order);
    for (std::size_t i = 0; i < n; ++i) {
      const auto row = table.inputs.row(order[i]);
      std::copy(row.begin(), row.end(), batch_inputs.row(i).begin());
      batch_targets(i, 0) = table.targets(order[i], 0);
    }
    const Var loss = criterion(logits.forward(batch_inputs), batch_targets);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    logit_losses.push_back(loss.value());
    tape_l.rewind(mark);
  }

  ASSERT_EQ(logit_losses.size(), probability_losses.size());
  double worst_loss = 0.0, worst_parameter = 0.0;
  for (std::size_t e = 0; e < logit_losses.size(); ++e)
    worst_loss = std::max(worst_loss, std::fabs(logit_losses[e] - probability_losses[e]));
  const nn::StateDict a = with_sigmoid.state_dict(), b = logits.state_dict();
  for (const auto& [name, values] : a)
    for (std::size_t i = 0; i < values.size(); ++i)
      worst_parameter = std::max(worst_parameter, std::fabs(values[i] - b.at(name)[i]));
  EXPECT_GT(worst_loss + worst_parameter, 0.0) << "the two runs are bit-identical";
  EXPECT_LT(worst_loss, 1e-15);
  EXPECT_LT(worst_parameter, 1e-14);
  expect_answer_states("3.5", {"1e-15", "1e-14"});
}

// Answer 3.6: XOR with a hidden layer of two sigmoids at chapter 3's lr 0.1, seeds 0-9: which
// seeds learn it within 20000 epochs, after how many, and what the others are left with.
TEST(InstructorsGuide, Answer36XorWithASigmoidHiddenLayer) {
  const nn::TruthTable table = nn::truth_table(nn::Gate::xor_gate);
  const auto classifies = [&](nn::Sequential& model) {
    const nn::Matrix<double> p = model.predict(table.inputs);
    int correct = 0;
    for (std::size_t r = 0; r < table.inputs.rows(); ++r)
      correct += std::nearbyint(p(r, 0)) == table.targets(r, 0) ? 1 : 0;
    return correct;
  };
  int learnt = 0, fewest = 0, most = 0;
  std::vector<std::string> failed;
  std::vector<int> failed_rows;
  std::vector<double> failed_losses;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    Tape tape;
    nn::Generator generator(seed);
    nn::Sequential model(tape, generator, nn::Linear(2, 2), nn::Sigmoid(), nn::Linear(2, 1),
                         nn::Sigmoid());
    int first = 0;  // epochs run when every row was first right
    double last_loss = 0.0;
    nn::train(model, table.inputs, table.targets, generator, {.epochs = 20000, .lr = 0.1},
              [&](int epoch, double loss) {
                last_loss = loss;
                if (first == 0 && classifies(model) == 4) first = epoch + 1;
              });
    if (classifies(model) == 4 && first > 0) {
      fewest = learnt == 0 ? first : std::min(fewest, first);
      most = std::max(most, first);
      ++learnt;
    } else {
      failed.push_back(std::to_string(seed));
      failed_rows.push_back(classifies(model));
      failed_losses.push_back(last_loss);
    }
  }
  EXPECT_GT(fewest, 1000) << "a seed learns XOR within chapter 3's 1000 epochs";
  ASSERT_FALSE(failed.empty());
  for (int rows : failed_rows) EXPECT_EQ(rows, failed_rows[0]);
  // Two rows right, two near p = 1/2: a mean loss near ln 2 / 2.
  for (double loss : failed_losses) EXPECT_NEAR(loss, std::log(2.0) / 2.0, 0.01);
  expect_answer_states("3.6",
                       {std::to_string(learnt) + " of 10",
                        std::to_string(fewest) + " to " + std::to_string(most) + " epochs",
                        "seeds " + list_text(failed), std::to_string(failed_rows[0]) + " of 4 rows",
                        "ln 2 / 2 = " + fixed(std::log(2.0) / 2.0, 3)});
}

// ---- chapter 4 ----------------------------------------------------------------------------------

// Answer 4.4: the limit z1 = z0 of the closed form, and two inputs for which the plain difference
// of sigmoids loses digits that the sinh form keeps.
TEST(InstructorsGuide, Answer44ClosedFormKeepsTheDigits) {
  const std::vector<double>& w = and_weights;
  // z1 = z0 along the path (w . (x - x') = 0): IG_i = (x_i - x'_i) w_i sigmoid'(z0).
  {
    const std::vector<double> unit = {1.0, 1.0}, x = {1.0, 0.0}, baseline = {0.0, 1.0};
    const auto ig = attribution::neuron_integrated_gradients(unit, 0.5, x, baseline);
    const double s = autodiff::sigmoid(1.5);
    EXPECT_NEAR(ig[0], s * (1.0 - s), 1e-16);
    EXPECT_NEAR(ig[1], -s * (1.0 - s), 1e-16);
  }
  // Input and baseline 1e-9 apart: the plain difference keeps about 7 digits.
  {
    const std::vector<double> x = {1.0, 1.0}, baseline = {1.0, 1.0 - 1e-9};
    const auto ig = attribution::neuron_integrated_gradients(w, and_bias, x, baseline);
    const double z0 = and_bias + w[0] * baseline[0] + w[1] * baseline[1];
    const double dz = w[1] * (x[1] - baseline[1]);
    // sigmoid(z1) - sigmoid(z0) = sigmoid'(midpoint) dz + O(dz^3): exact here to 1e-18.
    const double s = autodiff::sigmoid(z0 + 0.5 * dz), slope = s * (1.0 - s);
    const double plain = (autodiff::sigmoid(z0 + dz) - autodiff::sigmoid(z0)) / dz;
    const double library = ig[1] / ((x[1] - baseline[1]) * w[1]);
    EXPECT_GT(std::fabs(plain - slope) / slope, 1e-8);
    EXPECT_LT(std::fabs(plain - slope) / slope, 1e-6);
    EXPECT_LT(std::fabs(library - slope) / slope, 1e-14);
  }
  // Both sigmoids round to 1: the plain difference is 0, the sinh form is right.
  const std::vector<double> x = {15.0, 1.0}, baseline = {15.0, 0.0};
  const auto ig = attribution::neuron_integrated_gradients(w, and_bias, x, baseline);
  const double z0 = and_bias + w[0] * 15.0, z1 = z0 + w[1];
  EXPECT_EQ(autodiff::sigmoid(z1) - autodiff::sigmoid(z0), 0.0);
  // 1 - sigmoid(z) = sigmoid(-z), so the difference is sigmoid(-z0) - sigmoid(-z1), no
  // cancellation.
  const double exact = autodiff::sigmoid(-z0) - autodiff::sigmoid(-z1);
  EXPECT_EQ(ig[0], 0.0);
  EXPECT_NEAR(ig[1], exact, 1e-12 * exact);
  expect_answer_states("4.4", {"1e-9", "1e-8", "z0 = " + fixed(z0, 2), "z1 = " + fixed(z1, 2),
                               scientific(ig[1], 1)});
}

// Answer 4.5: the smallest n_steps for which the left Riemann sum's completeness error on the AND
// neuron is below 1e-3, and what the O(1/n) rate predicts from the errors at n = 50 and 300.
TEST(InstructorsGuide, Answer45SmallestLeftRiemannSteps) {
  Tape tape;
  nn::Sequential model = nn::neuron(tape, and_weights, and_bias);
  const auto error = [&](int n) {
    return std::fabs(
        attribution::integrated_gradients(model, one_one, zero_zero, n, Method::riemann_left)
            .convergence_delta);
  };
  int smallest = 0;
  for (int n = 1; n <= 2000 && smallest == 0; ++n)
    if (error(n) < 1e-3) smallest = n;
  ASSERT_GT(smallest, 1);
  const int from_300 = static_cast<int>(std::ceil(300.0 * error(300) / 1e-3));
  const int from_50 = static_cast<int>(std::ceil(50.0 * error(50) / 1e-3));
  // Euler-Maclaurin: the left sum of h'(a), h(a) = sigmoid(z0 + a dz), misses by about C / n with
  // C = (h'(1) - h'(0)) / 2 = dz (sigmoid'(z1) - sigmoid'(z0)) / 2.
  const double z0 = and_bias, dz = and_weights[0] + and_weights[1];
  const auto slope = [](double z) { return autodiff::sigmoid(z) * (1.0 - autodiff::sigmoid(z)); };
  const double c = dz * (slope(z0 + dz) - slope(z0)) / 2.0;
  EXPECT_NEAR(300.0 * error(300), c, 0.01 * c);
  expect_answer_states(
      "4.5", {"Answer 4.5:** N = " + std::to_string(smallest) + ":",
              scientific(error(smallest - 1), 2) + " at N = " + std::to_string(smallest - 1),
              scientific(error(smallest), 2) + " at N = " + std::to_string(smallest),
              std::to_string(from_300) + " to " + std::to_string(from_50), "= " + fixed(c, 3)});
}

// Answer 4.6: the mean of the left and right Riemann sums is the trapezoid rule on the n + 1 nodes
// k/n, node by node and weight by weight, and so are the attributions.
TEST(InstructorsGuide, Answer46LeftAndRightAverageToTheTrapezoid) {
  Tape tape;
  nn::Sequential model = nn::neuron(tape, and_weights, and_bias);
  double worst = 0.0;
  for (int n : {1, 2, 3, 5, 10, 50, 100, 300}) {
    const auto left = attribution::quadrature_rule(Method::riemann_left, n);
    const auto right = attribution::quadrature_rule(Method::riemann_right, n);
    const auto trapezoid = attribution::quadrature_rule(Method::riemann_trapezoid, n + 1);
    ASSERT_EQ(trapezoid.alphas.size(), static_cast<std::size_t>(n + 1));
    for (int k = 0; k <= n; ++k) {
      const double from_left = k < n ? left.weights[k] : 0.0;
      const double from_right = k > 0 ? right.weights[k - 1] : 0.0;
      EXPECT_NEAR(trapezoid.weights[k], 0.5 * (from_left + from_right), 1e-17) << n << " " << k;
      EXPECT_NEAR(trapezoid.alphas[k], k < n ? left.alphas[k] : right.alphas[k - 1], 1e-16);
    }
    const auto l =
        attribution::integrated_gradients(model, one_one, zero_zero, n, Method::riemann_left);
    const auto r =
        attribution::integrated_gradients(model, one_one, zero_zero, n, Method::riemann_right);
    const auto t = attribution::integrated_gradients(model, one_one, zero_zero, n + 1,
                                                     Method::riemann_trapezoid);
    for (std::size_t i = 0; i < 2; ++i)
      worst = std::max(
          worst, std::fabs(0.5 * (l.attributions[i] + r.attributions[i]) - t.attributions[i]));
  }
  EXPECT_LT(worst, 1e-15);
  expect_answer_states("4.6", {"1e-15"});
}

// ---- chapter 5 ----------------------------------------------------------------------------------

// Answer 5.4: patching both inputs at once scores exactly 1 in both directions, AND and OR.
TEST(InstructorsGuide, Answer54PatchingEverythingScoresOne) {
  const std::vector<ComponentSet> both = {{0, 1}};
  for (const auto& [weights, bias] :
       {std::pair{and_weights, and_bias}, std::pair{or_weights, or_bias}}) {
    Tape tape;
    nn::Sequential model = nn::neuron(tape, weights, bias);
    const auto patching =
        attribution::patch_both_directions(model, nn::model_input, one_one, zero_zero, both);
    EXPECT_EQ(score(patching.denoising.scores, 0), 1.0);
    EXPECT_EQ(score(patching.noising.scores, 0), 1.0);
  }
  expect_answer_states("5.4", {"exactly 1"});
}

// Answer 5.5: clean [1, 0] against corrupt [0, 1] on the AND neuron: a tiny gap and large scores.
TEST(InstructorsGuide, Answer55TinyGapLargeScores) {
  Tape tape;
  nn::Sequential model = nn::neuron(tape, and_weights, and_bias);
  const auto patching =
      attribution::patch_both_directions(model, nn::model_input, one_zero, zero_one);
  const double gap = std::fabs(patching.f_clean() - patching.f_corrupt());
  EXPECT_LT(gap, 1e-3);
  std::vector<std::string> parts = {scientific(gap, 2), fixed(patching.f_corrupt(), 6),
                                    fixed(patching.f_clean(), 6)};
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_GT(std::fabs(score(patching.denoising.scores, i)), 100.0);
    parts.push_back(fixed(score(patching.denoising.scores, i), 2));
    parts.push_back(fixed(score(patching.noising.scores, i), 2));
  }
  EXPECT_NEAR(score(patching.denoising.scores, 0) + score(patching.noising.scores, 1), 1.0, 1e-9);
  expect_answer_states("5.5", parts);
}

// Answer 5.6: with w = [3, 3], the bias for which denoising and noising both score 0.5.
TEST(InstructorsGuide, Answer56TheBiasOfTheEvenSplit) {
  const auto patching = [](double bias) {
    Tape tape;
    nn::Sequential model = nn::neuron(tape, std::vector<double>{3.0, 3.0}, bias);
    return attribution::patch_both_directions(model, nn::model_input, one_one, zero_zero);
  };
  const auto denoising = [&](double bias) { return score(patching(bias).denoising.scores, 0); };
  double low = -8.0, high = 2.0;  // denoising rises with the bias
  ASSERT_LT(denoising(low), 0.5);
  ASSERT_GT(denoising(high), 0.5);
  for (int i = 0; i < 60; ++i)
    (denoising(0.5 * (low + high)) < 0.5 ? low : high) = 0.5 * (low + high);
  const double bias = 0.5 * (low + high);
  EXPECT_NEAR(bias, -3.0, 1e-9);  // the derivation's b = -w_1: sigmoid(w_1 + b) = sigmoid(0) = 1/2
  const auto at_bias = patching(bias);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(score(at_bias.denoising.scores, i), 0.5, 1e-12);
    EXPECT_NEAR(score(at_bias.noising.scores, i), 0.5, 1e-12);
  }
  expect_answer_states("5.6", {"b = " + fixed(bias, 0)});
}

// ---- chapter 6 ----------------------------------------------------------------------------------

// Answer 6.3: the verdicts for seeds 42 and 12345, and how far the AND neuron's parameters move
// over seeds 0-9, 42 and 12345: the bias most.
TEST(InstructorsGuide, Answer63OtherSeeds) {
  for (std::uint64_t seed : {42u, 12345u})
    for (nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate})
      EXPECT_TRUE(attribution::run_experiment(gate, seed).all_hold())
          << nn::gate_name(gate) << seed;
  std::vector<double> w1, w2, b, ratio;
  for (std::uint64_t seed : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 42u, 12345u}) {
    const auto trained = attribution::train_network(nn::Gate::and_gate, seed);
    const std::vector<double>& w = trained.parameters.at("model.0.weight");
    w1.push_back(w[0]);
    w2.push_back(w[1]);
    b.push_back(trained.parameters.at("model.0.bias")[0]);
    ratio.push_back(b.back() / (0.5 * (w[0] + w[1])));
  }
  const auto spread = [](const std::vector<double>& v) {
    return *std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end());
  };
  EXPECT_GT(spread(b), spread(w1));
  EXPECT_GT(spread(b), spread(w2));
  expect_answer_states("6.3", {"bias ranges over " + fixed(spread(b), 3),
                               fixed(*std::min_element(b.begin(), b.end()), 3) + " to " +
                                   fixed(*std::max_element(b.begin(), b.end()), 3),
                               "at most " + fixed(std::max(spread(w1), spread(w2)), 3),
                               fixed(*std::min_element(ratio.begin(), ratio.end()), 3) + " and " +
                                   fixed(*std::max_element(ratio.begin(), ratio.end()), 3)});
}

// Answer 6.4: AND trained for 100 epochs only (seed 0, lr 0.1): which verdicts fail.
TEST(InstructorsGuide, Answer64UndertrainedAnd) {
  const auto e = attribution::analyse(
      attribution::train_network(nn::Gate::and_gate, 0, 0, {.epochs = 100, .lr = 0.1}));
  for (const attribution::Verdict& verdict : e.verdicts)
    EXPECT_EQ(verdict.holds, verdict.name == "ig_complete") << verdict.name;
  ASSERT_TRUE(e.ig_shares);
  const nn::StateDict& p = e.network.parameters;
  expect_answer_states(
      "6.4",
      {"w = " + vector_text(p.at("model.0.weight"), 4), "b = " + fixed(p.at("model.0.bias")[0], 4),
       std::to_string(e.network.correct_rows) + " of 4 rows",
       "f([1, 1]) = " + fixed(e.network.predictions.at(3), 4),
       "IG shares " + fixed((*e.ig_shares)[0], 4) + " and " + fixed((*e.ig_shares)[1], 4),
       "denoising " + fixed(score(e.patching.denoising.scores, 0), 4) + " and " +
           fixed(score(e.patching.denoising.scores, 1), 4),
       "noising " + fixed(score(e.patching.noising.scores, 0), 4) + " and " +
           fixed(score(e.patching.noising.scores, 1), 4)});
}

// Answer 6.5: the soft gate 0, 1/2, 1/2, 1: any neuron with b = -w scores 0.5 both ways and IG
// splits evenly; one neuron learns it (seed 0, chapter 3's training) close to that.
TEST(InstructorsGuide, Answer65TheHalfwayGate) {
  // Both patching directions and IG's shares between [1, 1] and [0, 0], each within its tolerance
  // of one half.
  struct Measured {
    attribution::TwoWayPatching patching;
    std::vector<double> shares;
  };
  auto expect_halfway = [](nn::Sequential& model, double score_tolerance, double share_tolerance,
                           const std::string& which) {
    Measured m{attribution::patch_both_directions(model, nn::model_input, one_one, zero_zero),
               attribution::ig_shares(attribution::integrated_gradients(model, one_one, zero_zero))
                   .value()};
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_NEAR(score(m.patching.denoising.scores, i), 0.5, score_tolerance) << which;
      EXPECT_NEAR(score(m.patching.noising.scores, i), 0.5, score_tolerance) << which;
      EXPECT_NEAR(m.shares[i], 0.5, share_tolerance) << which;
    }
    return m;
  };
  for (double w : {1.0, 5.0, 20.0}) {
    Tape tape;
    nn::Sequential model = nn::neuron(tape, std::vector<double>{w, w}, -w);
    // Equal weights, equal shares; they add up to 1 up to the rule's completeness error (5e-6 at
    // w = 20, where the logit crosses 40 units along the path).
    const Measured m = expect_halfway(model, 1e-14, 1e-5, "w = " + std::to_string(w));
    EXPECT_EQ(m.shares[1], m.shares[0]) << w;
  }
  Tape tape;
  nn::Generator generator(0);
  nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
  const nn::Matrix<double> inputs{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, targets{{0}, {0.5}, {0.5}, {1}};
  nn::train(model, inputs, targets, generator);
  const nn::StateDict p = model.state_dict();
  const Measured trained = expect_halfway(model, 0.02, 0.001, "trained from seed 0");
  const auto& patching = trained.patching;
  const auto& shares = trained.shares;
  expect_answer_states("6.5", {"w = " + vector_text(p.at("model.0.weight"), 4),
                               "b = " + fixed(p.at("model.0.bias")[0], 4),
                               "denoising " + fixed(score(patching.denoising.scores, 0), 4) +
                                   " and " + fixed(score(patching.denoising.scores, 1), 4),
                               "noising " + fixed(score(patching.noising.scores, 0), 4) + " and " +
                                   fixed(score(patching.noising.scores, 1), 4),
                               "IG shares " + fixed(shares[0], 4) + " and " + fixed(shares[1], 4)});
}

// ---- chapter 7 ----------------------------------------------------------------------------------

namespace {
const std::string hidden_layer = "layer_1.output";
}

// Answer 7.3: XOR seed 8's hidden neurons, the logits they give on the four rows, and how little
// patching h2 alone moves the output.
TEST(InstructorsGuide, Answer73XorSeedEight) {
  const auto trained = attribution::train_network(nn::Gate::xor_gate, 8, 2);
  ASSERT_TRUE(trained.classifies_all_rows);
  const nn::StateDict& p = trained.parameters;
  const std::vector<double>& w = p.at("model.0.weight");  // 2 x 2, row j is h_j's
  const std::vector<double>& b = p.at("model.0.bias");
  const std::vector<double>& v = p.at("model.2.weight");
  const double c = p.at("model.2.bias")[0];
  Tape tape;
  nn::Sequential model = nn::network(tape, 2, 2, p);
  const auto run = model.run_with_cache(nn::truth_table(nn::Gate::xor_gate).inputs);
  const nn::Matrix<double>& logit = run.cache["layer_2.output"];
  std::vector<double> logits;
  for (std::size_t r = 0; r < 4; ++r) logits.push_back(logit(r, 0));
  EXPECT_LT(logits[0], 0.0);
  EXPECT_GT(logits[1], 0.0);
  EXPECT_GT(logits[2], 0.0);
  EXPECT_LT(logits[3], 0.0);
  const auto patching = attribution::patch_both_directions(model, hidden_layer, one_zero, one_one);
  const double denoising = std::fabs(patching.denoising.differences[1]);
  const double noising = std::fabs(patching.noising.differences[1]);
  EXPECT_LT(denoising, 1e-3);
  EXPECT_LT(noising, 1e-3);
  expect_answer_states(
      "7.3", {"h1 = relu(" + fixed(w[0], 2) + " x1" + term(w[1], 2) + " x2" + term(b[0], 2) + ")",
              "h2 = relu(" + fixed(w[2], 2) + " x1" + term(w[3], 2) + " x2" + term(b[1], 3) + ")",
              "sigmoid(" + fixed(v[0], 2) + " h1" + term(v[1], 2) + " h2" + term(c, 2) + ")",
              vector_text(logits, 2), fixed(denoising, 5) + " (denoising)",
              fixed(noising, 5) + " (noising)"});
}

// Answer 7.4: XOR seed 8 between clean [1, 0] and corrupt [0, 0]: h2 carries everything; against
// corrupt [1, 1] (the chapter's pair) IG gave it to h1.
TEST(InstructorsGuide, Answer74ThePairDecidesTheNeuron) {
  const auto trained = attribution::train_network(nn::Gate::xor_gate, 8, 2);
  Tape tape;
  nn::Sequential model = nn::network(tape, 2, 2, trained.parameters);
  const auto shares = attribution::ig_shares(
      attribution::layer_integrated_gradients(model, hidden_layer, one_zero, zero_zero));
  const auto patching =
      attribution::patch_both_directions(model, hidden_layer, one_zero, zero_zero);
  const auto chapter_shares = attribution::ig_shares(
      attribution::layer_integrated_gradients(model, hidden_layer, one_zero, one_one));
  ASSERT_TRUE(shares);
  ASSERT_TRUE(chapter_shares);
  EXPECT_GT((*shares)[1], 0.99);
  EXPECT_LT(std::fabs((*shares)[0]), 1e-3);
  for (const auto* direction : {&patching.denoising, &patching.noising}) {
    EXPECT_LT(std::fabs(score(direction->scores, 0)), 1e-4);
    EXPECT_NEAR(score(direction->scores, 1), 1.0, 1e-4);
  }
  expect_answer_states(
      "7.4", {"share of " + fixed((*shares)[1], 4), "h1 " + fixed((*shares)[0], 4),
              "scores " + fixed(score(patching.denoising.scores, 1), 4) + " (denoising) and " +
                  fixed(score(patching.noising.scores, 1), 4) + " (noising)",
              "h1 " + fixed((*chapter_shares)[0], 2) + ", h2 " + fixed((*chapter_shares)[1], 2)});
}

// Answer 7.5: the hidden biases set to 0.1 instead of PyTorch's draw, for AND, OR, NAND and XOR
// and seeds 0-9 (chapter 7's training): no neuron is dead at start, how many seeds learn each gate,
// why the others fail, and which seeds that learnt before now fail.
TEST(InstructorsGuide, Answer75PositiveHiddenBiases) {
  const std::size_t hidden = 2;
  const auto dead_neurons = [&](nn::Sequential& model, const nn::TruthTable& table) {
    const auto run = model.run_with_cache(table.inputs);
    const nn::Matrix<double>& h = run.cache[hidden_layer];
    int dead = 0;
    for (std::size_t j = 0; j < hidden; ++j) {
      bool zero = true;
      for (std::size_t r = 0; r < h.rows(); ++r) zero = zero && h(r, j) == 0.0;
      dead += zero ? 1 : 0;
    }
    return dead;
  };
  std::vector<std::string> learnt_text, before_text, newly_failing;
  int dead_at_start = 0, died = 0, stuck = 0, dead_network = 0, xor_failed = 0, xor_stuck = 0;
  for (nn::Gate gate :
       {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::nand_gate, nn::Gate::xor_gate}) {
    const nn::TruthTable table = nn::truth_table(gate);
    int learnt = 0, learnt_before = 0;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      nn::Generator generator(seed);
      Tape tape;
      nn::Sequential model = nn::network(tape, generator, 2, hidden);
      nn::StateDict state = model.state_dict();
      state["model.0.bias"] = std::vector<double>(hidden, 0.1);
      model.load_state_dict(state);
      dead_at_start += dead_neurons(model, table);
      // The rest as attribution::train_network does it: the same generator shuffles the rows.
      nn::train(model, table.inputs, table.targets, generator,
                attribution::default_training(hidden));
      const nn::Matrix<double> p = model.predict(table.inputs);
      bool ok = true;
      for (std::size_t r = 0; r < table.inputs.rows(); ++r)
        ok = ok && std::nearbyint(p(r, 0)) == table.targets(r, 0);
      const bool ok_before = attribution::train_network(gate, seed, hidden).classifies_all_rows;
      learnt += ok ? 1 : 0;
      learnt_before += ok_before ? 1 : 0;
      if (!ok) {
        const int dead = dead_neurons(model, table);
        (dead == static_cast<int>(hidden) ? dead_network : dead > 0 ? died : stuck) += 1;
        if (gate == nn::Gate::xor_gate) {
          ++xor_failed;
          xor_stuck += dead == 0 ? 1 : 0;
        }
        if (ok_before)
          newly_failing.push_back(std::string(nn::gate_name_upper(gate)) + " seed " +
                                  std::to_string(seed));
      }
    }
    learnt_text.push_back(std::string(nn::gate_name_upper(gate)) + " " + std::to_string(learnt));
    before_text.push_back(std::to_string(learnt_before));
  }
  EXPECT_EQ(dead_at_start, 0);
  std::vector<std::string> parts = {"learnt: " + learnt_text[0] + ", " + learnt_text[1] + ", " +
                                        learnt_text[2] + ", " + learnt_text[3] + " of 10",
                                    "PyTorch's draw: " + before_text[0] + ", " + before_text[1] +
                                        ", " + before_text[2] + ", " + before_text[3],
                                    std::to_string(died + stuck + dead_network) + " failures",
                                    "died in training in " + std::to_string(died),
                                    "stuck in " + std::to_string(stuck),
                                    "(all " + std::to_string(xor_failed) + " of XOR's)"};
  EXPECT_EQ(xor_stuck, xor_failed);
  if (!newly_failing.empty()) parts.push_back(list_text(newly_failing));
  EXPECT_EQ(dead_network, 0);
  expect_answer_states("7.5", parts);
}

// ---- chapter 8 ----------------------------------------------------------------------------------

// Answer 8.3: the 4-input AND neuron w = 5, b = -17.5: one input's scores, and how many inputs it
// takes to recover half the effect.
TEST(InstructorsGuide, Answer83FourInputAnd) {
  Tape tape;
  nn::Sequential model = nn::neuron(tape, std::vector<double>(4, 5.0), -17.5);
  const std::vector<double> clean(4, 1.0), corrupt(4, 0.0);
  const std::vector<ComponentSet> sets = attribution::all_subsets(4);
  const auto patching =
      attribution::patch_both_directions(model, nn::model_input, clean, corrupt, sets);
  // f_k = sigmoid(5k - 17.5) with k inputs on.
  const auto f = [](int k) { return autodiff::sigmoid(5.0 * k - 17.5); };
  const double denoising_one = score(patching.denoising.scores, 0);
  EXPECT_NEAR(denoising_one, (f(1) - f(0)) / (f(4) - f(0)), 1e-12 * denoising_one);
  std::size_t needed = 0;
  double denoising_three = 0.0;
  for (std::size_t k = 0; k < sets.size(); ++k) {
    if (needed == 0 && score(patching.denoising.scores, k) >= 0.5) needed = sets[k].size();
    if (sets[k].size() == 3) denoising_three = score(patching.denoising.scores, k);
  }
  ASSERT_GT(needed, 0u);
  const char* words[] = {"", "one", "two", "three", "four"};
  expect_answer_states(
      "8.3", {"denoising " + scientific(denoising_one, 1),
              "noising " + fixed(score(patching.noising.scores, 0), 4),
              "all " + std::string(words[needed]), "three recover " + fixed(denoising_three, 4)});
}

// Answer 8.4: denoising(S) + noising(complement of S) = 1 for every set of OR3's and MAJ3's inputs
// (chapter 8's training), and at XOR seed 8's hidden layer.
TEST(InstructorsGuide, Answer84DenoisingPlusNoisingOfTheRest) {
  double worst = 0.0;
  std::vector<std::string> parts = {"1e-15"};
  for (nn::Gate gate : {nn::Gate::or3_gate, nn::Gate::maj3_gate}) {
    const auto trained = attribution::train_network(gate, 0, 0, {.epochs = 2000, .lr = 0.5});
    Tape tape;
    nn::Sequential model = nn::network(tape, 3, 0, trained.parameters);
    const nn::InputPair pair = nn::gate_pair(gate);
    const std::vector<ComponentSet> sets = attribution::all_subsets(3);
    const auto patching =
        attribution::patch_both_directions(model, nn::model_input, pair.clean, pair.corrupt, sets);
    for (std::size_t k = 0; k < sets.size(); ++k) {
      ComponentSet rest;
      for (std::size_t i = 0; i < 3; ++i)
        if (std::find(sets[k].begin(), sets[k].end(), i) == sets[k].end()) rest.push_back(i);
      if (rest.empty()) continue;
      const auto at = std::find(sets.begin(), sets.end(), rest) - sets.begin();
      worst = std::max(worst, std::fabs(score(patching.denoising.scores, k) +
                                        score(patching.noising.scores, at) - 1.0));
    }
    // {x1} denoised, and its complement {x2, x3} noised, as chapter 8's table prints them.
    const auto rest = std::find(sets.begin(), sets.end(), ComponentSet{1, 2}) - sets.begin();
    parts.push_back(std::string(nn::gate_name_upper(gate)) + " " +
                    fixed(score(patching.denoising.scores, 0), 4) + " + " +
                    fixed(score(patching.noising.scores, rest), 4));
  }
  const auto trained = attribution::train_network(nn::Gate::xor_gate, 8, 2);
  Tape tape;
  nn::Sequential model = nn::network(tape, 2, 2, trained.parameters);
  const std::vector<ComponentSet> h1 = {{0}}, h2 = {{1}};
  const auto one = attribution::patch_both_directions(model, hidden_layer, one_zero, one_one, h1);
  const auto two = attribution::patch_both_directions(model, hidden_layer, one_zero, one_one, h2);
  worst = std::max(worst,
                   std::fabs(score(one.denoising.scores, 0) + score(two.noising.scores, 0) - 1.0));
  worst = std::max(worst,
                   std::fabs(score(two.denoising.scores, 0) + score(one.noising.scores, 0) - 1.0));
  EXPECT_LT(worst, 1e-15);
  expect_answer_states("8.4", parts);
}

// Answer 8.5: no neuron with three equal weights gives one input 1/2 in both directions: the
// smaller of its two scores stays below 1/3 (a grid of weights and thresholds); a hidden layer of
// three ReLUs computing the halfway gate gives exactly 1/2 both ways.
TEST(InstructorsGuide, Answer85HalfBothWaysNeedsAHiddenLayer) {
  const std::vector<double> clean(3, 1.0), corrupt(3, 0.0);
  double best = 0.0;
  for (double w : {-20.0, -10.0, -5.0, -2.0, -1.0, -0.5, -0.1, -0.01, 0.01, 0.1, 0.5, 1.0, 2.0, 5.0,
                   10.0, 20.0})
    for (int step = 0; step <= 90; ++step) {
      const double centre =
          -3.0 + 0.1 * step;  // where sigmoid's middle sits, in inputs switched on
      Tape tape;
      nn::Sequential model = nn::neuron(tape, std::vector<double>(3, w), -centre * w);
      const auto patching =
          attribution::patch_both_directions(model, nn::model_input, clean, corrupt);
      if (!patching.denoising.scores) continue;
      best = std::max(
          best, std::min(score(patching.denoising.scores, 0), score(patching.noising.scores, 0)));
    }
  EXPECT_LT(best, 1.0 / 3.0);
  EXPECT_GT(best, 0.333);  // approached by the nearly linear neuron
  // logit = A (relu(s) - relu(s - 1) + relu(s - 2)) - A with s = x1 + x2 + x3: -A, 0, 0, A.
  const double a = 10.0;
  Tape tape;
  nn::Sequential model = nn::network(tape, 3, 3,
                                     {{"model.0.weight", {1, 1, 1, 1, 1, 1, 1, 1, 1}},
                                      {"model.0.bias", {0, -1, -2}},
                                      {"model.2.weight", {a, -a, a}},
                                      {"model.2.bias", {-a}}});
  const auto patching = attribution::patch_both_directions(model, nn::model_input, clean, corrupt);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(score(patching.denoising.scores, i), 0.5, 1e-15);
    EXPECT_NEAR(score(patching.noising.scores, i), 0.5, 1e-15);
  }
  expect_answer_states("8.5", {"1/3", "relu(s) - relu(s - 1) + relu(s - 2)"});
}

namespace {

// "{0, 1}": a set of components as the guide writes it.
std::string set_text(const ComponentSet& set) {
  std::string text = "{";
  for (std::size_t i = 0; i < set.size(); ++i) text += (i > 0 ? ", " : "") + std::to_string(set[i]);
  return text + "}";
}

}  // namespace

// Answer 11.3: the study's quantile rule on |A| and on |-A| selects one set; the signed selections
// keep the two ends apart.
TEST(InstructorsGuide, Answer114TheQuantileRuleCannotTellTheSignsApart) {
  const std::vector<double> a = {0.8, -0.9, 0.1}, minus_a = {-0.8, 0.9, -0.1};
  const ComponentSet study_and = attribution::quantile_selection(a, 0.5);
  EXPECT_EQ(study_and, attribution::quantile_selection(minus_a, 0.5));
  const ComponentSet largest = attribution::top_fraction(a, 0.3, attribution::Selection::largest);
  const ComponentSet smallest = attribution::top_fraction(a, 0.3, attribution::Selection::smallest);
  EXPECT_NE(largest, smallest);
  expect_answer_states("11.3",
                       {"both " + set_text(study_and), "`largest` picks " + set_text(largest),
                        "`smallest` " + set_text(smallest)});
}

namespace {

// The chapter's skip-path models (chapter 11): AND, OR and XOR, seeds 0-9, that classify their gate
// and have a gap between clean and corrupt, with their scores.
struct SkipModel {
  attribution::ResidualNetwork network;
  attribution::SkipPathScores scores;
};
std::vector<SkipModel> skip_models(std::size_t hidden) {
  std::vector<SkipModel> models;
  for (nn::Gate gate : {nn::Gate::and_gate, nn::Gate::or_gate, nn::Gate::xor_gate})
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      attribution::ResidualNetwork network =
          attribution::train_residual_network(gate, seed, hidden);
      if (!network.classifies_all_rows) continue;
      std::optional<attribution::SkipPathScores> scores = attribution::skip_path_scores(network);
      if (scores) models.push_back({std::move(network), std::move(*scores)});
    }
  return models;
}

}  // namespace

// Answer 11.4: the means the undefined cases would give if J(empty, empty) counted 1 (the skip
// table's IG den vs denoising at H = 8), and if recall against an empty truth counted 1 or 0 (IG
// den under zero ablation, both widths).
TEST(InstructorsGuide, Answer115WhatTheUndefinedCasesWouldHaveCounted) {
  std::vector<std::optional<double>> jaccards;
  std::size_t both_empty = 0;
  for (const SkipModel& m : skip_models(8)) {
    const ComponentSet a = attribution::top_fraction(m.scores.ig_denoising, 0.25);
    const ComponentSet b = attribution::top_fraction(m.scores.denoising, 0.25);
    jaccards.push_back(attribution::jaccard(a, b));
    both_empty += a.empty() && b.empty() ? 1 : 0;
  }
  const attribution::DefinedMean j = attribution::defined_mean(jaccards);
  ASSERT_TRUE(j.mean.has_value());
  EXPECT_EQ(j.undefined, 1U);
  EXPECT_EQ(both_empty, 1U);
  const double j_as_one = (*j.mean * static_cast<double>(j.defined) + 1.0) /
                          static_cast<double>(j.defined + j.undefined);
  std::vector<std::optional<double>> recalls;
  for (std::size_t hidden : {8, 16})
    for (const SkipModel& m : skip_models(hidden)) {
      Tape tape;
      nn::Sequential model = nn::residual_network(tape, 2, hidden, m.network.parameters);
      const nn::TruthTable table = nn::truth_table(m.network.gate);
      const std::string layer = nn::layer_output_name(0);
      const auto activations = attribution::activations_on_table(model, layer, table);
      const std::vector<double> values =
          attribution::ablation_values(activations, attribution::Ablation::zero);
      const attribution::GroundTruth truth =
          attribution::find_ground_truth(model, layer, table, attribution::Ablation::zero, hidden);
      const ComponentSet pick = attribution::top_fraction(m.scores.ig_denoising, 0.25);
      recalls.push_back(
          attribution::score_pick(model, layer, table, activations, values, truth, pick, hidden)
              .recall);
    }
  const attribution::DefinedMean r = attribution::defined_mean(recalls);
  ASSERT_TRUE(r.mean.has_value());
  const double n = static_cast<double>(r.defined + r.undefined);
  const double sum = *r.mean * static_cast<double>(r.defined);
  expect_answer_states(
      "11.4", {fixed(*j.mean, 3), fixed(j_as_one, 3),
               std::to_string(r.undefined) + " of " + std::to_string(r.defined + r.undefined),
               fixed(*r.mean, 3), fixed((sum + static_cast<double>(r.undefined)) / n, 3),
               fixed(sum / n, 3)});
}

// Answer 11.5: in the skip network IG den_j / IG noise_j is one positive number per model, the
// ratio of the two whole-layer patching scores (each IG sums to its own).
TEST(InstructorsGuide, Answer116TheTwoIgsHaveOneRatio) {
  const attribution::ResidualNetwork network =
      attribution::train_residual_network(nn::Gate::and_gate, 1, 8);
  ASSERT_TRUE(network.classifies_all_rows);
  const auto scores = attribution::skip_path_scores(network);
  ASSERT_TRUE(scores.has_value());
  const double ratio = scores->layer_denoising / scores->layer_noising;
  EXPECT_GT(ratio, 0.0);
  std::size_t compared = 0;
  for (std::size_t j = 0; j < 8; ++j)
    if (std::fabs(scores->ig_noising[j]) > 1e-3) {
      EXPECT_NEAR(scores->ig_denoising[j] / scores->ig_noising[j], ratio, 1e-5) << j;
      ++compared;
    }
  EXPECT_GE(compared, 2U);
  expect_answer_states("11.5", {fixed(scores->layer_denoising, 3), fixed(scores->layer_noising, 3),
                                "ratio " + fixed(ratio, 3)});
}

// Chapter 12's trained model of seed 1 and its prompt pairs, as the chapter makes them: trained
// once for both answers.
struct Chapter12Seed1 {
  autodiff::Tape tape;
  nn::Generator unused{0};
  nn::induction::TrainedModel trained = nn::induction::train_model(1);
  nn::HookedTransformer model{tape, unused, trained.config};
  Chapter12Seed1() { model.load_state_dict(trained.state); }
  std::vector<nn::PromptPair> pairs(nn::induction::Corruption corruption) const {
    nn::Generator generator(2000);  // the chapter's prompts_seed, 20 pairs
    return nn::induction::prompt_pairs(nn::induction::pairs(20, corruption, generator));
  }
};
Chapter12Seed1& chapter12_seed1() {
  static Chapter12Seed1 seed1;
  return seed1;
}

// Answer 12.4: the last layer's heads add to the logit difference, so what their shares miss of 1
// is the change of the direct path, the logit difference read off blocks.1.hook_resid_pre.
TEST(InstructorsGuide, Answer124TheLastLayerAndTheDirectPath) {
  Chapter12Seed1& s = chapter12_seed1();
  ASSERT_TRUE(s.trained.result.reached);
  const nn::StateDict state = s.model.state_dict();
  const std::vector<double>& W_U = state.at("unembed.W_U");  // [d_model, d_vocab]
  const std::size_t D = s.trained.config.d_model, V = s.trained.config.d_vocab;
  std::vector<std::string> parts;
  for (const nn::induction::Corruption corruption :
       {nn::induction::Corruption::key, nn::induction::Corruption::key_and_query}) {
    const std::vector<nn::PromptPair> pairs = s.pairs(corruption);
    const attribution::PooledHeadShares pooled = attribution::pooled_head_shares(s.model, pairs);
    double direct = 0.0;  // summed change of the direct path, clean - corrupt
    for (const nn::PromptPair& p : pairs) {
      const std::string name = nn::hook_name(1, "hook_resid_pre");
      const nn::Matrix<double> clean = s.model.run_with_cache(p.clean).cache[name];
      const nn::Matrix<double> corrupt = s.model.run_with_cache(p.corrupt).cache[name];
      const std::size_t last = p.clean.cols() - 1;
      for (std::size_t d = 0; d < D; ++d)
        direct += (clean(last, d) - corrupt(last, d)) *
                  (W_U[d * V + p.correct] - W_U[d * V + p.incorrect]);
    }
    const double direct_share = direct / (pooled.mean_gap * static_cast<double>(pooled.pairs));
    const double layer1 = pooled.noising(1, 0) + pooled.noising(1, 1);
    EXPECT_NEAR(layer1 + direct_share, 1.0, 1e-9) << nn::induction::corruption_name(corruption);
    for (std::size_t h = 0; h < 2; ++h)
      for (const nn::Matrix<double>* m : {&pooled.denoising, &pooled.atp_denoising,
                                          &pooled.ig_base_corrupt, &pooled.ig_base_clean})
        EXPECT_NEAR((*m)(1, h), pooled.noising(1, h), 1e-9);
    parts.push_back(fixed(layer1, 3));
    parts.push_back(fixed(direct_share, 3));
  }
  expect_answer_states("12.4", parts);
}

// Answer 12.5: under KQ, seed 1's previous-token head 0.1 by each method.
TEST(InstructorsGuide, Answer125WhatTheQueryCorruptionHides) {
  Chapter12Seed1& s = chapter12_seed1();
  const attribution::PooledHeadShares kq =
      attribution::pooled_head_shares(s.model, s.pairs(nn::induction::Corruption::key_and_query));
  EXPECT_LT(kq.denoising(0, 1), 0.0);
  EXPECT_LT(kq.ig_base_corrupt(0, 1), 0.0);
  EXPECT_GT(kq.noising(0, 1), 0.9);
  EXPECT_GT(kq.ig_base_clean(0, 1), 0.9);
  expect_answer_states("12.5",
                       {fixed(kq.denoising(0, 1), 3), fixed(kq.noising(0, 1), 3),
                        fixed(kq.ig_base_corrupt(0, 1), 3), fixed(kq.ig_base_clean(0, 1), 3)});
}
