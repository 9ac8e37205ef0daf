#include "tests/course/grading.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace course {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return "OK";
    case Outcome::not_done: return "NOT DONE";
    case Outcome::failed: return "FAIL";
    case Outcome::skipped: return "SKIPPED";
  }
  return "FAIL";
}

namespace {

std::string escape_line(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '\\')
      escaped += "\\\\";
    else if (c == '\n')
      escaped += "\\n";
    else if (c == '\t')
      escaped += "\\t";
    else
      escaped += c;
  }
  return escaped;
}

std::string unescape_line(std::string_view text) {
  std::string plain;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      plain += text[i];
      continue;
    }
    const char next = text[++i];
    plain += next == 'n' ? '\n' : next == 't' ? '\t' : next;
  }
  return plain;
}

std::string json_string(std::string_view text) {
  std::string json = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      json += '\\';
      json += static_cast<char>(c);
    } else if (c == '\n') {
      json += "\\n";
    } else if (c < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", c);
      json += escape;
    } else {
      json += static_cast<char>(c);
    }
  }
  return json + "\"";
}

}  // namespace

std::string results_line(const TestResult& result) {
  return std::string(outcome_name(result.outcome)) + "\t" + result.suite + "." + result.name +
         "\t" + escape_line(result.message) + "\n";
}

std::vector<TestResult> parse_results(std::string_view text, const std::string& name) {
  std::vector<TestResult> results;
  std::istringstream in{std::string(text)};
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    const std::size_t tab = line.find('\t');
    const std::size_t second = tab == std::string::npos ? tab : line.find('\t', tab + 1);
    const std::size_t dot = second == std::string::npos ? second : line.find('.', tab + 1);
    if (second == std::string::npos || dot == std::string::npos || dot > second)
      throw Error(name + ":" + std::to_string(number) + ": not a test result line");
    TestResult result;
    const std::string outcome = line.substr(0, tab);
    if (outcome == "OK")
      result.outcome = Outcome::ok;
    else if (outcome == "NOT DONE")
      result.outcome = Outcome::not_done;
    else if (outcome == "FAIL")
      result.outcome = Outcome::failed;
    else if (outcome == "SKIPPED")
      result.outcome = Outcome::skipped;
    else
      throw Error(join({name, ":", std::to_string(number), ": unknown outcome '", outcome, "'"}));
    result.suite = line.substr(tab + 1, dot - tab - 1);
    result.name = line.substr(dot + 1, second - dot - 1);
    result.message = unescape_line(std::string_view(line).substr(second + 1));
    results.push_back(result);
  }
  return results;
}

std::vector<Grade> grade(const Table& table, const std::vector<TestResult>& results,
                         const std::vector<std::size_t>& chapters,
                         const std::map<std::size_t, std::string>& unbuilt) {
  std::vector<Grade> grades;
  for (const Exercise& e : table.exercises) {
    const std::size_t chapter = static_cast<std::size_t>(e.chapter);
    if (!chapters.empty() && std::find(chapters.begin(), chapters.end(), chapter) == chapters.end())
      continue;
    Grade g;
    g.exercise = e;
    if (const auto why = unbuilt.find(chapter); why != unbuilt.end()) {
      g.output = why->second;
      grades.push_back(g);
      continue;
    }
    std::size_t count = 0;
    bool failed = false, not_done = false;
    std::string failures, reached;
    for (const TestResult& r : results) {
      if (!e.owns_suite(r.suite)) continue;
      ++count;
      const std::string test = r.suite + "." + r.name;
      if (r.outcome == Outcome::failed || r.outcome == Outcome::skipped) {
        failed = true;
        failures += test + (r.outcome == Outcome::skipped ? " was skipped" : " failed") +
                    (r.message.empty() ? "" : ":\n" + r.message) + "\n";
      } else if (r.outcome == Outcome::not_done) {
        not_done = true;
        if (reached.empty()) reached = r.message;
      }
    }
    if (count == 0) {
      g.output = "no tests found: the suites " + e.suite_prefix() + "<Name> did not run";
    } else if (failed) {
      g.output = failures;
    } else if (not_done) {
      g.outcome = Outcome::not_done;
      g.output = reached.empty() ? "exercise " + e.id + " is not done yet" : reached;
    } else {
      g.outcome = Outcome::ok;
      g.score = e.points;
      g.output = std::to_string(count) + (count == 1 ? " test passes" : " tests pass");
    }
    grades.push_back(g);
  }
  return grades;
}

std::string grade_report(const std::vector<Grade>& grades) {
  std::string report;
  int score = 0, total = 0;
  char line[256];
  for (const Grade& g : grades) {
    std::snprintf(line, sizeof line, "%-5s %-44s %-9s %2d/%d\n", g.exercise.id.c_str(),
                  g.exercise.title.c_str(), outcome_name(g.outcome), g.score, g.exercise.points);
    report += line;
    if (g.outcome != Outcome::ok) {
      // The first lines of what went wrong, indented under the exercise.
      std::istringstream in(g.output);
      std::string text;
      for (int shown = 0; shown < 6 && std::getline(in, text); ++shown)
        report += "      " + text + "\n";
    }
    score += g.score;
    total += g.exercise.points;
  }
  return report + "Score: " + std::to_string(score) + "/" + std::to_string(total) + "\n";
}

std::string gradescope_json(const std::vector<Grade>& grades) {
  int score = 0;
  std::string tests;
  for (const Grade& g : grades) {
    score += g.score;
    if (!tests.empty()) tests += ",\n";
    tests +=
        "  {\"name\": " + json_string(g.exercise.id + " " + g.exercise.title) +
        ", \"number\": " + json_string(g.exercise.id) + ", \"score\": " + std::to_string(g.score) +
        ", \"max_score\": " + std::to_string(g.exercise.points) +
        ", \"status\": " + json_string(g.outcome == Outcome::ok ? "passed" : "failed") +
        ", \"output\": " + json_string(std::string(outcome_name(g.outcome)) + ": " + g.output) +
        "}";
  }
  return "{\"score\": " + std::to_string(score) + ",\n \"tests\": [\n" + tests + "\n]}\n";
}

}  // namespace course
