// Every simulated collective under every fault: an NVLink fault on a pair the collective uses
// slows it by the fault's factor and is named as the bottleneck; a fault on a pair it does not
// use, and faults of other kinds, leave its bandwidth alone; a lost GPU is an error and silent
// data corruption fails the exact check, for every collective.
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/models/collective_figures.hpp"
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/collectives/collective.hpp"
#include "harness/measure/runner.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace gpucert::coll {
namespace {

const std::vector<int> kAll = {0, 1, 2, 3, 4, 5, 6, 7};

sim::FaultSet faults(const sim::SimNode& node, const std::vector<std::string>& tokens) {
  return sim::FaultSet(sim::parse_faults(tokens, node));
}

TEST(CollectiveFaults, AnNvlinkFaultOnAPairInUseSlowsEveryCollectiveByItsFactor) {
  const auto node = sim::load_builtin_node("h100-sxm5-80gb-8x");
  // gpu2-gpu3 are neighbours in the ring order, so sendrecv crosses the pair too.
  const auto slow = faults(node, {"gpu2-gpu3:nvlink=0.5"});
  for (const Collective& c : collectives()) {
    const CollectiveModel healthy = model_collective(node, {}, c, kAll);
    const CollectiveModel m = model_collective(node, slow, c, kAll);
    EXPECT_EQ(m.link_factor, 0.5) << c.name;
    EXPECT_DOUBLE_EQ(m.busbw_gbps, 0.5 * healthy.busbw_gbps) << c.name;
    EXPECT_EQ(m.bottleneck, "gpu2-gpu3 nvlink x0.5") << c.name;
    EXPECT_GT(collective_seconds(m, c, 8, 1e9, false),
              collective_seconds(healthy, c, 8, 1e9, false))
        << c.name;
  }
}

TEST(CollectiveFaults, TheFaultIsFoundInEitherOrderOfThePair) {
  const auto node = sim::load_builtin_node("h100-sxm5-80gb-8x");
  const auto slow = faults(node, {"gpu3-gpu2:nvlink=0.25"});
  for (const Collective& c : collectives())
    EXPECT_EQ(model_collective(node, slow, c, kAll).link_factor, 0.25) << c.name;
}

TEST(CollectiveFaults, APairNotInUseLeavesTheCollectiveAlone) {
  const auto node = sim::load_builtin_node("h100-sxm5-80gb-8x");
  // Outside the GPU set: nothing uses the pair.
  const auto outside = faults(node, {"gpu6-gpu7:nvlink=0.5"});
  for (const Collective& c : collectives()) {
    const CollectiveModel m = model_collective(node, outside, c, {0, 1, 2, 3});
    EXPECT_EQ(m.link_factor, 1.0) << c.name;
    EXPECT_TRUE(m.bottleneck.empty()) << c.name;
  }
  // Inside the set but not ring neighbours: every collective but sendrecv crosses it.
  const auto across = faults(node, {"gpu0-gpu2:nvlink=0.5"});
  for (const Collective& c : collectives()) {
    const CollectiveModel m = model_collective(node, across, c, {0, 1, 2, 3});
    EXPECT_EQ(m.link_factor, c.kind == CollKind::sendrecv ? 1.0 : 0.5) << c.name;
  }
}

TEST(CollectiveFaults, FaultsOfOtherKindsDoNotChangeTheModelledBandwidth) {
  const auto node = sim::load_builtin_node("h100-sxm5-80gb-8x");
  const auto other =
      faults(node, {"gpu1:gemm=0.5", "gpu2:hbm=0.5", "gpu3:pcie=gen4x8", "gpu4:thermal",
                    "gpu5:ecc_uncorrectable=2", "gpu6:sdc", "node:noise=0.02"});
  for (const Collective& c : collectives()) {
    const CollectiveModel healthy = model_collective(node, {}, c, kAll);
    const CollectiveModel m = model_collective(node, other, c, kAll);
    EXPECT_EQ(m.busbw_gbps, healthy.busbw_gbps) << c.name;
    EXPECT_EQ(m.link_factor, 1.0) << c.name;
  }
}

SamplingPolicy quick() {
  SamplingPolicy p;
  p.min_samples = 10;
  p.max_samples = 12;
  p.max_seconds = 60;
  p.warmup_min = 1;
  p.warmup_seconds = 0.001;
  return p;
}

Measurement run(const std::vector<std::string>& tokens, const std::string& bench) {
  const auto node = sim::load_builtin_node("h100-sxm5-80gb-8x");
  sim::SimBackend b(node, faults(node, tokens));
  return measure(b, *builtin_registry().find(bench), {{"bytes", "64MiB"}},
                 Target{Scope::node, kAll}, quick());
}

TEST(CollectiveFaults, EveryCollectiveErrorsOnALostGpuAndFailsItsCheckOnSdc) {
  for (const Collective& c : collectives()) {
    const std::string bench = "nccl." + std::string(c.name);
    const Measurement lost = run({"gpu6:lost@0"}, bench);
    EXPECT_EQ(lost.status, MeasurementStatus::error) << bench;
    EXPECT_NE(lost.message.find("GPU 6"), std::string::npos) << bench << ": " << lost.message;
    const Measurement sdc = run({"gpu4:sdc"}, bench);
    EXPECT_EQ(sdc.status, MeasurementStatus::incorrect) << bench << ": " << sdc.message;
    EXPECT_NE(sdc.message.find("gpu4:sdc"), std::string::npos) << bench << ": " << sdc.message;
    const Measurement ok = run({}, bench);
    EXPECT_EQ(ok.status, MeasurementStatus::ok) << bench << ": " << ok.message;
  }
}

TEST(CollectiveFaults, SimulatedGemmWorkIsTwoMnkPerGemm) {
  // FLOPs per sample must be 2·m·n·k times the GEMMs run in it: a model (or kernel) counting
  // m·n·k would halve every TFLOP/s figure it reports next to a correct time.
  const auto node = sim::load_builtin_node("h100-sxm5-80gb-8x");
  sim::SimBackend b(node, {});
  for (const auto& [m, n, k] : {std::tuple{8192, 8192, 8192}, std::tuple{4096, 2048, 1024}}) {
    const Measurement g =
        measure(b, *builtin_registry().find("gemm"),
                {{"m", std::to_string(m)}, {"n", std::to_string(n)}, {"k", std::to_string(k)}},
                Target{Scope::gpu, {0}}, quick());
    ASSERT_EQ(g.status, MeasurementStatus::ok) << g.message;
    ASSERT_GE(g.items_per_sample, 1);
    EXPECT_EQ(g.flops_per_sample, 2.0 * m * n * k * g.items_per_sample);
  }
}

} // namespace
} // namespace gpucert::coll
