// The exercise markers, and the student edition's stubs.
//
// An exercise's solution lies between two lines, each alone on its line:
//
//   // BEGIN EXERCISE 4.2 [rule, steps]
//   ...the solution...
//   // END EXERCISE 4.2
//
// The optional list names what only the solution uses; the stub passes those names to
// exercise::not_done (autodiff/exercise.hpp) so that it compiles without -Wunused warnings. The
// student edition keeps both marker lines and puts the stub between them, and adds the include of
// autodiff/exercise.hpp before the file's first #include; restore() undoes both, so that the
// student edition with every solution put back is the original, byte for byte.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tests/course/table.hpp"

namespace course {

struct Region {
  std::string id;                            // "4.2"
  std::size_t begin_line = 0;                // the BEGIN line, counted from 1
  std::size_t end_line = 0;                  // the END line
  std::string indent;                        // the BEGIN line's leading whitespace
  std::vector<std::string> uses;             // the names in brackets
  std::size_t body_begin = 0, body_end = 0;  // the body's byte range in the text
};

// The regions of one file's text, in order. Throws Error("file:line: ...") for a marker that is
// malformed, unbalanced or nested, or a region with nothing in it. `file` only names the file in
// messages; whether the exercise exists and belongs there is check_regions' business.
std::vector<Region> find_regions(std::string_view text, const std::string& file);

// The line the student edition inserts, and the stub it puts in a region.
inline constexpr std::string_view stub_include =
    "#include \"autodiff/exercise.hpp\"  // exercise::not_done, for the stubs below";
std::string stub_line(const Region& region, const Exercise& exercise);

// The student edition of a file: every region's body replaced by its stub.
std::string student_text(std::string_view text, const std::string& file,
                         const std::vector<Region>& regions, const Table& table);

// A student edition's file with the solution's regions put back (and the include taken out).
// Throws Error when the two files do not hold the same regions in the same order.
std::string restore(std::string_view student, std::string_view solution, const std::string& file);

}  // namespace course
