// Rank 0's outputs (see results_output.hpp).
#include "apps/mpi/results_output.hpp"

#include "gpucert/version.hpp"
#include "harness/certify/atomic_file.hpp"
#include "harness/core/utc_time.hpp"
#include "harness/stats/interval.hpp"

#include <cstdio>
#include <filesystem>
#include <fmt/core.h>
#include <mpi.h>
#include <optional>
#if defined(GPUCERT_HAVE_NCCL)
#include "harness/backends/cuda/nccl_collective.hpp"
#endif

namespace gpucert::coll::mpi {

namespace {

std::string mpi_library() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  MPI_Get_library_version(text, &len);
  std::string s(text, static_cast<size_t>(len));
  if (const auto nl = s.find('\n'); nl != std::string::npos)
    s.resize(nl);
  return s;
}

} // namespace

void write_results(const RunFacts& run, const Roster& roster, Results& r) {
  const MpiOptions& o = run.options;
  r.tool_version = kToolVersion;
  r.git_revision = kGitRevision;
  r.backend = run.simulated ? "sim" : "cuda";
  r.simulated = run.simulated;
  r.complete = true; // every planned measurement has a status, watchdog aborts included
  r.started_at = run.started_at;
  r.finished_at = utc_now_iso8601();
  r.method = {
      {"sampling", "fixed: every rank runs the same samples (a collective needs all ranks)"},
      {"warmup_samples", o.warmup},
      {"samples", o.samples},
      {"iters_per_sample", o.iters},
      {"timing", "sample time = the slowest rank's time"},
      {"timeout_s", o.timeout_s}};
  r.provenance["command_line"] = o.command_line;
  std::optional<coll::NcclLibrary> library;
#if defined(GPUCERT_HAVE_NCCL)
  if (!run.simulated)
    library = cuda::nccl_library();
#endif
  r.provenance["nccl"] = nccl_provenance(run.env, library);
  r.provenance["mpi"] = {{"library", mpi_library()}};
  add_roster(roster, run.world, run.simulated, r);
  const std::filesystem::path out(o.out);
  if (out.has_parent_path())
    std::filesystem::create_directories(out.parent_path());
  certify::write_file_atomic(o.out, to_json(r).dump(2) + "\n"); // refuses links, FIFOs
}

void print_table(const RunFacts& run, const Results& results) {
  std::printf("# gpucert-mpi: %d rank(s)%s; results in %s\n", run.world,
              run.simulated ? fmt::format(", SIMULATED {}", run.options.simulate).c_str() : "",
              run.options.out.c_str());
  std::printf("# %-15s %12s %9s %12s %10s %10s  %s\n", "collective", "size(B)", "dtype", "time(us)",
              "algbw", "busbw", "status");
  for (const auto& m : results.measurements) {
    const std::string coll = m.benchmark.substr(m.benchmark.find('.') + 1);
    const std::string bytes = m.params.count("bytes") ? m.params.at("bytes") : "?";
    const std::string dtype = m.params.count("dtype") ? m.params.at("dtype") : "?";
    if (m.seconds.empty()) {
      std::printf("  %-15s %12s %9s %12s %10s %10s  %s\n", coll.c_str(), bytes.c_str(),
                  dtype.c_str(), "-", "-", "-", to_string(m.status).c_str());
      continue;
    }
    const double iters = m.items_per_sample > 0 ? m.items_per_sample : 1;
    const double us = stats::statistic(m.seconds, "median") / iters * 1e6;
    const double alg = stats::statistic(m.metrics.at(m.benchmark + ".algbw_gbps"), "median");
    const double bus = stats::statistic(m.metrics.at(m.benchmark + ".busbw_gbps"), "median");
    std::printf("  %-15s %12s %9s %12.2f %10.2f %10.2f  %s\n", coll.c_str(), bytes.c_str(),
                dtype.c_str(), us, alg, bus, to_string(m.status).c_str());
  }
  std::fflush(stdout);
}

} // namespace gpucert::coll::mpi
