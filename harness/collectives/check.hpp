// Exact result checks of a collective on the host: the mismatch logic the GPU check kernel
// mirrors (count + lowest wrong offset), the report it produces, the host fill, and a
// formula-free reference of every collective that the tests hold the expected values against.
#pragma once

#include "kernels/collective_patterns.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gpucert::coll {

struct Mismatch {
  std::uint64_t checked = 0;      ///< elements compared
  std::uint64_t count = 0;        ///< elements that differ from the expected value
  std::uint64_t first_offset = 0; ///< lowest wrong element offset (valid when count > 0)
  double value = 0, expected = 0; ///< at first_offset
  bool ok() const { return count == 0; }
};

/// Compares rank `rank`'s receive buffer (raw elements of p.dtype, `elems` of them, normally
/// check_count(p, rank)) bit for bit with the expected pattern.
Mismatch check_output(const Pattern& p, int rank, const void* recv, std::uint64_t elems);

/// The same report from what the GPU check kernel returns: the mismatch count, the lowest wrong
/// offset and the raw bits read back at that offset.
Mismatch mismatch_from_counts(const Pattern& p, int rank, std::uint64_t checked,
                              std::uint64_t count, std::uint64_t first_offset,
                              std::uint32_t bits_at_first);

/// "rank 3 (gpu 3): 2 of 1048576 elements wrong, first at offset 1024: got 7, expected 9".
std::string describe(const Pattern& p, int rank, const std::string& who, const Mismatch& m);

/// Writes rank `rank`'s send buffer (`elems` elements, normally Layout::send_count).
void fill_input(const Pattern& p, int rank, void* send, std::uint64_t elems);

/// Reference semantics of each collective, written from the NCCL API documentation and nothing
/// else: inputs[r] = rank r's send buffer values; returns each rank's receive buffer values
/// (empty for ranks without a defined output, e.g. reduce's non-roots). Sums are exact int64.
std::vector<std::vector<std::int64_t>>
reference_collective(const Pattern& p, const std::vector<std::vector<std::int64_t>>& inputs);

/// Encodes values into a raw buffer of p.dtype (for tests and the simulator's check).
std::vector<std::uint8_t> encode_buffer(DType t, const std::vector<std::int64_t>& values);

} // namespace gpucert::coll
