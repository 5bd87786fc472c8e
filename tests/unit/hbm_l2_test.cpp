// HBM working sets an L2 could hold measure the cache, not HBM: arrays below 4 x L2 are refused
// with a reason naming the L2 size, where the node is known (a profile checked against the
// node's inventory) and by the simulator when it sets up (as the CUDA instance does, from
// cudaDevAttrL2CacheSize). A refused clause is ERROR, never PASS.
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/benchmarks/hbm_sizes.hpp"
#include "harness/core/error.hpp"
#include "harness/evaluate/evaluate.hpp"
#include "harness/measure/runner.hpp"
#include "harness/model/certificate.hpp"
#include "harness/profile/node_fit.hpp"
#include "harness/profile/profile.hpp"

#include <filesystem>
#include <gtest/gtest.h>

namespace gpucert {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

TEST(HbmL2Rule, ArraysBelowFourTimesL2AreRefusedNamingTheL2Size) {
  const std::string why = hbm_l2_refusal("hbm.triad", 64 * kMiB, 50 * kMiB, "GPU 3 (H100)");
  EXPECT_NE(why.find("hbm.triad: 'bytes' = 64 MiB per array"), std::string::npos) << why;
  EXPECT_NE(why.find("4 x the 50 MiB L2 cache of GPU 3 (H100)"), std::string::npos) << why;
  EXPECT_NE(why.find("use bytes >= 200 MiB"), std::string::npos) << why;
  EXPECT_EQ(hbm_l2_refusal("hbm.triad", 200 * kMiB, 50 * kMiB, "GPU 0"), ""); // exactly 4 x
  EXPECT_NE(hbm_l2_refusal("hbm.triad", 200 * kMiB - 16, 50 * kMiB, "GPU 0"), "");
  EXPECT_EQ(hbm_l2_refusal("hbm.copy", 1 << 20, 0, "GPU 0"), ""); // L2 unknown: not judged here
  // H200: 60 MiB of L2, so 200 MiB arrays are too small there.
  EXPECT_NE(hbm_l2_refusal("hbm.copy", 200 * kMiB, 60 * kMiB, "GPU 0").find("60 MiB L2"),
            std::string::npos);
}

TEST(HbmL2Rule, EveryHbmBenchmarkAppliesItToTheGpusInventory) {
  GpuInfo g;
  g.index = 1;
  g.name = "NVIDIA H100 80GB HBM3";
  g.l2_cache_bytes = 50 * kMiB;
  for (const BenchmarkDef* d : builtin_registry().family("hbm")) {
    ASSERT_TRUE(d->fits) << d->name;
    const std::string small = d->fits(Registry::resolve(*d, {{"bytes", "64MiB"}}), g);
    EXPECT_NE(small.find(d->name + ": 'bytes' = 64 MiB"), std::string::npos) << small;
    EXPECT_NE(small.find("GPU 1 (NVIDIA H100 80GB HBM3)"), std::string::npos) << small;
    EXPECT_EQ(d->fits(Registry::resolve(*d, {}), g), "") << d->name; // the 1 GiB default
  }
}

TEST(HbmL2Rule, BuiltinNodesGiveTheirL2Size) {
  EXPECT_EQ(sim::load_builtin_node("h100-sxm5-80gb-8x").inventory.gpus.at(0).l2_cache_bytes,
            50 * kMiB);
  EXPECT_EQ(sim::load_builtin_node("h100-pcie-80gb-1x").inventory.gpus.at(0).l2_cache_bytes,
            50 * kMiB);
  EXPECT_EQ(sim::load_builtin_node("h200-sxm-141gb-8x").inventory.gpus.at(0).l2_cache_bytes,
            60 * kMiB);
}

SamplingPolicy quick() {
  SamplingPolicy p;
  p.min_samples = 10;
  p.max_samples = 30;
  p.max_seconds = 5;
  p.warmup_min = 1;
  p.warmup_seconds = 0.01;
  return p;
}

TEST(HbmL2Rule, TheSimulatorRefusesSmallArraysAsAnErrorNamingTheL2) {
  sim::SimBackend b(sim::load_builtin_node("h200-sxm-141gb-8x"), {});
  const BenchmarkDef& triad = *builtin_registry().find("hbm.triad");
  const Measurement small = measure(b, triad, {{"bytes", "200MiB"}}, {Scope::gpu, {2}}, quick());
  EXPECT_EQ(small.status, MeasurementStatus::error);
  EXPECT_TRUE(small.seconds.empty());
  EXPECT_NE(small.message.find("60 MiB L2 cache of GPU 2 (NVIDIA H200)"), std::string::npos)
      << small.message;
  const Measurement big = measure(b, triad, {{"bytes", "256MiB"}}, {Scope::gpu, {2}}, quick());
  EXPECT_EQ(big.status, MeasurementStatus::ok) << big.message;
}

constexpr const char* kSmallHbm = R"(schema: gpucert/profile/v1
name: small-hbm
clauses:
  - {id: hbm-small, metric: hbm.triad.gbps, params: {bytes: 64MiB}, min: 100}
  - {id: hbm-big, metric: hbm.triad.gbps, params: {bytes: 1GiB}, min: 100}
)";

