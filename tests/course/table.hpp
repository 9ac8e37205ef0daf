// The course's two tables: chapters/files.mk (which files each chapter introduces) and
// chapters/exercises.md (the implementation exercises, their points and ratings).
//
// Both are read strictly: a line the reader does not understand is an Error naming the file and
// line, so that a typo in a table never quietly drops a file from the build or an exercise from the
// grade.
#pragma once

#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace course {

// Every problem the course tool finds: "path:line: what is wrong".
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Exercise {
  std::string id;     // "4.2"
  int chapter = 0;    // 4
  int number = 0;     // 2
  std::string title;  // "the IG sum along the path"
  std::string file;   // where its region is, "attribution/integrated_gradients.cpp"
  int points = 0, difficulty = 0, importance = 0, minutes = 0;

  // "Ch04Ex2": the tests of exercise 4.2 are the suites named Ch04Ex2 followed by a capital letter.
  std::string suite_prefix() const;
  bool owns_suite(std::string_view suite) const;
  // What its stub says after "exercise 4.2 is not done yet: ".
  std::string stub_message() const { return title + " in " + file; }
  // The ratings line under its heading in the chapter's README.
  std::string readme_line() const;
};

struct Table {
  // "ch01", "ch02", ... in increasing order; a number may be missing (a branch that has
  // chapter 11 before 9 and 10 are merged in).
  std::vector<std::string> chapters;
  // Each row of files.mk, "ch04.library" -> its files, in the order given.
  std::map<std::string, std::vector<std::string>> rows;
  std::vector<Exercise> exercises;

  // Where a file sits in the course: 1 for chapter 1's files ... N for chapter N's (its number),
  // last_chapter() + 1 for the tools (which may use every chapter); std::nullopt for a file no
  // row lists.
  std::optional<std::size_t> rank_of(const std::string& file) const;
  // "chapter 4", "the tools": for messages.
  std::string rank_name(std::size_t rank) const;
  // The chapter whose id is "ch04", as a rank (4); throws Error for an unknown id.
  std::size_t chapter_rank(const std::string& id) const;
  // The highest chapter number: the tools' rank is one more.
  std::size_t last_chapter() const;
  // Files the student edition leaves out (the instructor's answers).
  bool instructor_only(const std::string& file) const;
  const Exercise* exercise(std::string_view id) const;
  // chapters/04-integrated-gradients/README.md for chapter 4 (the README in its program row).
  std::string readme_of(std::size_t chapter) const;
  // Every file any row lists.
  std::vector<std::string> all_files() const;
};

// Reads chapters/files.mk and chapters/exercises.md under `root`.
Table read_table(const std::filesystem::path& root);

// The two readers, on text (for tests); `name` is the file name messages give.
std::map<std::string, std::vector<std::string>> parse_make_rows(std::string_view text,
                                                                const std::string& name);
std::vector<Exercise> parse_exercises(std::string_view text, const std::string& name);

// The parts one after another, for messages built inside loops (one allocation, not one per '+').
std::string join(std::initializer_list<std::string_view> parts);

// A whole file as text; throws Error naming it when it cannot be read.
std::string read_text(const std::filesystem::path& path);

}  // namespace course
