// Chapter 1 — reverse-mode automatic differentiation on a tape.
//
// This chapter adds the engine every later chapter stands on, and runs it on the very expression
// the tutorial studies: one neuron, y = sigmoid(w1*x1 + w2*x2 + b), at the weights the original
// notebook learned for AND. Look at three things in the output: the tape, one line per operation in
// the order it ran, each with its local derivatives; the gradients, which one backward sweep fills
// in for every node at once; and the finite-difference check, which agrees with them to about
// 1e-10.
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"

using autodiff::Tape;
using autodiff::Var;

namespace {

// The notebook's AND neuron: w = [3.0482, 3.0556], b = -4.7946, evaluated at x = [1, 1].
constexpr double weight1 = 3.0482, weight2 = 3.0556, bias = -4.7946;
constexpr double input1 = 1.0, input2 = 1.0;

// One statement per operation: C++ leaves the order of evaluating `w1 * x1 + w2 * x2` to the
// compiler, and the tape records whichever order it picks; statements fix the order on every
// compiler.
Var neuron(Var w1, Var x1, Var w2, Var x2, Var b) {
  Var z = w1 * x1;
  z = z + w2 * x2;
  z = z + b;
  return sigmoid(z);
}

void print_tape(const Tape& tape, const std::vector<std::string>& names) {
  std::printf("%-4s %-9s %-7s %12s %12s %12s %12s\n", "node", "op", "parents", "value", "d/parent0",
              "d/parent1", "gradient");
  for (std::size_t i = 0; i < tape.size(); ++i) {
    const Tape::Node& node = tape.node(i);
    const std::string label = i < names.size() ? names[i] : autodiff::op_name(node.op);
    std::string parents;
    std::string partial0, partial1;
    char buffer[32];
    for (int k = 0; k < 2; ++k) {
      if (node.parent[k] == Tape::no_parent) continue;
      parents += (parents.empty() ? "" : ",") + std::to_string(node.parent[k]);
      std::snprintf(buffer, sizeof buffer, "%12.6f", node.partial[k]);
      (k == 0 ? partial0 : partial1) = buffer;
    }
    std::printf("%-4zu %-9s %-7s %12.6f %12s %12s %12.6f\n", i, label.c_str(), parents.c_str(),
                node.value, partial0.c_str(), partial1.c_str(), node.grad);
  }
}

}  // namespace

int main() {
  std::printf("Chapter 1: reverse-mode automatic differentiation\n\n");
  std::printf("y = sigmoid(w1*x1 + w2*x2 + b) at w = [%.4f, %.4f], b = %.4f, x = [%g, %g]\n\n",
              weight1, weight2, bias, input1, input2);

  Tape tape;
  Var w1 = tape.variable(weight1), x1 = tape.variable(input1);
  Var w2 = tape.variable(weight2), x2 = tape.variable(input2);
  Var b = tape.variable(bias);
  Var y = neuron(w1, x1, w2, x2, b);
  y.backward();

  std::printf("The tape after y.backward(): every operation appended one node; the sweep ran\n");
  std::printf(
      "from the last node to the first, multiplying each gradient by the local derivatives.\n");
  print_tape(tape, {"w1", "x1", "w2", "x2", "b"});

  const double z = weight1 * input1 + weight2 * input2 + bias;
  const double slope = y.value() * (1.0 - y.value());  // sigmoid'(z) = sigmoid(z)(1 - sigmoid(z))
  std::printf("\nz = w.x + b = %.6f, y = sigmoid(z) = %.6f, sigmoid'(z) = y(1 - y) = %.6f\n", z,
              y.value(), slope);
  std::printf("%-6s %12s %22s\n", "", "tape", "closed form");
  std::printf("%-6s %12.9f %12.9f  sigmoid'(z) x1\n", "dy/dw1", w1.grad(), slope * input1);
  std::printf("%-6s %12.9f %12.9f  sigmoid'(z) x2\n", "dy/dw2", w2.grad(), slope * input2);
  std::printf("%-6s %12.9f %12.9f  sigmoid'(z)\n", "dy/db", b.grad(), slope);
  std::printf("%-6s %12.9f %12.9f  sigmoid'(z) w1\n", "dy/dx1", x1.grad(), slope * weight1);
  std::printf("%-6s %12.9f %12.9f  sigmoid'(z) w2\n", "dy/dx2", x2.grad(), slope * weight2);

  // Gradients of leaves accumulate, as PyTorch's .grad does: a second backward adds the same again.
  y.backward();
  std::printf("\nAfter a second y.backward(), dy/dw1 has accumulated to %.9f (twice);\n",
              w1.grad());
  tape.zero_grad();
  std::printf("after tape.zero_grad() it is %.9f again.\n", w1.grad());

  const std::vector<double> point = {weight1, input1, weight2, input2, bias};
  const auto check = autodiff::gradcheck(
      [](std::span<const Var> v) { return neuron(v[0], v[1], v[2], v[3], v[4]); }, point, 1e-6,
      1e-8);
  const char* names[] = {"w1", "x1", "w2", "x2", "b"};
  std::printf("\nFinite differences, (f(v + eps) - f(v - eps)) / (2 eps) with eps = 1e-6:\n");
  for (std::size_t i = 0; i < point.size(); ++i)
    std::printf("d/d%-3s tape %.12f  numeric %.12f\n", names[i], check.analytic[i],
                check.numeric[i]);
  std::printf("worst relative error %.1e at %s: %s (tolerance 1e-8)\n", check.worst_relative_error,
              names[check.worst_input], check.passed ? "passed" : "FAILED");

  // A training loop rewinds the tape after each step: the parameters (made before the mark) stay,
  // the step's nodes go, and memory stays flat however many steps run.
  const Tape::Mark mark = tape.mark();
  for (int step = 0; step < 1000; ++step) {
    neuron(w1, x1, w2, x2, b).backward();
    tape.rewind(mark);
  }
  std::printf("\nAfter 1000 forward and backward passes, each followed by tape.rewind(mark),\n");
  std::printf("the tape holds %zu nodes, as before the loop.\n", tape.size());
  return check.passed ? 0 : 1;
}
