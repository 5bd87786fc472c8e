// The progress line on stderr while a run measures: which clause, how many samples, time left.
// Only on a terminal: logs and CI captures stay clean.
#pragma once

#include <chrono>
#include <string>

namespace gpucert::certify {

class Progress {
public:
  /// Enabled only when `want` and stderr is a terminal.
  explicit Progress(bool want);
  ~Progress();
  /// Redraws the line (at most ~10 times a second unless `force`).
  void update(int index, int total, const std::string& label, int samples, double seconds_left,
              bool force = false);
  void clear();
  bool enabled() const { return enabled_; }

private:
  bool enabled_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

} // namespace gpucert::certify
