// Keeping each chapter's README and program in agreement.
//
// Before a chapter's tests run, make runs its program and keeps what it printed
// (CHAPTER_OUTPUT_DIR/chNN.txt), its exit status (chNN.status) and its stderr (chNN.stderr). A
// chapter's README shows the expected output as the first ```text block after the line
// `<!-- expected output -->`.
//
// The two are compared line by line, numbers with a tolerance, so that a correct implementation
// that rounds differently (a student's, summing in another order) passes: a number the README
// prints with d decimals agrees with the program's when they differ by at most one unit in that
// last place, plus 1e-12 (a convergence delta of 2e-16 against 4e-16). Whole numbers (counts,
// seeds, epochs) must be equal, and so must the text between the numbers, up to the width of runs
// of spaces. With LATENT_EXACT_OUTPUT=1 in the environment the text must be identical byte for
// byte instead: CI asks that of the solution, so that no refactor changes a printed bit.
#pragma once

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/exercise.hpp"

#include <gtest/gtest.h>

namespace chapter_output {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The expected-output block of a README, given relative to the project root
// ("chapters/01-autodiff/README.md").
inline std::string readme_expected_output(const std::string& readme) {
  const std::string text = read_file(std::string(PROJECT_ROOT) + "/" + readme);
  const std::string marker = "<!-- expected output -->";
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) throw std::runtime_error(readme + " has no '" + marker + "' line");
  const std::string fence = "```text\n";
  const std::size_t start = text.find(fence, at);
  if (start == std::string::npos)
    throw std::runtime_error(readme + ": no ```text block after the marker");
  const std::size_t body = start + fence.size();
  const std::size_t end = text.find("\n```", body - 1);
  if (end == std::string::npos)
    throw std::runtime_error(readme + ": the ```text block is not closed");
  return text.substr(body, end + 1 - body);
}

// ---- comparing with a tolerance ----------------------------------------------------------------

struct Piece {
  bool number = false;
  std::string text;
};

// A line cut into numbers and the text between them. A number starts with a digit, or a sign or
// point before one, not glued to a word ("ch04", "x1" and "layer_0" are text).
inline std::vector<Piece> pieces_of(std::string_view line) {
  std::vector<Piece> pieces;
  auto digit = [&](std::size_t i) {
    return i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]));
  };
  std::size_t i = 0;
  while (i < line.size()) {
    const bool glued = i > 0 && (std::isalnum(static_cast<unsigned char>(line[i - 1])) ||
                                 line[i - 1] == '_' || line[i - 1] == '.');
    std::size_t j = i;
    if (line[j] == '-' || line[j] == '+') ++j;
    if (j < line.size() && line[j] == '.') ++j;
    if (!glued && digit(j)) {
      j = i + ((line[i] == '-' || line[i] == '+') ? 1 : 0);
      while (digit(j)) ++j;
      if (j < line.size() && line[j] == '.' && digit(j + 1)) {
        ++j;
        while (digit(j)) ++j;
      }
      if (j < line.size() && (line[j] == 'e' || line[j] == 'E')) {
        std::size_t k = j + 1;
        if (k < line.size() && (line[k] == '-' || line[k] == '+')) ++k;
        if (digit(k)) {
          j = k;
          while (digit(j)) ++j;
        }
      }
      pieces.push_back({true, std::string(line.substr(i, j - i))});
      i = j;
      continue;
    }
    if (pieces.empty() || pieces.back().number) pieces.push_back({false, ""});
    // Runs of spaces count as one: a number one digit wider shifts its column.
    if (line[i] != ' ' || pieces.back().text.empty() || pieces.back().text.back() != ' ')
      pieces.back().text += line[i];
    ++i;
  }
  if (!pieces.empty() && !pieces.back().number)
    while (!pieces.back().text.empty() && pieces.back().text.back() == ' ')
      pieces.back().text.pop_back();
  return pieces;
}

