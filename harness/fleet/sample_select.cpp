#include "harness/fleet/sample_select.hpp"

#include "harness/core/error.hpp"
#include "harness/core/input_file.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <random>
#include <set>
#include <sstream>

namespace gpucert::fleet {

namespace {

// Uniform in [0, bound): rejection of the top partial range, so every value is equally likely.
std::uint64_t below(std::mt19937_64& g, std::uint64_t bound) {
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  for (;;) {
    const std::uint64_t x = g();
    if (x < limit)
      return x % bound;
  }
}

} // namespace

std::vector<int> choose_sample(int lot_size, int sample, std::uint64_t seed) {
  if (lot_size < 0 || sample < 0 || sample > lot_size)
    throw InputError(fmt::format("cannot choose {} nodes of a lot of {}", sample, lot_size));
  std::mt19937_64 g(seed);
  std::vector<int> pos(static_cast<std::size_t>(lot_size));
  for (int i = 0; i < lot_size; ++i)
    pos[i] = i;
  for (int i = 0; i < sample; ++i) {
    const auto j = i + static_cast<int>(below(g, std::uint64_t(lot_size - i)));
    std::swap(pos[i], pos[j]);
  }
  pos.resize(static_cast<std::size_t>(sample));
  std::sort(pos.begin(), pos.end());
  return pos;
}

std::vector<std::string> read_node_list(const std::string& path) {
  const std::string text = read_input_file(path, kProfileInput);
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (auto hash = line.find('#'); hash != std::string::npos)
      line.resize(hash);
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos)
      continue;
    const auto e = line.find_last_not_of(" \t\r");
    std::string name = line.substr(b, e - b + 1);
    if (!seen.insert(name).second)
      throw InputError(fmt::format("{}:{}: node '{}' is listed twice", path, n, name));
    out.push_back(std::move(name));
  }
  if (out.empty())
    throw InputError(fmt::format("{}: lists no node", path));
  return out;
}

} // namespace gpucert::fleet
