// The fuzz targets: three of the project's readers of untrusted text, each fed arbitrary bytes.
//
// A reader may accept its input or refuse it with its documented error; anything else is a bug:
// another exception, a broken invariant (thrown as fuzz::Broken), or a sanitizer report. The same
// functions run under libFuzzer (tests/fuzz/*_fuzz.cpp, `make fuzz`) and in the tools' tests,
// which replay the seed corpus and every crash found so far (tests/fuzz/README.md).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "attribution/experiment.hpp"
#include "tests/course/markers.hpp"

namespace fuzz {

// A reader broke one of its promises on some input. It is deliberately no std::runtime_error, so
// that no reader's documented error can be mistaken for it.
struct Broken : std::logic_error {
  using std::logic_error::logic_error;
};

enum class Outcome { accepted, refused };

// latent::parse_any_model_file: a model file, the tutorial's network or chapter 9's classifier, is
// read, or refused with latent::UsageError. What it reads is written back by model_file_text, and
// that text reads back to the same model, of the same kind; latent::parse_model_file reads the
// same network, or refuses the classifier.
Outcome model_file(std::string_view bytes);

// latent::Arguments and the number readers. The bytes are the words after `latent COMMAND`, one
// per line; they are read with the flags and switches of every latent command. Refused: the words
// are no valid flags (latent::UsageError from the constructor). Each flag given is then read as
// text, a number, a list of numbers and a whole number in several ranges, each read either
// refused with UsageError or within what was asked.
Outcome arguments(std::string_view bytes);

// course::find_regions: the exercise regions of a file, or course::Error. The regions found lie in
// order inside the text; the student edition of the text, with its solutions put back
// (course::restore), is the text again.
Outcome markers(std::string_view bytes);

// The invariant checks themselves, for the tests that make sure each can fail.
void check_same_network(const attribution::TrainedNetwork& first,
                        const attribution::TrainedNetwork& second);
void check_regions(std::string_view text, const std::vector<course::Region>& regions);

// Words split at '\n'; the empty word after a final '\n' is none.
std::vector<std::string_view> words_of(std::string_view bytes);

}  // namespace fuzz
