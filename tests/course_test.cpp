// The course tooling: the markers and the student edition's stubs, the chapter-order check, the
// grader, the stub's exception and the tolerant comparison of a chapter's output with its README.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "autodiff/exercise.hpp"
#include "latent/json.hpp"
#include "tests/chapter_output.hpp"
#include "tests/course/checks.hpp"
#include "tests/course/edition.hpp"
#include "tests/course/grading.hpp"
#include "tests/course/markers.hpp"
#include "tests/course/table.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
using test_support::contains;

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const course::Error& error) {
    return error.what();
  }
  return "";
}

// Marker lines are assembled here so that this file holds none of its own.
std::string begin(const std::string& rest) { return "  // BEGIN EXERCISE " + rest + "\n"; }
std::string end(const std::string& id) { return "  // END EXERCISE " + id + "\n"; }

const std::string exercises_md =
    "| id | exercise | file | points | difficulty | importance | minutes |\n"
    "|----|----------|------|--------|------------|------------|---------|\n"
    "| 1.1 | the sum | lib/one.cpp | 3 | 2 | 4 | 20 |\n"
    "| 2.1 | the product | lib/two.cpp | 2 | 1 | 5 | 10 |\n";

const std::string files_mk =
    "chapters := ch01 ch02\n"
    "ch01.library := lib/one.hpp lib/one.cpp\n"
    "ch01.program := chapters/01-one/README.md\n"
    "ch02.library := lib/two.cpp \\\n"
    "                lib/two.hpp\n"
    "ch02.program := chapters/02-two/README.md\n"
    "tool.code := tools/tool.cpp\n";

const std::string one_cpp = "#include \"lib/one.hpp\"\n\nint sum(int a, int b) {\n" +
                            begin("1.1 [a, b]") + "  return a + b;\n" + end("1.1") + "}\n";

// A small course in a fresh folder: two chapters, one exercise each.
struct Course {
  fs::path root =
      fs::temp_directory_path() /
      ("latent-course-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  Course() {
    fs::remove_all(root);
    write("chapters/files.mk", files_mk);
    write("chapters/exercises.md", exercises_md);
    write("lib/one.hpp", "#pragma once\nint sum(int a, int b);\n");
    write("lib/one.cpp", one_cpp);
    write("lib/two.hpp", "#pragma once\n#include \"lib/one.hpp\"\n");
    write("lib/two.cpp", "#include \"lib/two.hpp\"\n\nint product(int a, int b) {\n" +
                             begin("2.1") + "  return a * b;\n" + end("2.1") + "}\n");
    write("tools/tool.cpp", "#include \"lib/two.hpp\"\n");
    write("chapters/01-one/README.md",
          "### Exercise 1.1: the sum\n" + table().exercises[0].readme_line() + "\n");
    write("chapters/02-two/README.md",
          "### Exercise 2.1: the product\n\n" + table().exercises[1].readme_line() + "\n");
  }
  ~Course() { fs::remove_all(root); }
  void write(const std::string& file, const std::string& text) const {
    fs::create_directories((root / file).parent_path());
    std::ofstream(root / file, std::ios::binary) << text;
  }
  course::Table table() const { return course::read_table(root); }
  std::vector<std::string> problems(std::size_t through = 3) const {
    return course::check_repository(root, table(), through);
  }
};

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

