// The whole engine: include this one header.
//   Tape tape;
//   Var w1 = tape.variable(3.0482), x1 = tape.variable(1.0), ...;
//   Var y = sigmoid(w1 * x1 + w2 * x2 + b);
//   y.backward();
//   w1.grad();  // dy/dw1
#pragma once

#include "autodiff/gradcheck.hpp"
#include "autodiff/operations.hpp"
#include "autodiff/tape.hpp"
