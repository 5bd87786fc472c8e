// gpucert-mpi's run: one rank per GPU across processes and nodes. Rank 0 names the NCCL
// communicator (ncclUniqueId, MPI_Bcast), every rank measures, rank 0 gathers samples,
// verification, telemetry and every rank's inventory and writes one results file. Every
// exchange has a deadline: a rank that never arrives is named, recorded as ERROR, and the job is
// aborted instead of hanging. With --simulate each rank models its GPU of the simulated node
// while MPI does the real rendezvous, gathers and barriers.
#pragma once

#include "apps/mpi/mpi_options.hpp"
#include "apps/mpi/rank_channel.hpp"
#include "harness/core/error.hpp"

namespace gpucert::coll::mpi {

/// Runs the plan on this rank. Rank 0 returns the exit code of the run (0 every measurement ok
/// or skipped, 1 an error or a wrong result); the others return ExitCode::certified. A rank that
/// is missing ends the job through MPI_Abort after the results are written.
ExitCode run(const MpiOptions& opts, RankChannel& channel);

} // namespace gpucert::coll::mpi
