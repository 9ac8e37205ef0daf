// `latent heads`: chapter 12's per-head measurements from the command line. The hand-set OR or AND
// circuit of nn/circuits.hpp (with the induction head's sink as given) is run on its prompt pair:
// the logit difference of each prompt, the induction head 1.0's attention from the last position,
// then per head (attribution::measure_heads) both patching directions, attribution patching from
// either base, the study's integrated gradients at hook_z from either base with each layer's
// convergence delta, and the asymmetry of the patching scores; then the patching of every head by
// position, of which the text shows the heads that matter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "attribution/quadrature.hpp"
#include "latent/report.hpp"

namespace latent {

enum class Circuit { or_heads, and_heads };

// "or", "and"; parse_circuit throws UsageError naming the text for anything else.
const char* circuit_name(Circuit circuit);
Circuit parse_circuit(std::string_view text);

// A head matters to the by-position table when a patching score of it, in either direction, is
// at least this large: far above the e^-20 the hand-set previous-token heads leak to other keys.
inline constexpr double head_matters_floor = 1e-6;

// With --induction: the prompts the trained model's head roles are read from, and the one clean
// prompt whose two corruptions are measured, each drawn from a generator of its own seed, the same
// whatever the training seed, so that two models are read on the same prompts (as the training's
// evaluation prompts are).
inline constexpr std::uint64_t induction_role_prompts_seed = 99, induction_pair_seed = 7;
inline constexpr std::size_t induction_role_prompts = 100;

struct HeadsRequest {
  // Instead of a circuit, chapter 12's induction model (nn/induction_training.hpp) trained from
  // this seed; `circuit` and `sink` are then not read.
  std::optional<std::uint64_t> induction_seed;
  Circuit circuit = Circuit::or_heads;
  std::optional<double> sink;  // the induction head's; nn::or_sink or nn::and_sink when empty
  int n_steps = attribution::default_n_steps;
  attribution::Method method = attribution::default_method;
};

// The report in the format asked. Throws UsageError for a sink that leaves the two prompts'
// logit differences equal (no gap to share out) and when a number to show is not finite, and the
// library's std::invalid_argument for its errors.
std::string heads_report(const HeadsRequest& request, Format format);

}  // namespace latent
