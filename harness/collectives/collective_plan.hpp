// One configured collective (the benchmark's resolved parameters on n ranks): buffer layout,
// bytes counted, correctness pattern, memory per rank, deadline, and the reason it cannot run.
// Shared by the simulator model, the CUDA/NCCL instance and gpucert-mpi.
#pragma once

#include "harness/collectives/collective.hpp"
#include "harness/model/catalog.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace gpucert::coll {

struct CollectivePlan {
  const Collective* coll = nullptr;
  DType dtype = DType::f32;
  std::uint64_t bytes = 0; ///< as asked (the bytes axis)
  bool inplace = false;
  int iters = 1; ///< collectives per sample
  bool graph = false;
  int nranks = 1;
  Layout layout;
  std::uint64_t size_bytes = 0; ///< nccl-tests "size": what algbw divides by, per collective
  Pattern pattern;
  std::string skip; ///< non-empty: why this configuration cannot run
};

/// From resolved parameters (bytes, dtype, inplace, iters, graph). Throws InternalError on an
/// unresolved parameter, InputError on a bad value.
CollectivePlan plan_collective(const Collective& c, const Params& params, int nranks);

/// Work of one sample: bytes = size_bytes * iters, items = iters, ranks = n.
Work collective_work(const CollectivePlan& p);

/// Device memory one rank allocates: send + receive buffers, or the larger one in place.
std::uint64_t device_bytes_per_rank(const CollectivePlan& p);

/// Per-sample watchdog deadline: GPUCERT_NCCL_TIMEOUT_S when set (seconds), else 60 s plus the
/// sample's bus traffic at 1 GB/s, so only a stuck collective, never a slow one, trips it.
double sample_deadline_s(const CollectivePlan& p);

/// Evidence common to every backend: collective, call, n, counts, bytes, factor, the n = 1 note.
nlohmann::json plan_evidence(const CollectivePlan& p);

} // namespace gpucert::coll