TEST(CourseMarkers, FindsEachRegionWithItsNames) {
  const auto regions = course::find_regions(one_cpp, "lib/one.cpp");
  ASSERT_EQ(regions.size(), 1u);
  EXPECT_EQ(regions[0].id, "1.1");
  EXPECT_EQ(regions[0].begin_line, 4u);
  EXPECT_EQ(regions[0].end_line, 6u);
  EXPECT_EQ(regions[0].uses, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(one_cpp.substr(regions[0].body_begin, regions[0].body_end - regions[0].body_begin),
            "  return a + b;\n");
}

TEST(CourseMarkers, BadMarkersAreErrorsNamingFileAndLine) {
  auto error = [](const std::string& text) {
    return error_of([&] { course::find_regions(text, "f.cpp"); });
  };
  EXPECT_TRUE(contains(error("x\n" + end("1.1")), "f.cpp:2: END EXERCISE 1.1 without a BEGIN"))
      << error("x\n" + end("1.1"));
  EXPECT_TRUE(contains(error(begin("1.1") + "x\n" + begin("1.2")),
                       "f.cpp:3: BEGIN EXERCISE 1.2 inside exercise 1.1"));
  EXPECT_TRUE(
      contains(error(begin("1.1") + "x\n"), "f.cpp:1: exercise 1.1 has no END EXERCISE line"));
  EXPECT_TRUE(contains(error(begin("1.1") + "x\n" + end("1.2")),
                       "f.cpp:3: END EXERCISE 1.2 closes exercise 1.1"));
  EXPECT_TRUE(
      contains(error(begin("1.1") + end("1.1")), "f.cpp:2: exercise 1.1's region is empty"));
  EXPECT_TRUE(
      contains(error(begin("one") + "x\n" + end("one")), "f.cpp:1: 'one' is not an exercise id"));
  EXPECT_TRUE(
      contains(error(begin("1.1 a, b") + "x\n" + end("1.1")), "f.cpp:1: unexpected 'a, b'"));
  EXPECT_TRUE(contains(error("  //BEGIN EXERCISE 1.1\n"), "f.cpp:1: a marker is written"));
  EXPECT_TRUE(contains(error("  // BEGIN EXERCISE\n"), "f.cpp:1: the marker names no exercise"));
  // A marker quoted inside a comment is not one.
  EXPECT_EQ(error("//   // BEGIN EXERCISE 4.2 [rule]\n"), "");
}

TEST(CourseMarkers, TheStubCompilesToOneCallAndRestoringGivesTheFileBack) {
  const Course c;
  const course::Table table = c.table();
  const auto regions = course::find_regions(one_cpp, "lib/one.cpp");
  const std::string student = course::student_text(one_cpp, "lib/one.cpp", regions, table);
  EXPECT_EQ(student, std::string(course::stub_include) +
                         "\n#include \"lib/one.hpp\"\n\nint sum(int a, int b) {\n" +
                         begin("1.1 [a, b]") +
                         "  exercise::not_done(\"1.1\", \"the sum in lib/one.cpp\", a, b);\n" +
                         end("1.1") + "}\n");
  EXPECT_EQ(course::restore(student, one_cpp, "lib/one.cpp"), one_cpp);
  // A student's own code between the markers is what restore replaces.
  const std::string edited = course::restore(student, one_cpp, "lib/one.cpp");
  EXPECT_TRUE(contains(error_of([&] { course::restore(student, "int x;\n", "lib/one.cpp"); }),
                       "the student edition has 1 exercise regions, the solution 0"));
  EXPECT_EQ(edited, one_cpp);
}

TEST(CourseChecks, ASoundCourseHasNoProblems) {
  const Course c;
  EXPECT_EQ(joined(c.problems()), "");
}

TEST(CourseChecks, AnIncludeOfALaterChapterNamesBothFiles) {
  const Course c;
  c.write("lib/one.hpp", "#pragma once\n#include \"lib/two.hpp\"\nint sum(int a, int b);\n");
  EXPECT_TRUE(contains(joined(c.problems()),
                       "lib/one.hpp:2: lib/one.hpp (chapter 1) includes lib/two.hpp (chapter 2)"))
      << joined(c.problems());
  // Checking chapter 1 alone sees it too; a broken chapter 2 alone would not stop chapter 1.
  EXPECT_TRUE(contains(joined(c.problems(1)), "includes lib/two.hpp (chapter 2)"));
  c.write("lib/one.hpp", "#pragma once\nint sum(int a, int b);\n");
  c.write("lib/two.cpp", "#include \"tools/tool.cpp\"\n" + begin("2.2") + "x\n" + end("2.2"));
  EXPECT_EQ(joined(c.problems(1)), "");
  const std::string all = joined(c.problems());
  EXPECT_TRUE(
      contains(all, "lib/two.cpp:1: lib/two.cpp (chapter 2) includes tools/tool.cpp (the tools)"))
      << all;
  EXPECT_TRUE(contains(all, "lib/two.cpp:2: exercise 2.2 is not in chapters/exercises.md")) << all;
  EXPECT_TRUE(contains(all, "lib/two.cpp: no region for exercise 2.1")) << all;
}

TEST(CourseChecks, RepeatedMisplacedAndUnlistedMarkersAreErrors) {
  const Course c;
  c.write("lib/one.hpp", "#pragma once\n" + begin("1.1") + "int sum(int a, int b);\n" + end("1.1"));
  c.write("lib/stray.cpp", begin("2.1") + "x\n" + end("2.1"));
  const std::string all = joined(c.problems());
  EXPECT_TRUE(contains(all,
                       "lib/one.hpp:2: exercise 1.1 is marked here, but chapters/exercises.md puts "
                       "it in lib/one.cpp"))
      << all;
  EXPECT_TRUE(contains(all, "lib/one.cpp:4: exercise 1.1 is marked twice (first at lib/one.hpp:2)"))
      << all;
  EXPECT_TRUE(contains(all, "lib/stray.cpp: has exercise markers but no chapter lists it")) << all;
}

TEST(CourseChecks, TheReadmeRatingsLineMustMatchTheTable) {
  const Course c;
  c.write("chapters/01-one/README.md",
          "### Exercise 1.1: the sum\n**3 points** · difficulty 5/5\n");
  EXPECT_TRUE(contains(
      joined(c.problems()),
      "chapters/01-one/README.md:1: under '### Exercise 1.1: the sum' the ratings line must read"));
  c.write("chapters/01-one/README.md", "### Exercise 1.1: a sum\n");
  EXPECT_TRUE(contains(joined(c.problems()), "no heading '### Exercise 1.1: the sum'"));
  EXPECT_EQ(
      c.table().exercises[0].readme_line(),
      "**3 points** \u00b7 difficulty 2/5 \u00b7 importance 4/5 \u00b7 about 20 minutes \u00b7 in "
      "`lib/one.cpp` \u00b7 tests `Ch01Ex1*`");
}

TEST(CourseTables, BadRowsAreErrorsNamingFileAndLine) {
  EXPECT_TRUE(contains(error_of([] { course::parse_make_rows("a := b\nno assignment\n", "f.mk"); }),
                       "f.mk:2: expected 'name := files'"));
  EXPECT_TRUE(contains(error_of([] { course::parse_make_rows("a := b \\\n", "f.mk"); }),
                       "f.mk:1: the row ends in '\\'"));
  EXPECT_TRUE(contains(error_of([] { course::parse_make_rows("a := b\na := c\n", "f.mk"); }),
                       "f.mk:2: row a appears twice"));
  const std::string header = exercises_md.substr(0, exercises_md.find("| 1.1"));
  EXPECT_TRUE(contains(error_of([&] {
                         course::parse_exercises(header + "| 1.1 | t | f | 3 | 6 | 1 | 1 |\n",
                                                 "e.md");
                       }),
                       "e.md:3: difficulty is '6'; expected a whole number from 1 to 5"));
  EXPECT_TRUE(
      contains(error_of([&] { course::parse_exercises(header + "| 1.1 | t | f | 3 |\n", "e.md"); }),
               "e.md:3: a row has 4 cells"));
  EXPECT_TRUE(contains(error_of([&] {
                         course::parse_exercises(exercises_md + "| 1.1 | t | f | 3 | 1 | 1 | 1 |\n",
                                                 "e.md");
                       }),
                       "e.md:5: exercise 1.1 is listed twice"));
}

TEST(CourseEdition, TheStudentEditionStubsEveryRegionAndRestoresByteForByte) {
  const Course c;
  c.write("docs/instructors.md", "the answers\n");
  c.write("chapters/files.mk", files_mk + "instructor.files := docs/instructors.md\n");
  const fs::path edition = c.root / "student";
  const course::EditionSummary summary = course::write_student_edition(c.root, c.table(), edition);
  EXPECT_EQ(summary.stubs, 2u);
  EXPECT_FALSE(fs::exists(edition / "docs/instructors.md"));
  EXPECT_TRUE(contains(course::read_text(edition / "lib/two.cpp"),
                       "exercise::not_done(\"2.1\", \"the product in lib/two.cpp\");"));
  EXPECT_EQ(joined(course::compare_restored(c.root, c.table(), edition)), "");
  // A student's work is not the solution; an edition is never overwritten.
  c.write("student/lib/one.cpp", course::read_text(edition / "lib/one.cpp") + "// mine\n");
  EXPECT_TRUE(
      contains(joined(course::compare_restored(c.root, c.table(), edition)), "lib/one.cpp:"));
  EXPECT_TRUE(contains(error_of([&] { course::write_student_edition(c.root, c.table(), edition); }),
                       "already exists and is not an empty folder"));
}

TEST(CourseEdition, ARepositoryThatFailsItsChecksGetsNoEdition) {
  const Course c;
  c.write("lib/one.cpp", begin("1.1") + "x\n");
  const std::string message =
      error_of([&] { course::write_student_edition(c.root, c.table(), c.root / "s"); });
  EXPECT_TRUE(contains(message, "lib/one.cpp:1: exercise 1.1 has no END EXERCISE line")) << message;
  EXPECT_FALSE(fs::exists(c.root / "s"));
}

course::TestResult result(const std::string& suite, course::Outcome outcome,
                          const std::string& message = "") {
  return {suite, "Works", outcome, message};
}

TEST(CourseGrading, AnExerciseScoresItsPointsOnlyWhenEveryTestPasses) {
  const Course c;
  const course::Table table = c.table();
  using course::Outcome;
  const std::vector<course::TestResult> results = {
      result("Ch01Ex1Sum", Outcome::ok), result("Ch01Ex1SumHidden", Outcome::ok),
      result("Ch01Ex10Other", Outcome::failed),  // not exercise 1.1's
      result("Ch02Ex1Product", Outcome::not_done, "reaches exercise 2.1, which is not done yet")};
  const auto grades = course::grade(table, results, {}, {});
  ASSERT_EQ(grades.size(), 2u);
  EXPECT_EQ(grades[0].outcome, Outcome::ok);
  EXPECT_EQ(grades[0].score, 3);
  EXPECT_EQ(grades[1].outcome, Outcome::not_done);
  EXPECT_EQ(grades[1].score, 0);
  EXPECT_EQ(course::grade_report(grades).substr(course::grade_report(grades).rfind("Score")),
            "Score: 3/5\n");

  auto one = [&](std::vector<course::TestResult> r,
                 const std::map<std::size_t, std::string>& unbuilt = {}) {
    return course::grade(table, r, {1}, unbuilt).at(0);
  };
  EXPECT_EQ(one({result("Ch01Ex1Sum", Outcome::ok), result("Ch01Ex1Sum", Outcome::failed, "wrong")})
                .outcome,
            Outcome::failed);
  EXPECT_EQ(
      one({result("Ch01Ex1Sum", Outcome::not_done), result("Ch01Ex1Sum", Outcome::failed)}).outcome,
      Outcome::failed);
  EXPECT_EQ(one({result("Ch01Ex1Sum", Outcome::skipped)}).outcome, Outcome::failed);
  EXPECT_TRUE(contains(one({}).output, "no tests found"));
  EXPECT_EQ(one({result("Ch01Ex1Sum", Outcome::ok)}, {{1, "did not build"}}).output,
            "did not build");
}

TEST(CourseGrading, GradescopeResultsAreJsonWithEveryExercise) {
  const Course c;
  const auto grades = course::grade(c.table(), {result("Ch01Ex1Sum", course::Outcome::ok)}, {}, {});
  const latent::Json json = latent::Json::parse(course::gradescope_json(grades));
  EXPECT_EQ(*json.find("score")->number(), 3.0);
  const auto* tests = json.find("tests")->get<latent::Json::Array>();
  ASSERT_EQ(tests->size(), 2u);
  EXPECT_EQ(*(*tests)[0].find("name")->get<std::string>(), "1.1 the sum");
  EXPECT_EQ(*(*tests)[0].find("max_score")->number(), 3.0);
  EXPECT_EQ(*(*tests)[1].find("score")->number(), 0.0);
  EXPECT_EQ(*(*tests)[1].find("status")->get<std::string>(), "failed");
}

TEST(CourseGrading, ResultLinesKeepMessagesWhole) {
  const course::TestResult r{"Suite", "Name", course::Outcome::failed, "a\\b\n\tc"};
  const auto back = course::parse_results(course::results_line(r), "r");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].suite, "Suite");
  EXPECT_EQ(back[0].name, "Name");
  EXPECT_EQ(back[0].outcome, course::Outcome::failed);
  EXPECT_EQ(back[0].message, r.message);
  EXPECT_TRUE(contains(error_of([] { course::parse_results("OK no tabs\n", "r"); }),
                       "r:1: not a test result line"));
}

