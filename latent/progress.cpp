#include "latent/progress.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace latent {

namespace {

constexpr double quiet_seconds = 1.0;     // nothing before this
constexpr double refresh_seconds = 0.25;  // then a new line at most this often

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string duration_text(double seconds) {
  const auto whole = static_cast<long long>(std::ceil(std::max(seconds, 0.0)));
  if (whole < 60) return std::to_string(whole) + " s";
  if (whole < 3600) return std::to_string(whole / 60) + " min " + std::to_string(whole % 60) + " s";
  return std::to_string(whole / 3600) + " h " + std::to_string(whole % 3600 / 60) + " min";
}

TrainingProgress::TrainingProgress(const ProgressSettings& settings, std::ostream& err,
                                   long long epochs)
    : show_(settings.show),
      seconds_(settings.seconds ? settings.seconds : steady_seconds),
      err_(err),
      epochs_(epochs) {
  if (show_) {
    start_ = seconds_();
    next_ = start_ + quiet_seconds;
  }
}

void TrainingProgress::update(long long epoch, double loss) {
  if (!show_) return;
  const double now = seconds_();
  if (now < next_) return;
  next_ = now + refresh_seconds;
  const long long done = epoch + 1;
  const double left =
      (now - start_) / static_cast<double>(done) * static_cast<double>(epochs_ - done);
  char line[160];
  std::snprintf(line, sizeof line, "training: epoch %lld of %lld (%d%%), loss %.3g, about %s left",
                done, epochs_, static_cast<int>(100 * done / epochs_), loss,
                duration_text(left).c_str());
  const std::string text = line;
  // \r goes back to the start of the line; spaces cover what was longer in the last one.
  err_ << '\r' << text << std::string(width_ > text.size() ? width_ - text.size() : 0, ' ')
       << std::flush;
  width_ = text.size();
}

void TrainingProgress::done() {
  if (width_ == 0) return;
  err_ << '\r' << std::string(width_, ' ') << '\r' << std::flush;
  width_ = 0;
}

}  // namespace latent
