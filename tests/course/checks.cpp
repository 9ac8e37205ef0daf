#include "tests/course/checks.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "tests/course/markers.hpp"

namespace course {

namespace fs = std::filesystem;

bool is_source(const std::string& file) { return file.ends_with(".cpp") || file.ends_with(".hpp"); }

std::vector<std::string> repository_files(const fs::path& root) {
  std::vector<std::string> files;
  for (auto entry = fs::recursive_directory_iterator(root);
       entry != fs::recursive_directory_iterator(); ++entry) {
    const fs::path relative = entry->path().lexically_relative(root);
    if (entry->is_directory()) {
      const std::string name = entry->path().filename().string();
      if ((entry.depth() == 0 && (name == ".git" || name == "build")) ||
          fs::exists(entry->path() / "chapters" / "files.mk"))
        entry.disable_recursion_pending();
      continue;
    }
    if (entry->is_regular_file()) files.push_back(relative.generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

// The project files a source includes with #include "path", with their line numbers.
std::vector<std::pair<std::size_t, std::string>> includes_of(const std::string& text) {
  std::vector<std::pair<std::size_t, std::string>> includes;
  std::istringstream in(text);
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line.compare(first, 8, "#include") != 0) continue;
    const std::size_t open = line.find('"', first);
    if (open == std::string::npos) continue;  // <system header>
    const std::size_t close = line.find('"', open + 1);
    if (close != std::string::npos)
      includes.emplace_back(number, line.substr(open + 1, close - open - 1));
  }
  return includes;
}

void check_readme(const fs::path& root, const Table& table, const Exercise& e,
                  std::vector<std::string>& problems) {
  const std::string readme = table.readme_of(static_cast<std::size_t>(e.chapter));
  if (!fs::exists(root / readme)) return;  // reported as a missing file
  std::istringstream in(read_text(root / readme));
  const std::string heading = "### Exercise " + e.id + ": " + e.title;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line != heading) continue;
    std::string next;
    while (std::getline(in, next) && next.empty()) {
    }
    if (next != e.readme_line())
      problems.push_back(join({readme, ":", std::to_string(number), ": under '", heading,
                               "' the ratings line must read\n  ", e.readme_line(),
                               "\n(from chapters/exercises.md), not\n  ", next}));
    return;
  }
  problems.push_back(readme + ": no heading '" + heading +
                     "' (chapters/exercises.md lists exercise " + e.id + ")");
}

}  // namespace

std::vector<std::string> check_repository(const fs::path& root, const Table& table,
                                          std::size_t through) {
  std::vector<std::string> problems;
  const bool whole = through > table.last_chapter();
  std::map<std::string, std::string> region_at;  // exercise id -> "file:line"

  for (const std::string& file : table.all_files()) {
    const std::optional<std::size_t> rank = table.rank_of(file);
    if (!rank || *rank > through) continue;
    if (!fs::exists(root / file)) {
      if (!table.instructor_only(file))
        problems.push_back(file + ": listed in chapters/files.mk (" + table.rank_name(*rank) +
                           ") but missing");
      continue;
    }
    if (!is_source(file)) continue;
    const std::string text = read_text(root / file);
    for (const auto& [line, included] : includes_of(text)) {
      const std::string where = join({file, ":", std::to_string(line), ": "});
      const std::optional<std::size_t> included_rank = table.rank_of(included);
      if (!included_rank) {
        if (fs::exists(root / included))
          problems.push_back(
              join({where, "includes ", included, ", which no row of chapters/files.mk lists"}));
        continue;  // not a project file: the compiler says what is wrong with it
      }
      if (*included_rank > *rank)
        problems.push_back(
            join({where, file, " (", table.rank_name(*rank), ") includes ", included, " (",
                  table.rank_name(*included_rank),
                  "): a chapter may use only what it or an earlier chapter introduced"}));
    }
    try {
      for (const Region& region : find_regions(text, file)) {
        const std::string where = file + ":" + std::to_string(region.begin_line);
        const Exercise* e = table.exercise(region.id);
        if (e == nullptr) {
          problems.push_back(where + ": exercise " + region.id +
                             " is not in chapters/exercises.md");
          continue;
        }
        if (e->file != file)
          problems.push_back(where + ": exercise " + region.id +
                             " is marked here, but chapters/exercises.md puts it in " + e->file);
        const auto [earlier, fresh] = region_at.emplace(region.id, where);
        if (!fresh)
          problems.push_back(where + ": exercise " + region.id + " is marked twice (first at " +
                             earlier->second + ")");
      }
    } catch (const Error& error) {
      problems.push_back(error.what());
    }
  }

  for (const Exercise& e : table.exercises) {
    if (static_cast<std::size_t>(e.chapter) > through) continue;
    const std::optional<std::size_t> rank = table.rank_of(e.file);
    if (!rank)
      problems.push_back("chapters/exercises.md: exercise " + e.id + "'s file " + e.file +
                         " is in no row of chapters/files.mk");
    else if (*rank != static_cast<std::size_t>(e.chapter))
      problems.push_back("chapters/exercises.md: exercise " + e.id + " is in " + e.file +
                         ", a file of " + table.rank_name(*rank) + ", not of chapter " +
                         std::to_string(e.chapter));
    else if (region_at.count(e.id) == 0 && fs::exists(root / e.file))
      problems.push_back(e.file + ": no region for exercise " + e.id + " ('// BEGIN EXERCISE " +
                         e.id + "' ... '// END EXERCISE " + e.id + "')");
    check_readme(root, table, e, problems);
  }

  if (whole) {
    static const std::vector<std::string> source_folders = {
        "autodiff/", "nn/", "attribution/", "chapters/", "tests/", "latent/", "plot/", "bench/"};
    for (const std::string& file : repository_files(root)) {
      if (!is_source(file) || table.rank_of(file)) continue;
      bool marked = false;
      try {
        marked = !find_regions(read_text(root / file), file).empty();
      } catch (const Error&) {
        marked = true;
      }
      if (marked)
        problems.push_back(file +
                           ": has exercise markers but no chapter lists it in chapters/files.mk");
      else if (std::any_of(source_folders.begin(), source_folders.end(),
                           [&](const std::string& folder) { return file.starts_with(folder); }))
        problems.push_back(file + ": a source file no row of chapters/files.mk lists");
    }
  }
  return problems;
}

}  // namespace course
