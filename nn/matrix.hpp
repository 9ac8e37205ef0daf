// Matrix<T>: a small row-major matrix, the one container of the nn library.
//
// Matrix<double> holds data (inputs, targets, cached activations); Matrix<autodiff::Var> holds
// activations on a tape, one Var per entry. A batch is a matrix with one row per example, as in
// PyTorch: four truth-table rows of two inputs are a 4 x 2 matrix.
//
// Every access is checked (std::out_of_range naming the index and the shape), in release builds
// too: a wrong index is a message, never undefined behaviour. So is every shape: one whose
// rows * cols would overflow, or pass what one array of T can hold, throws std::length_error naming
// it ("Matrix: a 9223372036854775809 x 2 matrix has more entries than memory can address") before
// anything changes. resize() keeps the memory it has, so a matrix reused batch after batch stops
// allocating after the first.
#pragma once

#include <bit>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/tape.hpp"

namespace nn {

[[noreturn]] void throw_index_error(std::size_t row, std::size_t col, std::size_t rows,
                                    std::size_t cols);
[[noreturn]] void throw_ragged_rows(std::size_t row, std::size_t length, std::size_t expected);
// Throws std::length_error naming the shape when rows * cols is more than `most`.
void check_entries(std::size_t rows, std::size_t cols, std::size_t most);

template <class T>
class Matrix {
 public:
  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols, const T& fill = T())
      : rows_(rows), cols_(cols), data_(entries(rows, cols), fill) {}
  // Row by row: Matrix<double>{{0, 0}, {0, 1}, {1, 0}, {1, 1}}. Rows of different lengths throw
  // std::invalid_argument.
  Matrix(std::initializer_list<std::initializer_list<T>> rows) : rows_(rows.size()) {
    cols_ = rows.size() == 0 ? 0 : rows.begin()->size();
    std::size_t r = 0;
    for (const auto& row : rows) {
      if (row.size() != cols_) throw_ragged_rows(r, row.size(), cols_);
      ++r;
    }
    data_.reserve(entries(rows_, cols_));
    for (const auto& row : rows) data_.insert(data_.end(), row.begin(), row.end());
  }

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  std::size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }

  T& operator()(std::size_t row, std::size_t col) { return data_[checked(row, col)]; }
  const T& operator()(std::size_t row, std::size_t col) const { return data_[checked(row, col)]; }

  std::span<T> row(std::size_t r) { return {data_.data() + checked_row(r), cols_}; }
  std::span<const T> row(std::size_t r) const { return {data_.data() + checked_row(r), cols_}; }
  // All entries, row after row.
  std::span<T> flat() { return data_; }
  std::span<const T> flat() const { return data_; }

  // New shape; the entries are left as they were in memory (set them all before reading). No
  // allocation when the new size fits the capacity.
  void resize(std::size_t rows, std::size_t cols) {
    data_.resize(entries(rows, cols));  // first: if it throws, the matrix keeps its old shape
    rows_ = rows;
    cols_ = cols;
  }

  friend bool operator==(const Matrix& a, const Matrix& b) {
    return a.rows_ == b.rows_ && a.cols_ == b.cols_ && a.data_ == b.data_;
  }

 private:
  // rows * cols, or std::length_error when that many entries do not fit one std::vector<T>.
  static std::size_t entries(std::size_t rows, std::size_t cols) {
    // std::vector<T>'s own limit: a shape past it gets this message, not the vector's.
    constexpr std::size_t most =
        static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(T);
    // small * small <= most: with both factors below it (every shape in practice), one comparison
    // inline, and the division out of line.
    constexpr std::size_t small = std::size_t{1} << ((std::bit_width(most) - 1) / 2);
    if ((rows | cols) >= small) check_entries(rows, cols, most);
    return rows * cols;
  }
  std::size_t checked(std::size_t row, std::size_t col) const {
    if (row >= rows_ || col >= cols_) throw_index_error(row, col, rows_, cols_);
    return row * cols_ + col;
  }
  std::size_t checked_row(std::size_t row) const {
    if (row >= rows_) throw_index_error(row, 0, rows_, cols_);
    return row * cols_;
  }

  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<T> data_;
};

// "4 x 2": how messages name a shape.
std::string shape_string(std::size_t rows, std::size_t cols);
template <class T>
std::string shape_string(const Matrix<T>& m) {
  return shape_string(m.rows(), m.cols());
}

// Every entry a new leaf on the tape, PyTorch's x.requires_grad_(): inputs whose gradients you
// want to read after backward().
Matrix<autodiff::Var> leaves(autodiff::Tape& tape, const Matrix<double>& values);
// The numbers a matrix of Vars holds, off the tape: PyTorch's x.detach().
Matrix<double> detach(const Matrix<autodiff::Var>& variables);

// "[[1.3082], [-4.7946]]" with `decimals` digits after the point, like a printed tensor but on
// one line; "-0.0000" is printed "0.0000".
std::string to_string(const Matrix<double>& m, int decimals = 4);
// "[3.0482, 3.0556]": a list of numbers in the same style.
std::string to_string(std::span<const double> list, int decimals = 4);

}  // namespace nn
