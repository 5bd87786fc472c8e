// The CUDA backend's table of instances, one family at a time from the family list.
#include "harness/backends/cuda/cuda_backend.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/benchmarks/families.hpp"
#include "harness/core/error.hpp"

#include <fmt/format.h>

namespace gpucert::cuda {

#define GPUCERT_DECLARE_INSTANCES(family)                                                          \
  void add_##family##_instances(const Registry&, InstanceTable&);
GPUCERT_BENCHMARK_FAMILIES(GPUCERT_DECLARE_INSTANCES)
#undef GPUCERT_DECLARE_INSTANCES

const InstanceTable& builtin_instances() {
  static const InstanceTable table = [] {
    const Registry& registry = builtin_registry();
    InstanceTable t;
#define GPUCERT_ADD_INSTANCES(family) add_##family##_instances(registry, t);
    GPUCERT_BENCHMARK_FAMILIES(GPUCERT_ADD_INSTANCES)
#undef GPUCERT_ADD_INSTANCES
    for (const auto& def : registry.all())
      if (!t.find(def.name))
        throw InternalError(fmt::format("CUDA backend: benchmark '{}' has no instance", def.name));
    return t;
  }();
  return table;
}

const InstanceTable& CudaBackend::instances() const {
  return builtin_instances();
}

} // namespace gpucert::cuda
