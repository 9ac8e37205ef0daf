// The tape as a whole: shared variables, accumulation, long chains, rewinding, misuse, gradcheck.
#include <cmath>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "tests/chapter_output.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

using autodiff::Tape;
using autodiff::Var;

namespace autodiff {

// For the tests only: a tape as it stands after `count` more rewinds, without waiting for them.
// Rewinding bumps the tape's generation, which every new node and Var records; the test below
// starts a tape where a real run arrives only after billions of rewinds.
struct TapeTestAccess {
  static void skip_rewinds(Tape& tape, std::uint32_t count) { tape.generation_ += count; }
};

}  // namespace autodiff

namespace {

using autodiff::TapeTestAccess;

using test_support::message_of;

TEST(Ch01Tape, VariableUsedManyTimes) {
  Tape tape;
  Var x = tape.variable(1.7);
  Var y = x * x * x;  // d/dx x^3 = 3 x^2
  y.backward();
  EXPECT_DOUBLE_EQ(y.value(), 1.7 * 1.7 * 1.7);
  EXPECT_NEAR(x.grad(), 3.0 * 1.7 * 1.7, 1e-14);  // three rounded products summed
}

TEST(Ch01Tape, DiamondGraph) {
  // x feeds u and v, which meet again in y = u * v = e^x * x^2: both paths add into dy/dx.
  Tape tape;
  Var x = tape.variable(0.3);
  Var u = exp(x);
  Var v = x * x;
  Var y = u * v;
  y.backward();
  const double expected = std::exp(0.3) * (0.3 * 0.3 + 2.0 * 0.3);  // (x^2 + 2x) e^x
  EXPECT_NEAR(x.grad(), expected, 1e-15);
  EXPECT_NEAR(u.grad(), 0.09, 1e-15);  // dy/du = v
  EXPECT_NEAR(v.grad(), std::exp(0.3), 1e-15);
}

TEST(Ch01Tape, GradientsAccumulateUntilZeroed) {
  Tape tape;
  Var w = tape.variable(2.0), x = tape.variable(3.0);
  Var y = w * x;
  y.backward();
  EXPECT_EQ(w.grad(), 3.0);
  y.backward();  // leaves accumulate: 3 + 3
  EXPECT_EQ(w.grad(), 6.0);
  EXPECT_EQ(y.grad(), 1.0);  // an intermediate node restarts from zero each backward
  Var z = w * w;             // a second output adds into the same leaf
  z.backward();
  EXPECT_EQ(w.grad(), 10.0);
  w.zero_grad();
  EXPECT_EQ(w.grad(), 0.0);
  EXPECT_EQ(x.grad(), 4.0);  // x got 2 from each of the two backward calls through y
  tape.zero_grad();
  EXPECT_EQ(x.grad(), 0.0);
}

TEST(Ch01Tape, IntermediateGradientsDoNotLeakBetweenOutputs) {
  // After y.backward(), the node h holds dy/dh. A later backward of another output z that also uses
  // h must not add that stale value into the leaves.
  Tape tape;
  Var x = tape.variable(1.5);
  Var h = x * 2.0;
  Var y = h * 3.0;
  y.backward();
  tape.zero_grad();
  Var z = h * 5.0;
  z.backward();
  EXPECT_EQ(x.grad(), 10.0);
}

TEST(Ch01Tape, UnusedNodeWithInfinitePartialDoesNotPoison) {
  Tape tape;
  Var x = tape.variable(0.0);
  Var unused = sqrt(x);  // d/dx = +inf at 0
  (void)unused;
  Var y = x * 4.0;
  y.backward();
  EXPECT_EQ(x.grad(), 4.0);
}

TEST(Ch01Tape, MillionNodeChainBackward) {
  // Iterative sweep: no recursion, so a chain of 10^6 nodes cannot overflow the stack.
  Tape tape;
  Var x = tape.variable(1.0);
  Var y = x;
  const int n = 1'000'000;
  for (int i = 0; i < n; ++i) y = y * 1.000001;
  y.backward();
  EXPECT_EQ(tape.size(), static_cast<std::size_t>(n) + 1);
  EXPECT_NEAR(x.grad(), std::pow(1.000001, n), 1e-9);
}

TEST(Ch01Tape, RewindingKeepsMemoryFlat) {
  Tape tape;
  Var w = tape.variable(0.5), b = tape.variable(-0.1);
  const Tape::Mark mark = tape.mark();
  std::size_t capacity_after_first_step = 0;
  for (int step = 0; step < 100'000; ++step) {
    Var loss = sigmoid(w * 1.5 + b) - 1.0;
    loss = loss * loss;
    tape.zero_grad();
    loss.backward();
    w.set_value(w.value() - 0.1 * w.grad());
    b.set_value(b.value() - 0.1 * b.grad());
    tape.rewind(mark);
    if (step == 0) capacity_after_first_step = tape.capacity();
    ASSERT_EQ(tape.size(), 2u);
  }
  EXPECT_EQ(tape.capacity(), capacity_after_first_step);
  EXPECT_GT(sigmoid(w * 1.5 + b).value(), 0.95);  // and the loop did train
}

TEST(Ch01Tape, UsingARewoundVariableThrows) {
  Tape tape;
  Var w = tape.variable(1.0);
  const Tape::Mark mark = tape.mark();
  Var stale = w * 2.0;
  tape.rewind(mark);
  Var fresh = w * 3.0;  // takes the same position on the tape as `stale` had
  EXPECT_EQ(fresh.value(), 3.0);
  EXPECT_NE(message_of<std::logic_error>([&] { (void)stale.value(); }).find("rewound away"),
            std::string::npos);
  EXPECT_NE(message_of<std::logic_error>([&] { (void)(stale + w); }).find("rewound away"),
            std::string::npos);
  EXPECT_NE(message_of<std::logic_error>([&] { stale.backward(); }).find("rewound away"),
            std::string::npos);
  EXPECT_EQ(w.value(), 1.0);  // what was made before the mark survives
}

// Each rewind makes a new generation of nodes, and a Var of an older one must never match a node
// made at its position later. A 32-bit count that wrapped around after 2^32 rewinds would come
// back to the generation of a Var made at the start, within one long training run: the tape
// refuses that rewind instead, and a stale Var stays refused.
TEST(Ch01Tape, RewindRefusesToWrapItsGenerationsAround) {
  Tape tape;
  Var w = tape.variable(1.0);
  const Tape::Mark mark = tape.mark();
  Var stale = w * 2.0;  // generation 0
  tape.rewind(mark);
  TapeTestAccess::skip_rewinds(tape, UINT32_MAX - 2);  // 2^32 - 2 rewinds in all
  tape.rewind(mark);                                   // the last one: 2^32 - 1
  Var fresh = w * 3.0;                                 // at the position `stale` had
  EXPECT_EQ(fresh.value(), 3.0);
  EXPECT_THROW((void)stale.value(), std::logic_error);

  const std::string message = message_of<std::length_error>([&] { tape.rewind(mark); });
  EXPECT_NE(message.find("rewound 2^32 - 1 times"), std::string::npos) << message;
  EXPECT_NE(message.find("make a new Tape"), std::string::npos) << message;
  // The refused rewind removed nothing, so a new node cannot take the stale Var's place, or its
  // generation.
  EXPECT_EQ(tape.size(), 2u);
  Var again = w * 4.0;
  EXPECT_EQ(again.index(), 2u);
  EXPECT_NE(message_of<std::logic_error>([&] { (void)stale.value(); }).find("rewound away"),
            std::string::npos);
  EXPECT_NE(message_of<std::logic_error>([&] { (void)(stale * w); }).find("rewound away"),
            std::string::npos);
  // The tape still records and differentiates.
  Var y = fresh * again;
  y.backward();
  EXPECT_EQ(w.grad(), 24.0);  // y = 12 w^2
  EXPECT_EQ(fresh.value(), 3.0);
}

TEST(Ch01Tape, MixingTwoTapesThrows) {
  Tape first, second;
  Var a = first.variable(1.0), b = second.variable(2.0);
  EXPECT_NE(message_of<std::logic_error>([&] { (void)(a + b); }).find("two different tapes"),
            std::string::npos);
  EXPECT_NE(message_of<std::logic_error>([&] { (void)(a * b); }).find("two different tapes"),
            std::string::npos);
  EXPECT_EQ(first.size(), 1u);  // the failed operation appended nothing
}

TEST(Ch01Tape, EmptyVarAndBadMarksThrow) {
  Var empty;
  EXPECT_NE(message_of<std::logic_error>([&] { (void)empty.value(); }).find("empty"),
            std::string::npos);
  Tape tape, other;
  tape.variable(1.0);
  const Tape::Mark late = tape.mark();
  Tape::Mark early{&tape, 0};
  tape.rewind(early);
  EXPECT_NE(message_of<std::logic_error>([&] { tape.rewind(late); }).find("past the tape's end"),
            std::string::npos);
  EXPECT_NE(message_of<std::logic_error>([&] { other.rewind(late); }).find("another tape"),
            std::string::npos);
}

TEST(Ch01Tape, GrowingKeepsEveryNodeAndReserveStopsAtTheLimit) {
  Tape tape;
  Var x = tape.variable(2.0);
  Var y = x * x;
  tape.reserve(1000);  // moves the nodes to a larger array; the handles still name them
  EXPECT_GE(tape.capacity(), 1000u);
  EXPECT_EQ(y.value(), 4.0);
  for (int i = 0; i < 2000; ++i) y = y * 1.0;  // grows past the reservation, by doubling
  y.backward();
  EXPECT_EQ(x.grad(), 4.0);
  EXPECT_EQ(tape.size(), 2002u);
  tape.reserve(10);  // smaller than the capacity: nothing to do
  EXPECT_EQ(tape.node(1).value, 4.0);

  // A Var addresses 2^32 - 1 nodes; asking for more is refused before any allocation.
  EXPECT_NE(message_of<std::length_error>([&] {
              tape.reserve(std::size_t{1} << 32);
            }).find("at most 2^32 - 1"),
            std::string::npos);
  EXPECT_NE(message_of<std::out_of_range>([&] { (void)tape.node(2002); }).find("no node 2002"),
            std::string::npos);
}

TEST(Ch01Tape, SetValueOnlyForLeaves) {
  Tape tape;
  Var w = tape.variable(1.0);
  Var y = w * 2.0;
  w.set_value(4.0);
  EXPECT_EQ(w.value(), 4.0);
  EXPECT_NE(message_of<std::logic_error>([&] { y.set_value(0.0); }).find("only leaves"),
            std::string::npos);
}

TEST(Ch01Gradcheck, FindsTheWorstInput) {
  // A deliberately wrong derivative for the second input: the tape says 0 where the truth is 2y.
  const auto wrong = [](std::span<const Var> v) {
    Var wrong_square =
        v[1].tape().push(autodiff::Op::custom, v[1].value() * v[1].value(), v[1], 0.0);
    return v[0] * 3.0 + wrong_square;
  };
  const auto result = autodiff::gradcheck(wrong, std::vector<double>{1.0, 0.25});
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.worst_input, 1u);
  EXPECT_NEAR(result.numeric[1], 0.5, 1e-8);
  EXPECT_NEAR(result.worst_relative_error, 0.5, 1e-8);  // |0 - 0.5| / max(1, 0, 0.5)
  EXPECT_NEAR(result.analytic[0], 3.0, 0.0);
}

