#include "tests/course/markers.hpp"

#include <cctype>

namespace course {

namespace {

struct Line {
  std::string_view text;  // without its '\n'
  std::size_t begin = 0;  // its first byte in the file
  std::size_t end = 0;    // one past its '\n' (or the file's end)
};

std::vector<Line> lines_of(std::string_view text) {
  std::vector<Line> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t newline = text.find('\n', begin);
    const std::size_t stop = newline == std::string_view::npos ? text.size() : newline;
    lines.push_back({text.substr(begin, stop - begin), begin,
                     newline == std::string_view::npos ? text.size() : newline + 1});
    begin = lines.back().end;
  }
  return lines;
}

bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

bool is_id(std::string_view id) {
  const std::size_t dot = id.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == id.size()) return false;
  for (std::size_t i = 0; i < id.size(); ++i)
    if (i != dot && !std::isdigit(static_cast<unsigned char>(id[i]))) return false;
  return true;
}

struct Marker {
  bool begin = false;
  std::string id;
  std::vector<std::string> uses;
};

// "BEGIN EXERCISE 4.2 [a, b]" or "END EXERCISE 4.2", after "// ".
Marker parse_marker(std::string_view rest, const std::string& where) {
  Marker marker;
  marker.begin = rest.starts_with("BEGIN EXERCISE ");
  rest.remove_prefix(marker.begin ? 15 : 13);
  const std::size_t space = rest.find(' ');
  marker.id = std::string(rest.substr(0, space));
  if (!is_id(marker.id))
    throw Error(where + "'" + marker.id + "' is not an exercise id (chapter.number, like 4.2)");
  if (space == std::string_view::npos) return marker;
  std::string_view list = rest.substr(space + 1);
  if (!marker.begin || !list.starts_with("[") || !list.ends_with("]"))
    throw Error(where + "unexpected '" + std::string(list) + "' after the exercise id" +
                (marker.begin ? "; the stub's names go in brackets: [a, b]" : ""));
  list = list.substr(1, list.size() - 2);
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (!is_identifier(name))
      throw Error(where + "'" + std::string(name) + "' in the brackets is not a name");
    marker.uses.emplace_back(name);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return marker;
}

// A file that includes autodiff/exercise.hpp itself gets no stub include, and so loses none when
// its solutions are put back.
bool includes_exercise_header(std::string_view text) {
  return text.find("#include \"autodiff/exercise.hpp\"") != std::string_view::npos;
}

}  // namespace

std::vector<Region> find_regions(std::string_view text, const std::string& file) {
  std::vector<Region> regions;
  const std::vector<Line> lines = lines_of(text);
  bool open = false;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const std::string_view line = lines[n].text;
    const std::string where = file + ":" + std::to_string(n + 1) + ": ";
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;
    const std::string_view content = line.substr(first);
    const bool begin = content.starts_with("// BEGIN EXERCISE");
    const bool end = content.starts_with("// END EXERCISE");
    if (!begin && !end) {
      // A near miss ("//BEGIN EXERCISE", "//  END EXERCISE") would be silently ignored: say so.
      if (content.starts_with("//")) {
        std::string_view after = content.substr(2);
        while (!after.empty() && after.front() == ' ') after.remove_prefix(1);
        if (after.starts_with("BEGIN EXERCISE") || after.starts_with("END EXERCISE"))
          throw Error(where +
                      "a marker is written '// BEGIN EXERCISE N.K' or '// END EXERCISE N.K'");
      }
      continue;
    }
    if (content.size() < (begin ? 18u : 16u) || content[begin ? 17 : 15] != ' ')
      throw Error(where + "the marker names no exercise: write '" +
                  (begin ? "// BEGIN EXERCISE 4.2'" : "// END EXERCISE 4.2'"));
    const Marker marker = parse_marker(content.substr(3), where);
    if (marker.begin) {
      if (open)
        throw Error(where + "BEGIN EXERCISE " + marker.id + " inside exercise " +
                    regions.back().id + " (begun at line " +
                    std::to_string(regions.back().begin_line) + "): regions do not nest");
      Region region;
      region.id = marker.id;
      region.begin_line = n + 1;
      region.indent = std::string(line.substr(0, first));
      region.uses = marker.uses;
      region.body_begin = lines[n].end;
      regions.push_back(region);
      open = true;
    } else {
      if (!open)
        throw Error(where + "END EXERCISE " + marker.id + " without a BEGIN EXERCISE before it");
      Region& region = regions.back();
      if (marker.id != region.id)
        throw Error(where + "END EXERCISE " + marker.id + " closes exercise " + region.id +
                    " (begun at line " + std::to_string(region.begin_line) + ")");
      if (n + 1 == region.begin_line + 1)
        throw Error(where + "exercise " + region.id +
                    "'s region is empty: the solution goes between the markers");
      region.end_line = n + 1;
      region.body_end = lines[n].begin;
      open = false;
    }
  }
  if (open)
    throw Error(file + ":" + std::to_string(regions.back().begin_line) + ": exercise " +
                regions.back().id + " has no END EXERCISE line");
  return regions;
}

std::string stub_line(const Region& region, const Exercise& exercise) {
  std::string line = region.indent + "exercise::not_done(\"" + exercise.id + "\", \"" +
                     exercise.stub_message() + "\"";
  for (const std::string& name : region.uses) line += ", " + name;
  return line + ");\n";
}

std::string student_text(std::string_view text, const std::string& file,
                         const std::vector<Region>& regions, const Table& table) {
  if (regions.empty()) return std::string(text);
  std::string result;
  std::size_t copied = 0;
  for (const Region& region : regions) {
    const Exercise* exercise = table.exercise(region.id);
    if (exercise == nullptr)
      throw Error(file + ":" + std::to_string(region.begin_line) + ": no exercise " + region.id +
                  " in chapters/exercises.md");
    result.append(text.substr(copied, region.body_begin - copied));
    result += stub_line(region, *exercise);
    copied = region.body_end;
  }
  result.append(text.substr(copied));
  if (includes_exercise_header(text)) return result;
  const std::size_t include = result.starts_with("#include") ? 0 : result.find("\n#include");
  if (include == std::string::npos)
    throw Error(file +
                ": has exercise regions but no #include line to put the stubs' include before");
  const std::size_t at = include == 0 ? 0 : include + 1;
  result.insert(at, std::string(stub_include) + "\n");
  return result;
}

std::string restore(std::string_view student, std::string_view solution, const std::string& file) {
  std::string text(student);
  const std::string include = std::string(stub_include) + "\n";
  if (const std::size_t at = text.find(include);
      at != std::string::npos && !includes_exercise_header(solution))
    text.erase(at, include.size());
  const std::vector<Region> ours = find_regions(text, file + " (student edition)");
  const std::vector<Region> theirs = find_regions(solution, file);
  if (ours.size() != theirs.size())
    throw Error(file + ": the student edition has " + std::to_string(ours.size()) +
                " exercise regions, the solution " + std::to_string(theirs.size()));
  std::string result;
  std::size_t copied = 0;
  for (std::size_t r = 0; r < ours.size(); ++r) {
    if (ours[r].id != theirs[r].id)
      throw Error(file + ": region " + std::to_string(r + 1) + " is exercise " + ours[r].id +
                  " in the student edition but " + theirs[r].id + " in the solution");
    result.append(text.substr(copied, ours[r].body_begin - copied));
    result.append(solution.substr(theirs[r].body_begin, theirs[r].body_end - theirs[r].body_begin));
    copied = ours[r].body_end;
  }
  result.append(text.substr(copied));
  return result;
}

}  // namespace course
