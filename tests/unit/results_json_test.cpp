// Raw results JSON: a full round trip keeps every field; a malformed document is an InputError
// that names the field path; scope/status/target spellings.
#include "harness/core/error.hpp"
#include "harness/model/results.hpp"

#include <cmath>
#include <gtest/gtest.h>

namespace gpucert {
namespace {

Results sample_results() {
  Results r;
  r.tool_version = "0.1.0";
  r.git_revision = "abc123";
  r.backend = "sim";
  r.simulated = true;
  r.complete = true;
  r.started_at = "2025-01-01T00:00:00.000Z";
  r.finished_at = "2025-01-01T00:01:00.000Z";
  r.profile_name = "h100-sxm5-80gb-8x-standard";
  r.profile_sha256 = std::string(64, 'a');
  r.method = {{"confidence", 0.95}};
  r.provenance = {{"argv", {"gpucert", "run"}}};
  r.inventory_before.simulated = true;
  r.inventory_before.sim_node = "h100-sxm5-80gb-8x";
  GpuInfo g;
  g.index = 0;
  g.name = "NVIDIA H100 80GB HBM3";
  g.memory_total_bytes = 85520809984ull;
  r.inventory_before.gpus.push_back(g);
  r.inventory_after = r.inventory_before;

  Measurement m;
  m.benchmark = "gemm";
  m.params = {{"dtype", "bf16"}, {"m", "8192"}};
  m.target = {Scope::gpu, {3}};
  m.status = MeasurementStatus::incorrect;
  m.message = "result check failed: 3 off";
  m.verification = {true, false, "3 off"};
  m.bytes_per_sample = 0;
  m.flops_per_sample = 1.1e12;
  m.items_per_sample = 1;
  m.warmup_samples = 4;
  m.seconds = {1.4e-3, 1.41e-3};
  m.metrics = {{"gemm.tflops", {785.7, 780.1}}};
  TelemetrySummary t;
  t.available = true;
  t.samples = 12;
  t.sm_clock_mhz_min = 1755;
  t.sm_clock_mhz_mean = 1900.5;
  t.sm_clock_mhz_max = 1980;
  t.mem_clock_mhz_mean = 2619;
  t.power_w_mean = 650;
  t.power_w_max = 699;
  t.temperature_c_max = 71;
  t.throttle_fraction = {{"sw_power_cap", 0.25}};
  m.telemetry[3] = t;
  m.stop_reason = "target_ci_reached";
  m.started_at = "2025-01-01T00:00:01.000Z";
  m.finished_at = "2025-01-01T00:00:02.000Z";
  m.extra = {{"algo", 12}};
  r.measurements.push_back(m);

  Measurement pair;
  pair.benchmark = "p2p.uni";
  pair.target = {Scope::gpu_pair, {0, 1}};
  pair.status = MeasurementStatus::skipped;
  pair.message = "no P2P";
  r.measurements.push_back(pair);
  return r;
}

TEST(ResultsJson, RoundTripKeepsEveryField) {
  const Results r = sample_results();
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j.at("schema"), kResultsSchema);
  const Results back = results_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(to_json(back), j);
  const Measurement& m = back.measurements.at(0);
  EXPECT_EQ(m.status, MeasurementStatus::incorrect);
  EXPECT_EQ(m.target, (Target{Scope::gpu, {3}}));
  EXPECT_EQ(m.seconds, r.measurements[0].seconds);
  EXPECT_EQ(m.telemetry.at(3).throttle_fraction.at("sw_power_cap"), 0.25);
  EXPECT_EQ(m.extra.at("algo"), 12);
  EXPECT_EQ(back.measurements.at(1).target.label(), "gpu0-gpu1");
  ASSERT_TRUE(back.inventory_after.has_value());
  EXPECT_EQ(back.inventory_after->gpus.at(0).name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(j.at("measurements")[0].at("key"), "gemm[dtype=bf16,m=8192]@gpu3");
}

TEST(ResultsJson, NonFiniteValuesBecomeNullAndComeBackAsNaN) {
  Measurement m;
  m.benchmark = "x";
  m.target = {Scope::gpu, {0}};
  m.seconds = {1.0};
  m.metrics = {{"x.gbps", {std::numeric_limits<double>::infinity()}}};
  const nlohmann::json j = to_json(m);
  EXPECT_TRUE(j.at("metrics").at("x.gbps")[0].is_null());
  EXPECT_TRUE(std::isnan(measurement_from_json(j).metrics.at("x.gbps")[0]));
}

std::string error_of(const std::function<void(nlohmann::json&)>& corrupt) {
  nlohmann::json j = to_json(sample_results());
  corrupt(j);
  try {
    results_from_json(j);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ResultsJson, MalformedDocumentsNameTheFieldPath) {
  EXPECT_EQ(error_of([](auto& j) { j["schema"] = "gpucert/results/v9"; }),
            "results: schema: unsupported schema 'gpucert/results/v9' (this gpucert reads "
            "gpucert/results/v1)");
  EXPECT_EQ(error_of([](auto& j) { j.erase("measurements"); }),
            "results: (document): missing required field 'measurements'");
  EXPECT_EQ(error_of([](auto& j) { j["measurements"][0]["seconds"][1] = "fast"; }),
            "results: measurements[0].seconds[1]: expected a number, got string");
  EXPECT_EQ(error_of([](auto& j) { j["measurements"][1]["status"] = "great"; }),
            "results: measurements[1].status: unknown measurement status 'great' (expected ok, "
            "incorrect, error or skipped)");
  EXPECT_EQ(error_of([](auto& j) {
              j["measurements"][0]["target"]["gpus"] = {1, 2};
            }),
            "results: measurements[0].target.gpus: a gpu target names 1 GPU(s), got 2");
  EXPECT_EQ(error_of([](auto& j) { j["measurements"][0]["metrics"]["gemm.tflops"] = {1.0}; }),
            "results: measurements[0].metrics.gemm.tflops: has 1 values but there are 2 samples");
  EXPECT_EQ(
      error_of([](auto& j) { j["measurements"][0]["telemetry"]["x"] = nlohmann::json::object(); }),
      "results: measurements[0].telemetry: key 'x' is not a GPU index");
  EXPECT_EQ(error_of([](auto& j) { j["simulated"] = "yes"; }),
            "results: simulated: expected true or false, got string");
  EXPECT_NE(error_of([](auto& j) {
              j["inventory_before"]["gpus"][0]["name"] = 5;
            }).find("results: inventory_before: "),
            std::string::npos);
  EXPECT_EQ(error_of([](auto& j) { j = nlohmann::json::array(); }),
            "results: (document): expected an object, got array");
}

TEST(ResultsModel, SpellingsAndKeys) {
  EXPECT_EQ(to_string(Scope::gpu_pair), "gpu-pair");
  EXPECT_EQ(scope_from_string("gpu_pair"), Scope::gpu_pair);
  EXPECT_EQ(scope_from_string("node"), Scope::node);
  EXPECT_THROW(scope_from_string("rack"), InputError);
  for (auto s : {MeasurementStatus::ok, MeasurementStatus::incorrect, MeasurementStatus::error,
                 MeasurementStatus::skipped})
    EXPECT_EQ(measurement_status_from_string(to_string(s)), s);
  EXPECT_EQ((Target{Scope::gpu, {5}}).label(), "gpu5");
  EXPECT_EQ((Target{Scope::node, {0, 1, 2}}).label(), "node");
  Measurement a, b;
  a.benchmark = b.benchmark = "hbm.copy";
  a.params = {{"bytes", "1073741824"}};
  b.params = a.params;
  a.target = {Scope::gpu, {1}};
  b.target = {Scope::gpu, {2}};
  EXPECT_NE(a.key(), b.key());
  EXPECT_EQ(a.key(), "hbm.copy[bytes=1073741824]@gpu1");
}

} // namespace
} // namespace gpucert
