// The checks `course check` makes on the repository, and the walk over its files they share with
// the student edition.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/course/table.hpp"

namespace course {

// Every problem found in the files of chapters 1..`through` (through = chapters + 1: the tools too;
// then also every source file no row lists and every exercise without a region). Empty: all well.
//  - a listed file that does not exist (the instructor's files may be absent: a student edition);
//  - an #include "x" of a file no row lists, or of a later chapter's file (or of a tool's, from a
//    chapter), naming both files and both chapters;
//  - a malformed, unbalanced or nested marker, an unknown or repeated exercise id, a region in
//    another file than chapters/exercises.md says, a marker in a file no chapter lists;
//  - a chapter README whose heading or ratings line for an exercise disagrees with the table.
std::vector<std::string> check_repository(const std::filesystem::path& root, const Table& table,
                                          std::size_t through);

// The repository's files, relative to root, sorted: everything but .git, the build folder and any
// folder that holds a course of its own (a student edition written inside the repository).
std::vector<std::string> repository_files(const std::filesystem::path& root);

bool is_source(const std::string& file);  // .cpp or .hpp

}  // namespace course