TEST(HbmL2Rule, AProfileIsCheckedAgainstTheNodesInventory) {
  const profile::Profile p = profile::parse_profile(builtin_registry(), kSmallHbm, "small.yaml");
  const Inventory node = sim::load_builtin_node("h100-sxm5-80gb-8x").inventory;
  const auto problems = profile::node_fit_problems(builtin_registry(), p, node);
  ASSERT_EQ(problems.size(), 8u); // hbm-small on each of the 8 GPUs; hbm-big fits
  EXPECT_EQ(problems[0].clause_id, "hbm-small");
  EXPECT_EQ(problems[7].gpu, 7);
  try {
    profile::check_node_fit(builtin_registry(), p, node);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    // Where (the parameter in the file), which clause, which GPU and the L2 size.
    EXPECT_EQ(msg.rfind("small.yaml:4:61: clause 'hbm-small': hbm.triad: 'bytes' = 64 MiB", 0), 0u)
        << msg;
    EXPECT_NE(msg.find("50 MiB L2 cache of GPU 0 (NVIDIA H100 80GB HBM3)"), std::string::npos)
        << msg;
  }
  // Unknown L2 (an inventory without the field): nothing refused here; the backend checks.
  Inventory unknown = node;
  for (auto& g : unknown.gpus)
    g.l2_cache_bytes.reset();
  EXPECT_TRUE(profile::node_fit_problems(builtin_registry(), p, unknown).empty());
}

TEST(HbmL2Rule, ShippedProfilesFitTheirNodes) {
  const std::string dir = std::string(GPUCERT_SOURCE_DIR) + "/profiles/";
  for (const auto& [file, node] : std::vector<std::pair<std::string, std::string>>{
           {"h100-sxm5-80gb-8x-standard.yaml", "h100-sxm5-80gb-8x"},
           {"h100-sxm5-80gb-8x-quick.yaml", "h100-sxm5-80gb-8x"},
           {"h100-pcie-80gb.yaml", "h100-pcie-80gb-1x"},
           {"h200-sxm-141gb-8x.yaml", "h200-sxm-141gb-8x"}}) {
    const profile::Profile p = profile::load_profile(builtin_registry(), dir + file);
    EXPECT_NO_THROW(
        profile::check_node_fit(builtin_registry(), p, sim::load_builtin_node(node).inventory))
        << file;
  }
}

TEST(HbmL2Rule, ARefusedClauseIsAnErrorNeverAPass) {
  const profile::Profile p = profile::parse_profile(builtin_registry(), kSmallHbm, "small.yaml");
  sim::SimBackend b(sim::load_builtin_node("h100-pcie-80gb-1x"), {});
  Results r;
  r.complete = true;
  r.backend = "sim";
  r.simulated = true;
  r.inventory_before = b.inventory();
  r.inventory_after = r.inventory_before;
  for (const auto& c : p.clauses)
    r.measurements.push_back(
        measure(b, *builtin_registry().find(c.benchmark), c.resolved, {Scope::gpu, {0}}, quick()));
  const report::Certificate cert = evaluate::evaluate(p, r);
  bool seen = false;
  for (const auto& k : cert.checks) {
    if (k.clause_id != "hbm-small")
      continue;
    seen = true;
    EXPECT_EQ(k.verdict, report::Verdict::error) << k.message;
    EXPECT_NE(k.message.find("50 MiB L2"), std::string::npos) << k.message;
  }
  EXPECT_TRUE(seen);
  EXPECT_NE(cert.outcome, report::Outcome::certified);
}

} // namespace
} // namespace gpucert
