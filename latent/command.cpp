#include "latent/command.hpp"

#include <algorithm>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "latent/subcommands.hpp"

namespace latent {

namespace {

std::vector<Subcommand> subcommands() {
  return {train_subcommand(), ig_subcommand(), patch_subcommand(), experiment_subcommand()};
}

std::string usage() {
  std::string text =
      "latent: rerun the Latent Circuits experiments on the neuron sigmoid(w.x + b)\n"
      "\n"
      "usage: latent COMMAND [flags]\n"
      "\n"
      "commands:\n";
  for (const Subcommand& subcommand : subcommands()) {
    std::string name(subcommand.name);
    name.resize(12, ' ');
    text += "  " + name + std::string(subcommand.summary) + "\n";
  }
  text +=
      "\n"
      "Every command takes --json, to print one JSON object instead of tables (numbers with 17\n"
      "significant digits), and --help; train, ig and patch also take --csv (a header row,\n"
      "then one row per epoch or input). `latent COMMAND --help` lists a command's flags.\n"
      "Bad input prints one line on stderr, starting \"latent: \", and exits with status 2.\n";
  return text;
}

// One line, whatever the message held.
std::string one_line(std::string message) {
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::replace(message.begin(), message.end(), '\r', ' ');
  return "latent: " + message + "\n";
}

bool asks_for_help(std::string_view word) { return word == "--help" || word == "-h"; }

}  // namespace

NeuronParameters read_neuron(const Arguments& arguments) {
  return {arguments.numbers("weights"), arguments.number("bias")};
}

std::vector<double> read_point(const Arguments& arguments, const std::string& name,
                               std::size_t n_weights) {
  std::vector<double> point = arguments.numbers(name);
  if (point.size() != n_weights)
    throw UsageError("--" + name + " has " + std::to_string(point.size()) +
                     (point.size() == 1 ? " number" : " numbers") + " but --weights has " +
                     std::to_string(n_weights) + "; give one per weight");
  return point;
}

int run(std::span<const std::string_view> words, std::ostream& out, std::ostream& err) {
  if (words.empty()) {
    err << usage();
    return 2;
  }
  const std::string_view name = words.front();
  if (asks_for_help(name)) {
    out << usage();
    return 0;
  }
  const std::vector<Subcommand> known = subcommands();
  const auto subcommand =
      std::find_if(known.begin(), known.end(), [&](const Subcommand& s) { return s.name == name; });
  if (subcommand == known.end()) {
    err << one_line("unknown command '" + std::string(name) +
                    "'; the commands are train, ig, patch, experiment (latent --help)");
    return 2;
  }
  const std::span<const std::string_view> rest = words.subspan(1);
  if (std::any_of(rest.begin(), rest.end(), asks_for_help)) {
    out << subcommand->help;
    return 0;
  }
  try {
    const std::string output = subcommand->run(rest);
    out << output;
    out.flush();
    return 0;
  } catch (const UsageError& error) {
    err << one_line(error.what());
  } catch (const std::invalid_argument& error) {
    err << one_line(error.what());
  } catch (const std::bad_alloc&) {
    err << one_line("out of memory");
    return 1;
  } catch (const std::exception& error) {
    err << one_line(std::string("internal error: ") + error.what());
    return 1;
  }
  return 2;
}

}  // namespace latent
