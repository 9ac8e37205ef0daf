// Grading: the test runner's results (tests/course/runner.cpp) turned into one line per exercise,
// a score, and Gradescope's results.json.
//
// An exercise's tests are the suites named ChNNExK<Name> (Exercise::owns_suite), in the chapter's
// tests and in any hidden tests. It scores all its points when every one of them passed; NOT DONE
// when one reached an unfinished exercise; FAIL when one failed or was skipped, when there are
// none, or when its chapter's tests did not build.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/course/table.hpp"

namespace course {

enum class Outcome { ok, not_done, failed, skipped };
const char* outcome_name(Outcome outcome);  // "OK", "NOT DONE", "FAIL", "SKIPPED"

struct TestResult {
  std::string suite, name;  // "Ch04Ex2IgSum", "MatchesTheClosedForm"
  Outcome outcome = Outcome::ok;
  std::string message;  // why it failed, which exercise it reached, or ""
};

// The results file: one line per test, "<outcome>\t<suite>.<name>\t<message>", the message with
// its newlines and backslashes escaped (\n, \\).
std::string results_line(const TestResult& result);
std::vector<TestResult> parse_results(std::string_view text, const std::string& name);

struct Grade {
  Exercise exercise;
  Outcome outcome = Outcome::failed;  // ok, not_done or failed
  int score = 0;
  std::string output;  // what to tell the student
};

// Grades the exercises of `chapters` (ranks; empty: every chapter) from the results of the test
// programs that ran. A chapter in `unbuilt` had no results (its tests did not build, or did not
// finish): its exercises FAIL with the message given.
std::vector<Grade> grade(const Table& table, const std::vector<TestResult>& results,
                         const std::vector<std::size_t>& chapters,
                         const std::map<std::size_t, std::string>& unbuilt);

// One line per exercise, then "Score: x/y".
std::string grade_report(const std::vector<Grade>& grades);
// Gradescope's results.json: {"score": x, "tests": [{"name", "number", "score", "max_score",
// "status", "output"}]}.
std::string gradescope_json(const std::vector<Grade>& grades);

}  // namespace course
