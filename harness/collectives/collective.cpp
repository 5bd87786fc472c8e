// The collective table and the nccl-tests bandwidth definitions.
#include "harness/collectives/collective.hpp"

#include "harness/core/error.hpp"

#include <array>
#include <fmt/core.h>

namespace gpucert::coll {

namespace {

// nccl-tests: AllReduceGetBw 2(n-1)/n; AllGather/ReduceScatter/AlltoAll (n-1)/n;
// Broadcast/Reduce/SendRecv 1. With one rank the first two are 0: nothing crosses a link.
double factor_all_reduce(int n) {
  return n > 0 ? 2.0 * (n - 1) / n : 0.0;
}
double factor_n_minus_1(int n) {
  return n > 0 ? static_cast<double>(n - 1) / n : 0.0;
}
double factor_one(int) {
  return 1.0;
}

constexpr std::array<Collective, 7> kCollectives{{
    {CollKind::all_reduce, "all_reduce", "ncclAllReduce(sum)", factor_all_reduce, "2(n-1)/n", false,
     true},
    {CollKind::all_gather, "all_gather", "ncclAllGather", factor_n_minus_1, "(n-1)/n", false, true},
    {CollKind::reduce_scatter, "reduce_scatter", "ncclReduceScatter(sum)", factor_n_minus_1,
     "(n-1)/n", false, true},
    {CollKind::broadcast, "broadcast", "ncclBroadcast(root 0)", factor_one, "1", true, true},
    {CollKind::reduce, "reduce", "ncclReduce(sum, root 0)", factor_one, "1", true, true},
    {CollKind::alltoall, "alltoall", "ncclSend/ncclRecv to every peer in one group",
     factor_n_minus_1, "(n-1)/n", false, false},
    {CollKind::sendrecv, "sendrecv", "ncclSend to rank+1, ncclRecv from rank-1 in one group",
     factor_one, "1", false, false},
}};

} // namespace

std::span<const Collective> collectives() {
  return kCollectives;
}

const Collective& collective_by_name(std::string_view name) {
  for (const auto& c : kCollectives)
    if (c.name == name)
      return c;
  std::string known;
  for (const auto& c : kCollectives)
    known += (known.empty() ? "" : ", ") + std::string(c.name);
  throw InputError(fmt::format("unknown collective '{}' (known: {})", name, known));
}

const Collective& collective_of(CollKind kind) {
  for (const auto& c : kCollectives)
    if (c.kind == kind)
      return c;
  throw InternalError("collective kind without a table entry");
}

double algbw_gbps(double bytes, double seconds) {
  return bytes / seconds / 1e9;
}

double busbw_gbps(const Collective& c, int nranks, double bytes, double seconds) {
  return algbw_gbps(bytes, seconds) * c.busbw_factor(nranks);
}

DType dtype_from_name(std::string_view name) {
  if (name == "float")
    return DType::f32;
  if (name == "half")
    return DType::f16;
  if (name == "bfloat16")
    return DType::bf16;
  if (name == "int8")
    return DType::i8;
  throw InputError(
      fmt::format("unknown collective dtype '{}' (float, half, bfloat16, int8)", name));
}

std::string_view dtype_name(DType t) {
  switch (t) {
  case DType::f32:
    return "float";
  case DType::f16:
    return "half";
  case DType::bf16:
    return "bfloat16";
  case DType::i8:
    return "int8";
  }
  return "?";
}

} // namespace gpucert::coll
