// The `latent` command as a function, so that the tests run it without starting a process.
//
//   latent train      --gate NAME [--hidden H] [--seed N] [--epochs N] [--lr X] [--save FILE]
//                     [--classifier]
//   latent ig         --weights W1,W2 --bias B --input X1,X2 --baseline Y1,Y2 [--n-steps N]
//                     [--method NAME]
//   latent patch      --weights W1,W2 --bias B --clean X1,X2 --corrupt Y1,Y2
//   latent experiment --gate NAME [--hidden H] [--seed N] [--classifier] | --weights W1,W2 --bias B
//                     | --load FILE
//   latent residual   --gate NAME [--hidden H] [--seed N] [--n-steps N] [--method NAME] [--no-skip]
//   latent compare    --gate NAME [--hidden H] [--seed N] [--fraction F] [--baseline corrupt|zero]
//                     [--split-ratio R] [--skip]
//   latent heads      --circuit or|and [--sink S] [--n-steps N] [--method NAME]
//                     | --induction --seed N [--n-steps N] [--method NAME]
//
// each with --json (and train, ig, patch with --csv) instead of the readable report.
#pragma once

#include <cstddef>
#include <ostream>
#include <span>
#include <string_view>

#include "latent/progress.hpp"

namespace latent {

// Limits on what one command line may ask, checked before any work starts (each with a message
// naming it): ig and patch take at most max_weights weights, and ig at most max_ig_points
// quadrature points over all weights (--n-steps times the number of weights, about 250 bytes of
// tape each). The others: --hidden up to nn::max_hidden, --epochs up to max_epochs, --n-steps up
// to attribution::max_n_steps, model files up to max_model_file_bytes.
inline constexpr std::size_t max_weights = 1000;
inline constexpr long long max_ig_points = 1000000;
// `latent heads`: each quadrature point of its IG is a forward and backward pass of the whole
// transformer (about 10^5 tape nodes), four per point (two bases, two layers).
inline constexpr long long max_heads_n_steps = 10000;
// And its --sink: far past the scores of 10 and 20 it competes with, a sink takes all the attention
// (or none), so a larger one changes nothing, and one near the largest double overflows the scores.
inline constexpr double max_sink = 1e6;

// `words` are the arguments after the program's name. Returns the exit status:
//  0  success, or --help (printed on `out`); `experiment` returns 0 even when a claim fails,
//     the verdicts being part of its output;
//  2  bad input: one line on `err`, starting "latent: " and naming the problem, and nothing at all
//     on `out` (every output is built whole before any of it is printed); a file that cannot be
//     read or written is bad input too; with no words at all, the usage on `err`;
//  1  an error that is not the input's fault: an output that could not be written (a full disk, a
//     closed pipe), out of memory, an internal error; one line on `err`. If `err` itself cannot be
//     written, the status is 1 all the same.
// `progress` says whether long work (training) shows its progress on `err`.
int run(std::span<const std::string_view> words, std::ostream& out, std::ostream& err,
        const ProgressSettings& progress = {});

}  // namespace latent
