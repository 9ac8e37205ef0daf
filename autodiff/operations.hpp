// The operations: each computes its value and states its local derivative beside it.
//
// A plain number on either side of + - * / is a constant: it makes no node of its own, and the
// result has one parent. Every function here is inline so that a training step compiles down to
// arithmetic and pushes onto the tape.
#pragma once

#include <cmath>

#include "autodiff/tape.hpp"

namespace autodiff {

// ---- arithmetic between variables -------------------------------------------------------------
// The result goes on a's tape; push() checks that b lives there too.
inline Var operator+(Var a, Var b) {  // d/da = 1, d/db = 1
  return a.tape().push(Op::add, a.value() + b.value(), a, 1.0, b, 1.0);
}
inline Var operator-(Var a, Var b) {  // d/da = 1, d/db = -1
  return a.tape().push(Op::subtract, a.value() - b.value(), a, 1.0, b, -1.0);
}
inline Var operator*(Var a, Var b) {  // d/da = b, d/db = a
  const double x = a.value(), y = b.value();
  return a.tape().push(Op::multiply, x * y, a, y, b, x);
}
inline Var operator/(Var a, Var b) {  // d/da = 1/b, d/db = -a/b^2
  const double x = a.value(), y = b.value();
  return a.tape().push(Op::divide, x / y, a, 1.0 / y, b, -x / (y * y));
}
inline Var operator-(Var a) {  // d/da = -1
  return a.tape().push(Op::negate, -a.value(), a, -1.0);
}

// ---- arithmetic with a plain number
// --------------------------------------------------------------
inline Var operator+(Var a, double c) { return a.tape().push(Op::add, a.value() + c, a, 1.0); }
inline Var operator+(double c, Var a) { return a + c; }
inline Var operator-(Var a, double c) { return a.tape().push(Op::subtract, a.value() - c, a, 1.0); }
inline Var operator-(double c, Var a) {  // d/da = -1
  return a.tape().push(Op::subtract, c - a.value(), a, -1.0);
}
inline Var operator*(Var a, double c) { return a.tape().push(Op::multiply, a.value() * c, a, c); }
inline Var operator*(double c, Var a) { return a * c; }
inline Var operator/(Var a, double c) {  // d/da = 1/c
  return a.tape().push(Op::divide, a.value() / c, a, 1.0 / c);
}
inline Var operator/(double c, Var a) {  // d/da = -c/a^2
  const double x = a.value();
  return a.tape().push(Op::divide, c / x, a, -c / (x * x));
}

// a + alpha * b with alpha a plain number, PyTorch's torch.add(a, b, alpha=alpha): one node where
// a + (b * alpha) makes two. d/da = 1, d/db = alpha. The product is rounded before the sum, as in
// the two-node form (the build forbids fused multiply-add), so both give the same bits.
inline Var add(Var a, Var b, double alpha) {
  return a.tape().push(Op::add, a.value() + alpha * b.value(), a, 1.0, b, alpha);
}

inline Var& operator+=(Var& a, Var b) { return a = a + b; }
inline Var& operator-=(Var& a, Var b) { return a = a - b; }
inline Var& operator*=(Var& a, Var b) { return a = a * b; }
inline Var& operator/=(Var& a, Var b) { return a = a / b; }

// ---- functions ----------------------------------------------------------------------------------
// Outside their domains (log of a negative number, sqrt of -1) these give what std:: gives, NaN or
// infinity, as PyTorch does; the callers that must stay finite (BCELoss) guard their inputs.

inline Var exp(Var a) {  // d/da = exp(a)
  const double e = std::exp(a.value());
  return a.tape().push(Op::exp, e, a, e);
}
inline Var log(Var a) {  // d/da = 1/a
  const double x = a.value();
  return a.tape().push(Op::log, std::log(x), a, 1.0 / x);
}
inline Var log1p(Var a) {  // d/da = 1/(1 + a); accurate for small a
  const double x = a.value();
  return a.tape().push(Op::log1p, std::log1p(x), a, 1.0 / (1.0 + x));
}
inline Var pow(Var a, double p) {  // d/da = p a^(p-1)
  const double x = a.value();
  return a.tape().push(Op::pow, std::pow(x, p), a, p * std::pow(x, p - 1.0));
}
inline Var sqrt(Var a) {  // d/da = 1/(2 sqrt(a))
  const double r = std::sqrt(a.value());
  return a.tape().push(Op::sqrt, r, a, 0.5 / r);
}
inline Var tanh(Var a) {  // d/da = 1 - tanh(a)^2
  const double t = std::tanh(a.value());
  return a.tape().push(Op::tanh, t, a, 1.0 - t * t);
}

// sigmoid(x) = 1/(1 + e^-x). With e = exp(-|x|), which never overflows, both halves are exact:
// sigmoid = 1/(1 + e) for x >= 0 and e/(1 + e) for x < 0, and the derivative
// sigmoid(x)(1 - sigmoid(x)) = e/(1 + e)^2 on both sides, without the cancellation of 1 - sigmoid.
inline double sigmoid(double x) {
  const double e = std::exp(-std::fabs(x));
  return x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}
inline Var sigmoid(Var a) {
  // BEGIN EXERCISE 1.2 [a]
  const double x = a.value();
  const double e = std::exp(-std::fabs(x));
  const double value = x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);  // sigmoid(x), sharing e
  return a.tape().push(Op::sigmoid, value, a, e / ((1.0 + e) * (1.0 + e)));
  // END EXERCISE 1.2
}

// relu(x) = max(x, 0); d/dx = 1 for x > 0 and 0 for x <= 0: at the kink we take 0, as PyTorch does.
inline Var relu(Var a) {
  const double x = a.value();
  return a.tape().push(Op::relu, x > 0.0 ? x : 0.0, a, x > 0.0 ? 1.0 : 0.0);
}

// softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x, no loss of the
// small value for very negative x. d/dx = sigmoid(x).
inline double softplus(double x) { return std::fmax(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }
inline Var softplus(Var a) {
  const double x = a.value();
  return a.tape().push(Op::softplus, softplus(x), a, sigmoid(x));
}

}  // namespace autodiff
