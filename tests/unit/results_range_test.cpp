// Samples out of physical range are bad input (results_from_json, check_derivations): null,
// NaN/inf, negative, a sample time <= 0, metric values that are not one quantity of work over
// (or per) each sample's time, a metric scaled without its times (the registry's derivation from
// seconds and bytes/flops/items_per_sample), simulated:false with the "sim" backend. Each error
// names the measurement index and the field.
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/model/results.hpp"

#include <functional>
#include <gtest/gtest.h>

namespace gpucert {
namespace {

Results consistent() {
  Results r;
  r.backend = "sim";
  r.simulated = true;
  r.complete = true;
  Measurement gemm;
  gemm.benchmark = "gemm";
  gemm.target = {Scope::gpu, {0}};
  gemm.flops_per_sample = 1.1e12;
  gemm.seconds = {1.4e-3, 1.41e-3, 1.39e-3};
  for (double s : gemm.seconds)
    gemm.metrics["gemm.tflops"].push_back(gemm.flops_per_sample / s / 1e12);
  r.measurements.push_back(gemm);
  Measurement hbm;
  hbm.benchmark = "hbm.copy";
  hbm.target = {Scope::gpu, {0}};
  hbm.bytes_per_sample = 2.0 * (1 << 30);
  hbm.seconds = {7.1e-4, 7.2e-4};
  for (double s : hbm.seconds)
    hbm.metrics["hbm.copy.gbps"].push_back(hbm.bytes_per_sample / s / 1e9);
  r.measurements.push_back(hbm);
  Measurement launch;
  launch.benchmark = "launch.issue";
  launch.target = {Scope::gpu, {0}};
  launch.items_per_sample = 1000;
  launch.seconds = {2.4e-3, 2.5e-3};
  for (double s : launch.seconds)
    launch.metrics["launch.issue.us"].push_back(s / launch.items_per_sample * 1e6);
  r.measurements.push_back(launch);
  return r;
}

std::string error_of(const std::function<void(nlohmann::json&)>& corrupt, bool registry = true) {
  nlohmann::json j = to_json(consistent());
  corrupt(j);
  try {
    if (registry)
      results_from_json(j, builtin_registry());
    else
      results_from_json(j);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ResultsRange, ConsistentResultsAreRead) {
  EXPECT_EQ(error_of([](nlohmann::json&) {}), "no error");
  EXPECT_EQ(error_of([](nlohmann::json&) {}, false), "no error");
}

TEST(ResultsRange, NullNanOrInfiniteSampleIsBadInput) {
  EXPECT_EQ(error_of([](nlohmann::json& j) {
              j["measurements"][0]["metrics"]["gemm.tflops"][1] = nullptr;
            }),
            "results: measurements[0].metrics.gemm.tflops[1]: a sample must be a finite number "
            "(null, NaN or infinite here)");
  // The strict JSON reader refuses NaN and 1e999 text; a parsed document can still hold them.
  EXPECT_NE(error_of([](nlohmann::json& j) {
              j["measurements"][1]["metrics"]["hbm.copy.gbps"][0] =
                  std::numeric_limits<double>::infinity();
            }).find("measurements[1].metrics.hbm.copy.gbps[0]: a sample must be a finite"),
            std::string::npos);
  EXPECT_EQ(error_of([](nlohmann::json& j) { j["measurements"][2]["seconds"][0] = nullptr; }),
            "results: measurements[2].seconds[0]: a sample time must be a finite number (null, "
            "NaN or infinite here)");
}

TEST(ResultsRange, NegativeSampleIsBadInput) {
  EXPECT_EQ(error_of([](nlohmann::json& j) {
              auto& v = j["measurements"][0]["metrics"]["gemm.tflops"];
              for (auto& x : v)
                x = -x.get<double>();
            })
                .rfind("results: measurements[0].metrics.gemm.tflops[0]: a sample cannot be "
                       "negative, got -785.7",
                       0),
            0u);
}

TEST(ResultsRange, SampleTimeMustBePositive) {
  EXPECT_EQ(error_of([](nlohmann::json& j) { j["measurements"][1]["seconds"][1] = 0; }),
            "results: measurements[1].seconds[1]: a sample time must be > 0 seconds, got 0");
  EXPECT_EQ(error_of([](nlohmann::json& j) { j["measurements"][0]["seconds"][2] = -1.39e-3; }),
            "results: measurements[0].seconds[2]: a sample time must be > 0 seconds, got -0.00139");
}

TEST(ResultsRange, OneEditedSampleIsInconsistentWithItsTime) {
  // Registry-free: value x seconds (a rate) and value / seconds (a time per item) both vary.
  const std::string e = error_of(
      [](nlohmann::json& j) {
        auto& v = j["measurements"][0]["metrics"]["gemm.tflops"][2];
        v = v.get<double>() * 1.42;
      },
      false);
  EXPECT_EQ(e.rfind("results: measurements[0].metrics.gemm.tflops[2]: value ", 0), 0u) << e;
  EXPECT_NE(e.find("is inconsistent with its recorded time (0.00139 s)"), std::string::npos) << e;
  // A time-per-item metric edited on one sample.
  EXPECT_NE(error_of(
                [](nlohmann::json& j) {
                  auto& v = j["measurements"][2]["metrics"]["launch.issue.us"][1];
                  v = v.get<double>() * 0.5;
                },
                false)
                .find("measurements[2].metrics.launch.issue.us[1]: value "),
            std::string::npos);
}

TEST(ResultsRange, MetricScaledWithoutItsTimesContradictsTheRecordedWork) {
  // The attack of the issue: every sample of a failing GPU's metric x 1.42.
  auto scale = [](nlohmann::json& j) {
    for (auto& x : j["measurements"][0]["metrics"]["gemm.tflops"])
      x = x.get<double>() * 1.42;
  };
  EXPECT_EQ(error_of(scale, false), "no error") << "constant over samples: only the work shows it";
  const std::string e = error_of(scale);
  EXPECT_EQ(e.rfind("results: measurements[0].metrics.gemm.tflops[0]: value ", 0), 0u) << e;
  EXPECT_NE(e.find("inconsistent with the sample's recorded time and work (0.0014 s, "
                   "bytes_per_sample 0, flops_per_sample 1100000000000"),
            std::string::npos)
      << e;
  // The bandwidth and latency derivations are checked the same way.
  EXPECT_NE(error_of([](nlohmann::json& j) {
              for (auto& x : j["measurements"][1]["metrics"]["hbm.copy.gbps"])
                x = x.get<double>() * 1.05;
            }).find("measurements[1].metrics.hbm.copy.gbps[0]"),
            std::string::npos);
  EXPECT_NE(error_of([](nlohmann::json& j) {
              j["measurements"][2]["items_per_sample"] = 500;
            }).find("measurements[2].metrics.launch.issue.us[0]"),
            std::string::npos);
}

TEST(ResultsRange, SimulatedFalseWithTheSimBackendIsInconsistent) {
  EXPECT_EQ(error_of([](nlohmann::json& j) { j["simulated"] = false; }),
            "results: simulated: false, but the backend is \"sim\": simulated results are "
            "simulated");
  EXPECT_EQ(error_of([](nlohmann::json& j) {
              j["simulated"] = false;
              j["backend"] = "cuda";
            }),
            "no error");
}

} // namespace
} // namespace gpucert
