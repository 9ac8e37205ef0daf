// The tests' main(): GoogleTest's, except that a test reaching an unfinished exercise (a stub of
// the student edition, autodiff/exercise.hpp) is reported NOT DONE, naming the exercise, instead of
// FAILED, whatever the test did with the exception. The program exits 0 when no test failed for
// any other reason, so that in the student edition `make test` runs everything it can.
//
//   build/test-ch04 [GoogleTest's flags] [--results=FILE]
//
// --results writes one line per test for the grader (tests/course/grading.hpp).
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "autodiff/exercise.hpp"
#include "tests/course/grading.hpp"

#include <gtest/gtest.h>

namespace {

using course::Outcome;

// Wraps GoogleTest's own printer: passes every event on, except the failures of a test that
// reached a stub, its FAILED line and the closing summary, which it writes itself.
class NotDonePrinter : public testing::TestEventListener {
 public:
  explicit NotDonePrinter(testing::TestEventListener* printer) : printer_(printer) {}

  const std::vector<course::TestResult>& results() const { return results_; }
  bool any_failed() const { return failed_ > 0; }

  void OnTestProgramStart(const testing::UnitTest& unit) override {
    printer_->OnTestProgramStart(unit);
  }
  void OnTestIterationStart(const testing::UnitTest& unit, int iteration) override {
    printer_->OnTestIterationStart(unit, iteration);
  }
  void OnEnvironmentsSetUpStart(const testing::UnitTest& unit) override {
    printer_->OnEnvironmentsSetUpStart(unit);
  }
  void OnEnvironmentsSetUpEnd(const testing::UnitTest& unit) override {
    printer_->OnEnvironmentsSetUpEnd(unit);
  }
  void OnTestSuiteStart(const testing::TestSuite& suite) override {
    printer_->OnTestSuiteStart(suite);
  }
  void OnTestStart(const testing::TestInfo& test) override {
    exercise::last_reached().clear();
    messages_.clear();
    printer_->OnTestStart(test);
  }
  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (result.failed()) {
      const char* file = result.file_name();
      messages_ +=
          (file != nullptr ? std::string(file) + ":" + std::to_string(result.line_number()) + ": "
                           : "") +
          result.message() + "\n";
    }
    if (exercise::last_reached().empty()) printer_->OnTestPartResult(result);
  }
  void OnTestEnd(const testing::TestInfo& test) override {
    course::TestResult result{test.test_suite_name(), test.name(), Outcome::ok, ""};
    const std::string& reached = exercise::last_reached();
    if (!reached.empty()) {
      result.outcome = Outcome::not_done;
      result.message = "reaches exercise " + reached + ", which is not done yet";
      std::printf("[ NOT DONE ] %s.%s: %s\n", result.suite.c_str(), result.name.c_str(),
                  result.message.c_str());
      not_done_exercises_.insert(reached);
      ++not_done_;
    } else {
      if (test.result()->Failed()) {
        result.outcome = Outcome::failed;
        result.message = messages_;
        failed_names_.push_back(result.suite + "." + result.name);
        ++failed_;
      } else if (test.result()->Skipped()) {
        result.outcome = Outcome::skipped;
        ++skipped_;
      } else {
        ++passed_;
      }
      printer_->OnTestEnd(test);
    }
    results_.push_back(result);
  }
  void OnTestSuiteEnd(const testing::TestSuite& suite) override { printer_->OnTestSuiteEnd(suite); }
  void OnEnvironmentsTearDownStart(const testing::UnitTest& unit) override {
    printer_->OnEnvironmentsTearDownStart(unit);
  }
  void OnEnvironmentsTearDownEnd(const testing::UnitTest& unit) override {
    printer_->OnEnvironmentsTearDownEnd(unit);
  }
  void OnTestIterationEnd(const testing::UnitTest& unit, int /*iteration*/) override {
    std::printf("[==========] %d tests from %d test suites ran. (%lld ms total)\n",
                unit.test_to_run_count(), unit.test_suite_to_run_count(),
                static_cast<long long>(unit.elapsed_time()));
    std::printf("[  PASSED  ] %d tests.\n", passed_);
    if (skipped_ > 0) std::printf("[  SKIPPED ] %d tests.\n", skipped_);
    if (not_done_ > 0) {
      std::string ids;
      for (const std::string& id : not_done_exercises_) ids += (ids.empty() ? "" : ", ") + id;
      std::printf("[ NOT DONE ] %d tests reach an exercise not done yet: %s\n", not_done_,
                  ids.c_str());
    }
    if (failed_ > 0) {
      std::printf("[  FAILED  ] %d tests, listed below:\n", failed_);
      for (const std::string& name : failed_names_) std::printf("[  FAILED  ] %s\n", name.c_str());
    }
    std::fflush(stdout);
  }
  void OnTestProgramEnd(const testing::UnitTest& unit) override {
    printer_->OnTestProgramEnd(unit);
  }

 private:
  std::unique_ptr<testing::TestEventListener> printer_;
  std::vector<course::TestResult> results_;
  std::string messages_;
  std::set<std::string> not_done_exercises_;
  std::vector<std::string> failed_names_;
  int passed_ = 0, failed_ = 0, skipped_ = 0, not_done_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  std::string results_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("--results=")) {
      results_file = arg.substr(10);
    } else {
      std::fprintf(stderr, "%s: unknown argument '%s' (GoogleTest's flags and --results=FILE)\n",
                   argv[0], arg.c_str());
      return 2;
    }
  }
  testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
  auto* printer = new NotDonePrinter(listeners.Release(listeners.default_result_printer()));
  listeners.Append(printer);  // GoogleTest owns it from here
  // RUN_ALL_TESTS's verdict counts NOT DONE as failed; ours does not.
  [[maybe_unused]] const int googletest_verdict = RUN_ALL_TESTS();
  if (!results_file.empty()) {
    std::ofstream out(results_file, std::ios::binary);
    for (const course::TestResult& result : printer->results()) out << course::results_line(result);
    out.close();
    if (!out) {
      std::fprintf(stderr, "%s: cannot write %s\n", argv[0], results_file.c_str());
      return 2;
    }
  }
  return printer->any_failed() ? 1 : 0;
}
