// The logic gates as training data: their truth tables. Five gates take two inputs, three take
// three (chapter 8).
//
// Rows are always the inputs in binary order, [0, 0], [0, 1], [1, 0], [1, 1] (the first input is
// the high bit); the target is the gate's output for each:
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
//
// The three-input gates have eight rows, [0, 0, 0], [0, 0, 1], ..., [1, 1, 1]:
//
//   and3   1 only on [1, 1, 1]
//   or3    0 only on [0, 0, 0]
//   maj3   1 where at least two inputs are 1 (majority)
//
// One neuron learns all three: each is x1 + x2 + x3 > t for t = 2.5, 0.5, 1.5.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "nn/matrix.hpp"

namespace nn {

// and_gate, not `and`: and, or, xor are reserved words in C++.
enum class Gate {
  and_gate,
  or_gate,
  nand_gate,
  nor_gate,
  xor_gate,
  and3_gate,
  or3_gate,
  maj3_gate
};

// "and", "or", "nand", "nor", "xor", "and3", "or3", "maj3", in any case. Throws
// std::invalid_argument naming the unknown name and listing the known ones.
Gate parse_gate(std::string_view name);
// "and", ...; and in capitals, "AND", ..., for headings. Throw std::invalid_argument for a value
// outside the enum.
const char* gate_name(Gate gate);
const char* gate_name_upper(Gate gate);
// 2 or 3. Throws std::invalid_argument for a value outside the enum.
std::size_t input_count(Gate gate);

struct TruthTable {
  Matrix<double> inputs;   // 2^n x n for a gate of n inputs
  Matrix<double> targets;  // 2^n x 1
};
TruthTable truth_table(Gate gate);

// The notebook's clean and corrupt inputs.
inline const std::vector<double> notebook_clean_input = {1.0, 1.0};
inline const std::vector<double> notebook_corrupt_input = {0.0, 0.0};

// The clean and corrupt inputs compared for each gate: two rows with different targets, so that
// there is a behaviour to attribute.
//   and, or, nand, nor    clean [1, 1]     corrupt [0, 0]     (the notebook's)
//   xor                   clean [1, 0]     corrupt [1, 1]     (one input flips the output)
//   and3, or3, maj3       clean [1, 1, 1]  corrupt [0, 0, 0]
struct InputPair {
  std::vector<double> clean, corrupt;
};
InputPair gate_pair(Gate gate);

}  // namespace nn
