// Chapter 11's exercises: the Jaccard overlap with its empty case (11.1, attribution::jaccard) and
// the top fraction by size and by sign (11.2, attribution::top_fraction). Hand-computed values,
// and the invariants each statistic must keep.
#include <cmath>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <vector>

#include "attribution/comparison.hpp"

#include <gtest/gtest.h>

namespace {

using attribution::ComponentSet;
using attribution::Selection;

TEST(Ch11Ex1Jaccard, HandComputedOverlaps) {
  // {0, 1, 2} and {1, 2, 3}: two in common, four in either.
  EXPECT_DOUBLE_EQ(*attribution::jaccard(ComponentSet{0, 1, 2}, ComponentSet{1, 2, 3}), 0.5);
  EXPECT_DOUBLE_EQ(*attribution::jaccard(ComponentSet{0}, ComponentSet{0, 1, 2}), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(*attribution::jaccard(ComponentSet{4, 5}, ComponentSet{5, 4}), 1.0);
  EXPECT_DOUBLE_EQ(*attribution::jaccard(ComponentSet{0, 1}, ComponentSet{2, 3}), 0.0);
}

TEST(Ch11Ex1Jaccard, ReadsItsArgumentsAsSets) {
  // Repeats count once: {1, 1, 2} is {1, 2}.
  EXPECT_DOUBLE_EQ(*attribution::jaccard(ComponentSet{1, 1, 2}, ComponentSet{2, 3}), 1.0 / 3.0);
}

TEST(Ch11Ex1Jaccard, SymmetricAndInTheUnitInterval) {
  const std::vector<ComponentSet> sets = {{}, {0}, {1, 2}, {0, 1, 2, 3}, {3, 5}, {2, 3, 4}};
  for (const ComponentSet& a : sets)
    for (const ComponentSet& b : sets) {
      const auto ab = attribution::jaccard(a, b), ba = attribution::jaccard(b, a);
      ASSERT_EQ(ab.has_value(), ba.has_value());
      if (!ab) continue;
      EXPECT_EQ(*ab, *ba);
      EXPECT_GE(*ab, 0.0);
      EXPECT_LE(*ab, 1.0);
      EXPECT_EQ(*ab == 1.0, a == b);
    }
}

TEST(Ch11Ex1Jaccard, BothEmptyIsUndefinedOneEmptyIsZero) {
  EXPECT_EQ(attribution::jaccard(ComponentSet{}, ComponentSet{}), std::nullopt);
  EXPECT_DOUBLE_EQ(*attribution::jaccard(ComponentSet{}, ComponentSet{3}), 0.0);
  EXPECT_DOUBLE_EQ(*attribution::jaccard(ComponentSet{3}, ComponentSet{}), 0.0);
}

TEST(Ch11Ex2TopFraction, ByMagnitudeLargestAndSmallest) {
  const std::vector<double> scores = {0.1, -0.9, 0.5, 0.2};
  // ceil(0.5 * 4) = 2 components.
  EXPECT_EQ(attribution::top_fraction(scores, 0.5), (ComponentSet{1, 2}));
  EXPECT_EQ(attribution::top_fraction(scores, 0.5, Selection::largest), (ComponentSet{2, 3}));
  // Only one score is negative: smallest takes no positive one.
  EXPECT_EQ(attribution::top_fraction(scores, 0.5, Selection::smallest), (ComponentSet{1}));
  EXPECT_EQ(attribution::top_fraction(scores, 1.0), (ComponentSet{0, 1, 2, 3}));
  EXPECT_EQ(attribution::top_fraction(scores, 0.0), ComponentSet{});
}

TEST(Ch11Ex2TopFraction, CountRoundsUpAndTiesGoToTheLowerIndex) {
  const std::vector<double> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  // 0.3 * 10 is 3.0000000000000004 in doubles: still 3 components, the three largest.
  EXPECT_EQ(attribution::top_fraction(ten, 0.3), (ComponentSet{7, 8, 9}));
  // ceil(0.25 * 10) = 3; ceil(0.01 * 10) = 1.
  EXPECT_EQ(attribution::top_fraction(ten, 0.25).size(), 3U);
  EXPECT_EQ(attribution::top_fraction(ten, 0.01), (ComponentSet{9}));
  const std::vector<double> tied = {2.0, -2.0, 2.0, 1.0, 2.0};
  EXPECT_EQ(attribution::top_fraction(tied, 0.4), (ComponentSet{0, 1}));
  EXPECT_EQ(attribution::top_fraction(tied, 0.4, Selection::largest), (ComponentSet{0, 2}));
}

TEST(Ch11Ex2TopFraction, ZeroScoresAreNeverPickedAndSignsStayApart) {
  EXPECT_EQ(attribution::top_fraction(std::vector<double>{0.0, 0.0, 0.0}, 0.5), ComponentSet{});
  EXPECT_EQ(attribution::top_fraction(std::vector<double>{0.0, -1.0, 0.0}, 1.0, Selection::largest),
            ComponentSet{});
  // The study's |.| made its AND and OR sets one set; by sign they never share a component.
  const std::vector<double> asymmetry = {0.9, -0.8, 0.1, -0.2, 0.7, -0.95};
  const ComponentSet and_like = attribution::top_fraction(asymmetry, 0.5, Selection::largest);
  const ComponentSet or_like = attribution::top_fraction(asymmetry, 0.5, Selection::smallest);
  EXPECT_EQ(and_like, (ComponentSet{0, 2, 4}));
  EXPECT_EQ(or_like, (ComponentSet{1, 3, 5}));
}

TEST(Ch11Ex2TopFraction, RejectsBadFractionsAndScores) {
  const std::vector<double> scores = {1.0, 2.0};
  EXPECT_THROW(attribution::top_fraction(scores, 1.5), std::invalid_argument);
  EXPECT_THROW(attribution::top_fraction(scores, -0.1), std::invalid_argument);
  EXPECT_THROW(attribution::top_fraction(scores, std::nan("")), std::invalid_argument);
  EXPECT_THROW(attribution::top_fraction(std::vector<double>{1.0, std::nan("")}, 0.5),
               std::invalid_argument);
  // And the good ones pass: ceil(0.5 * 2) = 1, the larger.
  EXPECT_EQ(attribution::top_fraction(scores, 0.5), (ComponentSet{1}));
}

}  // namespace
