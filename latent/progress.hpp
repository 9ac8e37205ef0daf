// Progress on long work: one line on stderr, rewritten in place, while `latent train` runs for
// more than a second: the epochs done, the loss, the time left. Only on a terminal: a log file or
// a pipe gets nothing, and nothing ever goes to stdout, where --json and --csv print.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace latent {

// How `latent` shows progress. main() shows it when stderr is a terminal; `seconds` is a clock
// (steady, in seconds), which tests replace with their own.
struct ProgressSettings {
  bool show = false;
  std::function<double()> seconds;
};

// The line for one training, on `err`. Silent for the first second, so that short runs print
// nothing; then rewritten at most four times a second. done() clears it.
class TrainingProgress {
 public:
  TrainingProgress(const ProgressSettings& settings, std::ostream& err, long long epochs);
  TrainingProgress(const TrainingProgress&) = delete;
  TrainingProgress& operator=(const TrainingProgress&) = delete;
  ~TrainingProgress() { done(); }

  // After epoch `epoch` (counted from 0) with this loss.
  void update(long long epoch, double loss);
  void done();

 private:
  bool show_;
  std::function<double()> seconds_;
  std::ostream& err_;
  long long epochs_;
  double start_ = 0.0, next_ = 0.0;
  std::size_t width_ = 0;  // of the line shown, 0 when none is
};

// "12 s", "3 min 20 s", "2 h 5 min": a duration as the line shows it.
std::string duration_text(double seconds);

}  // namespace latent
