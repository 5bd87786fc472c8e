// Exact-correctness patterns for collectives: per-rank integer inputs chosen so that every
// expected output is exactly representable in the element type (float, half, bfloat16, int8).
// Header-only and free of the standard library's containers, so the GPU fill/check kernels
// (kernels/nccl_check_kernels.cu) and the host tests run the very same formulas.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__CUDACC__)
#define GPUCERT_COLL_HD __host__ __device__ inline
#else
#define GPUCERT_COLL_HD inline
#endif

namespace gpucert::coll {

enum class CollKind : int {
  all_reduce,
  all_gather,
  reduce_scatter,
  broadcast,
  reduce,
  alltoall,
  sendrecv
};
enum class DType : int { f32, f16, bf16, i8 };

GPUCERT_COLL_HD int dtype_size(DType t) {
  return t == DType::f32 ? 4 : (t == DType::i8 ? 1 : 2);
}

/// The largest integer L such that every integer 0..L is exact in the type. Sums of the
/// reduction pattern never exceed it, whatever the order NCCL adds in.
GPUCERT_COLL_HD std::int64_t dtype_exact_limit(DType t) {
  switch (t) {
  case DType::f32:
    return std::int64_t{1} << 24;
  case DType::f16:
    return 2048;
  case DType::bf16:
    return 256;
  case DType::i8:
    return 127;
  }
  return 0;
}

/// Buffer layout of one collective on one rank, in elements, exactly as nccl-tests lays it out
/// (XxxGetCollByteCount): `count` = bytes / element size.
struct Layout {
  std::uint64_t send_count = 0;  ///< elements in the send buffer
  std::uint64_t recv_count = 0;  ///< elements in the receive buffer
  std::uint64_t param_count = 0; ///< the count argument of the NCCL call
  /// In place, the send (receive) pointer is the shared buffer + offset * rank elements.
  std::uint64_t send_inplace_offset = 0, recv_inplace_offset = 0;
};

/// Bytes each rank's share is rounded down to where the count is split over the ranks
/// (all_gather, reduce_scatter, alltoall).
inline constexpr std::uint64_t kPerRankAlignBytes = 16;

/// count / n rounded down to a whole number of 16-byte blocks (nccl-tests: `(count/nranks) &
/// ~(16/eltSize - 1)`), so sizes match nccl-tests for any n and every in-place pointer
/// (base + offset * rank) stays 16-byte aligned.
GPUCERT_COLL_HD std::uint64_t per_rank_count(std::uint64_t count, std::uint64_t n, DType t) {
  const std::uint64_t per_block = kPerRankAlignBytes / static_cast<std::uint64_t>(dtype_size(t));
  return (count / n) & ~(per_block - 1);
}

GPUCERT_COLL_HD Layout layout_of(CollKind kind, std::uint64_t count, int nranks, DType t) {
  const std::uint64_t n = nranks > 0 ? static_cast<std::uint64_t>(nranks) : 1;
  Layout l;
  switch (kind) {
  case CollKind::all_reduce:
  case CollKind::broadcast:
  case CollKind::reduce:
  case CollKind::sendrecv:
    l.send_count = l.recv_count = l.param_count = count;
    break;
  case CollKind::all_gather:
    l.param_count = per_rank_count(count, n, t);
    l.send_count = l.param_count;
    l.recv_count = l.param_count * n;
    l.send_inplace_offset = l.param_count;
    break;
  case CollKind::reduce_scatter:
    l.param_count = per_rank_count(count, n, t);
    l.send_count = l.param_count * n;
    l.recv_count = l.param_count;
    l.recv_inplace_offset = l.param_count;
    break;
  case CollKind::alltoall:
    l.param_count = per_rank_count(count, n, t);
    l.send_count = l.recv_count = l.param_count * n;
    break;
  }
  return l;
}

/// Bytes nccl-tests counts for algbw ("size"): the larger of the two buffers, after rounding the
/// requested size down to whole elements (and, split over ranks, whole 16-byte blocks per rank).
GPUCERT_COLL_HD std::uint64_t layout_bytes(const Layout& l, DType t) {
  const std::uint64_t elems = l.send_count > l.recv_count ? l.send_count : l.recv_count;
  return elems * static_cast<std::uint64_t>(dtype_size(t));
}

/// splitmix64 finaliser: a cheap, well-mixed hash so neighbouring elements and ranks differ.
GPUCERT_COLL_HD std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct Pattern {
  CollKind kind = CollKind::all_reduce;
  DType dtype = DType::f32;
  int nranks = 1;
  int root = 0;                  ///< broadcast / reduce
  std::uint64_t param_count = 0; ///< Layout::param_count
  std::uint64_t seed = 0x6770756365727421ull;
};

// --- reductions (sum): v(r, i) with a closed-form sum S(i) over the ranks --------------------
// With m = L / n >= 1, v(r, i) = (h(i) + r) mod (m + 1): every rank adds at most m, so partial
// and total sums stay <= L, and each rank contributes a different value. With more ranks than L
// (m = 0), v(r, i) = 1 for the ranks r = -h(i) mod p, p = ceil(n / L), else 0: at most L ones.

GPUCERT_COLL_HD std::int64_t reduce_input(const Pattern& p, int r, std::uint64_t i) {
  const std::int64_t L = dtype_exact_limit(p.dtype);
  const std::int64_t n = p.nranks;
  const std::int64_t m = L / n;
  const std::uint64_t h = mix64(p.seed ^ i);
  if (m >= 1) {
    const std::int64_t period = m + 1;
    return static_cast<std::int64_t>((h % period + r) % period);
  }
  const std::int64_t period = (n + L - 1) / L;
  return ((static_cast<std::int64_t>(h % period) + r) % period == 0) ? 1 : 0;
}

GPUCERT_COLL_HD std::int64_t reduce_sum(const Pattern& p, std::uint64_t i) {
  const std::int64_t L = dtype_exact_limit(p.dtype);
  const std::int64_t n = p.nranks;
  const std::int64_t m = L / n;
  const std::uint64_t h = mix64(p.seed ^ i);
  if (m >= 1) {
    const std::int64_t q = m + 1;
    const std::int64_t s = static_cast<std::int64_t>(h % q);
    const std::int64_t full = n / q, t = n % q;
    std::int64_t sum = full * (q * (q - 1) / 2);
    // The t leftover ranks add s, s+1, ... wrapping at q.
    if (s + t <= q) {
      sum += t * s + t * (t - 1) / 2;
    } else {
      const std::int64_t a = q - s, b = t - a;
      sum += (s + q - 1) * a / 2 + b * (b - 1) / 2;
    }
    return sum;
  }
  const std::int64_t period = (n + L - 1) / L;
  const std::int64_t r0 = (period - static_cast<std::int64_t>(h % period)) % period;
  return r0 < n ? (n - 1 - r0) / period + 1 : 0;
}

/// Data-movement collectives: any value the type holds exactly, different per rank and element.
GPUCERT_COLL_HD std::int64_t copy_value(const Pattern& p, int r, std::uint64_t i) {
  const std::uint64_t L = static_cast<std::uint64_t>(dtype_exact_limit(p.dtype));
  return static_cast<std::int64_t>(
      mix64(p.seed ^ (static_cast<std::uint64_t>(r) * 0xD6E8FEB86659FD93ull) ^ (i << 1)) % (L + 1));
}

GPUCERT_COLL_HD bool reduces(CollKind k) {
  return k == CollKind::all_reduce || k == CollKind::reduce_scatter || k == CollKind::reduce;
}

/// What rank r's send buffer holds at element j (j < Layout::send_count).
GPUCERT_COLL_HD std::int64_t input_value(const Pattern& p, int r, std::uint64_t j) {
  return reduces(p.kind) ? reduce_input(p, r, j) : copy_value(p, r, j);
}

/// Whether rank r's receive buffer has a defined result (reduce: the root only).
GPUCERT_COLL_HD bool rank_has_output(const Pattern& p, int r) {
  return p.kind != CollKind::reduce || r == p.root;
}

/// Elements of rank r's receive buffer the check covers.
GPUCERT_COLL_HD std::uint64_t check_count(const Pattern& p, int r) {
  if (!rank_has_output(p, r))
    return 0;
  const std::uint64_t n = static_cast<std::uint64_t>(p.nranks);
  switch (p.kind) {
  case CollKind::all_gather:
  case CollKind::alltoall:
    return p.param_count * n;
  default:
    return p.param_count;
  }
}

/// The exact value rank r must hold at receive element k after the collective.
GPUCERT_COLL_HD std::int64_t expected_value(const Pattern& p, int r, std::uint64_t k) {
  const int n = p.nranks;
  switch (p.kind) {
  case CollKind::all_reduce:
  case CollKind::reduce:
    return reduce_sum(p, k);
  case CollKind::reduce_scatter:
    return reduce_sum(p, static_cast<std::uint64_t>(r) * p.param_count + k);
  case CollKind::all_gather:
    return copy_value(p, static_cast<int>(k / p.param_count), k % p.param_count);
  case CollKind::broadcast:
    return copy_value(p, p.root, k);
  case CollKind::alltoall: {
    const int src = static_cast<int>(k / p.param_count);
    return copy_value(p, src, static_cast<std::uint64_t>(r) * p.param_count + k % p.param_count);
  }
  case CollKind::sendrecv:
    return copy_value(p, (r - 1 + n) % n, k);
  }
  return 0;
}

// --- element encodings (raw bits), exact for the integers above -------------------------------

/// Bits of the integer v (0 <= v <= dtype_exact_limit) in the type: float, IEEE half,
/// bfloat16 (the top half of the float), two's-complement int8.
GPUCERT_COLL_HD std::uint32_t encode_bits(DType t, std::int64_t v) {
  switch (t) {
  case DType::f32:
  case DType::bf16: {
    const float f = static_cast<float>(v);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof bits);
    return t == DType::f32 ? bits : bits >> 16; // exact: at most 8 significant bits
  }
  case DType::f16: {
    if (v == 0)
      return 0;
    const std::uint32_t sign = v < 0 ? 0x8000u : 0u;
    std::uint64_t a = static_cast<std::uint64_t>(v < 0 ? -v : v);
    int e = 63;
    while (((a >> e) & 1u) == 0)
      --e; // highest set bit
    const std::uint32_t mant = e <= 10 ? static_cast<std::uint32_t>((a << (10 - e)) & 0x3FFu)
                                       : static_cast<std::uint32_t>((a >> (e - 10)) & 0x3FFu);
    return sign | (static_cast<std::uint32_t>(e + 15) << 10) | mant;
  }
  case DType::i8:
    return static_cast<std::uint32_t>(static_cast<std::uint8_t>(static_cast<std::int8_t>(v)));
  }
  return 0;
}

