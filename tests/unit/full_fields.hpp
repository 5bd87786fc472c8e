// Helpers of the full-field round trips (results_json_test.cpp, certificate_schema_test.cpp): an
// inventory with every field set, and a walk of a serialised fixture that fails on any value still
// at its default. A field that the writer and the reader both drop passes a json == json
// comparison; a fixture in which every field differs from its default, compared field by field
// after reading back, does not.
#pragma once

#include "harness/model/inventory.hpp"
#include "harness/model/inventory_fields.hpp"
#include "harness/model/results.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace gpucert::test {

/// Every field of an inventory set to a value other than its default (`salt` tells two apart).
inline Inventory full_inventory(int salt) {
  Inventory inv;
  inv.simulated = true;
  inv.sim_node = "h100-sxm5-80gb-8x";
  inv.sim_faults = {"gpu5:thermal", "gpu2:pcie=gen4x8"};
  inv.collected_at = "2026-01-31T10:00:0" + std::to_string(salt % 10) + "Z";
  int k = salt * 100;
  auto fill = [&k](const char* name, auto& field) {
    using T = typename std::decay_t<decltype(field)>::value_type;
    ++k;
    if constexpr (std::is_same_v<T, std::string>)
      field = std::string(name) + "-" + std::to_string(k);
    else if constexpr (std::is_same_v<T, bool>)
      field = k % 2 == 0;
    else if constexpr (std::is_same_v<T, std::vector<std::string>>)
      field = std::vector<std::string>{"hw_slowdown", "sw_power_cap"};
    else if constexpr (std::is_floating_point_v<T>)
      field = k + 0.25;
    else
      field = static_cast<T>(k);
  };
  for_each_node_field(inv.node, fill);
  inv.node.unavailable = {{"cublas_version", "libcublasLt.so.13 not found (test)"}};
  for (int index : {1, 6}) {
    GpuInfo g;
    g.index = index;
    for_each_gpu_field(g, fill);
    g.nvlinks = {{1, true, "0000:1" + std::to_string(index) + ":00.0", "gpu"},
                 {2, true, "0000:c" + std::to_string(index) + ":00.0", "switch"}};
    g.unavailable = {{"retired_pages_sbe", "not supported on this GPU (test)"}};
    inv.gpus.push_back(g);
  }
  return inv;
}

/// Every field of a telemetry summary set to a value other than its default.
inline TelemetrySummary full_telemetry(double base) {
  TelemetrySummary t;
  t.available = true;
  t.unavailable_reason = "partial: NVML power reading lost for 2 samples";
  t.samples = 17;
  t.sm_clock_mhz_min = base - 200;
  t.sm_clock_mhz_mean = base - 50.5;
  t.sm_clock_mhz_max = base;
  t.mem_clock_mhz_mean = 2619;
  t.power_w_mean = 651.5;
  t.power_w_max = 699.75;
  t.temperature_c_max = 83;
  t.throttle_fraction = {{"hw_slowdown", 0.125}, {"sw_power_cap", 0.5}};
  return t;
}

/// Field by field: what `b` (read back) lost of `a`.
inline void expect_same(const TelemetrySummary& a, const TelemetrySummary& b,
                        const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(a.available, b.available);
  EXPECT_EQ(a.unavailable_reason, b.unavailable_reason);
  EXPECT_EQ(a.samples, b.samples);
  EXPECT_EQ(a.sm_clock_mhz_min, b.sm_clock_mhz_min);
  EXPECT_EQ(a.sm_clock_mhz_mean, b.sm_clock_mhz_mean);
  EXPECT_EQ(a.sm_clock_mhz_max, b.sm_clock_mhz_max);
  EXPECT_EQ(a.mem_clock_mhz_mean, b.mem_clock_mhz_mean);
  EXPECT_EQ(a.power_w_mean, b.power_w_mean);
  EXPECT_EQ(a.power_w_max, b.power_w_max);
  EXPECT_EQ(a.temperature_c_max, b.temperature_c_max);
  EXPECT_EQ(a.throttle_fraction, b.throttle_fraction);
}

inline void expect_same(const Inventory& a, const Inventory& b, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(a.simulated, b.simulated);
  EXPECT_EQ(a.sim_node, b.sim_node);
  EXPECT_EQ(a.sim_faults, b.sim_faults);
  EXPECT_EQ(a.collected_at, b.collected_at);
  EXPECT_EQ(a.node.unavailable, b.node.unavailable);
  EXPECT_EQ(to_json(a), to_json(b)); // every optional field, through for_each_*_field
  ASSERT_EQ(a.gpus.size(), b.gpus.size());
  for (std::size_t i = 0; i < a.gpus.size(); ++i) {
    EXPECT_EQ(a.gpus[i].index, b.gpus[i].index);
    EXPECT_EQ(a.gpus[i].unavailable, b.gpus[i].unavailable);
    ASSERT_EQ(a.gpus[i].nvlinks.size(), b.gpus[i].nvlinks.size());
    for (std::size_t l = 0; l < a.gpus[i].nvlinks.size(); ++l) {
      EXPECT_EQ(a.gpus[i].nvlinks[l].link, b.gpus[i].nvlinks[l].link);
      EXPECT_EQ(a.gpus[i].nvlinks[l].active, b.gpus[i].nvlinks[l].active);
      EXPECT_EQ(a.gpus[i].nvlinks[l].remote_pci_bus_id, b.gpus[i].nvlinks[l].remote_pci_bus_id);
      EXPECT_EQ(a.gpus[i].nvlinks[l].remote_type, b.gpus[i].nvlinks[l].remote_type);
    }
  }
}

/// Fails for every value of `doc` still at its default: equal to the same path in `defaults` (the
/// serialised default-constructed struct), or, where the default has nothing at that path (inside
/// arrays and maps, or under a default that is null), null, an empty string, an empty array or an
/// empty object. Keys or paths in `exempt` (e.g. "schema", whose only value is the default) are
/// skipped.
inline void expect_no_defaults(const nlohmann::json& doc, const nlohmann::json* defaults,
                               const std::string& path, const std::set<std::string>& exempt) {
  const bool has_default = defaults && !defaults->is_null();
  if (doc.is_object()) {
    EXPECT_FALSE(doc.empty()) << path << ": empty object";
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (exempt.count(it.key()) || exempt.count(path + "." + it.key()))
        continue;
      const nlohmann::json* d = has_default && defaults->is_object() && defaults->contains(it.key())
                                    ? &defaults->at(it.key())
                                    : nullptr;
      expect_no_defaults(it.value(), d, path + "." + it.key(), exempt);
    }
    return;
  }
  if (doc.is_array()) {
    EXPECT_FALSE(doc.empty()) << path << ": empty array";
    for (std::size_t i = 0; i < doc.size(); ++i)
      expect_no_defaults(doc[i], nullptr, path + "[" + std::to_string(i) + "]", exempt);
    return;
  }
  EXPECT_FALSE(doc.is_null()) << path << ": null (unset optional or non-finite number)";
  if (doc.is_string())
    EXPECT_FALSE(doc.get<std::string>().empty()) << path << ": empty string";
  if (has_default)
    EXPECT_NE(doc, *defaults) << path << ": still the default value " << doc.dump();
}

} // namespace gpucert::test
