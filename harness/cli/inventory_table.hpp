// The readable form of an inventory: one line per GPU with its health fields, the node line,
// what looks wrong, and why any field is missing.
#pragma once

#include "harness/model/inventory.hpp"

#include <string>
#include <vector>

namespace gpucert::cli {

/// Facts in the inventory that deserve a look before measuring (a link below its maximum,
/// NVLink links down, uncorrectable ECC errors, pending row remaps, hardware throttling, a GPU
/// that cannot be read). Each line names the GPU. No thresholds: only the card against itself.
std::vector<std::string> inventory_findings(const Inventory& inv);

/// The whole table, ending in a newline.
std::string render_inventory_table(const Inventory& inv);

} // namespace gpucert::cli
