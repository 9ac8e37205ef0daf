#!/usr/bin/env python3
"""Writes tests/reference_notebook_models.hpp, beside this script, from a notebook_models.json.

The tests must not read shared/ at run time, so the numbers they need are copied into a header.
Run from the repository root, once, whenever the reference file changes:

  python3 tests/reference_notebook_models.py ../shared/reference/notebook_models.json
  clang-format -i tests/reference_notebook_models.hpp
"""
import json
import sys

DIRECTIONS = ["clean_zero", "corrupt_zero", "clean_from_corrupt", "corrupt_from_clean"]
METHODS = ["riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gausslegendre"]
HEADER = """\
// Reference numbers for the original notebook's two neurons, sigmoid(w.x + b), copied from
// shared/reference/notebook_models.json (PyTorch {torch}, Captum {captum}, numpy {numpy}, all in
// float64; the file's README and its "about" block state the conventions).
//
// GENERATED from that file by tests/reference_notebook_models.py; do not edit by hand. From the
// repository root:
//   python3 tests/reference_notebook_models.py ../shared/reference/notebook_models.json
//   clang-format -i tests/reference_notebook_models.hpp
// Every number is printed with 17 significant digits (%.17g), which gives back the file's double
// exactly.
//
// Where each number comes from (m = models[i], p = m.pairs[j], d = a direction, n = n_steps):
//   Model::name, weights, bias, truth_table_outputs    m.<same key>
//   Pair::name, clean, corrupt, f_clean, f_corrupt     p.<same key>
//   Pair::ig_closed_form[d]                            p.ig_closed_form.<d>
//   Pair::grad_at_input_x_delta[d]                     p.gradients.<d>.grad_at_input_x_delta
//   Pair::grad_at_baseline_x_delta[d]                  p.gradients.<d>.grad_at_baseline_x_delta
//   Pair::denoising, noising                           p.activation_patching.denoising, .noising
//   IntegratedGradientsEntry::quadrature               p.ig_quadrature.<d>.<method>.<n>
//                                                      (null there: quadrature_defined = false)
//   IntegratedGradientsEntry::captum                   p.ig_captum_float64.<d>.<method>.<n>.attr
//                                                      ("error" there: captum_ran = false)
//   TrainingRanges (each a [min, max] over seeds 0-9)  training_over_seeds_0_9.<gate>.<key>_min_max
//     denoising is the key ap_clean->corrupt, noising ap_corrupt->clean.
#pragma once

namespace reference_notebook_models {{

// The order of the directions in every [4] array below; see the JSON's about.directions.
enum class Direction {{
  clean_zero,          // input = clean, baseline = [0, 0]
  corrupt_zero,        // input = corrupt, baseline = [0, 0]
  clean_from_corrupt,  // input = clean, baseline = corrupt
  corrupt_from_clean,  // input = corrupt, baseline = clean
}};

struct Pair {{
  const char* name;
  double clean[2], corrupt[2];
  double f_clean, f_corrupt;
  double ig_closed_form[4][2];
  double grad_at_input_x_delta[4][2];     // gradient at the input times (input - baseline)
  double grad_at_baseline_x_delta[4][2];  // gradient at the baseline times (input - baseline)
  double denoising[2], noising[2];        // activation patching scores at the input
}};

struct Model {{
  const char* name;
  double weights[2];
  double bias;
  double truth_table_outputs[4];  // f at [0, 0], [0, 1], [1, 0], [1, 1]
  Pair pairs[3];
}};

struct IntegratedGradientsEntry {{
  int model, pair;  // indices into models and its pairs
  Direction direction;
  const char* method;  // Captum's name
  int n_steps;
  bool quadrature_defined;  // false where the rule needs n_steps > 1 (then quadrature is {{0, 0}})
  double quadrature[2];     // exact nodes and weights, float64 sums
  bool captum_ran;          // false where Captum refused (n_steps = 1); then captum is {{0, 0}}
  double captum[2];         // Captum 0.8 on a float64 model (float32 nodes and weights)
}};

struct TrainingRanges {{
  const char* gate;
  double w1[2], w2[2], b[2], final_loss[2], denoising[2], noising[2], ig_share[2], ig[2];
}};

"""


def number(x):
    return "%.17g" % x  # 17 significant digits give back the file's double exactly


def numbers(xs):
    return "{" + ", ".join(number(x) for x in xs) + "}"


def by_direction(block, key=None):
    rows = (block[d] if key is None else block[d][key] for d in DIRECTIONS)
    return "{" + ", ".join(numbers(row) for row in rows) + "}"


def main(path):
    with open(path) as f:
        data = json.load(f)
    about = data["about"]["made_with"]
    out = [HEADER.format(torch=about["torch_version"], captum=about["captum_version"],
                         numpy=about["numpy_version"])]
    out.append("inline constexpr Model models[] = {")
    for m in data["models"]:
        out.append('{"%s", %s, %s, %s, {' % (m["name"], numbers(m["weights"]), number(m["bias"]),
                                             numbers(m["truth_table_outputs"])))
        for p in m["pairs"]:
            g, ap = p["gradients"], p["activation_patching"]
            out.append('{"%s", %s, %s, %s, %s, %s, %s, %s, %s, %s},' % (
                p["name"], numbers(p["clean"]), numbers(p["corrupt"]), number(p["f_clean"]),
                number(p["f_corrupt"]), by_direction(p["ig_closed_form"]),
                by_direction(g, "grad_at_input_x_delta"),
                by_direction(g, "grad_at_baseline_x_delta"),
                numbers(ap["denoising"]), numbers(ap["noising"])))
        out.append("}},")
    # One entry in three lines (key, quadrature, Captum), kept so by clang-format off.
    out.append("};\n\n// clang-format off")
    out.append("inline constexpr IntegratedGradientsEntry ig_entries[] = {")
    for i, m in enumerate(data["models"]):
        for j, p in enumerate(m["pairs"]):
            for d in DIRECTIONS:
                for method in METHODS:
                    for n, quadrature in p["ig_quadrature"][d][method].items():
                        captum = p["ig_captum_float64"][d][method][n]
                        out.append('    {%d, %d, Direction::%s, "%s", %s,\n'
                                   '     %s, %s,\n     %s, %s},' % (
                            i, j, d, method, n, "true" if quadrature is not None else "false",
                            numbers(quadrature or [0, 0]), "false" if "error" in captum else "true",
                            numbers(captum.get("attr", [0, 0]))))
    out.append("};\n// clang-format on\n")
    out.append("inline constexpr TrainingRanges training_over_seeds_0_9[] = {")
    for gate, t in data["training_over_seeds_0_9"].items():
        if gate in ("AND", "OR"):
            out.append('{"%s", %s},' % (gate, ", ".join(numbers(t[k + "_min_max"]) for k in (
                "w1", "w2", "b", "final_loss", "ap_clean->corrupt", "ap_corrupt->clean",
                "ig_share", "ig"))))
    out.append("};\n\n}  // namespace reference_notebook_models")
    with open(__file__[:-len(".py")] + ".hpp", "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
