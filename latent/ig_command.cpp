// latent ig: integrated gradients of a neuron with given parameters.
#include <string>

#include "attribution/experiment.hpp"
#include "attribution/integrated_gradients.hpp"
#include "attribution/quadrature.hpp"
#include "latent/csv.hpp"
#include "latent/subcommands.hpp"

namespace latent {

namespace {

constexpr std::string_view help =
    "usage: latent ig --weights W1,W2[,...] --bias B --input X1,X2[,...] --baseline Y1,Y2[,...]\n"
    "                 [--n-steps N] [--method NAME] [--json | --csv]\n"
    "\n"
    "Integrated gradients of the neuron sigmoid(w.x + b), from the baseline to the input, as\n"
    "Captum computes it: each input's share of f(input) - f(baseline).\n"
    "\n"
    "  --weights W1,W2   the weights, comma-separated (one per input)\n"
    "  --bias B          the bias\n"
    "  --input X1,X2     the input, one number per weight\n"
    "  --baseline Y1,Y2  the baseline, one number per weight\n"
    "  --n-steps N       quadrature points, 1 to 100000 (max_n_steps); default 50\n"
    "  --method NAME     riemann_left, riemann_right, riemann_middle, riemann_trapezoid (needs\n"
    "                    n_steps >= 2) or gausslegendre; default gausslegendre\n"
    "  --json            {\"method\", \"n_steps\", \"attributions\", \"convergence_delta\",\n"
    "                     \"f_input\", \"f_baseline\"}\n"
    "  --csv             a header row \"component,input,baseline,attribution,share\", then one\n"
    "                    row per input (share: of f(input) - f(baseline), empty if there is none)\n"
    "\n"
    "example (the notebook's AND neuron):\n"
    "  latent ig --weights 3.0482,3.0556 --bias -4.7946 --input 1,1 --baseline 0,0\n";

std::string run(std::span<const std::string_view> words) {
  const Arguments arguments(words, {"weights", "bias", "input", "baseline", "n-steps", "method"},
                            {"json", "csv"});
  const OutputFormat format = read_output_format(arguments);
  const NeuronParameters neuron = read_neuron(arguments);
  const std::vector<double> input = read_point(arguments, "input", neuron.weights.size());
  const std::vector<double> baseline = read_point(arguments, "baseline", neuron.weights.size());
  const int n_steps = static_cast<int>(
      arguments.integer("n-steps", attribution::default_n_steps, 1, attribution::max_n_steps));
  const attribution::Method method = attribution::parse_method(
      arguments.optional("method").value_or(attribution::method_name(attribution::default_method)));

  autodiff::Tape tape;
  nn::Sequential model = attribution::neuron(tape, neuron.weights, neuron.bias);
  const attribution::IntegratedGradientsResult ig =
      attribution::integrated_gradients(model, input, baseline, n_steps, method);
  require_finite(ig.attributions, "an attribution");
  require_finite({&ig.f_input, 1}, "f(input)");
  require_finite({&ig.f_baseline, 1}, "f(baseline)");
  require_finite({&ig.convergence_delta, 1}, "the convergence delta");
  if (format == OutputFormat::csv) return ig_csv(ig, input, baseline);
  return format == OutputFormat::json ? ig_json(ig).dump() + "\n"
                                      : ig_text(ig, neuron, input, baseline);
}

}  // namespace

Subcommand ig_subcommand() {
  return {"ig", "integrated gradients of a neuron with given weights and bias", help, run};
}

}  // namespace latent
