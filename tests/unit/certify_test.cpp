// Planning and running a certification on the simulator in-process: shared measurements,
// scopes, tiers and durations, results kept on disk, an interrupted run.
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/certify/atomic_file.hpp"
#include "harness/certify/certify_run.hpp"
#include "harness/certify/plan.hpp"
#include "harness/certify/stop_signal.hpp"
#include "harness/core/error.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace gpucert::certify {
namespace {

namespace fs = std::filesystem;

profile::Profile parse(const std::string& clauses, const std::string& extra = "") {
  return profile::parse_profile(
      builtin_registry(), "schema: gpucert/profile/v1\nname: t\n" + extra + "clauses:\n" + clauses,
      "t.yaml");
}

TEST(Plan, ClausesOnTheSameExperimentShareOneMeasurement) {
  const auto p =
      parse("  - {id: triad-median, metric: hbm.triad.gbps, min: 2800}\n"
            "  - {id: triad-p10, metric: hbm.triad.gbps, stat: p10, min: 2700}\n"
            "  - {id: triad-big, metric: hbm.triad.gbps, params: {bytes: 2GiB}, min: 2800}\n");
  const auto plan = certify::plan(builtin_registry(), p, {0, 1});
  ASSERT_EQ(plan.size(), 4u); // (1 GiB, 2 GiB) x 2 GPUs
  EXPECT_EQ(plan[0].clauses.size(), 2u);
  EXPECT_EQ(plan[0].target.label(), "gpu0");
  EXPECT_EQ(plan[1].target.label(), "gpu1");
  EXPECT_EQ(plan[2].params.at("bytes"), "2147483648");
  EXPECT_EQ(plan[2].clauses.size(), 1u);
  EXPECT_NE(plan[0].key, plan[2].key);
}

TEST(Plan, ScopesExpandToGpusPairsAndTheNode) {
  const auto p = parse("  - {id: p2p, metric: p2p.uni.gbps, each: gpu-pair, min: 1}\n"
                       "  - {id: ar, metric: nccl.all_reduce.busbw_gbps, each: node, min: 1}\n"
                       "  - {id: ecc, metric: inventory.ecc_uncorrected, max: 0}\n");
  const auto plan = certify::plan(builtin_registry(), p, {0, 2, 5});
  ASSERT_EQ(plan.size(), 4u); // 3 pairs + the node; the health clause needs no measurement
  EXPECT_EQ(plan[0].target.label(), "gpu0-gpu2");
  EXPECT_EQ(plan[1].target.label(), "gpu0-gpu5");
  EXPECT_EQ(plan[2].target.label(), "gpu2-gpu5");
  EXPECT_EQ(plan[3].target.scope, Scope::node);
  EXPECT_EQ(plan[3].target.gpus, (std::vector<int>{0, 2, 5}));
}

TEST(Plan, MethodDurationAndTierShapeThePolicy) {
  const auto p =
      parse("  - {id: g, metric: gemm.tflops, min: 1}\n"
            "  - {id: soak, metric: gemm.tflops, params: {m: 16384}, min: 1, duration: 45}\n",
            "method: {confidence: 0.9, target_rel_ci: 0.02, min_samples: 12, max_samples: 99, "
            "max_seconds_per_clause: 7}\n");
  const auto plan = certify::plan(builtin_registry(), p, {0});
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_FALSE(plan[0].sustained);
  EXPECT_DOUBLE_EQ(plan[0].policy.confidence, 0.9);
  EXPECT_DOUBLE_EQ(plan[0].policy.target_rel_ci, 0.02);
  EXPECT_EQ(plan[0].policy.min_samples, 12);
  EXPECT_EQ(plan[0].policy.max_samples, 99);
  EXPECT_DOUBLE_EQ(plan[0].policy.max_seconds, 7);
  EXPECT_TRUE(plan[1].sustained);
  EXPECT_DOUBLE_EQ(plan[1].policy.max_seconds, 45);
  EXPECT_EQ(plan[1].policy.target_rel_ci, 0); // never "tight enough": the load is the point

  const auto soak = parse("  - {id: g, metric: gemm.tflops, min: 1}\n",
                          "tier: soak\nmethod: {max_seconds_per_clause: 60}\n");
  const auto sp = certify::plan(builtin_registry(), soak, {0});
  EXPECT_TRUE(sp[0].sustained);
  EXPECT_DOUBLE_EQ(sp[0].policy.max_seconds, 60);
}

sim::SimBackend backend(std::vector<int> gpus) {
  return sim::SimBackend(sim::load_builtin_node("h100-sxm5-80gb-8x"), sim::FaultSet{},
                         std::move(gpus), 7);
}

TEST(CertifyRun, WritesCompleteResultsAndACertificate) {
  const auto p = parse("  - {id: triad, metric: hbm.triad.gbps, min: 2800}\n"
                       "  - {id: launch, metric: launch.issue.us, max: 3}\n"
                       "  - {id: ecc, metric: inventory.ecc_uncorrected, max: 0}\n");
  auto sim = backend({0, 1});
  const fs::path dir = fs::temp_directory_path() / "gpucert-certify-run";
  fs::create_directories(dir);
  RunOptions opts;
  opts.results_path = (dir / "results.json").string();
  opts.provenance = {{"command", "unit test"}};
  set_stop_signal(0);
  const RunOutput out = run_certification(builtin_registry(), p, sim, opts);
  EXPECT_TRUE(out.results.complete);
  EXPECT_TRUE(out.results.simulated);
  EXPECT_EQ(out.results.measurements.size(), 4u);
  EXPECT_EQ(out.results.profile_sha256, p.sha256);
  EXPECT_EQ(out.results.provenance.at("gpus"), nlohmann::json({0, 1}));
  EXPECT_EQ(out.results.provenance.at("command"), "unit test");
  EXPECT_TRUE(out.results.inventory_after.has_value());
  EXPECT_EQ(out.certificate.outcome, report::Outcome::certified);
  // What is on disk is what was returned.
  std::ifstream in(opts.results_path);
  std::stringstream ss;
  ss << in.rdbuf();
  const Results disk = results_from_json(nlohmann::json::parse(ss.str()));
  EXPECT_TRUE(disk.complete);
  EXPECT_EQ(disk.measurements.size(), 4u);
  fs::remove_all(dir);
}

TEST(CertifyRun, AStopBeforeTheFirstMeasurementLeavesAnIncompleteRun) {
  const auto p = parse("  - {id: triad, metric: hbm.triad.gbps, min: 2800}\n");
  auto sim = backend({0});
  set_stop_signal(SIGTERM);
  const RunOutput out = run_certification(builtin_registry(), p, sim, RunOptions{});
  set_stop_signal(0);
  EXPECT_FALSE(out.results.complete);
  EXPECT_EQ(out.results.incomplete_reason, "SIGTERM");
  EXPECT_TRUE(out.results.measurements.empty());
  EXPECT_EQ(out.certificate.outcome, report::Outcome::not_certified);
  ASSERT_EQ(out.certificate.checks.size(), 1u);
  EXPECT_EQ(out.certificate.checks[0].message, "not reached: run interrupted (SIGTERM)");
}

TEST(AtomicFile, ReplacesWholeAndLeavesNoTemporary) {
  const fs::path p = fs::temp_directory_path() / "gpucert-atomic.txt";
  write_file_atomic(p.string(), "first");
  write_file_atomic(p.string(), "second, longer");
  std::ifstream in(p);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "second, longer");
  EXPECT_FALSE(fs::exists(p.string() + ".tmp"));
  fs::remove(p);
  EXPECT_THROW(write_file_atomic("/nonexistent-dir/x.json", "x"), InputError);
}

