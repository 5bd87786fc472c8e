// Sweep parsing: sizes via the registry's parse_bytes so every size spelling is the same one.
#include "harness/collectives/sweep.hpp"

#include "harness/core/error.hpp"
#include "harness/model/catalog.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::coll {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos)
    return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    out.push_back(trim(s.substr(start, pos == std::string::npos ? pos : pos - start)));
    if (pos == std::string::npos)
      break;
    start = pos + 1;
  }
  return out;
}

std::uint64_t size_of(const std::string& token, const std::string& what, const std::string& whole) {
  double b = 0;
  try {
    b = parse_bytes(token);
  } catch (const InputError& e) {
    throw InputError(fmt::format("sweep '{}': {}: {}", whole, what, e.what()));
  }
  if (b < 1)
    throw InputError(fmt::format("sweep '{}': {} '{}' is below 1 byte", whole, what, token));
  if (b != std::floor(b))
    throw InputError(
        fmt::format("sweep '{}': {} '{}' is not a whole number of bytes", whole, what, token));
  if (b > 9.0e15)
    throw InputError(
        fmt::format("sweep '{}': {} '{}' is larger than any GPU memory", whole, what, token));
  return static_cast<std::uint64_t>(b);
}

void expand(const std::string& token, const std::string& whole, std::vector<std::uint64_t>& out) {
  const auto parts = split(token, ':');
  if (parts.size() == 1) {
    if (parts[0].empty())
      throw InputError(fmt::format("sweep '{}': an empty size", whole));
    out.push_back(size_of(parts[0], "size", whole));
    return;
  }
  if (parts.size() != 3)
    throw InputError(
        fmt::format("sweep '{}': '{}' is not MIN:MAX:FACTOR (e.g. 8:8GiB:2)", whole, token));
  const std::uint64_t lo = size_of(parts[0], "MIN", whole);
  const std::uint64_t hi = size_of(parts[1], "MAX", whole);
  std::uint64_t factor = 0;
  const std::string& f = parts[2];
  auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), factor);
  if (f.empty() || ec != std::errc() || ptr != f.data() + f.size() || factor < 2)
    throw InputError(fmt::format("sweep '{}': FACTOR '{}' must be a whole number >= 2", whole, f));
  if (lo > hi)
    throw InputError(fmt::format("sweep '{}': MIN {} is above MAX {}", whole, parts[0], parts[1]));
  for (std::uint64_t s = lo; s <= hi; s *= factor) {
    out.push_back(s);
    if (out.size() > kMaxSweepPoints)
      throw InputError(fmt::format("sweep '{}': more than {} sizes", whole, kMaxSweepPoints));
    if (s > hi / factor)
      break; // the next step would pass MAX (or overflow)
  }
}

} // namespace

std::vector<std::uint64_t> parse_sweep(const std::string& text) {
  if (trim(text).empty())
    throw InputError("sweep: empty (expected e.g. 1GiB or 8:8GiB:2)");
  std::vector<std::uint64_t> out;
  for (const auto& token : split(text, ','))
    expand(token, text, out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > kMaxSweepPoints)
    throw InputError(fmt::format("sweep '{}': more than {} sizes", text, kMaxSweepPoints));
  return out;
}

std::string format_bytes(std::uint64_t bytes) {
  constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (u < 4 && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return fmt::format("{} {}", bytes, units[u]);
}

} // namespace gpucert::coll
