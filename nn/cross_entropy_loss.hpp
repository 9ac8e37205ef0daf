// Cross-entropy over classes, PyTorch's nn.CrossEntropyLoss with class indices (reduction = mean):
//
//   loss = mean over rows r of -log softmax(z_r)[t_r] = mean of (logsumexp(z_r) - z_r[t_r])
//
// where z_r is row r of the logits (one column per class) and t_r its class. logsumexp is taken
// as m + log(sum_j exp(z_j - m)) with m = max_j z_j: every exponent is <= 0, so nothing overflows,
// and the largest term is exactly 1, so the log never sees 0. Computed naively, exp(1000)
// overflows to inf and the loss is NaN; computed this way it is exact there too.
//
// The gradient of one row's loss is d loss / d z_j = softmax(z)_j - [j = t]: each row adds one
// node per class to the tape, and the sum is divided by the number of rows.
//
// With two classes the loss of a row is softplus(z_other - z_t): what BCEWithLogitsLoss gives the
// logit difference, the closed form the tests use.
//
// Errors (std::invalid_argument, naming the problem): a number of labels that is not the number
// of rows, an empty batch, a label outside [0, classes) (naming the row, the label and the
// classes), a logit that is not finite.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "autodiff/tape.hpp"
#include "nn/matrix.hpp"

namespace nn {

// log softmax(z)_j = z_j - logsumexp(z), stably as above. Throws for no logits or one that is
// not finite.
std::vector<double> log_softmax(std::span<const double> logits);
// One row's loss, -log softmax(z)[target] = logsumexp(z) - z[target]. Throws for no logits, a
// logit that is not finite or a target outside [0, logits.size()).
double cross_entropy(std::span<const double> logits, std::size_t target);

class CrossEntropyLoss {
 public:
  // The mean loss, as a node on the input's tape: call backward() on it.
  autodiff::Var operator()(const Matrix<autodiff::Var>& input,
                           std::span<const std::size_t> target) const;
  // The same on plain numbers.
  double operator()(const Matrix<double>& input, std::span<const std::size_t> target) const;
};

}  // namespace nn
