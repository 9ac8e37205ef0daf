#include "nn/cross_entropy_loss.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "autodiff/operations.hpp"

namespace nn {

using autodiff::Var;

namespace {

std::string number(double x) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

void check_logits(std::span<const double> logits) {
  if (logits.empty()) throw std::invalid_argument("cross_entropy: no logits (no classes)");
  for (std::size_t j = 0; j < logits.size(); ++j)
    if (!std::isfinite(logits[j]))
      throw std::invalid_argument("cross_entropy: logit " + std::to_string(j) + " = " +
                                  number(logits[j]) + " is not finite");
}

template <class T>
void check_batch(const Matrix<T>& input, std::span<const std::size_t> target) {
  if (input.rows() != target.size())
    throw std::invalid_argument("CrossEntropyLoss: the input has " + std::to_string(input.rows()) +
                                " rows but there are " + std::to_string(target.size()) +
                                " labels; give one label per row");
  if (input.empty())
    throw std::invalid_argument("CrossEntropyLoss: the batch is empty (" + shape_string(input) +
                                ")");
  for (std::size_t r = 0; r < target.size(); ++r)
    if (target[r] >= input.cols())
      throw std::invalid_argument("CrossEntropyLoss: label " + std::to_string(r) + " is " +
                                  std::to_string(target[r]) + ", outside [0, " +
                                  std::to_string(input.cols()) + ") for " +
                                  std::to_string(input.cols()) + " classes");
}

}  // namespace

std::vector<double> log_softmax(std::span<const double> logits) {
  check_logits(logits);
  const double m = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (double z : logits) sum += std::exp(z - m);
  // (z_j - m) first: at large logits, m + log(sum) would round away log(sum)'s digits.
  const double log_sum = std::log(sum);
  std::vector<double> result(logits.size());
  for (std::size_t j = 0; j < logits.size(); ++j) result[j] = (logits[j] - m) - log_sum;
  return result;
}

double cross_entropy(std::span<const double> logits, std::size_t target) {
  check_logits(logits);
  if (target >= logits.size())
    throw std::invalid_argument("cross_entropy: target " + std::to_string(target) +
                                " is outside [0, " + std::to_string(logits.size()) + ")");
  // BEGIN EXERCISE 9.1 [logits, target]
  // Shifting by the largest logit keeps every exponent <= 0 and one term exactly 1; m - z_t is
  // taken first, so that log(sum) keeps its digits next to large logits.
  const double m = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (double z : logits) sum += std::exp(z - m);
  return (m - logits[target]) + std::log(sum);
  // END EXERCISE 9.1
}

Var CrossEntropyLoss::operator()(const Matrix<Var>& input,
                                 std::span<const std::size_t> target) const {
  check_batch(input, target);
  std::vector<double> z(input.cols());
  Var sum;
  for (std::size_t r = 0; r < input.rows(); ++r) {
    for (std::size_t j = 0; j < z.size(); ++j) z[j] = input(r, j).value();
    const double loss = cross_entropy(z, target[r]);
    const std::vector<double> log_p = log_softmax(z);
    // One node per class, each with the running sum and one logit as parents (a node has at most
    // two): the partials are 1 and softmax_j - [j = t]; the last node of the row carries its loss.
    const double before = sum.empty() ? 0.0 : sum.value();
    for (std::size_t j = 0; j < z.size(); ++j) {
      const Var zj = input(r, j);
      const double partial = std::exp(log_p[j]) - (j == target[r] ? 1.0 : 0.0);
      const double value = j + 1 == z.size() ? before + loss : before;
      sum = sum.empty() ? zj.tape().push(autodiff::Op::custom, value, zj, partial)
                        : zj.tape().push(autodiff::Op::custom, value, sum, 1.0, zj, partial);
    }
  }
  return sum / static_cast<double>(input.rows());
}

double CrossEntropyLoss::operator()(const Matrix<double>& input,
                                    std::span<const std::size_t> target) const {
  check_batch(input, target);
  double sum = 0.0;
  for (std::size_t r = 0; r < input.rows(); ++r) sum += cross_entropy(input.row(r), target[r]);
  return sum / static_cast<double>(input.rows());
}

}  // namespace nn
