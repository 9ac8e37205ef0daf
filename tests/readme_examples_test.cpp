// The top README's examples of the latent command show what it prints: every ```text block that
// starts with "$ build/latent ..." is run in-process and compared with the lines under it. Where
// the README abbreviates with "...", the pieces between the dots must appear in the output, in
// order, as they are.
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "latent/command.hpp"
#include "tests/chapter_output.hpp"

#include <gtest/gtest.h>

namespace {

struct Example {
  std::string command;   // the words after "$ build/latent "
  std::string expected;  // the lines after the command, each ending in '\n'
};

std::vector<Example> readme_examples() {
  const std::string text = chapter_output::read_file(std::string(PROJECT_ROOT) + "/README.md");
  const std::string fence = "```text\n$ build/latent ";
  std::vector<Example> examples;
  for (std::size_t at = text.find(fence); at != std::string::npos; at = text.find(fence, at)) {
    const std::size_t command = at + fence.size();
    const std::size_t body = text.find('\n', command) + 1;
    const std::size_t end = text.find("```", body);
    examples.push_back({text.substr(command, body - 1 - command), text.substr(body, end - body)});
    at = end;
  }
  return examples;
}

TEST(ReadmeExamples, TheLatentCommandPrintsWhatTheReadmeShows) {
  const std::vector<Example> examples = readme_examples();
  ASSERT_GE(examples.size(), 3u) << "the README's latent examples were not found";
  for (const Example& example : examples) {
    std::vector<std::string> words;
    std::istringstream split(example.command);
    for (std::string word; split >> word;) words.push_back(word);
    const std::vector<std::string_view> views(words.begin(), words.end());
    std::ostringstream out, err;
    ASSERT_EQ(latent::run(views, out, err), 0) << example.command << "\n" << err.str();
    const std::string printed = out.str();
    if (example.expected.find("...") == std::string::npos) {
      // Numbers with a tolerance of one unit in their last printed digit
      // (tests/chapter_output.hpp).
      if (chapter_output::exact_output_required())
        EXPECT_EQ(printed, example.expected) << "README.md: $ build/latent " << example.command;
      else if (const auto difference = chapter_output::first_difference(example.expected, printed))
        ADD_FAILURE() << "README.md: $ build/latent " << example.command << "\n" << *difference;
      continue;
    }
    std::size_t from = 0, found = 0;
    for (std::size_t piece = 0; piece != std::string::npos; piece = from) {
      const std::size_t dots = example.expected.find("...", piece);
      const std::string part = example.expected.substr(piece, dots - piece);
      found = printed.find(part, found);
      ASSERT_NE(found, std::string::npos)
          << "README.md: $ build/latent " << example.command << "\nshows '" << part
          << "', which the command does not print (in this order):\n"
          << printed;
      found += part.size();
      from = dots == std::string::npos ? dots : dots + 3;
    }
  }
}

}  // namespace
