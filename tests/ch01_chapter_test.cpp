// Chapter 1's README shows exactly what the program prints.
#include "tests/chapter_output.hpp"

#include <gtest/gtest.h>

TEST(Ch01Chapter, ReadmeShowsTheProgramOutput) {
  EXPECT_EQ(chapter_output::readme_expected_output("chapters/01-autodiff/README.md"),
            chapter_output::program_output("ch01"));
}
