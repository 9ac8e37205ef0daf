// latent patch: activation patching, both directions, of a neuron with given parameters.
#include <string>

#include "attribution/activation_patching.hpp"
#include "attribution/experiment.hpp"
#include "latent/csv.hpp"
#include "latent/subcommands.hpp"
#include "nn/hooks.hpp"

namespace latent {

namespace {

constexpr std::string_view help =
    "usage: latent patch --weights W1,W2[,...] --bias B --clean X1,X2[,...] --corrupt Y1,Y2[,...]\n"
    "                    [--json | --csv]\n"
    "\n"
    "Activation patching of the neuron sigmoid(w.x + b) at its input, one component at a time:\n"
    "  denoising (clean -> corrupt): the clean component put into the corrupt run; its score is\n"
    "    the share of f(clean) - f(corrupt) it brings back (high: sufficient);\n"
    "  noising (corrupt -> clean): the corrupt component put into the clean run; its score is\n"
    "    the share it takes away (high: necessary).\n"
    "The scores are shares of f(clean) - f(corrupt), so the two outputs must differ.\n"
    "\n"
    "  --weights W1,W2   the weights, comma-separated (one per input)\n"
    "  --bias B          the bias\n"
    "  --clean X1,X2     the clean input, one number per weight\n"
    "  --corrupt Y1,Y2   the corrupt input, one number per weight\n"
    "  --json            {\"f_clean\", \"f_corrupt\", \"denoising\", \"noising\",\n"
    "                     \"denoising_differences\", \"noising_differences\"}; a difference is\n"
    "                     f(run) - f(run patched), the score's numerator\n"
    "  --csv             a header row \"component,clean,corrupt,denoising,noising,\n"
    "                    denoising_difference,noising_difference\", then one row per input\n"
    "\n"
    "example (the notebook's AND neuron):\n"
    "  latent patch --weights 3.0482,3.0556 --bias -4.7946 --clean 1,1 --corrupt 0,0\n";

std::string run(std::span<const std::string_view> words) {
  const Arguments arguments(words, {"weights", "bias", "clean", "corrupt"}, {"json", "csv"});
  const OutputFormat format = read_output_format(arguments);
  const NeuronParameters neuron = read_neuron(arguments);
  const std::vector<double> clean = read_point(arguments, "clean", neuron.weights.size());
  const std::vector<double> corrupt = read_point(arguments, "corrupt", neuron.weights.size());

  autodiff::Tape tape;
  nn::Sequential model = attribution::neuron(tape, neuron.weights, neuron.bias);
  const attribution::TwoWayPatching patching =
      attribution::patch_both_directions(model, nn::layer_input_name(0), clean, corrupt);
  const double f_clean = patching.noising.f_base, f_corrupt = patching.denoising.f_base;
  require_finite({&f_clean, 1}, "f(clean)");
  require_finite({&f_corrupt, 1}, "f(corrupt)");
  require_finite(patching.denoising.differences, "a denoising difference");
  require_finite(patching.noising.differences, "a noising difference");
  if (!patching.denoising.scores || !patching.noising.scores)
    throw UsageError("f(clean) = " + shortest(f_clean) +
                     " and f(corrupt) = " + shortest(f_corrupt) +
                     " are equal to rounding, so the patching scores (shares of their "
                     "difference) are undefined; choose inputs the neuron tells apart");
  require_finite(*patching.denoising.scores, "a denoising score");
  require_finite(*patching.noising.scores, "a noising score");
  if (format == OutputFormat::csv) return patch_csv(patching, clean, corrupt);
  return format == OutputFormat::json ? patch_json(patching).dump() + "\n"
                                      : patch_text(patching, neuron, clean, corrupt);
}

}  // namespace

Subcommand patch_subcommand() {
  return {"patch", "activation patching, both directions, of a neuron with given parameters", help,
          run};
}

}  // namespace latent