TEST(Ch01Gradcheck, RejectsBadArguments) {
  const auto f = [](std::span<const Var> v) { return v[0]; };
  EXPECT_THROW(autodiff::gradcheck(f, std::vector<double>{}), std::invalid_argument);
  EXPECT_THROW(autodiff::gradcheck(f, std::vector<double>{1.0}, 0.0), std::invalid_argument);
  EXPECT_THROW(autodiff::gradcheck(f, std::vector<double>{1.0}, 1e-6, -1.0), std::invalid_argument);
}

TEST(Ch01Gradcheck, WholeNeuronAgreesWithFiniteDifferences) {
  const auto neuron = [](std::span<const Var> v) {
    Var z = v[0] * v[1];
    z = z + v[2] * v[3];
    return sigmoid(z + v[4]);
  };
  const auto result = autodiff::gradcheck(
      neuron, std::vector<double>{3.0482, 1.0, 3.0556, 1.0, -4.7946}, 1e-6, 1e-9);
  EXPECT_TRUE(result.passed) << result.worst_relative_error;
}

}  // namespace

// The chapter's README shows what its program prints (tests/chapter_output.hpp).
TEST(Ch01Chapter, ReadmeShowsTheProgramOutput) {
  chapter_output::expect_readme_matches_program("ch01");
}
