// The five two-input logic gates as training data: their truth tables.
//
// Rows are always the four inputs in binary order, [0, 0], [0, 1], [1, 0], [1, 1]; the target is
// the gate's output for each:
//
//   gate   [0,0] [0,1] [1,0] [1,1]
//   and      0     0     0     1
//   or       0     1     1     1
//   nand     1     1     1     0
//   nor      1     0     0     0
//   xor      0     1     1     0
//
// One sigmoid neuron can learn the first four (a line separates their 0s from their 1s) but not
// xor, whose 1s sit on one diagonal of the square and its 0s on the other.
#pragma once

#include <string_view>

#include "nn/matrix.hpp"

namespace nn {

// and_gate, not `and`: and, or, xor are reserved words in C++.
enum class Gate { and_gate, or_gate, nand_gate, nor_gate, xor_gate };

// "and", "or", "nand", "nor", "xor", in any case. Throws std::invalid_argument naming the unknown
// name and listing the known ones.
Gate parse_gate(std::string_view name);
// "and", ...; and in capitals, "AND", ..., for headings. Throw std::invalid_argument for a value
// outside the enum.
const char* gate_name(Gate gate);
const char* gate_label(Gate gate);

struct TruthTable {
  Matrix<double> inputs;   // 4 x 2
  Matrix<double> targets;  // 4 x 1
};
TruthTable truth_table(Gate gate);

}  // namespace nn
