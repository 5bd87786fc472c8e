// Progress line (see progress.hpp).
#include "harness/certify/progress.hpp"

#include <cmath>
#include <cstdio>
#include <fmt/core.h>
#include <unistd.h>

namespace gpucert::certify {

Progress::Progress(bool want) : enabled_(want && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  clear();
}

void Progress::update(int index, int total, const std::string& label, int samples,
                      double seconds_left, bool force) {
  if (!enabled_)
    return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_ < std::chrono::milliseconds(100))
    return;
  last_ = now;
  const long left = std::lround(std::max(0.0, seconds_left));
  const std::string time =
      left >= 60 ? fmt::format("{}m{:02d}s", left / 60, left % 60) : fmt::format("{}s", left);
  fmt::print(stderr, "\r\033[K[{}/{}] {} · n={} · ≤ {} left", index, total, label, samples, time);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (!enabled_ || !drawn_)
    return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

} // namespace gpucert::certify
