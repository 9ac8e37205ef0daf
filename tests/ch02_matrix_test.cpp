// Matrix: shape, checked access, printing, and the conversions between numbers and Vars.
#include <cmath>
#include <stdexcept>
#include <string>

#include "autodiff/autodiff.hpp"
#include "nn/matrix.hpp"

#include <gtest/gtest.h>

using nn::Matrix;

namespace {

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
