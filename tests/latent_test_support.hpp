// What the tests of the latent command share: the notebook's AND neuron with its reference
// numbers, and a way to run the command in-process and keep what it printed.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "latent/command.hpp"

namespace latent_test {

// The notebook's AND neuron and its reference numbers, copied from
// shared/reference/notebook_models.json, models[0] ("AND_notebook"): "weights" and "bias", and
// from pairs[p11_00] (clean [1, 1], corrupt [0, 0]): "f_clean", "f_corrupt",
// ig_closed_form.clean_from_corrupt (the exact integral every rule converges to) and
// activation_patching.denoising / .noising (double precision, PyTorch 1.13).
inline const std::vector<double> and_weights = {3.0482, 3.0556};
constexpr double and_bias = -4.7946;
constexpr double reference_f_clean = 0.7873792561380948;
constexpr double reference_f_corrupt = 0.008206405562781054;
inline const std::vector<double> reference_ig = {0.38911410647853334, 0.39005874409678054};
inline const std::vector<double> reference_denoising = {0.18005688099695086, 0.18126092560168308};
inline const std::vector<double> reference_noising = {0.818739074398317, 0.8199431190030491};
// Gauss-Legendre at 50 steps is exact to rounding for this integrand; the reference and the
// library differ by a few units in the last place.
constexpr double reference_tolerance = 1e-12;

inline const std::vector<double> clean = {1.0, 1.0};
inline const std::vector<double> corrupt = {0.0, 0.0};

// The same neuron as command-line words.
inline const std::vector<std::string_view> and_neuron = {"--weights", "3.0482,3.0556", "--bias",
                                                         "-4.7946"};

// `command`, the AND neuron's words, then `rest`.
inline std::vector<std::string_view> with_neuron(std::string_view command,
                                                 std::vector<std::string_view> rest) {
  std::vector<std::string_view> words = {command};
  words.insert(words.end(), and_neuron.begin(), and_neuron.end());
  words.insert(words.end(), rest.begin(), rest.end());
  return words;
}

struct Outcome {
  int status = -1;
  std::string out, err;
};

// latent::run on `words`, with what it wrote to stdout and stderr.
inline Outcome latent_run(std::vector<std::string_view> words) {
  std::ostringstream out, err;
  Outcome outcome;
  outcome.status = latent::run(words, out, err);
  outcome.out = out.str();
  outcome.err = err.str();
  return outcome;
}

}  // namespace latent_test
