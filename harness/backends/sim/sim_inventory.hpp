// The inventory a simulated node reports with its faults applied (PCIe trained down, NVLink
// links down, ECC counts, a lost GPU's fields unavailable).
#pragma once

#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_node.hpp"

namespace gpucert::sim {

/// `elapsed_s`: simulated seconds since the run started (a gpuN:lost@S GPU disappears after S).
Inventory inventory_with_faults(const SimNode& node, const FaultSet& faults, double elapsed_s = 0);

} // namespace gpucert::sim
