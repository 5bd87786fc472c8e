// The simulator's table of models, one family at a time from the family list.
#include "harness/backends/sim/models/models.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/benchmarks/families.hpp"
#include "harness/core/error.hpp"

#include <fmt/format.h>

namespace gpucert::sim {

#define GPUCERT_DECLARE_MODELS(family) void add_##family##_models(const Registry&, ModelTable&);
GPUCERT_BENCHMARK_FAMILIES(GPUCERT_DECLARE_MODELS)
#undef GPUCERT_DECLARE_MODELS

ModelTable make_models(const Registry& registry) {
  ModelTable t;
#define GPUCERT_ADD_MODELS(family) add_##family##_models(registry, t);
  GPUCERT_BENCHMARK_FAMILIES(GPUCERT_ADD_MODELS)
#undef GPUCERT_ADD_MODELS
  for (const auto& def : registry.all())
    if (!t.instances.find(def.name))
      throw InternalError(fmt::format("simulator: benchmark '{}' has no model", def.name));
  return t;
}

const ModelTable& builtin_models() {
  static const ModelTable table = make_models(builtin_registry());
  return table;
}

} // namespace gpucert::sim