/// The value raw element bits stand for (any bits: a corrupted element decodes too).
GPUCERT_COLL_HD double decode_bits(DType t, std::uint32_t bits) {
  switch (t) {
  case DType::f32:
  case DType::bf16: {
    const std::uint32_t b = t == DType::f32 ? bits : (bits & 0xFFFFu) << 16;
    float f = 0;
    std::memcpy(&f, &b, sizeof f);
    return static_cast<double>(f);
  }
  case DType::f16: {
    const std::uint32_t sign = (bits >> 15) & 1u, exp = (bits >> 10) & 0x1Fu, mant = bits & 0x3FFu;
    double v = 0;
    if (exp == 0) {
      v = static_cast<double>(mant) / 16777216.0; // subnormal: mant * 2^-24
    } else if (exp == 31) {
      v = mant == 0 ? std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::quiet_NaN();
    } else {
      v = (1.0 + static_cast<double>(mant) / 1024.0);
      const int e = static_cast<int>(exp) - 15;
      for (int k = 0; k < (e > 0 ? e : -e); ++k)
        v = e > 0 ? v * 2 : v / 2;
    }
    return sign ? -v : v;
  }
  case DType::i8:
    return static_cast<double>(static_cast<std::int8_t>(static_cast<std::uint8_t>(bits & 0xFFu)));
  }
  return 0;
}

/// Reads element k of a typed buffer as raw bits.
GPUCERT_COLL_HD std::uint32_t load_bits(DType t, const void* data, std::uint64_t k) {
  switch (dtype_size(t)) {
  case 4:
    return static_cast<const std::uint32_t*>(data)[k];
  case 2:
    return static_cast<const std::uint16_t*>(data)[k];
  default:
    return static_cast<const std::uint8_t*>(data)[k];
  }
}

GPUCERT_COLL_HD void store_bits(DType t, void* data, std::uint64_t k, std::uint32_t bits) {
  switch (dtype_size(t)) {
  case 4:
    static_cast<std::uint32_t*>(data)[k] = bits;
    break;
  case 2:
    static_cast<std::uint16_t*>(data)[k] = static_cast<std::uint16_t>(bits);
    break;
  default:
    static_cast<std::uint8_t*>(data)[k] = static_cast<std::uint8_t>(bits);
    break;
  }
}

} // namespace gpucert::coll
