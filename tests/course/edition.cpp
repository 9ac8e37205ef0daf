#include "tests/course/edition.hpp"

#include <algorithm>
#include <fstream>

#include "tests/course/checks.hpp"
#include "tests/course/markers.hpp"

namespace course {

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::string& text, fs::perms permissions) {
  fs::create_directories(path.parent_path());
  {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw Error("cannot write " + path.string());
  }
  fs::permissions(path, permissions);
}

}  // namespace

EditionSummary write_student_edition(const fs::path& root, const Table& table,
                                     const fs::path& destination) {
  const std::vector<std::string> problems = check_repository(root, table, table.last_chapter() + 1);
  if (!problems.empty()) {
    std::string text = "the repository fails its checks, so no student edition is written:";
    for (const std::string& problem : problems) text += "\n  " + problem;
    throw Error(text);
  }
  std::error_code error;
  if (fs::exists(destination) &&
      !(fs::is_directory(destination) && fs::is_empty(destination, error)))
    throw Error(destination.string() +
                " already exists and is not an empty folder; remove it or choose another");
  const fs::path absolute_destination = fs::weakly_canonical(destination);

  EditionSummary summary;
  for (const std::string& file : repository_files(root)) {
    if (table.instructor_only(file)) continue;
    const fs::path source = root / file;
    // A destination inside the repository is not copied into itself.
    const fs::path absolute = fs::weakly_canonical(source);
    if (std::mismatch(absolute_destination.begin(), absolute_destination.end(), absolute.begin(),
                      absolute.end())
            .first == absolute_destination.end())
      continue;
    std::string text = read_text(source);
    if (is_source(file) && table.rank_of(file)) {
      const std::vector<Region> regions = find_regions(text, file);
      text = student_text(text, file, regions, table);
      summary.stubs += regions.size();
    }
    write_file(destination / file, text, fs::status(source).permissions());
    ++summary.files;
  }
  return summary;
}

std::vector<std::string> compare_restored(const fs::path& root, const Table& table,
                                          const fs::path& edition) {
  std::vector<std::string> differences;
  const std::vector<std::string> ours = repository_files(root);
  const std::vector<std::string> theirs = repository_files(edition);
  for (const std::string& file : ours)
    if (!table.instructor_only(file) && !std::binary_search(theirs.begin(), theirs.end(), file))
      differences.push_back(file + ": missing from the student edition");
  for (const std::string& file : theirs) {
    if (!std::binary_search(ours.begin(), ours.end(), file)) {
      differences.push_back(file + ": only in the student edition");
      continue;
    }
    const std::string original = read_text(root / file);
    std::string restored = read_text(edition / file);
    try {
      if (is_source(file)) restored = restore(restored, original, file);
    } catch (const Error& error) {
      differences.push_back(error.what());
      continue;
    }
    if (restored != original) {
      const auto at =
          std::mismatch(restored.begin(), restored.end(), original.begin(), original.end());
      const auto line = 1 + std::count(original.begin(), at.second, '\n');
      differences.push_back(file + ":" + std::to_string(line) +
                            ": differs from the original with the solutions put back");
    }
  }
  return differences;
}

}  // namespace course