TEST(CourseStub, NotDoneNamesTheExerciseAndIsRecorded) {
  std::string message;
  try {
    exercise::not_done("4.2", "the IG sum in attribution/integrated_gradients.cpp", message);
  } catch (const exercise::NotDone& error) {
    message = error.what();
    EXPECT_EQ(error.id(), "4.2");
  }
  EXPECT_EQ(message,
            "exercise 4.2 is not done yet: the IG sum in attribution/integrated_gradients.cpp");
  EXPECT_EQ(exercise::last_reached(), "4.2");
  exercise::last_reached().clear();  // or the runner would report this test NOT DONE
}

TEST(CourseChapterOutput, NumbersAgreeToOneUnitInTheirLastPrintedDigit) {
  using chapter_output::first_difference;
  EXPECT_FALSE(first_difference("score 0.1818\n", "score 0.1819\n"));
  EXPECT_TRUE(first_difference("score 0.1818\n", "score 0.1820\n"));
  EXPECT_FALSE(first_difference("delta 2.2e-16\n", "delta -4.4e-16\n"));
  EXPECT_FALSE(first_difference("x = -0.0000\n", "x =  0.0000\n"));
  EXPECT_TRUE(first_difference("epochs 1000\n", "epochs 1001\n"));
  EXPECT_TRUE(first_difference("seed 8 ch04\n", "seed 8 ch05\n"));
  EXPECT_TRUE(first_difference("a\nb\n", "a\n"));
  EXPECT_FALSE(first_difference("[1, 0]  9.99\n", "[1, 0] 10.00\n"));
  EXPECT_EQ(*first_difference("a 1.5\n", "b 1.5\n"), "line 1:\n  README:  a 1.5\n  program: b 1.5");
}

}  // namespace
