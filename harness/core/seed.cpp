// Seeds from the command line (see seed.hpp).
#include "harness/core/seed.hpp"

#include "harness/core/error.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/core.h>

namespace gpucert {

std::uint64_t parse_seed(const std::string& text, const std::string& option) {
  std::uint64_t v = 0;
  // from_chars alone would take "12abc" as 12 and accept no sign, but reads "+5" as an error and
  // "-5" too: the digits test keeps all of that out.
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return c >= '0' && c <= '9';
  });
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (!digits || ec != std::errc() || end != text.data() + text.size())
    throw InputError(
        fmt::format("{} {}: not a seed (a whole number from 0 to {})", option, text, UINT64_MAX));
  return v;
}

} // namespace gpucert
