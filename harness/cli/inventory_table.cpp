// Renders an inventory as a table (see inventory_table.hpp).
#include "harness/cli/inventory_table.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>

namespace gpucert::cli {
namespace {

constexpr const char* kNa = "n/a";

template <class T> std::string show(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : kNa;
}

std::string show_pcie(const std::optional<int>& gen, const std::optional<int>& width) {
  return fmt::format("gen{} x{}", gen ? std::to_string(*gen) : "?",
                     width ? std::to_string(*width) : "?");
}

std::string show_power(const GpuInfo& g) {
  return fmt::format("{}/{} W", g.power_draw_w ? fmt::format("{:.0f}", *g.power_draw_w) : kNa,
                     g.power_limit_w ? fmt::format("{:.0f}", *g.power_limit_w) : kNa);
}

std::string show_bool(const std::optional<bool>& v, const char* yes, const char* no) {
  return v ? (*v ? yes : no) : kNa;
}

std::string show_throttle(const GpuInfo& g) {
  if (!g.throttle_reasons)
    return kNa;
  if (g.throttle_reasons->empty())
    return "none";
  return fmt::format("{}", fmt::join(*g.throttle_reasons, ","));
}

std::string show_nvlink(const GpuInfo& g) {
  if (!g.nvlink_links_total)
    return kNa;
  if (*g.nvlink_links_total == 0)
    return "none";
  return fmt::format("{}/{}", show(g.nvlink_links_active), *g.nvlink_links_total);
}

/// Throttle (clock-event) reasons that say nothing is wrong: an idle GPU clocks down, and the
/// software power cap is the driver doing its job. Every other reason deserves a warning.
bool benign_throttle(const std::string& r) {
  return r == "idle" || r == "sw_power_cap";
}

bool all_unreadable(const GpuInfo& g) {
  return !g.name && !g.uuid && !g.memory_total_bytes;
}

std::string gpu_set(const std::set<int>& gpus, std::size_t total) {
  if (gpus.size() == total && total > 1)
    return "all GPUs";
  std::vector<std::string> names;
  for (int g : gpus)
    names.push_back(fmt::format("gpu{}", g));
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) {
      if (width.size() <= c)
        width.push_back(0);
      width[c] = std::max(width[c], r[c].size());
    }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); ++c)
      line += c + 1 == r.size() ? r[c] : fmt::format("{:<{}}  ", r[c], width[c]);
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  return out;
}

} // namespace

std::vector<std::string> inventory_findings(const Inventory& inv) {
  std::vector<std::string> out;
  for (const auto& g : inv.gpus) {
    const std::string id = fmt::format("gpu{}", g.index);
    if (all_unreadable(g)) {
      const auto it = g.unavailable.find("name");
      out.push_back(fmt::format("{}: cannot be read: {}", id,
                                it != g.unavailable.end() ? it->second : "no reason recorded"));
      continue;
    }
    const bool gen_low =
        g.pcie_gen_current && g.pcie_gen_max && *g.pcie_gen_current < *g.pcie_gen_max;
    const bool width_low =
        g.pcie_width_current && g.pcie_width_max && *g.pcie_width_current < *g.pcie_width_max;
    if (gen_low || width_low)
      out.push_back(fmt::format("{}: PCIe link at {}, below its maximum {}{}", id,
                                show_pcie(g.pcie_gen_current, g.pcie_width_current),
                                show_pcie(g.pcie_gen_max, g.pcie_width_max),
                                width_low ? ""
                                          : " (links may slow down at idle: the pcie "
                                            "benchmarks tell)"));
    if (g.nvlink_links_active && g.nvlink_links_total &&
        *g.nvlink_links_active < *g.nvlink_links_total)
      out.push_back(fmt::format("{}: {} of {} NVLink links active", id, *g.nvlink_links_active,
                                *g.nvlink_links_total));
    if (g.ecc_enabled == false)
      out.push_back(id + ": ECC is disabled");
    if (g.ecc_uncorrected_volatile.value_or(0) > 0 || g.ecc_uncorrected_aggregate.value_or(0) > 0)
      out.push_back(fmt::format("{}: uncorrectable ECC errors: {} since boot, {} lifetime", id,
                                show(g.ecc_uncorrected_volatile),
                                show(g.ecc_uncorrected_aggregate)));
    if (g.remapped_rows_pending == true)
      out.push_back(id + ": row remapping pending (takes effect at the next GPU reset)");
    if (g.remapped_rows_failed == true)
      out.push_back(id + ": row remapping failed");
    if (g.retired_pages_pending == true)
      out.push_back(id + ": page retirement pending");
    if (g.throttle_reasons) {
      std::vector<std::string> bad;
      for (const auto& r : *g.throttle_reasons)
        if (!benign_throttle(r))
          bad.push_back(r);
      if (!bad.empty())
        out.push_back(fmt::format("{}: clocks held back: {}", id, fmt::join(bad, ", ")));
    }
    if (g.power_limit_w && g.power_default_limit_w && *g.power_limit_w < *g.power_default_limit_w)
      out.push_back(fmt::format("{}: power limit {:.0f} W, below its default {:.0f} W", id,
                                *g.power_limit_w, *g.power_default_limit_w));
    if (g.mig_enabled == true)
      out.push_back(id + ": MIG mode is enabled");
  }
  return out;
}

