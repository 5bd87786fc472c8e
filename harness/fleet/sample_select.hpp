// Which nodes of a lot a buyer spot-checks: a seeded random choice that anyone can redraw from
// the seed (the generator and the draw are specified exactly, not left to the standard library's
// implementation-defined distributions).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpucert::fleet {

/// `sample` distinct positions (0-based) of a lot of `lot_size`, ascending: a partial
/// Fisher–Yates shuffle driven by mt19937_64(seed) with unbiased bounded draws (rejection).
/// InputError unless 0 <= sample <= lot_size.
std::vector<int> choose_sample(int lot_size, int sample, std::uint64_t seed);

/// A node list: one name per line, surrounding blanks trimmed, blank lines and '#' comments
/// skipped. InputError naming FILE:LINE for a name given twice, and for a missing file.
std::vector<std::string> read_node_list(const std::string& path);

} // namespace gpucert::fleet
