// Google Benchmark of `gpucert fleet` (host/fleet_aggregate/N): N simulated H100×8 node
// certificates of the standard profile (gpucert-simlot's generator, cached on disk) read and
// reduced to a lot. Counters: nodes/s, MB read, and the peak resident memory the aggregation
// itself added (VmHWM, reset before it through /proc/self/clear_refs).
#pragma once

#include <filesystem>

namespace gpucert::bench {

void register_fleet_benchmarks();

/// The generated lot of `nodes` nodes (made on first use, then reused from disk).
std::filesystem::path lot_dir(int nodes);

} // namespace gpucert::bench
