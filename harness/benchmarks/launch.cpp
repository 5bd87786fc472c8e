// launch.*: cost of launching an empty kernel, on a stream or as a node of a CUDA graph.
#include "harness/benchmarks/catalog.hpp"

namespace gpucert {

void register_launch(Registry& r) {
  const struct {
    const char* mode;
    const char* what;
  } modes[] = {{"stream", "back-to-back empty kernel launches on one stream"},
               {"graph", "empty kernels as nodes of one CUDA graph, time per kernel"}};
  for (const auto& mode : modes) {
    const std::string name = std::string("launch.") + mode.mode;
    BenchmarkDef d;
    d.name = name;
    d.description = std::string("launch latency: ") + mode.what + "; items = launches";
    d.scope = Scope::gpu;
    d.axes = {integer_axis("launches", "1000", "empty kernels per sample")};
    d.metrics = {
        us_per_item_metric(name + ".us", std::string("microseconds per launch, ") + mode.mode)};
    r.add(std::move(d));
  }
}

} // namespace gpucert
