// course: the tool behind make student, make grade and the build's chapter-order check.
//
//   course check [--through chNN]       the repository's checks (tests/course/checks.hpp)
//   course student DIR                  write the student edition into DIR
//   course compare-restored DIR         DIR with the solutions put back == this repository?
//   course grade RESULTS [--chapter chNN] [--gradescope FILE]
//                                       grade from the runner's results (RESULTS/chNN.results,
//                                       RESULTS/*.results); exit 0 only at full marks
//
// It runs from the repository's root (make does). Exit status: 0 all well, 1 a check, comparison
// or grade fell short, 2 a usage error or a file that cannot be read or written.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/course/checks.hpp"
#include "tests/course/edition.hpp"
#include "tests/course/grading.hpp"
#include "tests/course/table.hpp"

namespace {

namespace fs = std::filesystem;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr const char* usage =
    "usage: course check [--through chNN]\n"
    "       course student DIR\n"
    "       course compare-restored DIR\n"
    "       course grade RESULTS_DIR [--chapter chNN] [--gradescope FILE]\n";

int report_problems(const std::vector<std::string>& problems, const char* what) {
  for (const std::string& problem : problems) std::fprintf(stderr, "%s\n", problem.c_str());
  if (!problems.empty()) std::fprintf(stderr, "course: %zu %s\n", problems.size(), what);
  return problems.empty() ? 0 : 1;
}

int check(const course::Table& table, const std::vector<std::string>& args) {
  std::size_t through = table.last_chapter() + 1;
  if (args.size() == 2 && args[0] == "--through")
    through = table.chapter_rank(args[1]);
  else if (!args.empty())
    throw UsageError("course check: unexpected arguments");
  return report_problems(
      course::check_repository(".", table, through),
      "problem(s) in the course's files (chapters/files.mk, chapters/exercises.md)");
}

int student(const course::Table& table, const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0].empty())
    throw UsageError("course student: give the folder to write (DIR=path)");
  const course::EditionSummary summary = course::write_student_edition(".", table, args[0]);
  std::printf("student edition written to %s: %zu files, %zu exercises stubbed\n", args[0].c_str(),
              summary.files, summary.stubs);
  return 0;
}

int compare_restored(const course::Table& table, const std::vector<std::string>& args) {
  if (args.size() != 1)
    throw UsageError("course compare-restored: give the student edition's folder");
  const int status = report_problems(course::compare_restored(".", table, args[0]),
                                     "difference(s) after putting the solutions back");
  if (status == 0)
    std::printf("%s with every solution put back is this repository, byte for byte\n",
                args[0].c_str());
  return status;
}

int grade(const course::Table& table, const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("course grade: give the folder of results");
  const fs::path folder = args[0];
  std::vector<std::size_t> chapters;
  std::string gradescope;
  bool hidden = false;
  for (std::size_t i = 1; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) throw UsageError("course grade: " + args[i] + " needs a value");
    if (args[i] == "--chapter")
      chapters.push_back(table.chapter_rank(args[i + 1]));
    else if (args[i] == "--gradescope")
      gradescope = args[i + 1];
    else if (args[i] == "--expect" && args[i + 1] == "hidden")
      hidden = true;
    else
      throw UsageError("course grade: unknown option " + args[i] + " " + args[i + 1]);
  }
  std::vector<course::TestResult> results;
  std::map<std::size_t, std::string> unbuilt;
  for (const std::string& id : table.chapters) {
    const std::size_t c = table.chapter_rank(id);
    if (hidden && !fs::exists(folder / "hidden.results"))
      unbuilt[c] = "the hidden tests did not build or did not finish (" +
                   (folder / "hidden.log").string() + ", " + (folder / "build.log").string() + ")";
    else if (!fs::exists(folder / (id + ".results")))
      unbuilt[c] = "chapter " + std::to_string(c) +
                   "'s tests did not build or did not finish: run make test-" + id + " to see why";
  }
  if (fs::exists(folder))
    for (const auto& entry : fs::directory_iterator(folder))
      if (entry.path().extension() == ".results") {
        const auto more =
            course::parse_results(course::read_text(entry.path()), entry.path().string());
        results.insert(results.end(), more.begin(), more.end());
      }
  const std::vector<course::Grade> grades = course::grade(table, results, chapters, unbuilt);
  std::fputs(course::grade_report(grades).c_str(), stdout);
  if (!gradescope.empty()) {
    std::ofstream out(gradescope, std::ios::binary);
    out << course::gradescope_json(grades);
    out.close();
    if (!out) throw course::Error("cannot write " + gradescope);
    std::printf("Gradescope results written to %s\n", gradescope.c_str());
  }
  for (const course::Grade& g : grades)
    if (g.score < g.exercise.points) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  try {
    if (words.empty()) throw UsageError("course: no command");
    const course::Table table = course::read_table(".");
    const std::vector<std::string> args(words.begin() + 1, words.end());
    if (words[0] == "check") return check(table, args);
    if (words[0] == "student") return student(table, args);
    if (words[0] == "compare-restored") return compare_restored(table, args);
    if (words[0] == "grade") return grade(table, args);
    throw UsageError("course: unknown command '" + words[0] + "'");
  } catch (const UsageError& error) {
    std::fprintf(stderr, "%s\n%s", error.what(), usage);
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "course: %s\n", error.what());
    return 2;
  }
}
