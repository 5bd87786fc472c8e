// NCCL collectives on real GPUs: a clique of communicators for this process's GPUs (all GPUs of
// the node in one process, or one rank of a multi-process job), the benchmark instance that
// times iterations with CUDA events, checks every rank's output exactly on the GPU, and a
// watchdog that aborts (ncclCommAbort) a collective that outlives its deadline and names the
// ranks that did not complete. Built only with NCCL (GPUCERT_HAVE_NCCL).
#pragma once

#include "harness/collectives/collective.hpp"
#include "harness/collectives/nccl_env.hpp"
#include "harness/measure/benchmark.hpp"

#include <array>
#include <memory>
#include <vector>

namespace gpucert::cuda {

/// Communicators (created nonblocking, so initialisation is under a deadline too), one stream per
/// local rank, and the abort state. Opaque: nccl.h stays out of this header.
class NcclClique;

using NcclUniqueId = std::array<char, 128>; ///< ncclUniqueId's bytes, for MPI_Bcast

/// ncclGetUniqueId (rank 0 of a multi-process job calls it and broadcasts the bytes).
NcclUniqueId nccl_unique_id();

/// One process, one rank per device, rank i = devices[i]: what ncclCommInitAll does, written
/// out (ncclGetUniqueId + grouped ncclCommInitRankConfig) so each communicator is nonblocking.
/// Throws DeviceError naming the ranks still initialising after `init_timeout_s`.
std::shared_ptr<NcclClique> make_local_clique(const std::vector<int>& devices,
                                              double init_timeout_s);

/// One rank of an `nranks` communicator on `device` (gpucert-mpi).
std::shared_ptr<NcclClique> make_rank_clique(const NcclUniqueId& id, int nranks, int rank,
                                             int device, double init_timeout_s);

/// The loaded NCCL's version (ncclGetVersion) and the header version this was built against.
coll::NcclLibrary nccl_library();

/// Whether the clique was aborted (watchdog or error): its communicators are gone.
bool clique_aborted(const NcclClique& clique);

/// The registry's CUDA factory: a local clique over ctx.target.gpus (CUDA device ordinals),
/// created in setup().
std::unique_ptr<BenchmarkInstance> make_nccl_collective(const BenchmarkContext& ctx,
                                                        const coll::Collective& c);

/// An instance on an existing clique: gpucert-mpi keeps one communicator for a whole run.
/// `sample_deadline_s` > 0 replaces the default per-sample deadline (collective_plan.hpp).
std::unique_ptr<BenchmarkInstance> make_nccl_collective(std::shared_ptr<NcclClique> clique,
                                                        const Params& params,
                                                        const coll::Collective& c,
                                                        double sample_deadline_s);

} // namespace gpucert::cuda
