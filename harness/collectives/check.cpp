// Host-side checks, fill and reference semantics of the collectives.
#include "harness/collectives/check.hpp"

#include "harness/core/error.hpp"

#include <fmt/core.h>

namespace gpucert::coll {

Mismatch check_output(const Pattern& p, int rank, const void* recv, std::uint64_t elems) {
  Mismatch m;
  m.checked = elems;
  for (std::uint64_t k = 0; k < elems; ++k) {
    const std::uint32_t got = load_bits(p.dtype, recv, k);
    const std::int64_t want = expected_value(p, rank, k);
    if (got != encode_bits(p.dtype, want)) {
      if (m.count == 0) {
        m.first_offset = k;
        m.value = decode_bits(p.dtype, got);
        m.expected = static_cast<double>(want);
      }
      ++m.count;
    }
  }
  return m;
}

Mismatch mismatch_from_counts(const Pattern& p, int rank, std::uint64_t checked,
                              std::uint64_t count, std::uint64_t first_offset,
                              std::uint32_t bits_at_first) {
  Mismatch m;
  m.checked = checked;
  m.count = count;
  if (count > 0) {
    m.first_offset = first_offset;
    m.value = decode_bits(p.dtype, bits_at_first);
    m.expected = static_cast<double>(expected_value(p, rank, first_offset));
  }
  return m;
}

std::string describe(const Pattern& p, int rank, const std::string& who, const Mismatch& m) {
  const std::string name = who.empty() ? fmt::format("rank {}", rank) : who;
  if (m.ok())
    return fmt::format("{}: all {} elements exact", name, m.checked);
  (void)p;
  return fmt::format("{}: {} of {} elements wrong, first at offset {}: got {}, expected {}", name,
                     m.count, m.checked, m.first_offset, m.value, m.expected);
}

void fill_input(const Pattern& p, int rank, void* send, std::uint64_t elems) {
  for (std::uint64_t j = 0; j < elems; ++j)
    store_bits(p.dtype, send, j, encode_bits(p.dtype, input_value(p, rank, j)));
}

std::vector<std::vector<std::int64_t>>
reference_collective(const Pattern& p, const std::vector<std::vector<std::int64_t>>& in) {
  const int n = p.nranks;
  const std::uint64_t c = p.param_count;
  if (static_cast<int>(in.size()) != n)
    throw InternalError("reference_collective: one input per rank");
  std::vector<std::vector<std::int64_t>> out(n);
  auto sum_at = [&](std::uint64_t i) {
    std::int64_t s = 0;
    for (int r = 0; r < n; ++r)
      s += in[r].at(i);
    return s;
  };
  for (int r = 0; r < n; ++r) {
    auto& o = out[r];
    switch (p.kind) {
    case CollKind::all_reduce: // every rank: the element-wise sum of all send buffers
      for (std::uint64_t i = 0; i < c; ++i)
        o.push_back(sum_at(i));
      break;
    case CollKind::reduce: // the root only
      if (r == p.root)
        for (std::uint64_t i = 0; i < c; ++i)
          o.push_back(sum_at(i));
      break;
    case CollKind::reduce_scatter: // rank r: block r of the sum
      for (std::uint64_t i = 0; i < c; ++i)
        o.push_back(sum_at(static_cast<std::uint64_t>(r) * c + i));
      break;
    case CollKind::all_gather: // rank i's send buffer at offset i*count
      for (int s = 0; s < n; ++s)
        for (std::uint64_t i = 0; i < c; ++i)
          o.push_back(in[s].at(i));
      break;
    case CollKind::broadcast: // the root's send buffer
      for (std::uint64_t i = 0; i < c; ++i)
        o.push_back(in[p.root].at(i));
      break;
    case CollKind::alltoall: // from source s: block r of s's send buffer, placed at s*count
      for (int s = 0; s < n; ++s)
        for (std::uint64_t i = 0; i < c; ++i)
          o.push_back(in[s].at(static_cast<std::uint64_t>(r) * c + i));
      break;
    case CollKind::sendrecv: // from rank r-1
      for (std::uint64_t i = 0; i < c; ++i)
        o.push_back(in[(r - 1 + n) % n].at(i));
      break;
    }
  }
  return out;
}

std::vector<std::uint8_t> encode_buffer(DType t, const std::vector<std::int64_t>& values) {
  std::vector<std::uint8_t> out(values.size() * static_cast<std::size_t>(dtype_size(t)));
  for (std::size_t k = 0; k < values.size(); ++k)
    store_bits(t, out.data(), k, encode_bits(t, values[k]));
  return out;
}

} // namespace gpucert::coll
