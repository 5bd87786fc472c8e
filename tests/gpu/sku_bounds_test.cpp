// The SKU table behind the GPU tier's number checks: each shipped card finds its node file by the
// name CUDA and NVML give it, an unknown card gets the skip reason, and every node file yields
// usable two-sided bounds for every figure the tier checks. Host code: runs with or without a GPU,
// so a node file added without a figure the tier needs fails here, before anyone has the card.
#include "harness/backends/sim/sim_node.hpp"
#include "harness/collectives/collective.hpp"
#include "tests/gpu/sku_bounds.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace gpucert {
namespace {

using gputest::sku_for;

TEST(GpuSku, EachShippedCardFindsItsNodeFileByItsDeviceName) {
  const std::pair<const char*, const char*> cards[] = {
      {"NVIDIA H100 80GB HBM3", "h100-sxm5-80gb-8x"},
      {"NVIDIA H100 PCIe", "h100-pcie-80gb-1x"},
      {"NVIDIA H100 NVL", "h100-nvl-94gb-1x"},
      {"NVIDIA H200", "h200-sxm-141gb-8x"},
  };
  for (const auto& [card, node] : cards) {
    const gputest::Sku s = sku_for(card);
    ASSERT_TRUE(s.node.has_value()) << card << ": " << s.skip_reason;
    EXPECT_EQ(s.node->name, node);
    EXPECT_EQ(s.node->inventory.gpus.at(0).name, std::string(card));
    EXPECT_TRUE(s.skip_reason.empty());
    // The GPU count only picks among nodes of one card; it never finds another card.
    EXPECT_EQ(sku_for(card, 2).node->name, node);
  }
}

TEST(GpuSku, AnUnknownCardSkipsTheNumberChecksSayingWhy) {
  for (const char* card : {"NVIDIA A100-SXM4-80GB", "NVIDIA H200 NVL", "NVIDIA H100", ""}) {
    const gputest::Sku s = sku_for(card);
    EXPECT_FALSE(s.node.has_value()) << "names match exactly: '" << card << "'";
    EXPECT_NE(s.skip_reason.find(std::string("no SKU entry for ") + card + " in the node files"),
              std::string::npos)
        << s.skip_reason;
  }
}

TEST(GpuSku, EveryNodeFileGivesTwoSidedBoundsForEveryFigureTheTierChecks) {
  const char* throughputs[] = {"gemm.fp64", "gemm.fp32", "gemm.tf32",  "gemm.fp16", "gemm.bf16",
                               "gemm.fp8",  "hbm.copy",  "hbm.triad",  "hbm.read",  "hbm.write",
                               "pcie.h2d",  "pcie.d2h",  "pcie.bidir", "p2p.uni",   "p2p.bidir"};
  for (const auto& name : sim::builtin_node_names()) {
    SCOPED_TRACE(name);
    const sim::SimNode node = sim::load_builtin_node(name);
    // The fields the tier compares with the real node before it applies link figures.
    const GpuInfo& gpu = node.inventory.gpus.at(0);
    EXPECT_TRUE(gpu.name.has_value());
    EXPECT_TRUE(gpu.nvlink_links_active.has_value());
    EXPECT_TRUE(gpu.pcie_gen_max.has_value());
    EXPECT_TRUE(gpu.pcie_width_max.has_value());
    for (const char* key : throughputs) {
      std::string why;
      const auto b = gputest::throughput_bounds(node, key, "x", true, &why);
      ASSERT_TRUE(b.has_value()) << key << ": " << why;
      // An achievable figure above peak / 0.8 x 1.05 would be a typo in the node file.
      EXPECT_GT(b->lo, 0.0) << key;
      EXPECT_LT(b->lo, b->hi) << key << ": " << b->basis;
      EXPECT_LE(node.achievable.at(key), node.peak.at(key)) << key << ": achievable above peak";
      const auto ceiling = gputest::throughput_bounds(node, key, "x", false, &why);
      ASSERT_TRUE(ceiling.has_value());
      EXPECT_EQ(ceiling->lo, 0.0);
      EXPECT_EQ(ceiling->hi, b->hi);
    }
    for (const char* key : {"launch.issue", "launch.graph"}) {
      std::string why;
      const auto b = gputest::latency_bounds(node, key, &why);
      ASSERT_TRUE(b.has_value()) << key << ": " << why;
      EXPECT_GT(b->lo, 0.0) << key;
      EXPECT_LT(b->lo, b->hi) << key << ": " << b->basis;
    }
    for (const char* coll : {"all_reduce", "all_gather", "reduce_scatter"}) {
      for (int n : {2, node.gpu_count}) {
        if (n < 2)
          continue;
        std::string why;
        const auto b = gputest::busbw_bounds(node, coll::collective_by_name(coll), n, &why);
        ASSERT_TRUE(b.has_value()) << coll << " x" << n << ": " << why;
        EXPECT_GT(b->lo, 0.0);
        EXPECT_LT(b->lo, b->hi) << coll << " x" << n << ": " << b->basis;
      }
    }
  }
}

TEST(GpuSku, BoundsAreTheDocumentedFactorsOfTheNodeFigures) {
  const sim::SimNode pcie = sim::load_builtin_node("h100-pcie-80gb-1x");
  std::string why;
  // HBM copy on an H100 PCIe (HBM2e): [0.8 x 1750, 1.05 x 2000]. The old fixed floor of
  // 2000 GB/s for any "H100" failed this card every time.
  const auto hbm = gputest::throughput_bounds(pcie, "hbm.copy", "GB/s", true, &why);
  ASSERT_TRUE(hbm.has_value()) << why;
  EXPECT_DOUBLE_EQ(hbm->lo, 1400);
  EXPECT_DOUBLE_EQ(hbm->hi, 2100);
  EXPECT_TRUE(gputest::within(1750, *hbm));
  EXPECT_FALSE(gputest::within(1399, *hbm));
  EXPECT_FALSE(gputest::within(2101, *hbm)) << "above peak: a timing bug";
  EXPECT_NE(hbm->basis.find("h100-pcie-80gb-1x"), std::string::npos) << hbm->basis;

  // Launch latency: [0.2 x best 2.5, 3 x achievable 2.5] us per stream launch.
  const auto launch = gputest::latency_bounds(pcie, "launch.issue", &why);
  ASSERT_TRUE(launch.has_value()) << why;
  EXPECT_DOUBLE_EQ(launch->lo, 0.5);
  EXPECT_DOUBLE_EQ(launch->hi, 7.5);
  const auto missing = gputest::throughput_bounds(pcie, "gemm.fp4", "TFLOP/s", true, &why);
  EXPECT_FALSE(missing.has_value());
  EXPECT_NE(why.find("gemm.fp4"), std::string::npos) << why;

  // all_reduce on 8 x H100 SXM (NVLS): floor from the 479 GB/s node figure, ceiling the 450 GB/s
  // wire x 2(n-1)/n; on 2 of its GPUs the ring figure (0.77 x 479) is the floor.
  const sim::SimNode sxm = sim::load_builtin_node("h100-sxm5-80gb-8x");
  const auto& ar = coll::collective_by_name("all_reduce");
  const auto eight = gputest::busbw_bounds(sxm, ar, 8, &why);
  ASSERT_TRUE(eight.has_value()) << why;
  EXPECT_DOUBLE_EQ(eight->lo, 0.8 * 479);
  EXPECT_DOUBLE_EQ(eight->hi, 1.05 * 450 * (2.0 * 7 / 8));
  const auto two = gputest::busbw_bounds(sxm, ar, 2, &why);
  ASSERT_TRUE(two.has_value()) << why;
  EXPECT_DOUBLE_EQ(two->lo, 0.8 * (479 * 0.77));
  EXPECT_DOUBLE_EQ(two->hi, 1.05 * 450);
  const auto ag = gputest::busbw_bounds(sxm, coll::collective_by_name("all_gather"), 8, &why);
  ASSERT_TRUE(ag.has_value()) << why;
  EXPECT_DOUBLE_EQ(ag->hi, 1.05 * 450) << "a ring's busbw is bounded by the wire";
  EXPECT_FALSE(gputest::busbw_bounds(sxm, ar, 1, &why).has_value());
  EXPECT_NE(why.find("one rank"), std::string::npos) << why;
}

// The device check's floors (node files' `acceptance:`) are the targets of issue 10, only on
// figures the check compares with PyTorch, and each lies between the tier's floor and what a
// healthy card reaches: a floor above `achievable` would fail good cards, one below the tier's
// floor would pass a code bug the tier catches.
TEST(GpuSku, AcceptanceFloorsAreTheIssueTargetsAndLieBetweenTheTierFloorAndAchievable) {
  const auto& figures = gputest::check_figures();
  for (const auto& name : sim::builtin_node_names()) {
    SCOPED_TRACE(name);
    const sim::SimNode node = sim::load_builtin_node(name);
    for (const auto& [key, floor] : node.acceptance) {
      EXPECT_NE(std::find(figures.begin(), figures.end(), key), figures.end())
          << key << ": the device check compares no such figure";
      std::string why;
      const auto b = gputest::throughput_bounds(node, key, "x", true, &why);
      ASSERT_TRUE(b.has_value()) << key << ": " << why;
      EXPECT_GE(floor, b->lo) << key << ": below the GPU tier's floor";
      EXPECT_LE(floor, node.achievable.at(key)) << key << ": above what a healthy card reaches";
      EXPECT_EQ(gputest::acceptance_floor(node, key), floor);
    }
  }
  const sim::SimNode sxm = sim::load_builtin_node("h100-sxm5-80gb-8x");
  const std::map<std::string, double> h100 = {{"gemm.bf16", 780},
                                              {"gemm.fp8", 1300},
                                              {"hbm.copy", 2850},
                                              {"pcie.h2d", 50},
                                              {"pcie.d2h", 50}};
  EXPECT_EQ(sxm.acceptance, h100);
  const sim::SimNode h200 = sim::load_builtin_node("h200-sxm-141gb-8x");
  EXPECT_EQ(h200.acceptance, (std::map<std::string, double>{{"hbm.copy", 4000}}));
  // No targets were set for these cards: the check compares with PyTorch only.
  EXPECT_TRUE(sim::load_builtin_node("h100-pcie-80gb-1x").acceptance.empty());
  EXPECT_TRUE(sim::load_builtin_node("h100-nvl-94gb-1x").acceptance.empty());
  EXPECT_FALSE(gputest::acceptance_floor(h200, "gemm.bf16").has_value());
}

TEST(GpuSku, TheCheckReadsTheEntryAsJson) {
  const auto j = gputest::sku_json(sku_for("NVIDIA H100 80GB HBM3"));
  EXPECT_EQ(j.at("node"), "h100-sxm5-80gb-8x");
  EXPECT_EQ(j.at("node_file"), "harness/backends/sim/nodes/h100-sxm5-80gb-8x.yaml");
  EXPECT_EQ(j.at("gpu_count"), 8);
  const auto& bf16 = j.at("figures").at("gemm.bf16");
  EXPECT_DOUBLE_EQ(bf16.at("peak").get<double>(), 989);
  EXPECT_DOUBLE_EQ(bf16.at("achievable").get<double>(), 795);
  EXPECT_DOUBLE_EQ(bf16.at("tier_floor").get<double>(), 0.8 * 795);
  EXPECT_DOUBLE_EQ(bf16.at("tier_ceiling").get<double>(), 1.05 * 989);
  EXPECT_DOUBLE_EQ(bf16.at("acceptance").get<double>(), 780);
  EXPECT_EQ(j.at("figures").size(), gputest::check_figures().size());
  EXPECT_TRUE(j.at("acceptance_unchecked").empty());
  const auto nvl = gputest::sku_json(sku_for("NVIDIA H100 NVL"));
  EXPECT_TRUE(nvl.at("figures").at("hbm.copy").at("acceptance").is_null());
  EXPECT_DOUBLE_EQ(nvl.at("figures").at("hbm.copy").at("peak").get<double>(), 3900);
  const auto unknown = gputest::sku_json(sku_for("NVIDIA A100-SXM4-80GB"));
  EXPECT_TRUE(unknown.at("node").is_null());
  EXPECT_NE(unknown.at("why").get<std::string>().find("no SKU entry"), std::string::npos);
}

} // namespace
} // namespace gpucert
