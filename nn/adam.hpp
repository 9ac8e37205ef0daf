// Adam: PyTorch's optim.Adam without weight decay or amsgrad, step for step as torch 1.13's
// single-tensor loop (_single_tensor_adam, the CPU default). For each parameter p with gradient g,
// at step t = 1, 2, ...:
//
//   m <- beta1 m + (1 - beta1) g           the first moment (torch's exp_avg)
//   v <- beta2 v + (1 - beta2) g g         the second moment (exp_avg_sq)
//   bc1 = 1 - beta1^t, bc2 = 1 - beta2^t   the bias corrections: m and v start at 0
//   p <- p - (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)
//
// eps is added after dividing by sqrt(bc2), as torch does it (Kingma and Ba's Algorithm 1), not as
// in the paper's faster form, (lr sqrt(bc2) / bc1) m / (sqrt(v) + eps), which scales eps by
// sqrt(bc2): the two differ while bc2 is small, in the first steps. The first step moves every
// parameter by lr g / (|g| + eps), lr sign(g) unless g is about eps: Adam takes steps of the
// learning rate's size whatever the gradient's scale.
//
// Used as SGD is:
//
//   optimizer.zero_grad();
//   loss.backward();
//   optimizer.step();
//
// step() writes the new values into the parameters' leaves (Var::set_value): do it after backward
// and before the next forward pass.
#pragma once

#include <cstdint>
#include <vector>

#include "autodiff/tape.hpp"

namespace nn {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;  // torch's betas
  double eps = 1e-8;
};

class Adam {
 public:
  // Throws std::invalid_argument, naming the value, for a learning rate or eps that is negative or
  // not finite, a beta outside [0, 1), or an empty parameter list (torch's checks).
  Adam(std::vector<autodiff::Var> parameters, AdamOptions options = {});

  void zero_grad() const;
  void step();

  double lr() const { return options_.lr; }
  const AdamOptions& options() const { return options_; }
  const std::vector<autodiff::Var>& parameters() const { return parameters_; }
  // The steps taken so far (torch's state["step"]) and each parameter's moments, in parameters()
  // order.
  std::int64_t steps() const { return steps_; }
  const std::vector<double>& exp_avg() const { return exp_avg_; }
  const std::vector<double>& exp_avg_sq() const { return exp_avg_sq_; }

 private:
  std::vector<autodiff::Var> parameters_;
  AdamOptions options_;
  std::vector<double> exp_avg_, exp_avg_sq_;
  std::int64_t steps_ = 0;
};

}  // namespace nn
