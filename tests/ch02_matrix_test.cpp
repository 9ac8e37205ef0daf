// Matrix: shape, checked access, printing, and the conversions between numbers and Vars.
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

#include "autodiff/autodiff.hpp"
#include "nn/matrix.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

using nn::Matrix;

namespace {

using test_support::contains;
using test_support::message_of;

TEST(Ch02Matrix, RowsFromAListAreRowMajor) {
  const Matrix<double> m{{1, 2, 3}, {4, 5, 6}};
  EXPECT_EQ(m.rows(), 2u);
  EXPECT_EQ(m.cols(), 3u);
  EXPECT_EQ(m(1, 0), 4.0);
  EXPECT_EQ(m.flat()[4], 5.0);
  EXPECT_EQ(m.row(1)[2], 6.0);
  EXPECT_EQ(m, (Matrix<double>{{1, 2, 3}, {4, 5, 6}}));
  EXPECT_NE(m, (Matrix<double>{{1, 2}, {3, 4}, {5, 6}}));
}

TEST(Ch02Matrix, RaggedRowsAndOutOfRangeIndicesThrow) {
  try {
    const Matrix<double> ragged{{1, 2}, {3}};
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("row 1 has 1 entries but row 0 has 2"),
              std::string::npos)
        << error.what();
  }
  Matrix<double> m(2, 3);
  try {
    m(2, 0) = 1.0;
    FAIL() << "no exception";
  } catch (const std::out_of_range& error) {
    EXPECT_NE(std::string(error.what()).find("(2, 0) is outside a 2 x 3 matrix"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(m(0, 3), std::out_of_range);
  EXPECT_THROW(m.row(2), std::out_of_range);
  const Matrix<double> no_columns(2, 0);
  EXPECT_TRUE(no_columns.row(1).empty());
  EXPECT_THROW(no_columns(0, 0), std::out_of_range);
}

TEST(Ch02Matrix, ResizeKeepsTheMemory) {
  Matrix<double> m(4, 2);
  const double* before = m.flat().data();
  m.resize(2, 3);
  EXPECT_EQ(m.rows(), 2u);
  EXPECT_EQ(m.cols(), 3u);
  m.resize(4, 2);
  EXPECT_EQ(m.flat().data(), before);
}

// A shape whose rows * cols does not fit a size_t would wrap around to a small buffer behind a huge
// shape, and every checked access would then pass the check and miss the buffer.
TEST(Ch02Matrix, ShapesWithMoreEntriesThanMemoryAreRefused) {
  const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2 + 2;  // huge * 2 wraps to 2
  Matrix<double> m(1, 1, 7.0);
  const std::string message = message_of<std::length_error>([&] { m.resize(huge, 2); });
  EXPECT_TRUE(contains(message, "Matrix: a " + std::to_string(huge) +
                                    " x 2 matrix has more entries than memory can address"))
      << message;
  // The refused resize left the matrix as it was.
  EXPECT_EQ(m.rows(), 1u);
  EXPECT_EQ(m.cols(), 1u);
  EXPECT_EQ(m(0, 0), 7.0);
  EXPECT_THROW(m(1, 0), std::out_of_range);

  EXPECT_TRUE(contains(message_of<std::length_error>([&] { Matrix<double> wrapped(2, huge); }),
                       "a 2 x " + std::to_string(huge) + " matrix"));
  EXPECT_THROW(Matrix<autodiff::Var>(huge, 2), std::length_error);
  // No wrap-around, but more doubles than one array can hold.
  const std::size_t quarter = std::numeric_limits<std::size_t>::max() / 4;
  EXPECT_TRUE(contains(message_of<std::length_error>([&] { Matrix<double> too_big(quarter, 2); }),
                       "more entries than memory can address"));
  // Zero columns hold nothing, however many rows.
  const Matrix<double> no_entries(huge, 0);
  EXPECT_EQ(no_entries.size(), 0u);
  EXPECT_EQ(no_entries.rows(), huge);
}

TEST(Ch02Matrix, PrintsLikeATensorOnOneLine) {
  EXPECT_EQ(nn::to_string(Matrix<double>{{1.30915, -4.79464}}), "[[1.3092, -4.7946]]");
  EXPECT_EQ(nn::to_string(Matrix<double>{{0.5}, {1}}, 1), "[[0.5], [1.0]]");
  EXPECT_EQ(nn::to_string(Matrix<double>{{-0.00001}}), "[[0.0000]]");  // no "-0.0000"
  EXPECT_EQ(nn::to_string(Matrix<double>{{-0.0}}, 0), "[[0]]");
  EXPECT_EQ(nn::to_string(Matrix<double>{{NAN}}), "[[nan]]");
  EXPECT_EQ(nn::to_string(Matrix<double>{}), "[]");
}

TEST(Ch02Matrix, VariablesAreLeavesAndValuesDetach) {
  autodiff::Tape tape;
  const Matrix<double> x{{1.5, -2.0}, {0.25, 4.0}};
  const Matrix<autodiff::Var> v = nn::leaves(tape, x);
  EXPECT_EQ(tape.size(), 4u);
  EXPECT_EQ(nn::detach(v), x);
  const autodiff::Var y = v(0, 0) * v(1, 1);
  y.backward();
  EXPECT_EQ(v(0, 0).grad(), 4.0);
  EXPECT_EQ(v(1, 1).grad(), 1.5);
  EXPECT_EQ(v(0, 1).grad(), 0.0);
}

}  // namespace
