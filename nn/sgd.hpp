// SGD: plain stochastic gradient descent, PyTorch's optim.SGD without momentum or weight decay.
//
//   optimizer.zero_grad();   // every parameter's gradient to 0 (they accumulate otherwise)
//   loss.backward();
//   optimizer.step();        // p <- p - lr * dloss/dp, for every parameter
//
// step() writes the new values into the parameters' leaves (Var::set_value): do it after
// backward and before the next forward pass.
#pragma once

#include <vector>

#include "autodiff/tape.hpp"

namespace nn {

class SGD {
 public:
  // Throws std::invalid_argument for a learning rate that is negative or not finite, or an empty
  // parameter list.
  SGD(std::vector<autodiff::Var> parameters, double lr);

  void zero_grad() const;
  void step() const;

  double lr() const { return lr_; }
  const std::vector<autodiff::Var>& parameters() const { return parameters_; }

 private:
  std::vector<autodiff::Var> parameters_;
  double lr_;
};

}  // namespace nn
