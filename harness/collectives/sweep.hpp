// Message-size sweeps as nccl-tests takes them (-b MIN -e MAX -f FACTOR), written in one token:
// "8:8GiB:2" (geometric), a single size "1GiB", or a comma list of either ("1MiB,8:64:2").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpucert::coll {

/// Upper bound on the points one sweep may expand to, so a typo cannot plan a week of work.
inline constexpr std::size_t kMaxSweepPoints = 256;

/// Sizes in bytes, ascending, without duplicates. Throws InputError naming the token and what is
/// wrong (not a size, MIN above MAX, FACTOR not a whole number >= 2, zero bytes, too many points).
std::vector<std::uint64_t> parse_sweep(const std::string& text);

/// "1 GiB", "512 MiB", "8 B": the largest binary unit that divides the size exactly.
std::string format_bytes(std::uint64_t bytes);

} // namespace gpucert::coll
