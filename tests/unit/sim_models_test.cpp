// Simulator models: healthy figures sit at the node's achievable figures, and every fault moves
// the figure it should, on the GPU or link it names only (lost, sdc and thermal included).
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/measure/runner.hpp"
#include "harness/stats/interval.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>

namespace gpucert::sim {
namespace {

/// A hand-built 4-GPU NVSwitch node with round figures, so expectations read off directly.
SimNode test_node() {
  SimNode n;
  n.name = "test-4x";
  n.gpu_count = 4;
  n.interconnect = "nvswitch";
  n.noise_cv = 0.004;
  n.gpu_spread = 0.02;
  n.thermal_throttle_after_s = 20;
  n.thermal_factor = 0.6;
  n.inventory.simulated = true;
  for (int i = 0; i < 4; ++i) {
    GpuInfo g;
    g.index = i;
    g.name = "Test GPU";
    g.memory_total_bytes = 80ull << 30;
    g.compute_capability = "9.0";
    g.sm_clock_max_mhz = 1980;
    g.mem_clock_max_mhz = 2619;
    g.power_limit_w = 700;
    g.pcie_gen_max = 5;
    g.pcie_width_max = 16;
    n.inventory.gpus.push_back(g);
  }
  n.achievable = {{"gemm.fp64", 57},     {"gemm.fp32", 51},    {"gemm.tf32", 400},
                  {"gemm.fp16", 795},    {"gemm.bf16", 800},   {"gemm.fp8", 1400},
                  {"hbm.copy", 2900},    {"hbm.triad", 3000},  {"hbm.read", 3100},
                  {"hbm.write", 2800},   {"pcie.h2d", 55},     {"pcie.d2h", 54},
                  {"pcie.bidir", 100},   {"p2p.uni", 400},     {"p2p.bidir", 780},
                  {"launch.issue", 2.5}, {"launch.graph", 1.3}};
  n.peak = n.achievable;
  return n;
}

FaultSet faults(const std::vector<std::string>& tokens, int gpus = 4) {
  return FaultSet(parse_faults(tokens, gpus));
}

SamplingPolicy quick() {
  SamplingPolicy p;
  p.min_samples = 10;
  p.max_samples = 60;
  p.max_seconds = 5;
  p.warmup_min = 2;
  p.warmup_seconds = 0.05;
  return p;
}

Target gpu(int i) {
  return {Scope::gpu, {i}};
}
Target pair(int a, int b) {
  return {Scope::gpu_pair, {a, b}};
}

Measurement run(SimBackend& b, const std::string& bench, const Target& t, const Params& p = {},
                const SamplingPolicy& policy = quick()) {
  const BenchmarkDef* d = builtin_registry().find(bench);
  if (!d)
    throw std::runtime_error("no benchmark " + bench);
  return measure(b, *d, p, t, policy);
}

double median(const Measurement& m) {
  const auto& v = m.metrics.begin()->second;
  return stats::statistic(v, "median");
}

/// Healthy figure of one GPU: the achievable figure within silicon spread (±1 %), a little fixed
/// overhead (launch / transfer latency: < 0.5 % at the default sizes, 1.5 % for a 256 MiB P2P
/// transfer) and the noise of a median of 10 samples (CV 0.4 % each).
void expect_near_achievable(double value, double achievable, const std::string& what) {
  EXPECT_NEAR(value / achievable, 1.0, 0.03) << what << ": " << value << " vs " << achievable;
}

TEST(SimModels, HealthyFiguresAreTheAchievableFigures) {
  SimBackend b(test_node(), {});
  const auto& a = b.node().achievable;
  for (const char* dtype : {"fp64", "fp32", "tf32", "fp16", "bf16", "fp8"}) {
    const Measurement m = run(b, "gemm", gpu(1), {{"dtype", dtype}});
    ASSERT_EQ(m.status, MeasurementStatus::ok) << dtype << ": " << m.message;
    expect_near_achievable(median(m), a.at(std::string("gemm.") + dtype), dtype);
  }
  const std::pair<const char*, const char*> hbm[] = {
      {"hbm.copy", "hbm.copy"},   {"hbm.scale", "hbm.copy"}, {"hbm.add", "hbm.triad"},
      {"hbm.triad", "hbm.triad"}, {"hbm.read", "hbm.read"},  {"hbm.write", "hbm.write"}};
  for (const auto& [bench, figure] : hbm)
    expect_near_achievable(median(run(b, bench, gpu(2))), a.at(figure), bench);
  for (const char* dir : {"h2d", "d2h", "bidir"}) {
    const std::string name = std::string("pcie.") + dir;
    expect_near_achievable(median(run(b, name, gpu(0))), a.at(name), name);
  }
  expect_near_achievable(median(run(b, "p2p.uni", pair(0, 3))), 400, "p2p.uni");
  expect_near_achievable(median(run(b, "p2p.bidir", pair(2, 1))), 780, "p2p.bidir");
  expect_near_achievable(median(run(b, "launch.issue", gpu(3))), 2.5, "launch.issue");
  expect_near_achievable(median(run(b, "launch.graph", gpu(3))), 1.3, "launch.graph");
}

TEST(SimModels, Fp8FastAccumulationRunsAtTheFp8FigureAndIsRecorded) {
  SimBackend b(test_node(), {});
  const Measurement fast = run(b, "gemm", gpu(1), {{"dtype", "fp8"}, {"fast_accum", "true"}});
  ASSERT_EQ(fast.status, MeasurementStatus::ok) << fast.message;
  EXPECT_EQ(fast.params.at("fast_accum"), "true");
  EXPECT_EQ(fast.extra.at("fast_accum"), true);
  expect_near_achievable(median(fast), 1400, "fp8 fast_accum");
  const Measurement accurate = run(b, "gemm", gpu(1), {{"dtype", "fp8"}});
  EXPECT_EQ(accurate.extra.at("fast_accum"), false);
  EXPECT_NE(fast.key(), accurate.key()); // two experiments, never merged into one
  // Any other dtype has no such mode: the parameters do not resolve.
  EXPECT_THROW(run(b, "gemm", gpu(1), {{"dtype", "bf16"}, {"fast_accum", "true"}}), InputError);
}

TEST(SimModels, WorkFollowsTheCatalogue) {
  SimBackend b(test_node(), {});
  Measurement m = run(b, "hbm.triad", gpu(0), {{"bytes", "1GiB"}});
  EXPECT_EQ(m.bytes_per_sample, 3.0 * (1 << 30) * 2); // 2 passes of 3 GiB ≈ 8 GB
  m = run(b, "pcie.bidir", gpu(0), {{"bytes", "256MiB"}});
  EXPECT_EQ(m.bytes_per_sample, 2.0 * (256 << 20));
  m = run(b, "gemm", gpu(0), {{"m", "4096"}, {"n", "2048"}, {"k", "1024"}});
  EXPECT_EQ(std::fmod(m.flops_per_sample, 2.0 * 4096 * 2048 * 1024), 0.0); // whole GEMMs
  m = run(b, "launch.graph", gpu(0), {{"launches", "500"}});
  EXPECT_EQ(m.items_per_sample, 500);
  EXPECT_EQ(m.extra.at("simulated"), true);
  EXPECT_NE(m.verification.detail.find("simulated"), std::string::npos);
}

TEST(SimModels, SmallerShapesAndSizesAreSlower) {
  SimBackend b(test_node(), {});
  const double big = median(run(b, "gemm", gpu(0)));
  const double small =
      median(run(b, "gemm", gpu(0), {{"m", "1024"}, {"n", "1024"}, {"k", "1024"}}));
  EXPECT_LT(small, 0.85 * big);
  const double tiny_copy = median(run(b, "hbm.copy", gpu(0), {{"bytes", "1MiB"}}));
  EXPECT_LT(tiny_copy, 0.5 * 2900); // a 3 µs launch dominates a 1 MiB copy
}

TEST(SimModels, GemmAndHbmFaultsMoveTheirFigureOnTheirGpuOnly) {
  SimBackend b(test_node(), faults({"gpu2:gemm=0.5", "gpu1:hbm=0.7"}));
  EXPECT_NEAR(median(run(b, "gemm", gpu(2))) / 800, 0.5, 0.01);
  expect_near_achievable(median(run(b, "gemm", gpu(1))), 800, "gemm gpu1");
  expect_near_achievable(median(run(b, "gemm", gpu(3))), 800, "gemm gpu3");
  expect_near_achievable(median(run(b, "hbm.triad", gpu(2))), 3000, "hbm gpu2");
  EXPECT_NEAR(median(run(b, "hbm.triad", gpu(1))) / 3000, 0.7, 0.015);
  EXPECT_NEAR(median(run(b, "hbm.copy", gpu(1))) / 2900, 0.7, 0.015);
  expect_near_achievable(median(run(b, "pcie.h2d", gpu(1))), 55, "pcie gpu1");
}

TEST(SimModels, PcieLinkTrainedDownScalesByGenAndWidth) {
  SimBackend b(test_node(), faults({"gpu3:pcie=gen4x16", "gpu1:pcie=gen5x8"}));
  EXPECT_NEAR(median(run(b, "pcie.h2d", gpu(3))) / 55, 0.5, 0.015);
  EXPECT_NEAR(median(run(b, "pcie.d2h", gpu(1))) / 54, 0.5, 0.015);
  EXPECT_NEAR(median(run(b, "pcie.bidir", gpu(1))) / 100, 0.5, 0.015);
  expect_near_achievable(median(run(b, "pcie.h2d", gpu(0))), 55, "pcie gpu0");
  expect_near_achievable(median(run(b, "gemm", gpu(3))), 800, "gemm gpu3");
  const Measurement m = run(b, "pcie.h2d", gpu(3));
  EXPECT_EQ(m.extra.at("factors").at("pcie_link"), "gen4x16 (healthy gen5x16)");
}

TEST(SimModels, NvlinkFaultScalesThatPairInBothOrders) {
  SimBackend b(test_node(), faults({"gpu0-gpu1:nvlink=0.5"}));
  EXPECT_NEAR(median(run(b, "p2p.uni", pair(0, 1))) / 400, 0.5, 0.015);
  EXPECT_NEAR(median(run(b, "p2p.uni", pair(1, 0))) / 400, 0.5, 0.015);
  EXPECT_NEAR(median(run(b, "p2p.bidir", pair(0, 1))) / 780, 0.5, 0.015);
  expect_near_achievable(median(run(b, "p2p.uni", pair(0, 2))), 400, "p2p 0-2");
  expect_near_achievable(median(run(b, "p2p.uni", pair(1, 3))), 400, "p2p 1-3");
}

TEST(SimModels, SdcFailsVerificationOnThatGpuOnly) {
  SimBackend b(test_node(), faults({"gpu1:sdc"}));
  const Measurement bad = run(b, "gemm", gpu(1));
  EXPECT_EQ(bad.status, MeasurementStatus::incorrect);
  EXPECT_FALSE(bad.verification.passed);
  EXPECT_NE(bad.verification.detail.find("GPU 1"), std::string::npos) << bad.verification.detail;
  EXPECT_NE(bad.verification.detail.find("silent data corruption"), std::string::npos);
  EXPECT_EQ(run(b, "hbm.copy", gpu(1)).status, MeasurementStatus::incorrect);
  EXPECT_EQ(run(b, "p2p.uni", pair(0, 1)).status, MeasurementStatus::incorrect);
  EXPECT_EQ(run(b, "gemm", gpu(0)).status, MeasurementStatus::ok);
  EXPECT_EQ(run(b, "p2p.uni", pair(0, 2)).status, MeasurementStatus::ok);
  // Fast but wrong: the figure is still there, the status says it cannot count.
  expect_near_achievable(median(bad), 800, "sdc gemm figure");
}

TEST(SimModels, LostGpuFallsOffTheBusOnceTheClockPassesS) {
  SimBackend b(test_node(), faults({"gpu2:lost@5"}));
  const Measurement before = run(b, "gemm", gpu(2));
  EXPECT_EQ(before.status, MeasurementStatus::ok);
  ASSERT_LT(b.now_seconds(), 5);
  b.advance(5 - b.now_seconds());
  const Measurement after = run(b, "gemm", gpu(2));
  EXPECT_EQ(after.status, MeasurementStatus::error);
  EXPECT_NE(after.message.find("GPU 2 fell off the bus (simulated"), std::string::npos)
      << after.message;
  EXPECT_EQ(run(b, "gemm", gpu(1)).status, MeasurementStatus::ok);
  EXPECT_EQ(run(b, "p2p.uni", pair(1, 2)).status, MeasurementStatus::error);

  // A measurement that straddles S: samples before it count, the sample after it throws. (S is
  // past the set-up: context, allocation and timing the top 8 GEMM algorithms take about 1 s.)
  SimBackend c(test_node(), faults({"gpu0:lost@3"}));
  SamplingPolicy long_run = quick();
  long_run.max_samples = 100000;
  long_run.target_rel_ci = 0; // never satisfied: keep sampling until the GPU goes
  const Measurement straddle = run(c, "gemm", gpu(0), {}, long_run);
  EXPECT_EQ(straddle.status, MeasurementStatus::error);
  EXPECT_FALSE(straddle.seconds.empty());
  EXPECT_NE(straddle.message.find("fell off the bus"), std::string::npos);
  EXPECT_FALSE(straddle.telemetry.at(0).available);
  EXPECT_NE(straddle.telemetry.at(0).unavailable_reason.find("GPU 0"), std::string::npos);
}

TEST(SimModels, ThermalFaultThrottlesAfterLoadAndTelemetryShowsWhy) {
  SimBackend b(test_node(), faults({"gpu0:thermal"}));
  // Cool: full speed, no throttle reason.
  const Measurement cool = run(b, "gemm", gpu(0));
  expect_near_achievable(median(cool), 800, "cool");
  EXPECT_EQ(cool.telemetry.at(0).throttle_fraction.at("hw_thermal"), 0);
  // Load the GPU past thermal_throttle_after_s (20 s of simulated load).
  b.run_load({0}, 25);
  const Measurement hot = run(b, "gemm", gpu(0));
  EXPECT_NEAR(median(hot) / 800, 0.6, 0.015);
  const TelemetrySummary& t = hot.telemetry.at(0);
  ASSERT_TRUE(t.available);
  EXPECT_GT(t.throttle_fraction.at("hw_thermal"), 0.9);
  EXPECT_GT(t.throttle_fraction.at("sw_thermal"), 0.9);
  EXPECT_GT(t.throttle_fraction.at("hw_slowdown"), 0.9);
  EXPECT_NEAR(t.sm_clock_mhz_mean, 1980 * 0.6, 40);
  EXPECT_GE(t.temperature_c_max, 85);
  EXPECT_LE(t.temperature_c_max, 90);
  // HBM slows less than GEMM (memory-bound), PCIe not at all (the link sets the pace).
  const double hbm = median(run(b, "hbm.copy", gpu(0))) / 2900;
  EXPECT_GT(hbm, 0.7);
  EXPECT_LT(hbm, 0.85);
  expect_near_achievable(median(run(b, "pcie.h2d", gpu(0))), 55, "pcie hot");
  // Other GPUs: unaffected, cool telemetry.
  b.run_load({1}, 25);
  const Measurement other = run(b, "gemm", gpu(1));
  expect_near_achievable(median(other), 800, "gpu1");
  EXPECT_EQ(other.telemetry.at(1).throttle_fraction.at("hw_thermal"), 0);
  EXPECT_LT(other.telemetry.at(1).temperature_c_max, 80);
  EXPECT_NEAR(other.telemetry.at(1).sm_clock_mhz_mean, 1980, 60);
}

TEST(SimModels, NoiseFaultWidensTheSpread) {
  auto cv_of = [](SimBackend& b) {
    SamplingPolicy p = quick();
    p.target_rel_ci = 0; // take every sample the budget allows
    const Measurement m = run(b, "hbm.copy", gpu(0), {}, p);
    double mean = 0, ss = 0;
    for (double s : m.seconds)
      mean += s / m.seconds.size();
    for (double s : m.seconds)
      ss += (s - mean) * (s - mean);
    return std::sqrt(ss / (m.seconds.size() - 1)) / mean;
  };
  SimBackend quiet(test_node(), {});
  SimBackend noisy(test_node(), faults({"node:noise=0.05"}));
  EXPECT_NEAR(quiet.noise_cv(), 0.004, 1e-12);
  EXPECT_NEAR(noisy.noise_cv(), 0.05, 1e-12);
  EXPECT_NEAR(cv_of(quiet), 0.004, 0.002);
  EXPECT_NEAR(cv_of(noisy), 0.05, 0.015);
}

TEST(SimModels, SameSeedSameSamples) {
  SimBackend a(test_node(), {}, {}, 11), b(test_node(), {}, {}, 11), c(test_node(), {}, {}, 12);
  const auto sa = run(a, "gemm", gpu(0)).seconds;
  EXPECT_EQ(sa, run(b, "gemm", gpu(0)).seconds);
  EXPECT_NE(sa, run(c, "gemm", gpu(0)).seconds);
}

TEST(SimModels, SpreadIsDeterministicAndBounded) {
  SimBackend b(test_node(), {});
  for (int g = 0; g < 4; ++g) {
    EXPECT_GE(b.spread_factor(g), 0.99);
    EXPECT_LE(b.spread_factor(g), 1.01);
    EXPECT_EQ(b.spread_factor(g), SimBackend(test_node(), {}).spread_factor(g));
  }
}

TEST(SimModels, NotApplicableIsSkippedWithTheReason) {
  SimBackend b(test_node(), {});
  const Measurement fp8nn = run(b, "gemm", gpu(0), {{"dtype", "fp8"}, {"layout", "nn"}});
  EXPECT_EQ(fp8nn.status, MeasurementStatus::skipped);
  EXPECT_NE(fp8nn.message.find("requires layout tn"), std::string::npos);

  SimNode ampere = test_node();
  for (auto& g : ampere.inventory.gpus)
    g.compute_capability = "8.0";
  SimBackend a(ampere, {});
  const Measurement fp8 = run(a, "gemm", gpu(0), {{"dtype", "fp8"}});
  EXPECT_EQ(fp8.status, MeasurementStatus::skipped);
  EXPECT_NE(fp8.message.find("8.9"), std::string::npos);

  SimNode pcie = test_node();
  pcie.interconnect = "pcie";
  pcie.achievable.erase("p2p.uni");
  SimBackend p(pcie, {});
  const Measurement p2p = run(p, "p2p.uni", pair(0, 1));
  EXPECT_EQ(p2p.status, MeasurementStatus::skipped);
  EXPECT_NE(p2p.message.find("no peer-to-peer access between GPU 0 and GPU 1"), std::string::npos);
}

TEST(SimModels, TooLargeForMemoryIsAnError) {
  SimBackend b(test_node(), {});
  const Measurement m = run(b, "hbm.triad", gpu(0), {{"bytes", "40GiB"}});
  EXPECT_EQ(m.status, MeasurementStatus::error);
  EXPECT_NE(m.message.find("out of memory"), std::string::npos);
}

TEST(SimBackendTargets, BadTargetsAreInputErrors) {
  SimBackend b(test_node(), {});
  const BenchmarkDef& p2p = *builtin_registry().find("p2p.uni");
  const Params params = Registry::resolve(p2p, {});
  EXPECT_THROW(b.create(p2p, params, pair(1, 1)), InputError);
  EXPECT_THROW(b.create(p2p, params, pair(0, 4)), InputError);
  EXPECT_THROW(b.create(p2p, params, gpu(0)), InputError);
  EXPECT_THROW(SimBackend(test_node(), {}, {0, 7}), InputError);
  EXPECT_EQ(SimBackend(test_node(), {}, {1, 3}).gpus(), (std::vector<int>{1, 3}));
}

TEST(SimBackendNodes, SinglePcieGpuNodeHasNoPairs) {
  SimBackend b(load_builtin_node("h100-pcie-80gb-1x"), {});
  EXPECT_EQ(b.gpus(), std::vector<int>{0});
  const BenchmarkDef& p2p = *builtin_registry().find("p2p.uni");
  EXPECT_THROW(b.create(p2p, Registry::resolve(p2p, {}), pair(0, 1)), InputError);
  const Inventory inv = b.inventory();
  EXPECT_TRUE(inv.simulated);
  EXPECT_EQ(inv.sim_node, "h100-pcie-80gb-1x");
  expect_near_achievable(median(run(b, "gemm", gpu(0))), b.node().achievable.at("gemm.bf16"),
                         "h100-pcie gemm");
}

TEST(SimBackendNodes, BuiltinNodesModelEveryFigureTheirFilesGive) {
  for (const auto& name : builtin_node_names()) {
    SimBackend b(load_builtin_node(name), {});
    const auto& a = b.node().achievable;
    for (const char* bench : {"gemm", "hbm.copy", "pcie.h2d", "launch.issue"}) {
      const Measurement m = run(b, bench, gpu(0));
      ASSERT_EQ(m.status, MeasurementStatus::ok) << name << " " << bench << ": " << m.message;
      const std::string key = std::string(bench) == "gemm" ? "gemm.bf16" : bench;
      expect_near_achievable(median(m), a.at(key), name + " " + bench);
    }
  }
}

} // namespace
} // namespace gpucert::sim
