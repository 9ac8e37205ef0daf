// A network small enough to follow by hand, for the exercise tests of chapters 4 and 5: two inputs,
// a hidden sigmoid layer of three neurons, one sigmoid output.
//
//   z = W x + c (layer_1.input), h = sigmoid(z) (layer_2.input), f = sigmoid(v.h + d)
#pragma once

#include <vector>

#include "autodiff/operations.hpp"
#include "autodiff/tape.hpp"
#include "nn/activations.hpp"
#include "nn/linear.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"

namespace hand_set {

inline const std::vector<double> hidden_w = {1.5, -2.0, 0.5, 1.0, -1.0, 2.5};  // 3 x 2, by rows
inline const std::vector<double> hidden_c = {0.25, -0.5, 0.1};
inline const std::vector<double> output_v = {2.0, -1.5, 0.75};
inline const double output_d = -0.3;

inline nn::Sequential hidden_network(autodiff::Tape& tape) {
  nn::Generator generator(0);  // its draws are overwritten at once
  nn::Sequential model(tape, generator, nn::Linear(2, 3), nn::Sigmoid(), nn::Linear(3, 1),
                       nn::Sigmoid());
  model.load_state_dict({{"model.0.weight", hidden_w},
                         {"model.0.bias", hidden_c},
                         {"model.2.weight", output_v},
                         {"model.2.bias", {output_d}}});
  return model;
}

// z = W x + c, by hand.
inline std::vector<double> pre_activation_of(const std::vector<double>& x) {
  std::vector<double> z(3);
  for (int j = 0; j < 3; ++j)
    z[j] = hidden_w[2 * j] * x[0] + hidden_w[2 * j + 1] * x[1] + hidden_c[j];
  return z;
}

// h = sigmoid(W x + c), by hand.
inline std::vector<double> hidden_of(const std::vector<double>& x) {
  std::vector<double> h = pre_activation_of(x);
  for (double& value : h) value = autodiff::sigmoid(value);
  return h;
}

}  // namespace hand_set
