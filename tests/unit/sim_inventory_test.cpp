// Faults a real inventory would show also show in the simulated one: a PCIe link trained down,
// NVLink links down, ECC counts with a pending remap, a lost GPU's fields gone with the reason;
// a thermal fault stays invisible at idle.
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/backends/sim/sim_inventory.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/model/inventory_fields.hpp"

#include <gtest/gtest.h>

namespace gpucert::sim {
namespace {

Inventory with(const std::vector<std::string>& faults, double elapsed_s = 0) {
  const SimNode node = load_builtin_node("h100-sxm5-80gb-8x");
  return inventory_with_faults(node, FaultSet(parse_faults(faults, node)), elapsed_s);
}

TEST(SimInventory, HealthyNodeIsTheDataFile) {
  const Inventory inv = with({});
  EXPECT_TRUE(inv.simulated);
  EXPECT_EQ(inv.sim_node, "h100-sxm5-80gb-8x");
  EXPECT_TRUE(inv.sim_faults.empty());
  EXPECT_FALSE(inv.collected_at.empty());
  ASSERT_EQ(inv.gpus.size(), 8u);
  for (const auto& g : inv.gpus) {
    EXPECT_EQ(g.pcie_gen_current, 5);
    EXPECT_EQ(g.nvlink_links_active, 18);
  }
}

TEST(SimInventory, PcieFaultTrainsTheLinkDown) {
  const Inventory inv = with({"gpu2:pcie=gen4x8"});
  EXPECT_EQ(inv.sim_faults, std::vector<std::string>{"gpu2:pcie=gen4x8"});
  EXPECT_EQ(inv.gpus[2].pcie_gen_current, 4);
  EXPECT_EQ(inv.gpus[2].pcie_width_current, 8);
  EXPECT_EQ(inv.gpus[2].pcie_gen_max, 5); // the card can do better: that is the finding
  EXPECT_EQ(inv.gpus[1].pcie_gen_current, 5);
}

TEST(SimInventory, NvlinkFactorTakesLinksDownOnBothEnds) {
  const Inventory inv = with({"gpu0-gpu1:nvlink=0.5"});
  for (int g : {0, 1}) {
    EXPECT_EQ(inv.gpus[g].nvlink_links_active, 9) << g;
    EXPECT_EQ(inv.gpus[g].nvlink_links_total, 18) << g;
    int active = 0;
    for (const auto& l : inv.gpus[g].nvlinks) {
      active += l.active;
      if (!l.active)
        EXPECT_TRUE(l.remote_pci_bus_id.empty());
    }
    EXPECT_EQ(active, 9);
  }
  EXPECT_EQ(inv.gpus[2].nvlink_links_active, 18);
  // Any factor below 1 takes at least one link down, so the fault is visible.
  EXPECT_EQ(with({"gpu3-gpu4:nvlink=0.99"}).gpus[3].nvlink_links_active, 17);
}

TEST(SimInventory, UncorrectableEccShowsInCountsAndRemaps) {
  const Inventory inv = with({"gpu5:ecc_uncorrectable=3"});
  EXPECT_EQ(inv.gpus[5].ecc_uncorrected_volatile, 3u);
  EXPECT_EQ(inv.gpus[5].ecc_uncorrected_aggregate, 3u);
  EXPECT_EQ(inv.gpus[5].remapped_rows_pending, true);
  EXPECT_EQ(inv.gpus[4].ecc_uncorrected_volatile, 0u);
  EXPECT_EQ(inv.gpus[4].remapped_rows_pending, false);
}

TEST(SimInventory, LostGpuDisappearsOnceItsTimeHasCome) {
  const Inventory before = with({"gpu6:lost@30"}, 29.9);
  EXPECT_TRUE(before.gpus[6].name.has_value());

  const Inventory after = with({"gpu6:lost@30"}, 30);
  const GpuInfo& g = after.gpus[6];
  EXPECT_EQ(g.index, 6);
  const std::string reason = "GPU fell off the bus (simulated fault gpu6:lost@30)";
  for_each_gpu_field(g, [&](const char* field, const auto& v) {
    EXPECT_FALSE(v.has_value()) << field;
    ASSERT_TRUE(g.unavailable.count(field)) << field;
    EXPECT_EQ(g.unavailable.at(field), reason);
  });
  EXPECT_TRUE(g.nvlinks.empty());
  EXPECT_TRUE(after.gpus[5].name.has_value());
}

TEST(SimInventory, ThermalFaultDoesNotShowAtIdle) {
  const Inventory inv = with({"gpu7:thermal"});
  ASSERT_TRUE(inv.gpus[7].throttle_reasons.has_value());
  EXPECT_EQ(*inv.gpus[7].throttle_reasons, std::vector<std::string>{"idle"});
  EXPECT_EQ(inv.gpus[7].temperature_c, with({}).gpus[7].temperature_c);
}

TEST(SimInventory, TheBackendsInventoryFollowsItsClock) {
  // The inventory gpucert takes after a run comes from the backend at the end of the run: a GPU
  // that fell off the bus mid-run must read lost then, not healthy as at the start.
  const SimNode node = load_builtin_node("h100-sxm5-80gb-8x");
  SimBackend sim(node, FaultSet(parse_faults({"gpu3:lost@5"}, node)));
  Inventory inv = sim.inventory();
  ASSERT_EQ(inv.gpus.size(), 8u);
  EXPECT_TRUE(inv.gpus[3].ecc_uncorrected_volatile.has_value());
  EXPECT_FALSE(inv.gpus[3].unavailable.count("ecc_uncorrected_volatile"));
  sim.run_load({0}, 6.0); // virtual time passes on any GPU
  inv = sim.inventory();
  EXPECT_FALSE(inv.gpus[3].ecc_uncorrected_volatile.has_value());
  EXPECT_FALSE(inv.gpus[3].pcie_gen_current.has_value());
  ASSERT_TRUE(inv.gpus[3].unavailable.count("ecc_uncorrected_volatile"));
  EXPECT_EQ(inv.gpus[3].unavailable.at("ecc_uncorrected_volatile"),
            "GPU fell off the bus (simulated fault gpu3:lost@5)");
  EXPECT_TRUE(inv.gpus[2].ecc_uncorrected_volatile.has_value()); // the others are unaffected
}

} // namespace
} // namespace gpucert::sim
