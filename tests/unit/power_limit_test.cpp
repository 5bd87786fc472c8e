// The power-limit-default health clause: the inventory records the limit the card is held to
// (NVML's enforced limit, a cap set out of band through the BMC included), and the clause fails
// when that is below the default. With NVML's management limit instead, a BMC cap would pass.
#include "harness/benchmarks/catalog.hpp"
#include "harness/evaluate/evaluate.hpp"
#include "harness/model/certificate.hpp"
#include "harness/profile/profile.hpp"

#if defined(GPUCERT_HAVE_NVML_H)
#include "harness/inventory/nvml_power.hpp"
#endif

#include <gtest/gtest.h>

namespace gpucert {
namespace {

#if defined(GPUCERT_HAVE_NVML_H)

// A fake NVML: a card whose BMC capped it at 500 W, its own (nvidia-smi -pl) limit left at the
// 700 W default.
struct FakeCard {
  unsigned enforced_mw = 500'000, management_mw = 700'000, default_mw = 700'000;
  nvmlReturn_t enforced_rc = NVML_SUCCESS;
};
FakeCard card;

nvmlReturn_t fake_enforced(nvmlDevice_t, unsigned int* mw) {
  *mw = card.enforced_mw;
  return card.enforced_rc;
}
nvmlReturn_t fake_management(nvmlDevice_t, unsigned int* mw) {
  *mw = card.management_mw;
  return NVML_SUCCESS;
}
nvmlReturn_t fake_default(nvmlDevice_t, unsigned int* mw) {
  *mw = card.default_mw;
  return NVML_SUCCESS;
}

nvml::Api fake_api() {
  nvml::Api api;
  api.nvmlDeviceGetEnforcedPowerLimit.ptr = &fake_enforced;
  api.nvmlDeviceGetPowerManagementLimit.ptr = &fake_management;
  api.nvmlDeviceGetPowerManagementDefaultLimit.ptr = &fake_default;
  return api;
}

TEST(NvmlPowerLimits, TheEnforcedLimitIsRecordedNotTheManagementLimit) {
  card = {};
  GpuInfo g;
  inventory::probe_power_limits(fake_api(), nullptr, g);
  EXPECT_EQ(g.power_limit_w, 500.0); // the BMC's cap, which the card runs under
  EXPECT_EQ(g.power_default_limit_w, 700.0);
  EXPECT_TRUE(g.unavailable.empty());
}

TEST(NvmlPowerLimits, AnUnreadableEnforcedLimitIsAbsentWithTheReasonNeverTheManagementLimit) {
  card = {};
  card.enforced_rc = NVML_ERROR_NOT_SUPPORTED;
  GpuInfo g;
  inventory::probe_power_limits(fake_api(), nullptr, g);
  EXPECT_FALSE(g.power_limit_w.has_value());
  ASSERT_TRUE(g.unavailable.count("power_limit_w"));
  EXPECT_NE(g.unavailable.at("power_limit_w").find("nvmlDeviceGetEnforcedPowerLimit"),
            std::string::npos)
      << g.unavailable.at("power_limit_w");
  // A driver without the entry point at all: said so, not guessed.
  nvml::Api old = fake_api();
  old.nvmlDeviceGetEnforcedPowerLimit.ptr = nullptr;
  GpuInfo h;
  inventory::probe_power_limits(old, nullptr, h);
  EXPECT_FALSE(h.power_limit_w.has_value());
  EXPECT_NE(h.unavailable.at("power_limit_w").find("lacks it"), std::string::npos);
}

#endif

report::Check power_check(std::optional<double> limit_w, std::optional<double> default_w) {
  const profile::Profile p =
      profile::parse_profile(builtin_registry(), R"(schema: gpucert/profile/v1
name: power
clauses:
  - {id: power-limit-default, metric: inventory.power_limit_at_default, equals: true}
)",
                             "power.yaml");
  GpuInfo g;
  g.index = 0;
  g.power_limit_w = limit_w;
  g.power_default_limit_w = default_w;
  if (!limit_w)
    g.unavailable["power_limit_w"] = "nvmlDeviceGetEnforcedPowerLimit: Not Supported";
  Results r;
  r.complete = true;
  r.backend = "sim";
  r.inventory_before.gpus = {g};
  r.inventory_after = r.inventory_before;
  const report::Certificate cert = evaluate::evaluate(p, r);
  for (const auto& k : cert.checks)
    if (k.clause_id == "power-limit-default" && k.target == "gpu0")
      return k;
  throw std::runtime_error("no power-limit-default check on gpu0");
}

TEST(PowerLimitDefaultClause, ACapBelowTheDefaultFails) {
  EXPECT_EQ(power_check(700, 700).verdict, report::Verdict::pass);
  EXPECT_EQ(power_check(700.4, 700).verdict, report::Verdict::pass); // NVML's milliwatt rounding
  EXPECT_EQ(power_check(500, 700).verdict, report::Verdict::fail);   // e.g. a BMC cap
  // Unreadable: ERROR with NVML's reason, never PASS.
  const report::Check unknown = power_check(std::nullopt, 700);
  EXPECT_EQ(unknown.verdict, report::Verdict::error);
  EXPECT_NE(unknown.message.find("nvmlDeviceGetEnforcedPowerLimit"), std::string::npos)
      << unknown.message;
}

} // namespace
} // namespace gpucert
