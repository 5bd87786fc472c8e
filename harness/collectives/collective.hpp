// The table of NCCL collectives: one small entry each (name, NCCL call, busbw factor), and
// algbw/busbw exactly as nccl-tests defines them, so our figures compare with theirs.
#pragma once

#include "kernels/collective_patterns.hpp"

#include <span>
#include <string>
#include <string_view>

namespace gpucert::coll {

struct Collective {
  CollKind kind;
  std::string_view name;      ///< "all_reduce": benchmark "nccl.all_reduce"
  std::string_view nccl_call; ///< what is timed, for the description and the evidence
  /// busbw = algbw * factor(n): the per-link traffic relative to the data size, so figures for
  /// any n compare with the hardware's bus speed (nccl-tests PERFORMANCE.md).
  double (*busbw_factor)(int nranks);
  std::string_view factor_text; ///< "2(n-1)/n"
  bool rooted;                  ///< broadcast / reduce: root is rank 0
  bool inplace_supported;       ///< alltoall / sendrecv: send and receive must not alias
};

/// Every collective, in catalogue order.
std::span<const Collective> collectives();
/// Throws InputError listing the known names.
const Collective& collective_by_name(std::string_view name);
const Collective& collective_of(CollKind kind);

/// algbw in GB/s (10^9 B/s): bytes / seconds.
double algbw_gbps(double bytes, double seconds);
/// busbw in GB/s: algbw * factor(nranks).
double busbw_gbps(const Collective& c, int nranks, double bytes, double seconds);

/// "float", "half", "bfloat16", "int8" (the dtype axis); throws InputError.
DType dtype_from_name(std::string_view name);
std::string_view dtype_name(DType t);

} // namespace gpucert::coll
