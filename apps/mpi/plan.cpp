// The run's plan (see plan.hpp).
#include "apps/mpi/plan.hpp"

#include "harness/benchmarks/catalog.hpp"
#include "harness/collectives/collective.hpp"
#include "harness/collectives/sweep.hpp"
#include "harness/core/error.hpp"

#include <fmt/core.h>
#include <string>

namespace gpucert::coll::mpi {

namespace {

void check_options(const MpiOptions& o) {
  if (o.samples < 1)
    throw InputError(fmt::format("--samples {}: must be at least 1", o.samples));
  if (o.warmup < 0)
    throw InputError(fmt::format("--warmup {}: must be 0 or more", o.warmup));
  if (!(o.timeout_s > 0))
    throw InputError(fmt::format("--timeout {}: must be above 0 seconds", o.timeout_s));
  if (o.out.empty())
    throw InputError("--out FILE is required (rank 0 writes the results there)");
  if (o.collectives.empty())
    throw InputError("--collective: name at least one collective");
}

} // namespace

std::vector<Planned> make_plan(const MpiOptions& o) {
  check_options(o);
  const auto sizes = parse_sweep(o.bytes);
  std::vector<Planned> plan;
  for (const auto& name : o.collectives) {
    std::vector<const Collective*> which;
    if (name == "all")
      for (const auto& c : collectives())
        which.push_back(&c);
    else
      which.push_back(&collective_by_name(name));
    for (const Collective* c : which) {
      const BenchmarkDef* def = builtin_registry().find(fmt::format("nccl.{}", c->name));
      if (def == nullptr)
        throw InternalError(fmt::format("nccl.{} is not registered", c->name));
      for (std::uint64_t size : sizes) {
        const Params given = {{"bytes", std::to_string(size)},
                              {"dtype", o.dtype},
                              {"inplace", o.inplace ? "true" : "false"},
                              {"iters", std::to_string(o.iters)},
                              {"graph", o.graph ? "true" : "false"}};
        plan.push_back({c, def, Registry::resolve(*def, given)});
      }
    }
  }
  return plan;
}

} // namespace gpucert::coll::mpi