// Whether the program's number agrees with the one the README printed (see the top).
inline bool numbers_agree(const std::string& expected, const std::string& actual) {
  const std::size_t exponent_at = expected.find_first_of("eE");
  const std::string mantissa = expected.substr(0, exponent_at);
  const std::size_t point = mantissa.find('.');
  if (point == std::string::npos && exponent_at == std::string::npos) return expected == actual;
  auto value = [](const std::string& text) {
    double x = 0.0;
    const char* first = text.data() + (text.starts_with("+") ? 1 : 0);
    const auto [end, error] = std::from_chars(first, text.data() + text.size(), x);
    return error == std::errc() && end == text.data() + text.size() ? std::optional<double>(x)
                                                                    : std::nullopt;
  };
  const std::optional<double> a = value(expected), b = value(actual);
  if (!a || !b) return expected == actual;
  const int decimals =
      point == std::string::npos ? 0 : static_cast<int>(mantissa.size() - point - 1);
  const int exponent =
      exponent_at == std::string::npos ? 0 : std::atoi(expected.c_str() + exponent_at + 1);
  return std::fabs(*a - *b) <= std::pow(10.0, exponent - decimals) + 1e-12;
}

// Where the program's output first departs from the README's, or std::nullopt if nowhere.
inline std::optional<std::string> first_difference(const std::string& expected,
                                                   const std::string& actual) {
  std::istringstream want(expected), got(actual);
  std::string w, g;
  for (int number = 1;; ++number) {
    const bool more_wanted = static_cast<bool>(std::getline(want, w));
    const bool more_got = static_cast<bool>(std::getline(got, g));
    if (!more_wanted && !more_got) return std::nullopt;
    const std::string where = "line " + std::to_string(number) +
                              ":\n  README:  " + (more_wanted ? w : "(no more lines)") +
                              "\n  program: " + (more_got ? g : "(no more lines)");
    if (more_wanted != more_got) return where;
    const std::vector<Piece> p = pieces_of(w), q = pieces_of(g);
    bool same = p.size() == q.size();
    for (std::size_t k = 0; same && k < p.size(); ++k)
      same = p[k].number == q[k].number &&
             (p[k].number ? numbers_agree(p[k].text, q[k].text) : p[k].text == q[k].text);
    if (!same) return where;
  }
}

inline bool exact_output_required() {
  const char* exact = std::getenv("LATENT_EXACT_OUTPUT");
  return exact != nullptr && std::string(exact) == "1";
}

// ---- the chapter's check -----------------------------------------------------------------------

// chapters/04-integrated-gradients/README.md for "ch04".
inline std::string readme_of(const std::string& chapter) {
  const std::string number = chapter.substr(2) + "-";
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(PROJECT_ROOT) + "/chapters"))
    if (entry.is_directory() && entry.path().filename().string().starts_with(number))
      return "chapters/" + entry.path().filename().string() + "/README.md";
  throw std::runtime_error("no folder chapters/" + number + "*");
}

// The README shows what the chapter's program printed. A program that reached an unfinished
// exercise makes this test NOT DONE, naming it; one that failed otherwise makes it fail.
inline void expect_readme_matches_program(const std::string& chapter) {
  const std::string out = std::string(CHAPTER_OUTPUT_DIR) + "/" + chapter;
  const int status = std::atoi(read_file(out + ".status").c_str());
  const std::string errors = read_file(out + ".stderr");
  if (status == exercise::not_done_exit_status) {
    // "exercise 4.2 is not done yet: ..."
    const std::size_t at = errors.find("exercise ");
    const std::size_t id = at == std::string::npos ? at : at + 9;
    exercise::last_reached() =
        id == std::string::npos ? "?" : errors.substr(id, errors.find(' ', id) - id);
    GTEST_SKIP() << chapter << ": " << errors;
  }
  ASSERT_EQ(status, 0) << "build/" << chapter << " exited with status " << status << ":\n"
                       << errors;
  const std::string readme = readme_of(chapter);
  const std::string expected = readme_expected_output(readme), actual = read_file(out + ".txt");
  const std::string advice = readme + " no longer shows what " + chapter + " prints: run `make " +
                             chapter + "` and update the README's expected output";
  if (exact_output_required()) {
    EXPECT_EQ(expected, actual) << advice << " (LATENT_EXACT_OUTPUT=1: byte for byte)";
  } else if (const auto difference = first_difference(expected, actual)) {
    ADD_FAILURE() << advice << "; first difference at " << *difference;
  }
}

}  // namespace chapter_output
