// latent: rerun the tutorial's experiments from the command line. `latent --help` says how.
#include <iostream>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "latent/command.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string_view> words(argv + 1, argv + argc);
  // Progress lines are for a person watching a terminal, never for a log or a pipe.
  const latent::ProgressSettings progress{::isatty(STDERR_FILENO) == 1, {}};
  return latent::run(words, std::cout, std::cerr, progress);
}
