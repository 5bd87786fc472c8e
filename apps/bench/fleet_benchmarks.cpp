#include "apps/bench/fleet_benchmarks.hpp"

#include "apps/simlot/lot_generator.hpp"
#include "harness/fleet/aggregate.hpp"
#include "harness/fleet/inputs.hpp"

#include <benchmark/benchmark.h>
#include <cstdlib>
#include <filesystem>
#include <fmt/core.h>
#include <fstream>
#include <string>
#include <string_view>

namespace gpucert::bench {

namespace fs = std::filesystem;

// The lot of N nodes, generated once into $GPUCERT_FLEET_BENCH_DIR (default
// /tmp/gpucert-fleet-bench)/N and reused while its manifest is there.
fs::path lot_dir(int nodes) {
  const char* env = std::getenv("GPUCERT_FLEET_BENCH_DIR");
  const fs::path dir =
      fs::path(env && *env ? env : "/tmp/gpucert-fleet-bench") / std::to_string(nodes);
  if (!fs::exists(dir / "manifest.json")) {
    simlot::LotSpec spec;
    spec.nodes = nodes;
    spec.seed = 20261203;
    fmt::print(stderr, "gpucert-bench: generating a simulated lot of {} nodes in {}\n", nodes,
               dir.string());
    simlot::generate_lot(spec, dir);
  }
  return dir;
}

namespace {

// A "Key:   123 kB" line of /proc/self/status, in kB (-1 when absent).
long status_kb(std::string_view key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
        line[key.size()] == ':')
      return std::stol(line.substr(key.size() + 1));
  return -1;
}
// Peak resident set since the last reset (VmHWM; resetting needs Linux >= 4.0), and the current.
long peak_rss_kb() {
  return status_kb("VmHWM");
}
long current_rss_kb() {
  return status_kb("VmRSS");
}
void reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

void fleet_aggregate(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const fs::path dir = lot_dir(nodes);
  const auto certs = fleet::expand_inputs({dir.string()});
  double bytes = 0;
  for (const auto& c : certs)
    bytes += double(fs::file_size(c));
  long added_kb = 0;
  for (auto _ : state) {
    reset_peak_rss();
    const long before = current_rss_kb();
    fleet::AggregateOptions opts;
    const auto lot = fleet::aggregate(certs, opts);
    benchmark::DoNotOptimize(lot.rows.data());
    added_kb = std::max(added_kb, peak_rss_kb() - before);
    if (lot.nodes_read != nodes)
      state.SkipWithError("not every certificate of the generated lot was read");
  }
  state.counters["nodes_per_s"] =
      benchmark::Counter(double(nodes), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB_read"] = bytes / 1e6;
  state.counters["peak_MiB_added"] = double(added_kb) / 1024;
}

} // namespace

void register_fleet_benchmarks() {
  benchmark::RegisterBenchmark("host/fleet_aggregate", fleet_aggregate)
      ->Arg(100)
      ->Arg(1000)
      ->Arg(10000)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(1);
}

} // namespace gpucert::bench
