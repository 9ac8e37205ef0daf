// How `latent` shows its results, in one place: numbers as text, aligned tables, and each result
// (training, integrated gradients, patching) both as a readable report and as JSON. The experiment
// reuses the three so that its parts look exactly like the commands that compute them alone.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "latent/json.hpp"

namespace latent {

// ---- numbers as text ----------------------------------------------------------------------------
// The shortest text that reads back as the same double: 3.0482 prints as the user typed it.
std::string shortest(double value);
std::string fixed(double value, int decimals);
std::string scientific(double value);  // -1.1e-16
// [1, 0.5] with shortest().
std::string list_text(std::span<const double> values);

// ---- tables -------------------------------------------------------------------------------------
// Columns padded to their widest cell, two spaces apart, with a rule under the header. The first
// column (labels) and any column holding words are left-aligned; columns of numbers line up on
// the right.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  // Throws std::logic_error for a row whose length is not the header's.
  void add_row(std::vector<std::string> cells);
  std::string text() const;

 private:
  std::vector<std::vector<std::string>> rows_;  // rows_[0] is the header
};

// ---- JSON written member by member -----------------------------------------------------------
// The same text Json::dump gives for an object, but built a member at a time, so that a long array
// (ten million epochs' losses) goes straight to text instead of first becoming a tree of Json
// values many times its size.
class JsonObjectText {
 public:
  void add(std::string_view key, const Json& value);
  // A member whose value is already JSON text.
  void add_text(std::string_view key, std::string_view json);
  // Starts a member; the caller appends its value's JSON text to the string returned, in place.
  std::string& add_key(std::string_view key);
  // The object, closed. Moves the text out: call it last.
  std::string take() && { return std::move(text_) + "}"; }

 private:
  std::string text_ = "{";
};

// ---- checks -------------------------------------------------------------------------------------
// Finite arguments can still overflow (weights of 1e200 times inputs of 1e200). Throws UsageError
// naming `what` when a value is NaN or infinite, so that nothing invalid is printed.
void require_finite(std::span<const double> values, std::string_view what);

// ---- results ------------------------------------------------------------------------------------
struct NeuronParameters {
  std::vector<double> weights;
  double bias = 0.0;
};
// "sigmoid(w.x + b) with w = [3.0482, 3.0556], b = -4.7946"
std::string neuron_text(const NeuronParameters& neuron);

// {"gate", "seed", "epochs", "lr", "weights", "bias", "losses": [{"epoch", "loss"}, ...],
//  "predictions"}, as text (see JsonObjectText).
std::string train_json(const attribution::TrainedNeuron& trained);
// The loss at every tenth of the run and at its last epoch, the parameters, the truth table.
std::string train_text(const attribution::TrainedNeuron& trained);

// {"method", "n_steps", "attributions", "convergence_delta", "f_input", "f_baseline"}
Json ig_json(const attribution::IntegratedGradientsResult& ig);
std::string ig_text(const attribution::IntegratedGradientsResult& ig,
                    const NeuronParameters& neuron, std::span<const double> input,
                    std::span<const double> baseline);

// {"f_clean", "f_corrupt", "denoising", "noising", "denoising_differences",
//  "noising_differences"}. Undefined scores (f(clean) and f(corrupt) equal to rounding) are null
// here and "undefined" in the text; `latent patch` refuses such a pair before it gets this far.
Json patch_json(const attribution::TwoWayPatching& patching);
std::string patch_text(const attribution::TwoWayPatching& patching, const NeuronParameters& neuron,
                       std::span<const double> clean, std::span<const double> corrupt);

}  // namespace latent
