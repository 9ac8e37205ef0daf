// The student edition: the repository with every exercise's solution replaced by its stub and the
// instructor's files left out (make student DIR=path), and the check that putting the solutions
// back gives the repository again, byte for byte.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/course/table.hpp"

namespace course {

struct EditionSummary {
  std::size_t files = 0;  // files written
  std::size_t stubs = 0;  // regions replaced by stubs
};

// Writes the student edition of the course at `root` into `destination`, which must not exist or
// be an empty folder (an Error otherwise: an old edition is never overwritten in part). Runs the
// repository's checks first and refuses, with their messages, if any fails.
EditionSummary write_student_edition(const std::filesystem::path& root, const Table& table,
                                     const std::filesystem::path& destination);

// The differences between `root` and the student edition in `edition` with the solutions put back:
// empty when they are identical byte for byte (the instructor's files apart).
std::vector<std::string> compare_restored(const std::filesystem::path& root, const Table& table,
                                          const std::filesystem::path& edition);

}  // namespace course
