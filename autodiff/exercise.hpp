// What an unfinished exercise throws: the student edition's stubs (make student).
//
// Each implementation exercise's solution lies between two marker lines in the library:
//
//   // BEGIN EXERCISE 4.2 [rule, steps]
//   ...the solution...
//   // END EXERCISE 4.2
//
// The student edition keeps both lines and puts one call between them:
//
//   exercise::not_done("4.2", "the IG sum along the path in attribution/integrated_gradients.cpp",
//                      rule, steps);
//
// which throws exercise::NotDone. The names in brackets on the BEGIN line, passed after the
// message, are the ones only the solution used: naming them keeps the stub free of -Wunused
// warnings. Replace the call by your code; chapters/exercises.md lists the exercises, and each
// chapter's README has the task and a hint.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace exercise {

// A std::logic_error: the program is not finished, and no input could make this call succeed.
class NotDone : public std::logic_error {
 public:
  NotDone(std::string id, const std::string& what)
      : std::logic_error("exercise " + id + " is not done yet: " + what), id_(std::move(id)) {}
  const std::string& id() const { return id_; }

 private:
  std::string id_;
};

// A program that ends on a NotDone nobody caught names the exercise and exits with this status,
// so that it reads as "not done", never as a crash.
inline constexpr int not_done_exit_status = 3;

// The exercise a stub was last reached for in this process, "" if none. The test runner
// (tests/course/runner.cpp) reports a test that reached one as NOT DONE, whatever the test did
// with the exception.
inline std::string& last_reached() {
  static std::string id;
  return id;
}

namespace detail {

inline std::terminate_handler previous_terminate = nullptr;

[[noreturn]] inline void report_uncaught_not_done() {
  if (const std::exception_ptr current = std::current_exception()) {
    try {
      std::rethrow_exception(current);
    } catch (const NotDone& error) {
      std::fflush(stdout);
      std::fprintf(stderr, "%s (chapters/exercises.md lists the exercises)\n", error.what());
      std::_Exit(not_done_exit_status);
    } catch (...) {
    }
  }
  if (previous_terminate != nullptr) previous_terminate();
  std::abort();
}

}  // namespace detail

// The stub: records the exercise and throws NotDone("exercise <id> is not done yet: <what>").
template <class... Unused>
[[noreturn]] void not_done(const char* id, const char* what, const Unused&... /*unused*/) {
  last_reached() = id;
  static const bool installed = [] {
    detail::previous_terminate = std::set_terminate(detail::report_uncaught_not_done);
    return true;
  }();
  (void)installed;
  throw NotDone(id, what);
}

}  // namespace exercise
