#include "nn/gates.hpp"

#include <cctype>
#include <stdexcept>
#include <string>

namespace nn {

namespace {

struct GateInfo {
  Gate gate;
  const char* name;
  const char* label;
  double outputs[4];  // for [0,0], [0,1], [1,0], [1,1]
};

constexpr GateInfo gates[] = {
    {Gate::and_gate, "and", "AND", {0, 0, 0, 1}},    {Gate::or_gate, "or", "OR", {0, 1, 1, 1}},
    {Gate::nand_gate, "nand", "NAND", {1, 1, 1, 0}}, {Gate::nor_gate, "nor", "NOR", {1, 0, 0, 0}},
    {Gate::xor_gate, "xor", "XOR", {0, 1, 1, 0}},
};

const GateInfo& info(Gate gate) {
  for (const GateInfo& g : gates)
    if (g.gate == gate) return g;
  throw std::invalid_argument("gate: unknown Gate value " + std::to_string(static_cast<int>(gate)));
}

}  // namespace

Gate parse_gate(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const GateInfo& g : gates)
    if (lower == g.name) return g.gate;
  throw std::invalid_argument("unknown gate '" + std::string(name) +
                              "'; the gates are: and, or, nand, nor, xor");
}

const char* gate_name(Gate gate) { return info(gate).name; }
const char* gate_label(Gate gate) { return info(gate).label; }

TruthTable truth_table(Gate gate) {
  const GateInfo& g = info(gate);
  return {Matrix<double>{{0, 0}, {0, 1}, {1, 0}, {1, 1}},
          Matrix<double>{{g.outputs[0]}, {g.outputs[1]}, {g.outputs[2]}, {g.outputs[3]}}};
}

}  // namespace nn
