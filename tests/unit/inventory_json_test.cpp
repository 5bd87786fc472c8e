// Inventory JSON (gpucert/inventory/v1): the schema's required keys, nulls always explained in
// "unavailable", a lossless round trip, and errors that name the offending field.
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_inventory.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/core/error.hpp"
#include "harness/model/inventory.hpp"
#include "harness/model/inventory_fields.hpp"

#include <gtest/gtest.h>

namespace gpucert {
namespace {

using nlohmann::json;

Inventory sample(const std::vector<std::string>& faults = {}, double elapsed_s = 0) {
  const auto node = sim::load_builtin_node("h100-sxm5-80gb-8x");
  return sim::inventory_with_faults(node, sim::FaultSet(sim::parse_faults(faults, node)),
                                    elapsed_s);
}

std::string error_of(const json& j) {
  try {
    inventory_from_json(j);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(InventoryJson, HasTheSchemaAndEveryKey) {
  const json j = to_json(sample());
  EXPECT_EQ(j.at("schema"), "gpucert/inventory/v1");
  EXPECT_EQ(j.at("simulated"), true);
  EXPECT_EQ(j.at("sim_node"), "h100-sxm5-80gb-8x");
  EXPECT_TRUE(j.at("sim_faults").is_array());
  EXPECT_TRUE(j.at("collected_at").is_string());
  const json& node = j.at("node");
  for (const char* k : {"hostname", "driver_version", "cuda_driver_version", "cuda_runtime_version",
                        "cublas_version", "nccl_version", "cpu_model", "kernel_version",
                        "numa_nodes", "unavailable"})
    EXPECT_TRUE(node.contains(k)) << k;
  ASSERT_EQ(j.at("gpus").size(), 8u);
  const json& g = j.at("gpus").at(0);
  for (const char* k : {"index",
                        "name",
                        "uuid",
                        "serial",
                        "pci_bus_id",
                        "memory_total_bytes",
                        "memory_free_bytes",
                        "sm_count",
                        "l2_cache_bytes",
                        "compute_capability",
                        "sm_clock_max_mhz",
                        "mem_clock_max_mhz",
                        "sm_clock_mhz",
                        "mem_clock_mhz",
                        "power_limit_w",
                        "power_default_limit_w",
                        "power_draw_w",
                        "temperature_c",
                        "ecc_enabled",
                        "ecc_corrected_volatile",
                        "ecc_uncorrected_volatile",
                        "ecc_corrected_aggregate",
                        "ecc_uncorrected_aggregate",
                        "retired_pages_sbe",
                        "retired_pages_dbe",
                        "retired_pages_pending",
                        "remapped_rows_correctable",
                        "remapped_rows_uncorrectable",
                        "remapped_rows_pending",
                        "remapped_rows_failed",
                        "pcie_gen_current",
                        "pcie_gen_max",
                        "pcie_width_current",
                        "pcie_width_max",
                        "nvlink_links_active",
                        "nvlink_links_total",
                        "nvlinks",
                        "mig_enabled",
                        "persistence_mode",
                        "throttle_reasons",
                        "numa_node",
                        "unavailable"})
    EXPECT_TRUE(g.contains(k)) << k;
  EXPECT_EQ(g.at("name"), "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(g.at("memory_total_bytes"), 81559ull * 1024 * 1024);
  EXPECT_EQ(g.at("nvlinks").size(), 18u);
  EXPECT_EQ(g.at("nvlinks").at(0).at("remote_type"), "switch");
}

TEST(InventoryJson, EveryNullHasAReason) {
  // Healthy (Hopper has no page retirement) and with a lost GPU (everything null).
  for (const json& j : {to_json(sample()), to_json(sample({"gpu3:lost@0"}))}) {
    for (const auto& g : j.at("gpus")) {
      for (const auto& [key, value] : g.items()) {
        if (value.is_null())
          EXPECT_TRUE(g.at("unavailable").contains(key))
              << "gpu" << g.at("index") << "." << key << " is null without a reason";
      }
    }
  }
  const json lost = to_json(sample({"gpu3:lost@0"})).at("gpus").at(3);
  EXPECT_TRUE(lost.at("name").is_null());
  EXPECT_EQ(lost.at("unavailable").at("name"),
            "GPU fell off the bus (simulated fault gpu3:lost@0)");
  EXPECT_TRUE(to_json(sample()).at("gpus").at(0).at("retired_pages_sbe").is_null());
}

TEST(InventoryJson, RoundTripsLosslessly) {
  for (const Inventory& inv : {sample(), sample({"gpu2:pcie=gen4x8", "gpu0-gpu1:nvlink=0.5",
                                                 "gpu5:ecc_uncorrectable=2", "gpu6:lost@0"})}) {
    const json first = to_json(inv);
    const Inventory back = inventory_from_json(first);
    EXPECT_EQ(to_json(back), first);
    EXPECT_EQ(back.gpus.size(), inv.gpus.size());
    EXPECT_EQ(back.sim_faults, inv.sim_faults);
  }
  // Through text as well: numbers keep their types.
  const json first = to_json(sample());
  EXPECT_EQ(to_json(inventory_from_json(json::parse(first.dump()))), first);
}

TEST(InventoryJson, ARealInventoryHasNoSimNode) {
  Inventory inv;
  inv.collected_at = "2025-01-01T00:00:00Z";
  inv.node.unavailable["hostname"] = "cannot read /proc/sys/kernel/hostname";
  GpuInfo g;
  g.name = "NVIDIA H100 80GB HBM3";
  inv.gpus.push_back(g);
  const json j = to_json(inv);
  EXPECT_EQ(j.at("simulated"), false);
  EXPECT_TRUE(j.at("sim_node").is_null());
  EXPECT_TRUE(j.at("node").at("hostname").is_null());
  EXPECT_EQ(to_json(inventory_from_json(j)), j);
}

TEST(InventoryJson, BadDocumentsNameTheField) {
  json j = to_json(sample());
  EXPECT_NE(error_of(json::array()).find("inventory: expected an object"), std::string::npos);

  json bad = j;
  bad["schema"] = "gpucert/inventory/v9";
  EXPECT_NE(error_of(bad).find("gpucert/inventory/v9"), std::string::npos);

  bad = j;
  bad.erase("schema");
  EXPECT_NE(error_of(bad).find("inventory.schema"), std::string::npos) << error_of(bad);

  bad = j;
  bad["gpus"][2]["sm_count"] = "many";
  EXPECT_NE(error_of(bad).find("inventory.gpus[2].sm_count: expected an integer, got string"),
            std::string::npos)
      << error_of(bad);

  bad = j;
  bad["gpus"][0]["memory_total_bytes"] = -1;
  EXPECT_NE(error_of(bad).find("inventory.gpus[0].memory_total_bytes"), std::string::npos);

  bad = j;
  bad["gpus"][1]["nvlinks"][4]["active"] = "yes";
  EXPECT_NE(error_of(bad).find("inventory.gpus[1].nvlinks[4].active"), std::string::npos)
      << error_of(bad);

  bad = j;
  bad["node"]["numa_nodes"] = 1.5;
  EXPECT_NE(error_of(bad).find("inventory.node.numa_nodes"), std::string::npos) << error_of(bad);

  bad = j;
  bad["gpus"][0]["unavailable"]["serial"] = 3;
  EXPECT_NE(error_of(bad).find("inventory.gpus[0].unavailable.serial"), std::string::npos);

  bad = j;
  bad.erase("node");
  EXPECT_NE(error_of(bad).find("inventory.node: expected an object"), std::string::npos);
}

TEST(InventoryJson, MissingOptionalKeysReadAsAbsent) {
  json j = to_json(sample());
  j["gpus"][0].erase("serial");
  const Inventory inv = inventory_from_json(j);
  EXPECT_FALSE(inv.gpus[0].serial.has_value());
  EXPECT_TRUE(inv.gpus[1].serial.has_value());
}

} // namespace
} // namespace gpucert
