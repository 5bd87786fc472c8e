// Telemetry points → summary: statistics over the readings that exist, throttle fractions per
// named reason, and an honest "unavailable" when nothing could be read (including the NVML
// sampler on a machine without a driver).
#include "harness/inventory/nvml_telemetry.hpp"
#include "harness/inventory/telemetry_summary.hpp"
#include "harness/inventory/throttle_reasons.hpp"

#include <gtest/gtest.h>

namespace gpucert::inventory {
namespace {

TEST(ThrottleReasons, NamesTheNvmlBits) {
  EXPECT_TRUE(throttle_reason_names(0).empty());
  EXPECT_EQ(throttle_reason_names(0x1), std::vector<std::string>{"idle"});
  EXPECT_EQ(throttle_reason_names(0x8 | 0x40),
            (std::vector<std::string>{"hw_slowdown", "hw_thermal"}));
  EXPECT_EQ(throttle_reason_names(0x4 | 0x20 | 0x80),
            (std::vector<std::string>{"sw_power_cap", "sw_thermal", "hw_power_brake"}));
  EXPECT_EQ(throttle_reason_names(0x2 | 0x10 | 0x100),
            (std::vector<std::string>{"app_clocks", "sync_boost", "display_clocks"}));
  EXPECT_EQ(throttle_reason_names(0x1000), std::vector<std::string>{"bit_0x1000"});
}

TEST(TelemetrySummary, StatisticsAndThrottleFractions) {
  std::vector<TelemetryPoint> points(4);
  const double sm[] = {1980, 1755, 1410, 1980};
  for (int i = 0; i < 4; ++i) {
    points[i].sm_clock_mhz = sm[i];
    points[i].mem_clock_mhz = 2619;
    points[i].power_w = 600 + 20 * i;
    points[i].temperature_c = 70 + i;
    points[i].throttle_mask = i == 1 || i == 2 ? 0x8 | 0x40 : (i == 3 ? 0x4 : 0x0);
  }
  points[3].power_w.reset(); // a reading the driver did not give
  const TelemetrySummary s = summarise_telemetry(points, "unused");
  EXPECT_TRUE(s.available);
  EXPECT_EQ(s.samples, 4);
  EXPECT_DOUBLE_EQ(s.sm_clock_mhz_min, 1410);
  EXPECT_DOUBLE_EQ(s.sm_clock_mhz_max, 1980);
  EXPECT_DOUBLE_EQ(s.sm_clock_mhz_mean, (1980 + 1755 + 1410 + 1980) / 4.0);
  EXPECT_DOUBLE_EQ(s.mem_clock_mhz_mean, 2619);
  EXPECT_DOUBLE_EQ(s.power_w_mean, 620);
  EXPECT_DOUBLE_EQ(s.power_w_max, 640);
  EXPECT_DOUBLE_EQ(s.temperature_c_max, 73);
  EXPECT_DOUBLE_EQ(s.throttle_fraction.at("hw_slowdown"), 0.5);
  EXPECT_DOUBLE_EQ(s.throttle_fraction.at("hw_thermal"), 0.5);
  EXPECT_DOUBLE_EQ(s.throttle_fraction.at("sw_power_cap"), 0.25);
  EXPECT_DOUBLE_EQ(s.throttle_fraction.at("sw_thermal"), 0.0); // measured, never seen
  for (const char* name : {"hw_slowdown", "hw_thermal", "hw_power_brake", "sw_thermal",
                           "sw_power_cap", "sync_boost", "app_clocks", "idle", "display_clocks"})
    EXPECT_TRUE(s.throttle_fraction.count(name)) << name;
}

TEST(TelemetrySummary, NoReadingsIsUnavailableWithTheReason) {
  const TelemetrySummary s = summarise_telemetry({TelemetryPoint{}, TelemetryPoint{}}, "GPU lost");
  EXPECT_FALSE(s.available);
  EXPECT_EQ(s.unavailable_reason, "GPU lost");
  EXPECT_TRUE(s.throttle_fraction.empty());
  EXPECT_FALSE(summarise_telemetry({}, "nothing").available);
}

TEST(NvmlTelemetrySampler, AGpuNvmlCannotReadIsUnavailableNotZero) {
  // Here there is no driver; on a GPU machine this bus id does not exist. Either way the
  // summary must say why it has no data rather than report zeros as readings.
  NvmlTelemetrySampler sampler({{3, "0000:ff:1f.7"}}, std::chrono::milliseconds(5));
  sampler.start();
  const auto out = sampler.stop();
  ASSERT_EQ(out.size(), 1u);
  const TelemetrySummary& s = out.at(3);
  EXPECT_FALSE(s.available);
  EXPECT_FALSE(s.unavailable_reason.empty());
  // Restartable, and safe to destroy while running.
  sampler.start();
}

} // namespace
} // namespace gpucert::inventory
