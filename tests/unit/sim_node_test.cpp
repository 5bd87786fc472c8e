// Simulator nodes are data: each built-in file loads, describes a realistic SKU with every
// inventory field given or explained, and carries every performance key. Bad files are
// InputErrors with source:line:col.
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_inventory.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/core/error.hpp"
#include "harness/model/inventory_fields.hpp"

#include <gtest/gtest.h>
#include <set>

namespace gpucert::embedded {
const std::map<std::string, std::string>& sim_nodes();
} // namespace gpucert::embedded

namespace gpucert::sim {
namespace {

const std::vector<std::string> kPerfKeys = {
    "gemm.fp64",    "gemm.fp32",    "gemm.tf32",  "gemm.fp16",      "gemm.bf16",
    "gemm.fp8",     "hbm.copy",     "hbm.triad",  "hbm.read",       "hbm.write",
    "pcie.h2d",     "pcie.d2h",     "pcie.bidir", "p2p.uni",        "p2p.bidir",
    "launch.issue", "launch.graph", "nccl.busbw", "nccl.latency_us"};

std::string error_of(const std::string& yaml) {
  try {
    parse_node(yaml, "test.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

/// A valid node text with `replace` substituted for `find` (to break one thing at a time).
std::string builtin_text_with(const std::string& find, const std::string& replace);

TEST(SimNodes, BuiltinsAreTheFourSkus) {
  const auto names = builtin_node_names();
  const std::set<std::string> got(names.begin(), names.end());
  EXPECT_EQ(got, (std::set<std::string>{"h100-nvl-94gb-1x", "h100-pcie-80gb-1x",
                                        "h100-sxm5-80gb-8x", "h200-sxm-141gb-8x"}));
}

TEST(SimNodes, EachLoadsWithEveryFieldGivenOrExplained) {
  for (const auto& name : builtin_node_names()) {
    SCOPED_TRACE(name);
    const SimNode node = load_builtin_node(name);
    EXPECT_EQ(node.name, name); // file name and node name agree
    EXPECT_FALSE(node.description.empty());
    EXPECT_TRUE(node.inventory.simulated);
    EXPECT_EQ(node.gpu_count, static_cast<int>(node.inventory.gpus.size()));
    std::set<std::string> uuids, serials, buses;
    for (const auto& g : node.inventory.gpus) {
      for_each_gpu_field(g, [&](const char* field, const auto& v) {
        EXPECT_TRUE(v.has_value() != (g.unavailable.count(field) > 0))
            << "gpu" << g.index << "." << field << ": exactly one of value / reason";
      });
      uuids.insert(g.uuid.value_or(""));
      serials.insert(g.serial.value_or(""));
      buses.insert(g.pci_bus_id.value_or(""));
      EXPECT_EQ(g.uuid->rfind("GPU-", 0), 0u);
      EXPECT_EQ(g.uuid->size(), 40u);
      EXPECT_EQ(g.compute_capability, "9.0");
      EXPECT_EQ(g.pcie_gen_max, 5);
      EXPECT_EQ(g.pcie_width_max, 16);
      EXPECT_EQ(g.ecc_enabled, true);
      EXPECT_EQ(g.ecc_uncorrected_volatile, 0u);
      EXPECT_EQ(g.remapped_rows_pending, false);
      EXPECT_LE(*g.memory_free_bytes, *g.memory_total_bytes);
      EXPECT_LE(*g.sm_clock_mhz, *g.sm_clock_max_mhz);
      EXPECT_LE(*g.power_draw_w, *g.power_limit_w);
      EXPECT_EQ(g.nvlink_links_active, g.nvlink_links_total);
      EXPECT_EQ(static_cast<int>(g.nvlinks.size()), *g.nvlink_links_total);
    }
    EXPECT_EQ(static_cast<int>(uuids.size()), node.gpu_count) << "UUIDs must be unique";
    EXPECT_EQ(static_cast<int>(serials.size()), node.gpu_count) << "serials must be unique";
    EXPECT_EQ(static_cast<int>(buses.size()), node.gpu_count) << "bus ids must be unique";
    for_each_node_field(node.inventory.node, [&](const char* field, const auto& v) {
      EXPECT_TRUE(v.has_value()) << "node." << field;
    });
  }
}

TEST(SimNodes, PerformanceTablesAreComplete) {
  for (const auto& name : builtin_node_names()) {
    SCOPED_TRACE(name);
    const SimNode node = load_builtin_node(name);
    EXPECT_EQ(node.peak.size(), kPerfKeys.size());
    EXPECT_EQ(node.achievable.size(), kPerfKeys.size());
    for (const auto& k : kPerfKeys) {
      ASSERT_TRUE(node.peak.count(k)) << k;
      ASSERT_TRUE(node.achievable.count(k)) << k;
      EXPECT_GT(node.peak.at(k), 0) << k;
      EXPECT_GT(node.achievable.at(k), 0) << k;
      const bool latency = k.rfind("launch.", 0) == 0 || k == "nccl.latency_us";
      const bool can_beat_wire = k == "nccl.busbw" && node.nvls; // NVLS beats the wire
      if (!latency && !can_beat_wire)
        EXPECT_LE(node.achievable.at(k), node.peak.at(k)) << k << ": achievable above peak";
    }
    EXPECT_GT(node.noise_cv, 0);
    EXPECT_GT(node.thermal_factor, 0);
    EXPECT_LE(node.thermal_factor, 1);
  }
}

TEST(SimNodes, H100SxmMatchesTheHgxBoard) {
  const SimNode node = load_builtin_node("h100-sxm5-80gb-8x");
  EXPECT_EQ(node.gpu_count, 8);
  EXPECT_EQ(node.interconnect, "nvswitch");
  EXPECT_TRUE(node.nvls);
  for (const auto& g : node.inventory.gpus) {
    EXPECT_EQ(g.name, "NVIDIA H100 80GB HBM3");
    EXPECT_EQ(g.memory_total_bytes, 81559ull * 1024 * 1024);
    EXPECT_EQ(g.sm_count, 132);
    EXPECT_EQ(g.sm_clock_max_mhz, 1980);
    EXPECT_EQ(g.mem_clock_max_mhz, 2619);
    EXPECT_EQ(g.pcie_gen_current, 5);
    EXPECT_EQ(g.pcie_width_current, 16);
    EXPECT_EQ(g.nvlink_links_active, 18);
    for (const auto& l : g.nvlinks) {
      EXPECT_TRUE(l.active);
      EXPECT_EQ(l.remote_type, "switch");
      EXPECT_FALSE(l.remote_pci_bus_id.empty());
    }
  }
  EXPECT_DOUBLE_EQ(node.peak.at("gemm.bf16"), 989);
  EXPECT_DOUBLE_EQ(node.achievable.at("hbm.triad"), 2970);
  EXPECT_EQ(node.inventory.node.nccl_version, "2.28.9");
}

TEST(SimNodes, H100PcieHasNoNvlinkAndLowerFigures) {
  const SimNode pcie = load_builtin_node("h100-pcie-80gb-1x");
  const SimNode sxm = load_builtin_node("h100-sxm5-80gb-8x");
  EXPECT_EQ(pcie.gpu_count, 1);
  EXPECT_EQ(pcie.interconnect, "pcie");
  const auto& g = pcie.inventory.gpus.at(0);
  EXPECT_EQ(g.name, "NVIDIA H100 PCIe");
  EXPECT_EQ(g.sm_count, 114);
  EXPECT_EQ(g.nvlink_links_total, 0);
  EXPECT_TRUE(g.nvlinks.empty());
  EXPECT_DOUBLE_EQ(pcie.peak.at("gemm.bf16"), 756);
  for (const char* k : {"gemm.bf16", "gemm.fp8", "hbm.triad"})
    EXPECT_LT(pcie.achievable.at(k), sxm.achievable.at(k)) << k;
}

TEST(SimNodes, H200HasMoreAndFasterMemory) {
  const SimNode h200 = load_builtin_node("h200-sxm-141gb-8x");
  EXPECT_EQ(h200.gpu_count, 8);
  EXPECT_EQ(h200.inventory.gpus.at(0).name, "NVIDIA H200");
  EXPECT_EQ(h200.inventory.gpus.at(0).memory_total_bytes, 143771ull * 1024 * 1024);
  EXPECT_DOUBLE_EQ(h200.peak.at("hbm.triad"), 4800);
  EXPECT_NEAR(h200.achievable.at("hbm.triad"), 4170, 1);
}

TEST(SimNodes, H100NvlIsTheDatasheetCard) {
  const SimNode nvl = load_builtin_node("h100-nvl-94gb-1x");
  const SimNode pcie = load_builtin_node("h100-pcie-80gb-1x");
  EXPECT_EQ(nvl.gpu_count, 1);
  EXPECT_EQ(nvl.interconnect, "pcie");
  const auto& g = nvl.inventory.gpus.at(0);
  EXPECT_EQ(g.name, "NVIDIA H100 NVL");
  EXPECT_EQ(g.memory_total_bytes, 95830ull * 1024 * 1024);
  EXPECT_EQ(g.sm_count, 132);
  EXPECT_EQ(g.power_limit_w, 400);
  EXPECT_EQ(g.nvlink_links_total, 0);
  EXPECT_DOUBLE_EQ(nvl.peak.at("gemm.bf16"), 835.5); // datasheet 1,671 with sparsity
  EXPECT_DOUBLE_EQ(nvl.peak.at("hbm.copy"), 3900);
  for (const char* k : {"gemm.bf16", "gemm.fp8", "hbm.copy"}) {
    EXPECT_GT(nvl.peak.at(k), pcie.peak.at(k)) << k;
    EXPECT_LT(nvl.achievable.at(k), nvl.peak.at(k)) << k;
  }
}

// `acceptance:` (the device check's floors) is optional, names figures only, each > 0.
TEST(SimNodes, AcceptanceFloorsAreOptionalFiguresAboveZero) {
  EXPECT_TRUE(load_builtin_node("h100-pcie-80gb-1x").acceptance.empty());
  EXPECT_DOUBLE_EQ(load_builtin_node("h100-sxm5-80gb-8x").acceptance.at("gemm.bf16"), 780);
  const std::string base = embedded::sim_nodes().at("h100-pcie-80gb-1x.yaml");
  const SimNode with = parse_node(base + "acceptance:\n  hbm.copy: 1700\n", "test.yaml");
  EXPECT_EQ(with.acceptance, (std::map<std::string, double>{{"hbm.copy", 1700}}));
  std::string msg = error_of(base + "acceptance:\n  hbm.cpy: 1700\n");
  EXPECT_NE(msg.find("unknown key 'hbm.cpy' in acceptance"), std::string::npos) << msg;
  msg = error_of(base + "acceptance:\n  hbm.copy: 0\n");
  EXPECT_NE(msg.find("acceptance.hbm.copy: must be a number > 0"), std::string::npos) << msg;
  msg = error_of(base + "acceptance: 1700\n");
  EXPECT_NE(msg.find("acceptance must be a mapping"), std::string::npos) << msg;
}

TEST(SimNodes, UnknownNameListsTheBuiltins) {
  try {
    load_builtin_node("h100-sxm5-80gb-16x");
    FAIL();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("h100-sxm5-80gb-16x"), std::string::npos);
    EXPECT_NE(msg.find("h100-pcie-80gb-1x"), std::string::npos);
  }
}

std::string builtin_text_with(const std::string& find, const std::string& replace) {
  std::string text = embedded::sim_nodes().at("h100-pcie-80gb-1x.yaml");
  const auto pos = text.find(find);
  EXPECT_NE(pos, std::string::npos) << find;
  return text.replace(pos, find.size(), replace);
}

TEST(SimNodes, BadFilesNameLineAndColumn) {
  // Unknown key: a typo must not silently fall back to a default.
  std::string msg = error_of(builtin_text_with("  sm_count: 114", "  sm_cuont: 114"));
  EXPECT_NE(msg.find("test.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'sm_cuont'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("test.yaml:42:3:"), std::string::npos) << msg; // where sm_count is

  msg = error_of(builtin_text_with("  sm_count: 114\n", ""));
  EXPECT_NE(msg.find("no value for 'sm_count'"), std::string::npos) << msg;

  msg = error_of(builtin_text_with("  sm_count: 114", "  sm_count: many"));
  EXPECT_NE(msg.find("'many' is not an integer"), std::string::npos) << msg;

  msg = error_of(
      builtin_text_with("  memory_total_bytes: 81559 MiB", "  memory_total_bytes: 80 GB?"));
  EXPECT_NE(msg.find("not a size"), std::string::npos) << msg;

  msg = error_of(builtin_text_with("  hbm.triad: 1800\n", ""));
  EXPECT_NE(msg.find("achievable needs 'hbm.triad'"), std::string::npos) << msg;

  msg = error_of(builtin_text_with("  hbm.triad: 1800", "  hbm.triad: 0"));
  EXPECT_NE(msg.find("must be a number > 0"), std::string::npos) << msg;

  msg = error_of(builtin_text_with("  hbm.triad: 1800", "  hbm.tirad: 1800"));
  EXPECT_NE(msg.find("unknown key 'hbm.tirad'"), std::string::npos) << msg;

  msg = error_of(builtin_text_with("schema: gpucert/sim-node/v1", "schema: gpucert/sim-node/v9"));
  EXPECT_NE(msg.find("schema must be gpucert/sim-node/v1"), std::string::npos) << msg;

  msg = error_of(builtin_text_with("interconnect: pcie", "interconnect: infiniband"));
  EXPECT_NE(msg.find("interconnect must be"), std::string::npos) << msg;

  msg = error_of(builtin_text_with("  nvlink_links: 0", "  nvlink_links: 4"));
  EXPECT_NE(msg.find("nvswitches"), std::string::npos) << msg;

  msg = error_of("name: [unclosed");
  EXPECT_NE(msg.find("test.yaml:"), std::string::npos) << msg;
}

TEST(SimNodes, SetupCostsAreReadFromTheNodeFileAndCheckedThere) {
  const SimNode sxm = load_builtin_node("h100-sxm5-80gb-8x");
  EXPECT_DOUBLE_EQ(sxm.setup.nccl_init_s, 2.0);
  EXPECT_DOUBLE_EQ(sxm.setup.context_s, 0.5);
  EXPECT_DOUBLE_EQ(sxm.setup.algo_timing_samples, 3);
  const SimNode pcie =
      parse_node(builtin_text_with("    nccl_init_s: 0.5", "    nccl_init_s: 7"), "test.yaml");
  EXPECT_DOUBLE_EQ(pcie.setup.nccl_init_s, 7);
  std::string msg = error_of(builtin_text_with("    nccl_init_s: 0.5", "    nccl_int_s: 0.5"));
  EXPECT_NE(msg.find("unknown key 'nccl_int_s' in model.setup"), std::string::npos) << msg;
  msg = error_of(builtin_text_with("    context_s: 0.5", "    context_s: -1"));
  EXPECT_NE(msg.find("model.setup.context_s: a cost in [0, 1e6]"), std::string::npos) << msg;
}

TEST(SimNodes, AFieldCannotBeBothGivenAndUnavailable) {
  const std::string msg = error_of(builtin_text_with(
      "    retired_pages_pending:", "    sm_count: \"twice\"\n    retired_pages_pending:"));
  EXPECT_NE(msg.find("'sm_count' has a value and is also listed as unavailable"), std::string::npos)
      << msg;
}

TEST(SimNodes, PerGpuEntriesOverrideDefaultsWithoutLeaking) {
  const SimNode node = load_builtin_node("h100-sxm5-80gb-8x");
  // gpu1 overrides power_draw_w; gpu0 keeps the default.
  EXPECT_DOUBLE_EQ(*node.inventory.gpus[0].power_draw_w, 71.5);
  EXPECT_DOUBLE_EQ(*node.inventory.gpus[1].power_draw_w, 73.1);
  EXPECT_DOUBLE_EQ(*node.inventory.gpus[2].power_draw_w, 71.5);
}

} // namespace
} // namespace gpucert::sim