TEST(AtomicFile, ReplacesOnlyRegularFiles) {
  const fs::path dir = fs::temp_directory_path() / ("gpucert-atomic-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path outside = dir / "outside.txt", link = dir / "link.json";
  std::ofstream(outside) << "keep";
  fs::create_symlink(outside, link);
  try {
    write_file_atomic(link.string(), "x");
    ADD_FAILURE() << "a symbolic link was replaced";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(link.string() + ": is a symbolic link"), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_THROW(write_file_atomic("/dev/null", "x"), InputError);
  EXPECT_THROW(write_file_atomic(dir.string(), "x"), InputError);
  // A link planted at the temporary name is refused too, never followed.
  const fs::path target = dir / "r.json";
  fs::create_symlink(outside, target.string() + ".tmp");
  EXPECT_THROW(write_file_atomic(target.string(), "x"), InputError);
  std::ifstream in(outside);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "keep");
  // A regular file left at the temporary name by a killed write is replaced.
  fs::remove(target.string() + ".tmp");
  std::ofstream(target.string() + ".tmp") << "half";
  write_file_atomic(target.string(), "whole");
  std::ifstream t(target);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(t), {}), "whole");
  fs::remove_all(dir);
}

TEST(RelevantEnvironment, RecordsNcclSettings) {
  setenv("NCCL_ALGO", "Ring", 1);
  const auto env = relevant_environment();
  unsetenv("NCCL_ALGO");
  EXPECT_EQ(env.at("NCCL_ALGO"), "Ring");
  EXPECT_FALSE(env.contains("PATH"));
}

} // namespace
} // namespace gpucert::certify
