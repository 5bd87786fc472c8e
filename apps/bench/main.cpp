// gpucert-bench: the gpucert benchmarks through Google Benchmark, for ad-hoc exploration.
// Certification is `gpucert run`; this binary only times, with provenance in its context.
#include "apps/bench/bench_options.hpp"
#include "apps/bench/device_benchmarks.hpp"
#include "apps/bench/fleet_benchmarks.hpp"
#include "apps/bench/host_benchmarks.hpp"
#include "apps/bench/report_benchmarks.hpp"
#include "gpucert/version.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <exception>
#include <fmt/core.h>
#include <fmt/format.h>

int main(int argc, char** argv) {
  using namespace gpucert;
  bench::BenchOptions opts;
  try {
    opts = bench::strip_options(argc, argv);
  } catch (const Error& e) {
    fmt::print(stderr, "gpucert-bench: {}\n", e.what());
    return static_cast<int>(ExitCode::bad_input);
  }
  int rest_argc = static_cast<int>(opts.rest.size()) - 1;
  benchmark::Initialize(&rest_argc, opts.rest.data(), bench::print_help);
  if (benchmark::ReportUnrecognizedArguments(rest_argc, opts.rest.data()))
    return static_cast<int>(ExitCode::bad_input);

  std::unique_ptr<Backend> backend;
  std::uint64_t seed = 0;
  try {
    backend = backends::make_backend(opts.node);
    const Inventory inv = backend->inventory(); // probes the driver: no GPU fails here
    if (backend->gpus().empty())
      throw EnvironmentError("no GPU to measure");
    std::string gpu_name = "unknown";
    if (!inv.gpus.empty() && inv.gpus.front().name)
      gpu_name = *inv.gpus.front().name;
    benchmark::AddCustomContext("gpucert_version", kToolVersion);
    benchmark::AddCustomContext("gpucert_git_revision", kGitRevision);
    benchmark::AddCustomContext("gpucert_backend", backend->name());
    benchmark::AddCustomContext("simulated", backend->simulated() ? "true" : "false");
    benchmark::AddCustomContext(
        "node", backend->simulated() ? opts.node.simulate : inv.node.hostname.value_or("unknown"));
    benchmark::AddCustomContext("gpu_name", gpu_name);
    benchmark::AddCustomContext("gpus", fmt::format("{}", fmt::join(backend->gpus(), ",")));
    if (!opts.node.faults.empty())
      benchmark::AddCustomContext("faults", fmt::format("{}", fmt::join(opts.node.faults, " ")));
    if (const auto sim = backends::sim_provenance(*backend); !sim.is_null()) {
      seed = sim.at("seed").get<std::uint64_t>();
      benchmark::AddCustomContext("sim_seed", std::to_string(seed));
      benchmark::AddCustomContext("sim_hostname", sim.at("hostname").get<std::string>());
    }
    if (inv.node.driver_version)
      benchmark::AddCustomContext("driver", *inv.node.driver_version);
    bench::register_device_benchmarks(builtin_registry(), *backend);
  } catch (const EnvironmentError& e) {
    const std::string why = e.what();
    fmt::print(stderr, "gpucert-bench: cannot measure this machine: {}\n", why);
    if (why.find("--simulate") == std::string::npos)
      fmt::print(stderr, "  (to explore without a GPU: --simulate NODE, e.g. --simulate "
                         "h100-sxm5-80gb-8x)\n");
    return static_cast<int>(ExitCode::environment);
  } catch (const Error& e) {
    fmt::print(stderr, "gpucert-bench: {}\n", e.what());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "gpucert-bench: internal error: {}\n", e.what());
    return static_cast<int>(ExitCode::internal);
  }
  bench::register_host_benchmarks();
  bench::register_fleet_benchmarks();
  bench::register_report_benchmarks();
  if (backend->simulated())
    fmt::print(stderr,
               "gpucert-bench: SIMULATED node {}: figures come from a model, not a GPU; noise "
               "seed {} (--seed {} repeats it)\n",
               opts.node.simulate, seed, seed);

  benchmark::RunSpecifiedBenchmarks();
  bench::release_instances(); // before the backend goes
  benchmark::Shutdown();
  return 0;
}
