// The tape (a Wengert list): reverse-mode automatic differentiation for scalars.
//
// Every operation appends one node to the tape, holding its value and the local partial derivatives
// towards its (at most two) parents. A node's parents are always pushed before it, so the tape is
// already in topological order: backward() is one sweep from the output back to the start, with no
// recursion, no graph search and no allocation. A Var is only a handle (tape, position,
// generation); the node itself lives in the tape's one array.
//
// Gradients accumulate, as in PyTorch: each backward() adds into the gradients of the leaves (the
// nodes made by Tape::variable) until zero_grad() clears them. The gradients of intermediate nodes
// are recomputed from zero by every backward(), so after a backward they hold d(output)/d(node) for
// that output alone.
//
// Memory stays bounded in a training loop by rewinding: take a mark after creating the parameters,
// and rewind to it at the end of each step. Parameters survive; the step's nodes go, and the array
// keeps its capacity, so later steps allocate nothing. A Var whose node was rewound away, a Var of
// another tape, or an empty Var is caught with a std::logic_error, never undefined behaviour.
// Each rewind starts a new generation of nodes, and a Var matches only a node of its own one. The
// generation is 32 bits (it keeps a Var at 16 bytes and a node at 48, and the engine fast), so
// after 2^32 - 1 rewinds a tape refuses to rewind again, with a std::length_error, rather than let
// an old Var match a new node: a loop that rewinds more often than that makes a new Tape.
//
// A Tape must outlive the Vars that refer to it, as a container outlives its iterators. A tape is
// not thread-safe; give each thread its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace autodiff {

// The operation that made a node; only used to print the tape.
enum class Op : std::uint8_t {
  leaf,
  add,
  subtract,
  multiply,
  divide,
  negate,
  exp,
  log,
  log1p,
  pow,
  sqrt,
  tanh,
  sigmoid,
  relu,
  softplus,
  custom
};
const char* op_name(Op op);

class Tape;
struct TapeTestAccess;

class Var {
 public:
  Var() = default;  // an empty handle; using it throws

  double value() const;
  // d(output)/d(this) from backward(): accumulated for leaves, from the last backward otherwise.
  double grad() const;
  // Seeds d(this)/d(this) = 1 and sweeps the tape back to its start.
  void backward() const;
  void zero_grad() const;
  // Overwrite a leaf's value (an optimiser's step); nodes already computed from it keep their old
  // values, so do this between forward passes. Throws for a non-leaf.
  void set_value(double value) const;

  Tape& tape() const;
  std::size_t index() const;  // this node's position on the tape
  bool empty() const { return tape_ == nullptr; }

 private:
  friend class Tape;
  Var(Tape* tape, std::uint32_t index, std::uint32_t generation)
      : tape_(tape), index_(index), generation_(generation) {}

  Tape* tape_ = nullptr;
  std::uint32_t index_ = 0;
  // The tape's rewind count when the node was made: a rewind followed by a new node at the same
  // position gives that node a new generation, so a stale handle no longer matches.
  std::uint32_t generation_ = 0;
};

class Tape {
 public:
  static constexpr std::uint32_t no_parent = UINT32_MAX;
  // Vars address nodes with 32 bits and no_parent takes the last value.
  static constexpr std::size_t max_nodes = no_parent;

  // 48 bytes a node: value, gradient, two partials, two parent positions, generation and op.
  struct Node {
    double value;
    double grad;
    double partial[2];  // d(this)/d(parent[k])
    std::uint32_t parent[2];
    std::uint32_t generation;
    Op op;
  };

  // A position on the tape to rewind to; nodes made before it survive.
  struct Mark {
    const Tape* tape;
    std::uint32_t size;
  };

  Tape() = default;
  // Vars point at their tape, so a tape stays where it is.
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // A leaf: a parameter, an input, or any number whose gradient you may want.
  Var variable(double value);

  // Append an operation's result. `partial` is the local derivative d(value)/d(parent); these two
  // are how every operation in operations.hpp is written, and how you can add your own.
  Var push(Op op, double value, Var parent, double partial);
  Var push(Op op, double value, Var a, double partial_a, Var b, double partial_b);

  // One reverse sweep from `output` to the start of the tape.
  void backward(Var output);
  void zero_grad();  // every node's gradient to zero

  Mark mark() const { return {this, size_}; }
  // Throws std::logic_error for a mark of another tape or past the end, and std::length_error once
  // the tape has been rewound 2^32 - 1 times (its generations are used up: make a new Tape).
  void rewind(Mark mark);

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  // Throws std::length_error beyond 2^32 - 1 nodes, the most a Var can address.
  void reserve(std::size_t nodes);
  // Throws std::out_of_range past the end.
  const Node& node(std::size_t index) const;

  // The node a Var names, after checking that it is this tape's and still alive.
  const Node& at(Var v) const { return nodes_[checked_index(v)]; }
  Node& at(Var v) { return nodes_[checked_index(v)]; }

 private:
  // The tests' way to start a tape late in its generations (tests/ch01_tape_test.cpp defines it).
  friend struct TapeTestAccess;

  std::uint32_t checked_index(Var v) const {
    if (v.tape_ != this || v.index_ >= size_ || nodes_[v.index_].generation != v.generation_)
      fail(v);
    return v.index_;
  }
  [[noreturn]] void fail(Var v) const;
  void grow();  // doubles the capacity; out of line, so that append stays small
  Var append(const Node& node);

  // A plain array rather than a std::vector: appending is then a compare and a store, small
  // enough to inline into every operation; reserve() is the one place that allocates.
  std::unique_ptr<Node[]> nodes_;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 0;
  std::uint32_t generation_ = 0;  // how many times the tape was rewound
};

[[noreturn]] void throw_empty_var();

inline Tape& Var::tape() const {
  if (tape_ == nullptr) throw_empty_var();
  return *tape_;
}
inline double Var::value() const { return tape().at(*this).value; }
inline double Var::grad() const { return tape().at(*this).grad; }
inline void Var::backward() const { tape().backward(*this); }
inline void Var::zero_grad() const { tape().at(*this).grad = 0.0; }
inline void Var::set_value(double value) const {
  Tape::Node& node = tape().at(*this);
  if (node.op != Op::leaf)
    throw std::logic_error("autodiff: set_value on a computed node; only leaves can be set");
  node.value = value;
}
inline std::size_t Var::index() const {
  tape().at(*this);
  return index_;
}

inline Var Tape::append(const Node& node) {
  if (size_ == capacity_) grow();
  nodes_[size_] = node;
  return Var(this, size_++, generation_);
}

inline Var Tape::variable(double value) {
  return append({value, 0.0, {0.0, 0.0}, {no_parent, no_parent}, generation_, Op::leaf});
}

inline Var Tape::push(Op op, double value, Var parent, double partial) {
  return append({value, 0.0, {partial, 0.0}, {checked_index(parent), no_parent}, generation_, op});
}

inline Var Tape::push(Op op, double value, Var a, double partial_a, Var b, double partial_b) {
  return append(
      {value, 0.0, {partial_a, partial_b}, {checked_index(a), checked_index(b)}, generation_, op});
}

}  // namespace autodiff
