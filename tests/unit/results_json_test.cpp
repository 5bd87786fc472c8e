// Raw results JSON: a full round trip keeps every field (a fixture in which every field differs
// from its default, compared field by field after reading back); a malformed document is an
// InputError that names the field path; scope/status/target spellings.
#include "harness/core/error.hpp"
#include "harness/model/results.hpp"
#include "tests/unit/full_fields.hpp"

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
  m.warmup_extensions = 1;
  m.dependent = true;
  m.seconds = {1.4e-3, 1.41e-3};
  // Derived as the registry derives them (flops / seconds / 1e12): results_from_json checks it.
  m.metrics = {{"gemm.tflops", {1.1 / 1.4e-3, 1.1 / 1.41e-3}}};
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

// --- every field, non-default, compared field by field ----------------------------------------

/// A measurement with every field set to something other than its default.
Measurement full_measurement() {
  Measurement m;
  m.benchmark = "p2p.bidir";
  m.params = {{"bytes", "268435456"}, {"engine", "sm"}};
  m.target = {Scope::gpu_pair, {2, 7}};
  m.status = MeasurementStatus::incorrect;
  m.message = "result check failed: 12 of 4096 sampled elements differ";
  m.verification = {true, true, "max rel err 3.1e-3 over 4096 sampled elements (tol 1e-2)"};
  m.bytes_per_sample = 536870912;
  m.flops_per_sample = 2.5e3;
  m.items_per_sample = 3;
  m.warmup_samples = 5;
  m.warmup_extensions = 2;
  m.dependent = true;
  m.concurrency = Concurrency::one; // the default is all
  m.lanes = 4;
  m.phase_seconds = {{"setup", 0.25}, {"hold", 1.5}};
  m.seconds = {1.5e-3, 1.25e-3, 1.75e-3};
  m.metrics = {{"p2p.bidir.gbps",
                {536870912 / 1.5e-3 / 1e9, 536870912 / 1.25e-3 / 1e9, 536870912 / 1.75e-3 / 1e9}},
               {"x.aux", {1.5e-3 / 3 * 1e6, 1.25e-3 / 3 * 1e6, 1.75e-3 / 3 * 1e6}}};
  m.telemetry = {{2, test::full_telemetry(1980)}, {7, test::full_telemetry(1830)}};
  m.stop_reason = "time_budget";
  m.started_at = "2026-01-31T10:00:01.000Z";
  m.finished_at = "2026-01-31T10:00:03.250Z";
  m.extra = {{"algorithm", 12}, {"engine", "sm"}};
  return m;
}

/// Results with every field set to something other than its default ("schema" has one value).
Results full_results() {
  Results r;
  r.tool_version = "0.9.1";
  r.git_revision = "0123456789ab";
  r.backend = "cuda";
  r.simulated = true;
  r.complete = true;
  r.incomplete_reason = "SIGTERM"; // not consistent with complete, on purpose: both must survive
  r.started_at = "2026-01-31T10:00:00.000Z";
  r.finished_at = "2026-01-31T10:07:00.000Z";
  r.profile_name = "h200-sxm-141gb-8x";
  r.profile_sha256 = std::string(64, 'c');
  r.method = {{"confidence", 0.99}, {"min_samples", 12}};
  r.provenance = {{"argv", {"gpucert", "run"}}, {"gpus", {2, 7}}, {"env", {{"NCCL_ALGO", "Ring"}}}};
  r.inventory_before = test::full_inventory(1);
  r.inventory_after = test::full_inventory(2);
  Measurement second = full_measurement();
  second.benchmark = "hbm.copy";
  second.target = {Scope::node, {0, 1, 2}};
  second.status = MeasurementStatus::error;
  r.measurements = {full_measurement(), second};
  return r;
}

void expect_same(const Measurement& a, const Measurement& b, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(a.benchmark, b.benchmark);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.message, b.message);
  EXPECT_EQ(a.verification.checked, b.verification.checked);
  EXPECT_EQ(a.verification.passed, b.verification.passed);
  EXPECT_EQ(a.verification.detail, b.verification.detail);
  EXPECT_EQ(a.bytes_per_sample, b.bytes_per_sample);
  EXPECT_EQ(a.flops_per_sample, b.flops_per_sample);
  EXPECT_EQ(a.items_per_sample, b.items_per_sample);
  EXPECT_EQ(a.warmup_samples, b.warmup_samples);
  EXPECT_EQ(a.warmup_extensions, b.warmup_extensions);
  EXPECT_EQ(a.dependent, b.dependent);
  EXPECT_EQ(a.concurrency, b.concurrency);
  EXPECT_EQ(a.lanes, b.lanes);
  EXPECT_EQ(a.phase_seconds, b.phase_seconds);
  EXPECT_EQ(a.seconds, b.seconds);
  EXPECT_EQ(a.metrics, b.metrics);
  ASSERT_EQ(a.telemetry.size(), b.telemetry.size());
  for (const auto& [gpu, t] : a.telemetry) {
    ASSERT_TRUE(b.telemetry.count(gpu)) << "telemetry of GPU " << gpu;
    test::expect_same(t, b.telemetry.at(gpu), "telemetry " + std::to_string(gpu));
  }
  EXPECT_EQ(a.stop_reason, b.stop_reason);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  EXPECT_EQ(a.extra, b.extra);
  EXPECT_EQ(a.key(), b.key());
}

