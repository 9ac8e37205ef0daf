// Every chapter's README shows exactly what its program prints (see tests/chapter_output.hpp).
// One suite per chapter, so that `make test-chNN` runs that chapter's check with its other tests.
#include <string>

#include "tests/chapter_output.hpp"

#include <gtest/gtest.h>

namespace {

void expect_readme_matches_program(const std::string& chapter, const std::string& folder) {
  EXPECT_EQ(chapter_output::readme_expected_output("chapters/" + folder + "/README.md"),
            chapter_output::program_output(chapter))
      << "chapters/" << folder << "/README.md no longer shows what " << chapter
      << " prints: run `make " << chapter << "` and update the README's expected output";
}

TEST(Ch01Chapter, ReadmeShowsTheProgramOutput) {
  expect_readme_matches_program("ch01", "01-autodiff");
}
TEST(Ch02Chapter, ReadmeShowsTheProgramOutput) {
  expect_readme_matches_program("ch02", "02-network");
}
TEST(Ch03Chapter, ReadmeShowsTheProgramOutput) {
  expect_readme_matches_program("ch03", "03-training");
}
TEST(Ch04Chapter, ReadmeShowsTheProgramOutput) {
  expect_readme_matches_program("ch04", "04-integrated-gradients");
}
TEST(Ch05Chapter, ReadmeShowsTheProgramOutput) {
  expect_readme_matches_program("ch05", "05-activation-patching");
}
TEST(Ch06Chapter, ReadmeShowsTheProgramOutput) {
  expect_readme_matches_program("ch06", "06-latent-circuits");
}
TEST(Ch07Chapter, ReadmeShowsTheProgramOutput) {
  expect_readme_matches_program("ch07", "07-hidden-layer");
}
TEST(Ch08Chapter, ReadmeShowsTheProgramOutput) {
  expect_readme_matches_program("ch08", "08-more-inputs");
}

}  // namespace
