#include "nn/matrix.hpp"

#include <cstdio>
#include <string>

namespace nn {

void throw_index_error(std::size_t row, std::size_t col, std::size_t rows, std::size_t cols) {
  throw std::out_of_range("Matrix: index (" + std::to_string(row) + ", " + std::to_string(col) +
                          ") is outside a " + shape_string(rows, cols) + " matrix");
}

void throw_ragged_rows(std::size_t row, std::size_t length, std::size_t expected) {
  throw std::invalid_argument("Matrix: row " + std::to_string(row) + " has " +
                              std::to_string(length) + " entries but row 0 has " +
                              std::to_string(expected));
}

void check_entries(std::size_t rows, std::size_t cols, std::size_t most) {
  if (cols != 0 && rows > most / cols)
    throw std::length_error("Matrix: a " + shape_string(rows, cols) +
                            " matrix has more entries than memory can address");
}

std::string shape_string(std::size_t rows, std::size_t cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}

Matrix<autodiff::Var> leaves(autodiff::Tape& tape, const Matrix<double>& values) {
  Matrix<autodiff::Var> result(values.rows(), values.cols());
  for (std::size_t r = 0; r < values.rows(); ++r)
    for (std::size_t c = 0; c < values.cols(); ++c) result(r, c) = tape.variable(values(r, c));
  return result;
}

Matrix<double> detach(const Matrix<autodiff::Var>& variables) {
  Matrix<double> result(variables.rows(), variables.cols());
  for (std::size_t r = 0; r < variables.rows(); ++r)
    for (std::size_t c = 0; c < variables.cols(); ++c) result(r, c) = variables(r, c).value();
  return result;
}

namespace {

std::string number(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  std::string text = buffer;
  // A value that rounds to zero prints without its sign, as PyTorch prints it.
  if (text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
  return text;
}

}  // namespace

std::string to_string(std::span<const double> list, int decimals) {
  std::string text = "[";
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) text += ", ";
    text += number(list[i], decimals);
  }
  return text + "]";
}

std::string to_string(const Matrix<double>& m, int decimals) {
  std::string text = "[";
  for (std::size_t r = 0; r < m.rows(); ++r) {
    if (r > 0) text += ", ";
    text += to_string(m.row(r), decimals);
  }
  return text + "]";
}

}  // namespace nn
