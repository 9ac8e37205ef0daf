#include "tests/course/table.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace course {

namespace {

// "ch04" -> 4, and back; 0 for an id that is not "ch" and two digits.
std::size_t chapter_number(const std::string& id) {
  std::size_t number = 0;
  if (id.size() != 4 || !id.starts_with("ch")) return 0;
  const auto [end, error] = std::from_chars(id.data() + 2, id.data() + 4, number);
  return error == std::errc() && end == id.data() + 4 ? number : 0;
}

std::string chapter_id(std::size_t number) {
  return (number < 10 ? "ch0" : "ch") + std::to_string(number);
}

std::string at(const std::string& name, std::size_t line) {
  return name + ":" + std::to_string(line) + ": ";
}

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last + 1 - first);
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> result;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) result.push_back(word);
  return result;
}

// A whole number from 1 to `largest`, or an Error naming the column.
int whole_number(std::string_view text, int largest, const std::string& where, const char* column) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > largest)
    throw Error(where + column + " is '" + std::string(text) +
                "'; expected a whole number from 1 to " + std::to_string(largest));
  return value;
}

}  // namespace

std::string Exercise::suite_prefix() const {
  return std::string("Ch") + (chapter < 10 ? "0" : "") + std::to_string(chapter) + "Ex" +
         std::to_string(number);
}

bool Exercise::owns_suite(std::string_view suite) const {
  const std::string prefix = suite_prefix();
  return suite.starts_with(prefix) && suite.size() > prefix.size() && suite[prefix.size()] >= 'A' &&
         suite[prefix.size()] <= 'Z';
}

std::string Exercise::readme_line() const {
  return "**" + std::to_string(points) + (points == 1 ? " point" : " points") +
         "** \u00b7 difficulty " + std::to_string(difficulty) + "/5 \u00b7 importance " +
         std::to_string(importance) + "/5 \u00b7 about " + std::to_string(minutes) +
         " minutes \u00b7 in `" + file + "` \u00b7 tests `" + suite_prefix() + "*`";
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (std::string_view part : parts) size += part.size();
  std::string joined;
  joined.reserve(size);
  for (std::string_view part : parts) joined += part;
  return joined;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error("cannot read " + path.string());
  return text.str();
}

std::map<std::string, std::vector<std::string>> parse_make_rows(std::string_view text,
                                                                const std::string& name) {
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream in{std::string(text)};
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::size_t first_line = number;
    // A trailing backslash continues the row on the next line.
    while (!line.empty() && line.back() == '\\') {
      line.pop_back();
      std::string next;
      if (!std::getline(in, next))
        throw Error(at(name, first_line) + "the row ends in '\\' but the file ends there");
      ++number;
      line += " " + next;
    }
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    const std::size_t assign = content.find(":=");
    if (assign == std::string_view::npos)
      throw Error(at(name, first_line) + "expected 'name := files', got '" + std::string(content) +
                  "'");
    const std::string key(trim(content.substr(0, assign)));
    if (key.empty() || key.find_first_of(" \t") != std::string::npos)
      throw Error(at(name, first_line) + "'" + key + "' is not a row name");
    if (rows.count(key) != 0) throw Error(at(name, first_line) + "row " + key + " appears twice");
    rows[key] = words(content.substr(assign + 2));
  }
  return rows;
}

std::vector<Exercise> parse_exercises(std::string_view text, const std::string& name) {
  std::vector<Exercise> exercises;
  std::istringstream in{std::string(text)};
  std::string line;
  std::size_t number = 0;
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++number;
    const std::string_view content = trim(line);
    if (!content.starts_with("|")) continue;
    std::vector<std::string> cells;
    std::string_view rest = content.substr(1);
    while (!rest.empty()) {
      const std::size_t bar = rest.find('|');
      if (bar == std::string_view::npos)
        throw Error(at(name, number) + "a table row must end with '|'");
      cells.emplace_back(trim(rest.substr(0, bar)));
      rest = rest.substr(bar + 1);
    }
    const std::string where = at(name, number);
    if (cells.size() != 7)
      throw Error(
          where + "a row has " + std::to_string(cells.size()) +
          " cells; expected 7: id, exercise, file, points, difficulty, importance, minutes");
    if (!header_seen) {
      if (cells[0] != "id")
        throw Error(where + "the table must start with its header row (id | ...)");
      header_seen = true;
      continue;
    }
    if (cells[0].find_first_not_of("-: ") == std::string::npos) continue;  // the |---| line
    Exercise e;
    e.id = cells[0];
    const std::size_t dot = e.id.find('.');
    if (dot == std::string::npos)
      throw Error(where + "exercise id '" + e.id + "' is not chapter.number, like 4.2");
    e.chapter = whole_number(std::string_view(e.id).substr(0, dot), 99, where, "the id's chapter");
    e.number = whole_number(std::string_view(e.id).substr(dot + 1), 9, where, "the id's number");
    if (e.id != std::to_string(e.chapter) + "." + std::to_string(e.number))
      throw Error(where + "exercise id '" + e.id + "' is not chapter.number, like 4.2");
    e.title = cells[1];
    e.file = cells[2];
    if (e.title.empty() || e.file.empty())
      throw Error(where + "exercise " + e.id + " needs a title and a file");
    e.points = whole_number(cells[3], 100, where, "points");
    e.difficulty = whole_number(cells[4], 5, where, "difficulty");
    e.importance = whole_number(cells[5], 5, where, "importance");
    e.minutes = whole_number(cells[6], 600, where, "minutes");
    for (const Exercise& earlier : exercises)
      if (earlier.id == e.id) throw Error(where + "exercise " + e.id + " is listed twice");
    exercises.push_back(e);
  }
  if (!header_seen) throw Error(name + ": no exercise table (a row starting with '| id |')");
  return exercises;
}

