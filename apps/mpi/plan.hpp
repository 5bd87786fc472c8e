// The run's plan: every (collective, size) the options name, checked before any rank talks to
// another, so a bad option is the same input error on every rank.
#pragma once

#include "apps/mpi/mpi_options.hpp"
#include "harness/measure/benchmark.hpp"

#include <vector>

namespace gpucert::coll {
struct Collective;
}

namespace gpucert::coll::mpi {

/// One planned measurement: a collective at one size.
struct Planned {
  const Collective* coll = nullptr;
  const BenchmarkDef* def = nullptr;
  Params params;
};

/// Throws InputError for a bad option or sweep.
std::vector<Planned> make_plan(const MpiOptions& o);

} // namespace gpucert::coll::mpi
