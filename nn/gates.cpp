#include "nn/gates.hpp"

#include <cctype>
#include <stdexcept>
#include <string>

namespace nn {

namespace {

struct GateInfo {
  Gate gate;
  const char* name;
  const char* upper;
  std::size_t inputs;
  double outputs[8];  // for the rows in binary order; two-input gates use the first four
};

constexpr GateInfo gates[] = {
    {Gate::and_gate, "and", "AND", 2, {0, 0, 0, 1}},
    {Gate::or_gate, "or", "OR", 2, {0, 1, 1, 1}},
    {Gate::nand_gate, "nand", "NAND", 2, {1, 1, 1, 0}},
    {Gate::nor_gate, "nor", "NOR", 2, {1, 0, 0, 0}},
    {Gate::xor_gate, "xor", "XOR", 2, {0, 1, 1, 0}},
    {Gate::and3_gate, "and3", "AND3", 3, {0, 0, 0, 0, 0, 0, 0, 1}},
    {Gate::or3_gate, "or3", "OR3", 3, {0, 1, 1, 1, 1, 1, 1, 1}},
    {Gate::maj3_gate, "maj3", "MAJ3", 3, {0, 0, 0, 1, 0, 1, 1, 1}},
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
                              "'; the gates are: and, or, nand, nor, xor, and3, or3, maj3");
}

const char* gate_name(Gate gate) { return info(gate).name; }
const char* gate_name_upper(Gate gate) { return info(gate).upper; }
std::size_t input_count(Gate gate) { return info(gate).inputs; }

TruthTable truth_table(Gate gate) {
  const GateInfo& g = info(gate);
  const std::size_t rows = std::size_t{1} << g.inputs;
  TruthTable table{Matrix<double>(rows, g.inputs), Matrix<double>(rows, 1)};
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t i = 0; i < g.inputs; ++i)
      table.inputs(r, i) = static_cast<double>((r >> (g.inputs - 1 - i)) & 1U);
    table.targets(r, 0) = g.outputs[r];
  }
  return table;
}

InputPair gate_pair(Gate gate) {
  if (gate == Gate::xor_gate) return {{1.0, 0.0}, {1.0, 1.0}};
  const std::vector<double> ones(input_count(gate), 1.0), zeros(input_count(gate), 0.0);
  return {ones, zeros};
}

}  // namespace nn