std::optional<std::size_t> Table::rank_of(const std::string& file) const {
  for (std::size_t c = 0; c < chapters.size(); ++c)
    for (const char* part : {".library", ".program", ".tests"}) {
      const auto row = rows.find(chapters[c] + part);
      if (row != rows.end() &&
          std::find(row->second.begin(), row->second.end(), file) != row->second.end())
        return chapter_number(chapters[c]);
    }
  for (const auto& [key, files] : rows) {
    if (key == "chapters" || std::find(files.begin(), files.end(), file) == files.end()) continue;
    const std::string owner = key.substr(0, key.find('.'));
    if (std::find(chapters.begin(), chapters.end(), owner) == chapters.end())
      return last_chapter() + 1;
  }
  return std::nullopt;
}

std::string Table::rank_name(std::size_t rank) const {
  return rank <= last_chapter() ? "chapter " + std::to_string(rank) : "the tools";
}

std::size_t Table::chapter_rank(const std::string& id) const {
  const auto found = std::find(chapters.begin(), chapters.end(), id);
  if (found == chapters.end()) throw Error("no chapter " + id + " in chapters/files.mk");
  return chapter_number(*found);
}

std::size_t Table::last_chapter() const {
  return chapters.empty() ? 0 : chapter_number(chapters.back());
}

bool Table::instructor_only(const std::string& file) const {
  const auto row = rows.find("instructor.files");
  return row != rows.end() &&
         std::find(row->second.begin(), row->second.end(), file) != row->second.end();
}

const Exercise* Table::exercise(std::string_view id) const {
  for (const Exercise& e : exercises)
    if (e.id == id) return &e;
  return nullptr;
}

std::string Table::readme_of(std::size_t chapter) const {
  const std::string id = chapter_id(chapter);
  const auto row = rows.find(id + ".program");
  if (row != rows.end())
    for (const std::string& file : row->second)
      if (file.ends_with("/README.md")) return file;
  throw Error("chapters/files.mk: " + id + ".program lists no README.md");
}

std::vector<std::string> Table::all_files() const {
  std::vector<std::string> files;
  for (const auto& [key, row] : rows)
    if (key != "chapters") files.insert(files.end(), row.begin(), row.end());
  return files;
}

Table read_table(const std::filesystem::path& root) {
  Table table;
  const std::string files_name = "chapters/files.mk";
  table.rows = parse_make_rows(read_text(root / files_name), files_name);
  const auto chapters = table.rows.find("chapters");
  if (chapters == table.rows.end() || chapters->second.empty())
    throw Error(files_name + ": no 'chapters := ch01 ...' row");
  table.chapters = chapters->second;
  // Increasing numbers from ch01; one may be missing, never out of order.
  for (std::size_t c = 0; c < table.chapters.size(); ++c) {
    const std::string& id = table.chapters[c];
    const std::size_t previous = c == 0 ? 0 : chapter_number(table.chapters[c - 1]);
    const bool well_formed = id.size() == 4 && id.starts_with("ch") &&
                             std::isdigit(static_cast<unsigned char>(id[2])) &&
                             std::isdigit(static_cast<unsigned char>(id[3]));
    if (!well_formed || chapter_number(id) <= previous || (c == 0 && id != "ch01"))
      throw Error(join({files_name, ": the chapters row must read ch01 ch02 ... in order; '", id,
                        "' cannot come after ", c == 0 ? "the start" : table.chapters[c - 1]}));
  }
  const std::string exercises_name = "chapters/exercises.md";
  table.exercises = parse_exercises(read_text(root / exercises_name), exercises_name);
  for (const Exercise& e : table.exercises)
    if (e.chapter < 1 ||
        std::find(table.chapters.begin(), table.chapters.end(),
                  chapter_id(static_cast<std::size_t>(e.chapter))) == table.chapters.end())
      throw Error(
          join({exercises_name, ": exercise ", e.id, " belongs to no chapter in ", files_name}));
  return table;
}

}  // namespace course
