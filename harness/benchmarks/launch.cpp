// launch.*: what launching empty kernels costs: issued one by one on a stream, or as the nodes of
// one CUDA graph. Both time a batch and divide by its size: a rate, not one launch's latency.
#include "harness/benchmarks/catalog.hpp"

namespace gpucert {

void register_launch(Registry& r) {
  const struct {
    const char* mode;
    const char* what;
    const char* metric;
    const char* former; ///< the metric's name before it was renamed, refused with a pointer here
  } modes[] = {
      {"issue",
       "N empty kernels launched back to back on one stream, with no blocking kernel ahead of "
       "them: the device keeps pace with the host, so the time is how fast one host thread "
       "issues launches (their throughput), not how long one launch takes from call to start",
       "microseconds per launch at the host's issue rate (one thread, one stream)",
       "launch.stream.us"},
      {"graph", "N empty kernels as the nodes of one CUDA graph, launched once: the time per node",
       "microseconds per kernel node of one CUDA graph", ""}};
  for (const auto& mode : modes) {
    const std::string name = std::string("launch.") + mode.mode;
    BenchmarkDef d;
    d.name = name;
    d.description = std::string("launch cost: ") + mode.what + "; items = launches";
    d.scope = Scope::gpu;
    d.axes = {integer_axis("launches", "1000", "empty kernels per sample")};
    d.metrics = {us_per_item_metric(name + ".us", mode.metric)};
    if (*mode.former != '\0')
      d.metrics.front().former_names = {mode.former};
    r.add(std::move(d));
  }
}

} // namespace gpucert
