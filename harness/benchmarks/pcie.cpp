// pcie.*: host<->device bandwidth over the GPU's PCIe link, pinned host memory on the GPU's NUMA
// node; copy engine or SM copy kernel.
#include "harness/benchmarks/catalog.hpp"

namespace gpucert {

void register_pcie(Registry& r) {
  const struct {
    const char* dir;
    const char* what;
  } dirs[] = {{"h2d", "host to device; counts bytes"},
              {"d2h", "device to host; counts bytes"},
              {"bidir", "both directions at once; counts 2 x bytes (the two directions summed)"}};
  for (const auto& dir : dirs) {
    const std::string name = std::string("pcie.") + dir.dir;
    BenchmarkDef d;
    d.name = name;
    d.description = std::string("PCIe bandwidth, ") + dir.what +
                    "; pinned NUMA-local host memory, checksum verified";
    d.scope = Scope::gpu;
    d.axes = {bytes_axis("bytes", "256MiB", "bytes per transfer (per direction)"), engine_axis()};
    d.metrics = {gbps_metric(name + ".gbps", std::string("PCIe bandwidth, ") + dir.dir)};
    r.add(std::move(d));
  }
}

} // namespace gpucert