void expect_same(const Results& a, const Results& b) {
  EXPECT_EQ(a.schema, b.schema);
  EXPECT_EQ(a.tool_version, b.tool_version);
  EXPECT_EQ(a.git_revision, b.git_revision);
  EXPECT_EQ(a.backend, b.backend);
  EXPECT_EQ(a.simulated, b.simulated);
  EXPECT_EQ(a.complete, b.complete);
  EXPECT_EQ(a.incomplete_reason, b.incomplete_reason);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  EXPECT_EQ(a.profile_name, b.profile_name);
  EXPECT_EQ(a.profile_sha256, b.profile_sha256);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.provenance, b.provenance);
  test::expect_same(a.inventory_before, b.inventory_before, "inventory_before");
  ASSERT_EQ(a.inventory_after.has_value(), b.inventory_after.has_value());
  if (a.inventory_after)
    test::expect_same(*a.inventory_after, *b.inventory_after, "inventory_after");
  ASSERT_EQ(a.measurements.size(), b.measurements.size());
  for (std::size_t i = 0; i < a.measurements.size(); ++i)
    expect_same(a.measurements[i], b.measurements[i], "measurements[" + std::to_string(i) + "]");
}

TEST(ResultsJson, FullFixtureHasNoFieldAtItsDefault) {
  const Results r = full_results();
  const nlohmann::json defaults = to_json(Results{});
  test::expect_no_defaults(to_json(r), &defaults, "results", {"schema"});
  // Array elements have no default in the document: compare them with a default Measurement's
  // and TelemetrySummary's own serialisations (catches a bool or enum left at its default).
  const nlohmann::json m_defaults = to_json(Measurement{});
  for (const auto& m : r.measurements)
    test::expect_no_defaults(to_json(m), &m_defaults, "measurement " + m.key(), {});
  const nlohmann::json t_defaults = to_json(TelemetrySummary{});
  test::expect_no_defaults(to_json(test::full_telemetry(1980)), &t_defaults, "telemetry", {});
}

TEST(ResultsJson, FullRoundTripKeepsEveryFieldFieldByField) {
  const Results r = full_results();
  const nlohmann::json j = to_json(r);
  const Results back = results_from_json(nlohmann::json::parse(j.dump()));
  expect_same(r, back);
  EXPECT_EQ(to_json(back), j);
  // The fields a reviewer found dropped once, by name.
  EXPECT_EQ(back.incomplete_reason, "SIGTERM");
  EXPECT_EQ(back.measurements.at(0).verification.passed, true);
  EXPECT_EQ(back.measurements.at(1).target.label(), "node");
}

TEST(ResultsJson, IncompleteRunRoundTripsItsReason) {
  Results r = sample_results();
  r.complete = false;
  r.incomplete_reason = "crash";
  const Results back = results_from_json(nlohmann::json::parse(to_json(r).dump()));
  EXPECT_FALSE(back.complete);
  EXPECT_EQ(back.incomplete_reason, "crash");
}

/// Fails when a field is added to (or removed from) one of these structs: add it to the full
/// fixture above and to expect_same, then update the size here. Sizes are those of x86-64
/// libstdc++ (GCC and Clang alike); elsewhere the check is skipped.
TEST(ResultsJson, FullFixtureCoversEveryStructField) {
#if defined(__x86_64__) && defined(__GLIBCXX__) && !defined(_GLIBCXX_DEBUG)
  EXPECT_EQ(sizeof(TelemetrySummary), 152u) << "TelemetrySummary changed";
  EXPECT_EQ(sizeof(Verification), 40u) << "Verification changed";
  EXPECT_EQ(sizeof(Target), 32u) << "Target changed";
  EXPECT_EQ(sizeof(Measurement), 520u) << "Measurement changed";
  EXPECT_EQ(sizeof(Results), 1352u) << "Results changed";
  // The inventory is filled through for_each_gpu_field/for_each_node_field (full_fields.hpp): a
  // new optional field listed there is covered; a field outside those lists is not.
  EXPECT_EQ(sizeof(NvLinkPeer), 72u) << "NvLinkPeer changed";
  EXPECT_EQ(sizeof(GpuInfo), 672u) << "GpuInfo changed";
  EXPECT_EQ(sizeof(NodeInfo), 376u) << "NodeInfo changed";
  EXPECT_EQ(sizeof(Inventory), 496u) << "Inventory changed";
#else
  GTEST_SKIP() << "struct sizes are recorded for x86-64 libstdc++ only";
#endif
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
