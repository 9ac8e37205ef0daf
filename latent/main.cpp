// latent: rerun the tutorial's experiments from the command line. `latent --help` says how.
#include <iostream>
#include <string_view>
#include <vector>

#include "latent/command.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string_view> words(argv + 1, argv + argc);
  return latent::run(words, std::cout, std::cerr);
}
