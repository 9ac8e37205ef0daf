// The `latent` command as a function, so that the tests run it without starting a process.
//
//   latent train      --gate NAME [--hidden H] [--seed N] [--epochs N] [--lr X] [--save FILE]
//   latent ig         --weights W1,W2 --bias B --input X1,X2 --baseline Y1,Y2 [--n-steps N]
//                     [--method NAME]
//   latent patch      --weights W1,W2 --bias B --clean X1,X2 --corrupt Y1,Y2
//   latent experiment --gate NAME [--hidden H] [--seed N] | --weights W1,W2 --bias B | --load FILE
//
// each with --json (and train, ig, patch with --csv) instead of the readable report.
#pragma once

#include <ostream>
#include <span>
#include <string_view>

namespace latent {

// `words` are the arguments after the program's name. Returns the exit status:
//  0  success, or --help (printed on `out`); `experiment` returns 0 even when a claim fails,
//     the verdicts being part of its output;
//  2  bad input: one line on `err`, starting "latent: " and naming the problem, and nothing at all
//     on `out` (every output is built whole before any of it is printed); with no words at all,
//     the usage on `err`;
//  1  an error that is not the input's fault (an internal error), one line on `err`.
int run(std::span<const std::string_view> words, std::ostream& out, std::ostream& err);

}  // namespace latent
