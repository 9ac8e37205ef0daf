#include "autodiff/tape.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

namespace autodiff {

const char* op_name(Op op) {
  switch (op) {
    case Op::leaf: return "leaf";
    case Op::add: return "add";
    case Op::subtract: return "subtract";
    case Op::multiply: return "multiply";
    case Op::divide: return "divide";
    case Op::negate: return "negate";
    case Op::exp: return "exp";
    case Op::log: return "log";
    case Op::log1p: return "log1p";
    case Op::pow: return "pow";
    case Op::sqrt: return "sqrt";
    case Op::tanh: return "tanh";
    case Op::sigmoid: return "sigmoid";
    case Op::relu: return "relu";
    case Op::softplus: return "softplus";
    case Op::custom: return "custom";
  }
  return "unknown";
}

void throw_empty_var() {
  throw std::logic_error(
      "autodiff: this Var is empty (default-constructed); make it with Tape::variable");
}

void Tape::fail(Var v) const {
  if (v.tape_ == nullptr) throw_empty_var();
  if (v.tape_ != this)
    throw std::logic_error("autodiff: an operation mixed Vars of two different tapes");
  throw std::logic_error("autodiff: this Var's node (tape position " + std::to_string(v.index_) +
                         ") was rewound away; the tape now holds " + std::to_string(size_) +
                         " nodes");
}

void Tape::backward(Var output) {
  const std::uint32_t last = checked_index(output);
  // Intermediate gradients start from zero for this output; leaves keep what earlier backward calls
  // accumulated, as PyTorch's .grad does.
  for (std::uint32_t i = 0; i <= last; ++i)
    if (nodes_[i].op != Op::leaf) nodes_[i].grad = 0.0;
  nodes_[last].grad += 1.0;

  // Parents sit before their children, so walking backwards finishes each node's gradient before
  // passing it on. A zero gradient is skipped: the node does not feed the output, and 0 times an
  // infinite partial (sqrt at 0, say) must not leak a NaN into nodes that do.
  // BEGIN EXERCISE 1.1
  for (std::uint32_t i = last + 1; i-- > 0;) {
    const Node& node = nodes_[i];
    const double g = node.grad;
    if (g == 0.0) continue;
    if (node.parent[0] != no_parent) nodes_[node.parent[0]].grad += node.partial[0] * g;
    if (node.parent[1] != no_parent) nodes_[node.parent[1]].grad += node.partial[1] * g;
  }
  // END EXERCISE 1.1
}

const Tape::Node& Tape::node(std::size_t index) const {
  if (index >= size_)
    throw std::out_of_range("autodiff: no node " + std::to_string(index) + "; the tape holds " +
                            std::to_string(size_));
  return nodes_[index];
}

void Tape::reserve(std::size_t nodes) {
  if (nodes > max_nodes)
    throw std::length_error("autodiff: cannot reserve " + std::to_string(nodes) +
                            " nodes; a tape holds at most 2^32 - 1");
  if (nodes <= capacity_) return;
  auto larger = std::make_unique_for_overwrite<Node[]>(nodes);
  std::copy(nodes_.get(), nodes_.get() + size_, larger.get());
  nodes_ = std::move(larger);
  capacity_ = static_cast<std::uint32_t>(nodes);
}

void Tape::grow() {
  if (size_ >= max_nodes) throw std::length_error("autodiff: the tape is full (2^32 - 1 nodes)");
  const std::size_t doubled = size_ < 64 ? 64 : 2 * static_cast<std::size_t>(size_);
  reserve(doubled < max_nodes ? doubled : max_nodes);
}

void Tape::zero_grad() {
  for (std::uint32_t i = 0; i < size_; ++i) nodes_[i].grad = 0.0;
}

void Tape::rewind(Mark mark) {
  if (mark.tape != this) throw std::logic_error("autodiff: rewind to a mark of another tape");
  if (mark.size > size_)
    throw std::logic_error("autodiff: rewind to a mark past the tape's end (mark " +
                           std::to_string(mark.size) + ", tape " + std::to_string(size_) +
                           " nodes); was the tape already rewound further?");
  // One more would wrap the count around to generation 0, whose Vars would then match new nodes.
  if (generation_ == UINT32_MAX)
    throw std::length_error(
        "autodiff: this tape has been rewound 2^32 - 1 times, as many generations of nodes as it "
        "can tell apart; make a new Tape");
  size_ = mark.size;  // keeps the capacity: the next step reuses the memory
  ++generation_;
}

}  // namespace autodiff
