// What rank 0 writes: the results file (with the method, NCCL and MPI provenance) and an
// nccl-tests-like table on stdout.
#pragma once

#include "apps/mpi/merge_results.hpp"
#include "apps/mpi/mpi_options.hpp"
#include "harness/collectives/nccl_env.hpp"
#include "harness/model/results.hpp"

#include <string>

namespace gpucert::coll::mpi {

/// The facts of the run every output states.
struct RunFacts {
  const MpiOptions& options;
  bool simulated = false;
  int world = 1;
  std::string started_at;
  NcclEnvironment env;
};

/// Completes `results` (tool, method, provenance, roster, inventory) and writes o.out atomically.
void write_results(const RunFacts& run, const Roster& roster, Results& results);

/// The table of the measurements on stdout (logs go to stderr).
void print_table(const RunFacts& run, const Results& results);

} // namespace gpucert::coll::mpi
