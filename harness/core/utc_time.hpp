// Wall-clock time stamps for results and inventories: ISO-8601, UTC, whole seconds.
#pragma once

#include <chrono>
#include <ctime>
#include <string>

namespace gpucert {

/// "2025-01-31T12:34:56Z"
inline std::string utc_now_iso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace gpucert
