// p2p.*: GPU-to-GPU bandwidth (NVLink or PCIe peer access) for one ordered pair gpuA -> gpuB.
#include "harness/benchmarks/catalog.hpp"

namespace gpucert {

void register_p2p(Registry& r) {
  const struct {
    const char* dir;
    const char* what;
  } dirs[] = {{"uni", "first GPU of the pair to the second; counts bytes"},
              {"bidir", "both directions at once; counts 2 x bytes (the two directions summed)"}};
  for (const auto& dir : dirs) {
    const std::string name = std::string("p2p.") + dir.dir;
    BenchmarkDef d;
    d.name = name;
    d.description = std::string("peer-to-peer bandwidth, ") + dir.what +
                    "; pairs without peer access are skipped with the reason";
    d.scope = Scope::gpu_pair;
    d.axes = {bytes_axis("bytes", "256MiB", "bytes per transfer (per direction)"), engine_axis()};
    d.metrics = {gbps_metric(name + ".gbps", std::string("P2P bandwidth, ") + dir.dir)};
    r.add(std::move(d));
  }
}

} // namespace gpucert