std::string render_inventory_table(const Inventory& inv) {
  std::string out;
  if (inv.simulated) {
    out += fmt::format("SIMULATED node {}: no real GPU was read; this is not a certification\n",
                       inv.sim_node.empty() ? "(unnamed)" : inv.sim_node);
    if (!inv.sim_faults.empty())
      out += fmt::format("simulated faults: {}\n", fmt::join(inv.sim_faults, " "));
    out += "\n";
  }

  std::vector<std::vector<std::string>> rows = {
      {"GPU", "NAME", "MEMORY", "SMS", "CC", "PCIE NOW/MAX", "NVLINK", "ECC", "UNCORR ECC",
       "REMAP PEND/FAIL", "TEMP", "POWER", "SM MHZ", "THROTTLE", "NUMA", "BUS ID", "SERIAL"}};
  for (const auto& g : inv.gpus) {
    if (all_unreadable(g)) {
      rows.push_back({std::to_string(g.index), "(cannot be read: see health)"});
      continue;
    }
    rows.push_back({
        std::to_string(g.index),
        show(g.name),
        g.memory_total_bytes ? fmt::format("{} MiB", *g.memory_total_bytes / (1024 * 1024)) : kNa,
        show(g.sm_count),
        show(g.compute_capability),
        g.pcie_gen_current || g.pcie_gen_max
            ? fmt::format("{} / {}", show_pcie(g.pcie_gen_current, g.pcie_width_current),
                          show_pcie(g.pcie_gen_max, g.pcie_width_max))
            : kNa,
        show_nvlink(g),
        show_bool(g.ecc_enabled, "on", "off"),
        show(g.ecc_uncorrected_volatile),
        fmt::format("{}/{}", show_bool(g.remapped_rows_pending, "yes", "no"),
                    show_bool(g.remapped_rows_failed, "yes", "no")),
        g.temperature_c ? fmt::format("{} C", *g.temperature_c) : kNa,
        show_power(g),
        fmt::format("{}/{}", show(g.sm_clock_mhz), show(g.sm_clock_max_mhz)),
        show_throttle(g),
        show(g.numa_node),
        show(g.pci_bus_id),
        show(g.serial),
    });
  }
  out += table(rows);

  const NodeInfo& n = inv.node;
  out += fmt::format("\nnode {} · driver {} · CUDA driver {} · runtime {} · cuBLAS {} · NCCL {}\n",
                     show(n.hostname), show(n.driver_version), show(n.cuda_driver_version),
                     show(n.cuda_runtime_version), show(n.cublas_version), show(n.nccl_version));
  out += fmt::format("     CPU {} · {} NUMA node(s) · kernel {} · collected {}\n",
                     show(n.cpu_model), show(n.numa_nodes), show(n.kernel_version),
                     inv.collected_at.empty() ? kNa : inv.collected_at);

  const auto findings = inventory_findings(inv);
  out += "\n";
  if (findings.empty())
    out += "health: nothing abnormal in the inventory\n";
  else {
    out += "health:\n";
    for (const auto& f : findings)
      out += "  " + f + "\n";
  }

  // Why fields are n/a, grouped by reason so eight identical GPUs say it once.
  std::map<std::string, std::pair<std::set<std::string>, std::set<int>>> reasons;
  for (const auto& [field, why] : n.unavailable)
    reasons[why].first.insert("node." + field);
  for (const auto& g : inv.gpus) {
    if (all_unreadable(g))
      continue; // said under health
    for (const auto& [field, why] : g.unavailable) {
      reasons[why].first.insert(field);
      reasons[why].second.insert(g.index);
    }
  }
  if (!reasons.empty()) {
    out += "unavailable fields:\n";
    for (const auto& [why, where] : reasons) {
      const auto& [fields, gpus] = where;
      out += fmt::format("  {}{}: {}\n", fmt::join(fields, ", "),
                         gpus.empty() ? "" : " on " + gpu_set(gpus, inv.gpus.size()), why);
    }
  }
  return out;
}

} // namespace gpucert::cli
