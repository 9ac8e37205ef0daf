// Layer integrated gradients when the network has a path around the layer (nn/residual.hpp), and
// the two conventions for what the rest of the network sees while the layer moves.
//
// The one computation underneath: integrated gradients at a named activation between two given
// activation rows, with the model run on a given input row,
//
//   attribution_j = (end_j - start_j) * integral over a in [0, 1] of df/da_j (start + a (end -
//   start))
//
// where f is the model on `input` with the activation replaced by the point on the path. The
// attributions add up to f(input, activation := end) - f(input, activation := start), and
// convergence_delta is how far the rule's sum misses that (completeness along this path).
//
// The study's convention (study_layer_ig). The base run is one of the two inputs; the model runs
// on it, and only the chosen components of the layer move, from the base run's values to the
// other run's, every other column (and the skip path) staying at the base run:
//   denoising: base = corrupt, the components go from the corrupt run's to the clean run's;
//   noising:   base = clean, the reverse.
// The sum is then f(base with those components patched) - f(base): a patching effect, with the
// sign of "patched minus base" (chapter 5's difference is base minus patched).
//
// Captum's convention (captum_layer_ig, LayerIntegratedGradients with multiply_by_inputs=True):
// the model runs on the *input* row, and the hooked module's output moves from the baseline run's
// value to the input run's. Which columns move is where the hook sits: on the hidden neurons alone
// (the ReLU inside the block), the skip copy stays at the input run; on the whole block, the copy
// moves too, and nothing after the block sees the input any more. Captum reports
// delta = sum - (f(input) - f(baseline)), both runs unpatched.
//
// Denoising at the hidden neurons and Captum (input clean, baseline corrupt, hidden hook) walk the
// same hidden values but with the skip path at different runs; Captum and the study's *noising*
// walk the same segment in opposite directions, so Captum = -noising to rounding (Gauss-Legendre's
// nodes are symmetric about 1/2). Without a skip path every direction sees the same function of
// the hidden neurons, and denoising = -noising = Captum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attribution/quadrature.hpp"
#include "nn/gates.hpp"
#include "nn/sequential.hpp"
#include "nn/training.hpp"

namespace attribution {

struct PathIntegratedGradients {
  Method method = default_method;
  int n_steps = default_n_steps;
  std::string layer;
  std::vector<double> start, end;     // the path's two ends, in the activation's space
  std::vector<double> attributions;   // one per component; exactly 0 where start_j = end_j
  double f_start = 0.0, f_end = 0.0;  // the model on the input with the activation at each end
  double convergence_delta = 0.0;     // sum(attributions) - (f_end - f_start)
};

// Throws std::invalid_argument when start and end differ in length or do not have the
// activation's width (naming both), for an unknown activation name, a model whose output is not
// one number, and for the quadrature rule's errors (n_steps out of range, riemann_trapezoid with
// one step). The tape and the parameters' gradients are left as they were.
PathIntegratedGradients integrated_gradients_between(nn::Sequential& model, std::string_view layer,
                                                     std::span<const double> input,
                                                     std::span<const double> start,
                                                     std::span<const double> end,
                                                     int n_steps = default_n_steps,
                                                     Method method = default_method);

// The two ends of the study's path: start = the base run's activation, end = the same with each
// listed component taken from the source run (the others stay at the base run). No components, no
// movement: start = end. Throws std::invalid_argument when base and source differ in length, or for
// a component out of range (naming it and the width).
struct PathEnds {
  std::vector<double> start, end;
};
PathEnds study_path(std::span<const double> base, std::span<const double> source,
                    std::span<const std::size_t> components);

enum class Direction { denoising, noising };
// "denoising", "noising". Throws std::invalid_argument for a value outside the enum.
const char* direction_name(Direction direction);

// The study's layer IG in one direction (see the top): components are the columns that move (the
// hidden neurons, say); the others get exactly 0. Errors as integrated_gradients_between and
// study_path.
PathIntegratedGradients study_layer_ig(nn::Sequential& model, std::string_view layer,
                                       std::span<const double> clean,
                                       std::span<const double> corrupt, Direction direction,
                                       std::span<const std::size_t> components,
                                       int n_steps = default_n_steps,
                                       Method method = default_method);

// For each listed component alone, f(base with that component from the source run) - f(base), in
// the direction's base and source: what study_layer_ig gives when it moves that component alone
// (the fundamental theorem of calculus on a one-dimensional path). Errors as study_path.
std::vector<double> patching_effects(nn::Sequential& model, std::string_view layer,
                                     std::span<const double> clean, std::span<const double> corrupt,
                                     Direction direction, std::span<const std::size_t> components);

struct CaptumLayerIg {
  PathIntegratedGradients path;  // from the baseline's hooked columns to the input's, on the input
  // Captum's delta: sum(attributions) - (f(input) - f(baseline)), each run unpatched. It equals
  // path.convergence_delta only when the hooked columns are all the input reaches the output by.
  double captum_delta = 0.0;
  double f_input = 0.0, f_baseline = 0.0;
};
// Captum's convention (see the top), with `hooked` the columns of the activation that the hooked
// module outputs. Errors as study_layer_ig.
CaptumLayerIg captum_layer_ig(nn::Sequential& model, std::string_view layer,
                              std::span<const double> input, std::span<const double> baseline,
                              std::span<const std::size_t> hooked, int n_steps = default_n_steps,
                              Method method = default_method);

// ---- the chapter's networks ---------------------------------------------------------------------

// Chapter 7's training for a hidden layer: 2000 epochs of SGD at lr 0.5, BCELoss over the gate's
// rows shuffled every epoch (nn::train).
nn::TrainingOptions residual_training();

struct ResidualNetwork {
  nn::Gate gate = nn::Gate::and_gate;
  std::uint64_t seed = 0;
  std::size_t hidden = 0;
  nn::StateDict parameters;
  std::vector<double> predictions;  // on the truth-table rows, in order
  bool classifies_all_rows = false;
};

// nn::residual_network drawn from Generator(seed), then trained on the gate (nn::train with the
// same generator, as torch.manual_seed drives both). Errors of nn::residual_network and nn::train.
ResidualNetwork train_residual_network(nn::Gate gate, std::uint64_t seed, std::size_t hidden,
                                       const nn::TrainingOptions& options = residual_training());

// The hidden neurons' columns of the block's output, 0 .. hidden-1.
std::vector<std::size_t> hidden_columns(std::size_t hidden);

}  // namespace attribution
