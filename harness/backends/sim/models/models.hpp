// The simulator's models of the benchmarks: one table entry per benchmark, filled family by family
// from the one family list (harness/benchmarks/families.hpp). ctx.backend must be a SimBackend.
#pragma once

#include "harness/measure/benchmark.hpp"

#include <set>
#include <string>

namespace gpucert::sim {

struct ModelTable {
  InstanceTable instances;
  /// The node-file figures (`peak:`/`achievable:` keys) the models read: a node file must give
  /// exactly these, so the file format follows the catalogue instead of a second list.
  std::set<std::string> figures;
};

/// Models of every benchmark of the built-in catalogue.
const ModelTable& builtin_models();

/// Models of the benchmarks of `registry`, family by family; throws InternalError when a
/// benchmark has no model.
ModelTable make_models(const Registry& registry);

} // namespace gpucert::sim
