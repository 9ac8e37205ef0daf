// Keeping each chapter's README and program in agreement.
//
// `make test` runs every chapter and saves what it prints in build/out/chNN.txt
// (CHAPTER_OUTPUT_DIR). A chapter's README shows the expected output as the first ```text block
// after the line
// `<!-- expected output -->`. The tests compare the two, line by line.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace chapter_output {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What chapter `id` ("ch01") printed when `make test` ran it.
inline std::string program_output(const std::string& id) {
  return read_file(std::string(CHAPTER_OUTPUT_DIR) + "/" + id + ".txt");
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

}  // namespace chapter_output
