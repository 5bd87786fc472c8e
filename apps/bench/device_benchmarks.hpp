// Registers every registry benchmark × axis sweep point × target of a backend with Google
// Benchmark, timed by the benchmark's own device time (UseManualTime).
#pragma once

#include "harness/measure/backend.hpp"

#include <string>

namespace gpucert::bench {

/// "gemm/dtype:bf16/m:8192/.../gpu:0"; `values` in axis order.
std::string benchmark_name(const BenchmarkDef& def, const std::vector<std::string>& values,
                           const Target& target);

/// Registers the benchmarks; `backend` must outlive benchmark::RunSpecifiedBenchmarks() and
/// release_instances(). Returns how many were registered. Each benchmark's instance is set up on
/// its first run and released when the next benchmark sets up its own: one alive at a time.
int register_device_benchmarks(const Registry& registry, Backend& backend);

/// Releases the instance still alive (the last benchmark's), while the backend still exists.
void release_instances();

} // namespace gpucert::bench
