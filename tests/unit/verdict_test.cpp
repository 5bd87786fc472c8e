// The verdict engine on hand-built results: PASS / FAIL / INCONCLUSIVE / ERROR / SKIPPED, failing
// closed, cause attribution, match checks, outcome and exit code, determinism.
#include "harness/benchmarks/catalog.hpp"
#include "harness/evaluate/evaluate.hpp"
#include "harness/measure/benchmark.hpp"
#include "harness/measure/runner.hpp"
#include "harness/model/certificate.hpp"
#include "harness/profile/profile.hpp"

#include <gtest/gtest.h>
#include <limits>
#include <numeric>

namespace gpucert::evaluate {
namespace {

using report::Verdict;

constexpr const char* kProfile = R"(schema: gpucert/profile/v1
name: unit
match: {gpu_count: 2, gpu_name: "NVIDIA H100 80GB HBM3", pcie: {gen: 5, width: 16}}
method: {confidence: 0.95, min_samples: 10}
clauses:
  - {id: hbm-triad, metric: hbm.triad.gbps, min: 2800}
  - {id: launch, metric: launch.issue.us, max: 3}
  - {id: pcie-h2d, metric: pcie.h2d.gbps, min: 48}
  - {id: p2p, metric: p2p.uni.gbps, each: gpu-pair, min: 335}
  - {id: ecc, metric: inventory.ecc_uncorrected, max: 0}
  - {id: remap, metric: inventory.remapped_rows_pending, equals: false}
  - {id: thermal, metric: telemetry.thermal_fraction, max: 0}
)";

profile::Profile unit_profile() {
  return profile::parse_profile(builtin_registry(), kProfile, "unit.yaml");
}

GpuInfo healthy_gpu(int index) {
  GpuInfo g;
  g.index = index;
  g.name = "NVIDIA H100 80GB HBM3";
  g.memory_total_bytes = 81559ull << 20;
  g.pcie_gen_current = g.pcie_gen_max = 5;
  g.pcie_width_current = g.pcie_width_max = 16;
  g.nvlink_links_active = g.nvlink_links_total = 18;
  g.ecc_enabled = true;
  g.ecc_uncorrected_volatile = g.ecc_uncorrected_aggregate = 0;
  g.remapped_rows_pending = g.remapped_rows_failed = false;
  g.power_limit_w = g.power_default_limit_w = 700;
  g.sm_clock_max_mhz = 1980;
  return g;
}

TelemetrySummary cool() {
  TelemetrySummary t;
  t.available = true;
  t.samples = 20;
  t.sm_clock_mhz_mean = 1950;
  t.temperature_c_max = 55;
  t.throttle_fraction = {{"hw_slowdown", 0}, {"hw_thermal", 0}, {"sw_thermal", 0}};
  return t;
}

/// `n` samples spread evenly over [center*(1-spread), center*(1+spread)].
/// n values evenly spread over center × (1 ± spread), in a scrambled order (a stride coprime
/// with n): sorted values would be a perfect trend, which the engine rightly refuses to judge
/// as independent samples.
std::vector<double> samples(double center, double spread, int n = 20) {
  int stride = 1;
  for (int s : {7, 3, 1})
    if (std::gcd(s, n) == 1) {
      stride = s;
      break;
    }
  std::vector<double> v;
  for (int i = 0; i < n; ++i) {
    const int k = (i * stride) % n;
    v.push_back(center * (1 - spread + 2 * spread * k / std::max(1, n - 1)));
  }
  return v;
}

Measurement measurement(const std::string& benchmark, const std::string& metric, Target t,
                        std::vector<double> values) {
  Measurement m;
  const BenchmarkDef* def = builtin_registry().find(benchmark);
  m.benchmark = benchmark;
  m.params = Registry::resolve(*def, {});
  m.target = t;
  m.metrics[metric] = std::move(values);
  m.seconds.assign(m.metrics[metric].size(), 1e-3);
  m.verification = {true, true, "ok"};
  m.stop_reason = "target_ci_reached";
  for (int g : t.gpus)
    m.telemetry[g] = cool();
  return m;
}

/// A complete, healthy run on 2 GPUs: every clause PASSes.
Results healthy_results() {
  Results r;
  r.complete = true;
  r.backend = "sim";
  r.inventory_before.gpus = {healthy_gpu(0), healthy_gpu(1)};
  r.inventory_after = r.inventory_before;
  for (int g : {0, 1}) {
    r.measurements.push_back(
        measurement("hbm.triad", "hbm.triad.gbps", {Scope::gpu, {g}}, samples(2950, 0.005)));
    r.measurements.push_back(
        measurement("launch.issue", "launch.issue.us", {Scope::gpu, {g}}, samples(2.5, 0.01)));
    r.measurements.push_back(
        measurement("pcie.h2d", "pcie.h2d.gbps", {Scope::gpu, {g}}, samples(55, 0.01)));
  }
  r.measurements.push_back(
      measurement("p2p.uni", "p2p.uni.gbps", {Scope::gpu_pair, {0, 1}}, samples(390, 0.01)));
  return r;
}

/// A copy: callers often pass a temporary certificate.
report::Check find(const report::Certificate& c, const std::string& id, const std::string& target) {
  for (const auto& k : c.checks)
    if (k.clause_id == id && k.target == target)
      return k;
  throw std::runtime_error("no check " + id + " on " + target);
}

Measurement& measurement_of(Results& r, const std::string& benchmark, const std::string& label) {
  for (auto& m : r.measurements)
    if (m.benchmark == benchmark && m.target.label() == label)
      return m;
  throw std::runtime_error("no measurement " + benchmark + " " + label);
}

TEST(Verdict, HealthyRunPassesEveryCheckAndCertifies) {
  const auto cert = evaluate(unit_profile(), healthy_results());
  for (const auto& k : cert.checks)
    EXPECT_EQ(k.verdict, Verdict::pass)
        << k.clause_id << " " << k.target << " " << k.message << k.cause;
  EXPECT_EQ(cert.outcome, report::Outcome::certified);
  EXPECT_EQ(report::exit_code(cert), 0);
  // 2 GPUs: hbm, launch, pcie, ecc, remap, thermal on each, p2p on the one pair, and the match
  // checks (count on the node; name, PCIe gen and width per GPU).
  EXPECT_EQ(cert.counts.total, 2 * 6 + 1 + 1 + 2 * 3);
  const auto& hbm = find(cert, "hbm-triad", "gpu0");
  ASSERT_TRUE(hbm.value && hbm.ci_lo && hbm.ci_hi);
  EXPECT_NEAR(*hbm.value, 2950, 15);
  EXPECT_LE(*hbm.ci_lo, *hbm.value);
  EXPECT_GE(*hbm.ci_hi, *hbm.value);
  EXPECT_GE(*hbm.ci_lo, 2800);
  EXPECT_EQ(hbm.ci_method, "sequential-order-statistic");
  EXPECT_EQ(hbm.mode, "sequential");
  // Error control: the FAIL budget is split over the 7 benchmark checks (hbm, launch, pcie on
  // each GPU, p2p on the pair); health and match checks are readings and take no part.
  EXPECT_EQ(cert.error_control.family_size, 7);
  EXPECT_NEAR(cert.error_control.pass_level, 0.025, 1e-12);
  EXPECT_NEAR(cert.error_control.fail_level, 0.025 / 7, 1e-12);
  ASSERT_TRUE(hbm.pass_level && hbm.fail_level);
  EXPECT_NEAR(*hbm.fail_level, 0.025 / 7, 1e-12);
  ASSERT_TRUE(hbm.diagnosis);
  EXPECT_FALSE(hbm.diagnosis->trending || hbm.diagnosis->autocorrelated);
  EXPECT_EQ(hbm.n, 20);
  EXPECT_EQ(hbm.samples.size(), 20u);
  ASSERT_TRUE(hbm.margin && hbm.margin_rel);
  EXPECT_NEAR(*hbm.margin, *hbm.value - 2800, 1e-9);
  EXPECT_NEAR(*hbm.margin_rel, (*hbm.value - 2800) / 2800, 1e-12);
  EXPECT_EQ(hbm.threshold.unit, "GB/s");
  const auto& launch = find(cert, "launch", "gpu1");
  EXPECT_FALSE(launch.threshold.higher_is_better);
  EXPECT_NEAR(*launch.margin, 3 - *launch.value, 1e-12);
}

TEST(Verdict, WholeIntervalBelowAMinimumFailsWithTheThrottleCause) {
  Results r = healthy_results();
  Measurement& m = measurement_of(r, "hbm.triad", "gpu1");
  m.metrics["hbm.triad.gbps"] = samples(2040, 0.005);
  m.telemetry[1].throttle_fraction = {
      {"hw_slowdown", 0.41}, {"hw_thermal", 0.41}, {"sw_thermal", 0}};
  m.telemetry[1].temperature_c_max = 87;
  const auto cert = evaluate(unit_profile(), r);
  const auto& k = find(cert, "hbm-triad", "gpu1");
  EXPECT_EQ(k.verdict, Verdict::fail);
  EXPECT_EQ(k.cause, "HW slowdown (thermal) 41% of window, 87 °C");
  EXPECT_LT(*k.margin, 0);
  EXPECT_EQ(find(cert, "hbm-triad", "gpu0").verdict, Verdict::pass);
  EXPECT_EQ(cert.outcome, report::Outcome::not_certified);
  EXPECT_EQ(report::exit_code(cert), 1);
  // The telemetry health clause sees the same window.
  const auto& thermal = find(cert, "thermal", "gpu1");
  EXPECT_EQ(thermal.verdict, Verdict::fail);
  EXPECT_NE(thermal.cause.find("during hbm.triad on gpu1"), std::string::npos) << thermal.cause;
}

TEST(Verdict, WholeIntervalAboveAMaximumFails) {
  Results r = healthy_results();
  measurement_of(r, "launch.issue", "gpu0").metrics["launch.issue.us"] = samples(4.0, 0.01);
  const auto& k = find(evaluate(unit_profile(), r), "launch", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::fail);
  EXPECT_EQ(k.cause, ""); // no evidence of a cause: said so by the renderers, not invented
}

TEST(Verdict, IntervalAcrossTheThresholdIsInconclusive) {
  Results r = healthy_results();
  measurement_of(r, "hbm.triad", "gpu0").metrics["hbm.triad.gbps"] = samples(2800, 0.05);
  const auto cert = evaluate(unit_profile(), r);
  const auto& k = find(cert, "hbm-triad", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::inconclusive);
  EXPECT_NE(k.message.find("straddles"), std::string::npos) << k.message;
  EXPECT_LT(*k.ci_lo, 2800);
  EXPECT_GT(*k.ci_hi, 2800);
  EXPECT_EQ(cert.outcome, report::Outcome::inconclusive);
  EXPECT_EQ(report::exit_code(cert), 5);
}

TEST(Verdict, TooFewSamplesForAnIntervalIsInconclusiveNotPass) {
  Results r = healthy_results();
  measurement_of(r, "hbm.triad", "gpu0").metrics["hbm.triad.gbps"] = {2950, 2951, 2952};
  const auto& k = find(evaluate(unit_profile(), r), "hbm-triad", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::inconclusive);
  EXPECT_NE(k.message.find("fewer than the method's min_samples"), std::string::npos) << k.message;
}

TEST(Verdict, MissingMeasurementIsErrorNotMeasured) {
  Results r = healthy_results();
  std::erase_if(r.measurements, [](const Measurement& m) {
    return m.benchmark == "pcie.h2d" && m.target.gpus[0] == 1;
  });
  const auto cert = evaluate(unit_profile(), r);
  const auto& k = find(cert, "pcie-h2d", "gpu1");
  EXPECT_EQ(k.verdict, Verdict::error);
  EXPECT_EQ(k.message, "not measured");
  EXPECT_EQ(cert.outcome, report::Outcome::not_certified);
}

TEST(Verdict, AMeasurementWithOtherParametersDoesNotCount) {
  Results r = healthy_results();
  measurement_of(r, "hbm.triad", "gpu0").params["bytes"] =
      "2147483648"; // 2 GiB, the clause means 1 GiB
  EXPECT_EQ(find(evaluate(unit_profile(), r), "hbm-triad", "gpu0").verdict, Verdict::error);
}

TEST(Verdict, InterruptedRunMarksUnreachedClausesAndNeverCertifies) {
  Results r = healthy_results();
  r.complete = false;
  r.incomplete_reason = "SIGTERM";
  std::erase_if(r.measurements, [](const Measurement& m) { return m.benchmark == "p2p.uni"; });
  const auto cert = evaluate(unit_profile(), r);
  const auto& k = find(cert, "p2p", "gpu0-gpu1");
  EXPECT_EQ(k.verdict, Verdict::error);
  EXPECT_EQ(k.message, "not reached: run interrupted (SIGTERM)");
  EXPECT_EQ(cert.outcome, report::Outcome::not_certified);
  EXPECT_NE(cert.summary.find("run incomplete (SIGTERM)"), std::string::npos) << cert.summary;
}

TEST(Verdict, IncompleteRunWithEverythingMeasuredStillDoesNotCertify) {
  Results r = healthy_results();
  r.complete = false;
  r.incomplete_reason = "SIGINT";
  EXPECT_EQ(evaluate(unit_profile(), r).outcome, report::Outcome::not_certified);
}

TEST(Verdict, StatusErrorIsErrorWithTheMessage) {
  Results r = healthy_results();
  Measurement& m = measurement_of(r, "hbm.triad", "gpu1");
  m.status = MeasurementStatus::error;
  m.message = "setup: GPU 1 fell off the bus";
  m.metrics["hbm.triad.gbps"] = {};
  const auto& k = find(evaluate(unit_profile(), r), "hbm-triad", "gpu1");
  EXPECT_EQ(k.verdict, Verdict::error);
  EXPECT_EQ(k.message, "setup: GPU 1 fell off the bus");
}

TEST(Verdict, StatusErrorWithSamplesIsStillError) {
  Results r = healthy_results(); // samples before the GPU was lost must not PASS the clause
  Measurement& m = measurement_of(r, "hbm.triad", "gpu1");
  m.status = MeasurementStatus::error;
  m.message = "sample 21: GPU 1 fell off the bus";
  EXPECT_EQ(find(evaluate(unit_profile(), r), "hbm-triad", "gpu1").verdict, Verdict::error);
}

TEST(Verdict, WrongResultsFailEvenWhenFast) {
  Results r = healthy_results();
  Measurement& m = measurement_of(r, "hbm.triad", "gpu0");
  m.status = MeasurementStatus::incorrect;
  m.message = "result check failed: 61 of 4096 elements differ";
  m.verification = {true, false, "61 of 4096 elements differ"};
  const auto& k = find(evaluate(unit_profile(), r), "hbm-triad", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::fail);
  EXPECT_EQ(k.cause, "wrong results: result check failed: 61 of 4096 elements differ");
}

TEST(Verdict, SkippedMeasurementIsSkippedWithTheReason) {
  Results r = healthy_results();
  Measurement& m = measurement_of(r, "p2p.uni", "gpu0-gpu1");
  m.status = MeasurementStatus::skipped;
  m.message = "no peer access between GPU 0 and GPU 1";
  m.metrics["p2p.uni.gbps"] = {};
  const auto cert = evaluate(unit_profile(), r);
  const auto& k = find(cert, "p2p", "gpu0-gpu1");
  EXPECT_EQ(k.verdict, Verdict::skipped);
  EXPECT_EQ(k.message, "no peer access between GPU 0 and GPU 1");
  EXPECT_EQ(cert.outcome, report::Outcome::certified); // SKIPPED does not block
}

TEST(Verdict, NothingPassedNeverCertifies) {
  Results r;
  r.complete = true;
  const auto cert =
      evaluate(profile::parse_profile(builtin_registry(),
                                      "schema: gpucert/profile/v1\nname: x\nclauses:\n"
                                      "  - {id: h, metric: hbm.triad.gbps, min: 1}\n",
                                      "x.yaml"),
               r);
  EXPECT_EQ(cert.counts.pass, 0);
  EXPECT_EQ(cert.outcome, report::Outcome::not_certified);
  ASSERT_EQ(cert.checks.size(), 1u);
  EXPECT_EQ(cert.checks[0].verdict, Verdict::error); // no GPU at all: ERROR, not silence
}

TEST(Verdict, PcieTrainedDownIsTheCauseOfAPcieFail) {
  Results r = healthy_results();
  for (auto* inv : {&r.inventory_before, &*r.inventory_after}) {
    inv->gpus[1].pcie_gen_current = 4;
    inv->gpus[1].pcie_width_current = 8;
  }
  measurement_of(r, "pcie.h2d", "gpu1").metrics["pcie.h2d.gbps"] = samples(13.9, 0.01);
  const auto cert = evaluate(unit_profile(), r);
  const auto& k = find(cert, "pcie-h2d", "gpu1");
  EXPECT_EQ(k.verdict, Verdict::fail);
  EXPECT_EQ(k.cause, "PCIe link trained down to gen4 x8 (capable of gen5 x16)");
  EXPECT_EQ(find(cert, "match.pcie_gen", "gpu1").verdict, Verdict::fail);
  EXPECT_EQ(find(cert, "match.pcie_width", "gpu1").cause,
            "reads 8 before and after the run, expected ≥ 16 lanes");
  EXPECT_EQ(find(cert, "match.pcie_gen", "gpu0").verdict, Verdict::pass);
}

TEST(Verdict, NvlinkLinksDownAreTheCauseOfAP2pFail) {
  Results r = healthy_results();
  r.inventory_before.gpus[1].nvlink_links_active = 16;
  measurement_of(r, "p2p.uni", "gpu0-gpu1").metrics["p2p.uni.gbps"] = samples(200, 0.01);
  const auto& k = find(evaluate(unit_profile(), r), "p2p", "gpu0-gpu1");
  EXPECT_EQ(k.verdict, Verdict::fail);
  EXPECT_EQ(k.cause, "gpu1: NVLink 16 of 18 links active");
}

TEST(Verdict, EccErrorsFailTheHealthClauseAndExplainAMemoryFail) {
  Results r = healthy_results();
  r.inventory_after->gpus[0].ecc_uncorrected_volatile = 3;
  measurement_of(r, "hbm.triad", "gpu0").metrics["hbm.triad.gbps"] = samples(2500, 0.01);
  const auto cert = evaluate(unit_profile(), r);
  const auto& ecc = find(cert, "ecc", "gpu0");
  EXPECT_EQ(ecc.verdict, Verdict::fail);
  EXPECT_EQ(ecc.cause, "reads 3 after the run, expected ≤ 0 errors");
  EXPECT_EQ(*ecc.value, 3);
  EXPECT_EQ(find(cert, "hbm-triad", "gpu0").cause, "3 uncorrectable ECC errors");
}

TEST(Verdict, MatchChecksCatchAWrongNode) {
  Results r = healthy_results();
  r.inventory_before.gpus[1].name = "NVIDIA A100-SXM4-80GB";
  r.inventory_after->gpus.pop_back(); // a GPU gone after the run
  const auto cert = evaluate(unit_profile(), r);
  EXPECT_EQ(find(cert, "match.gpu_name", "gpu1").verdict, Verdict::fail);
  const auto& count = find(cert, "match.gpu_count", "node");
  EXPECT_EQ(count.verdict, Verdict::fail);
  EXPECT_EQ(count.cause, "reads 1 after the run, expected = 2");
}

TEST(Verdict, UnreadableInventoryFieldIsError) {
  Results r = healthy_results();
  r.inventory_before.gpus[0].remapped_rows_pending.reset();
  r.inventory_before.gpus[0].unavailable["remapped_rows_pending"] =
      "nvmlDeviceGetRemappedRows: Not Supported";
  const auto& k = find(evaluate(unit_profile(), r), "remap", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::error);
  EXPECT_NE(k.message.find("Not Supported"), std::string::npos) << k.message;
}

TEST(Verdict, TelemetryClauseWithoutTelemetryIsError) {
  Results r = healthy_results();
  for (auto& m : r.measurements)
    for (auto& [g, t] : m.telemetry) {
      t.available = false;
      t.unavailable_reason = "NVML not loaded";
    }
  const auto& k = find(evaluate(unit_profile(), r), "thermal", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::error);
  EXPECT_NE(k.message.find("NVML not loaded"), std::string::npos);
}

/// Gives each sample the time and work its metric value derives from (as a run records them),
/// so the results pass results_from_json's physical-range checks: rates from 1 GB or 1 TFLOP of
/// work per sample, latencies from one item per sample. Marks them simulated, as a sim run does.
void record_times_and_work(Results& r) {
  r.simulated = true;
  for (auto& m : r.measurements)
    for (const auto& [name, values] : m.metrics) {
      const bool latency = name.size() > 3 && name.compare(name.size() - 3, 3, ".us") == 0;
      m.bytes_per_sample = latency ? 0 : 1e9;
      m.items_per_sample = latency ? 1 : 0;
      for (std::size_t i = 0; i < values.size(); ++i)
        m.seconds[i] = latency ? values[i] * 1e-6 : 1 / values[i];
    }
}

TEST(Verdict, SameInputsGiveTheSameCertificate) {
  Results r = healthy_results();
  measurement_of(r, "hbm.triad", "gpu0").metrics["hbm.triad.gbps"] = samples(2800, 0.05);
  record_times_and_work(r);
  const auto a = report::to_json(evaluate(unit_profile(), r)).dump();
  const auto b = report::to_json(evaluate(unit_profile(), r)).dump();
  EXPECT_EQ(a, b);
  // And after a round trip of the results through JSON (what `gpucert evaluate` reads).
  const Results back = results_from_json(to_json(r), builtin_registry());
  EXPECT_EQ(report::to_json(evaluate(unit_profile(), back)).dump(), a);
}

TEST(Verdict, SimulatedResultsAreStamped) {
  Results r = healthy_results();
  r.simulated = true;
  const auto cert = evaluate(unit_profile(), r);
  EXPECT_TRUE(cert.simulated);
  for (const auto& k : cert.checks)
    if (k.kind == "benchmark")
      EXPECT_TRUE(k.simulated);
}

TEST(DecidedRule, StopsOnlyWhenEveryClauseIsDecided) {
  const auto p = unit_profile();
  std::vector<profile::Clause> hbm{p.clauses[0]};
  JudgeContext ctx;
  const Decided rule = decided_rule(hbm, ctx);
  Measurement m =
      measurement("hbm.triad", "hbm.triad.gbps", {Scope::gpu, {0}}, samples(2950, 0.005));
  EXPECT_EQ(rule(m), Look::decided); // clears 2800
  m.metrics["hbm.triad.gbps"] = samples(2000, 0.005);
  EXPECT_EQ(rule(m), Look::decided); // misses 2800: decided too
  m.metrics["hbm.triad.gbps"] = samples(2800, 0.05);
  EXPECT_EQ(rule(m), Look::undecided); // straddles
  m.metrics["hbm.triad.gbps"] = {2950, 2951};
  EXPECT_EQ(rule(m), Look::undecided); // too few for an interval
  profile::Clause strict = p.clauses[0];
  strict.min = 2950; // the median's interval straddles it
  const Decided both = decided_rule({p.clauses[0], strict}, ctx);
  m.metrics["hbm.triad.gbps"] = samples(2950, 0.005);
  EXPECT_EQ(both(m), Look::undecided); // one of two clauses still straddles
}

TEST(Decide, BoundariesAndBands) {
  profile::Clause c;
  c.min = 10;
  stats::Interval i{11, 10, 12, true, "order-statistic"};
  EXPECT_EQ(decide(i, c), Verdict::pass); // touching the floor still clears it
  i = {9, 8, 9.99, true, "order-statistic"};
  EXPECT_EQ(decide(i, c), Verdict::fail);
  i.valid = false;
  EXPECT_EQ(decide(i, c), Verdict::inconclusive);
  c.max = 20;
  i = {15, 12, 18, true, ""};
  EXPECT_EQ(decide(i, c), Verdict::pass);
  i = {19, 18, 21, true, ""};
  EXPECT_EQ(decide(i, c), Verdict::inconclusive);
  i = {25, 21, 30, true, ""};
  EXPECT_EQ(decide(i, c), Verdict::fail);
}

// Each threshold is inclusive: a clause "min: 10" is met by 10 and "max: 20" by 20, so an interval
// that touches the threshold from the good side clears it and one that touches it from the bad
// side cannot rule out a value exactly on it (undecided, not FAIL).
TEST(Decide, AnIntervalTouchingTheThresholdFromTheGoodSideClearsIt) {
  profile::Clause floor;
  floor.min = 10;
  EXPECT_EQ(decide({11, 10, 12, true, ""}, floor), Verdict::pass);
  profile::Clause ceiling;
  ceiling.max = 20;
  EXPECT_EQ(decide({19, 18, 20, true, ""}, ceiling), Verdict::pass);
  profile::Clause band;
  band.min = 10;
  band.max = 20;
  EXPECT_EQ(decide({15, 10, 20, true, ""}, band), Verdict::pass);
}

TEST(Decide, AnIntervalTouchingTheThresholdFromTheBadSideIsUndecided) {
  profile::Clause floor;
  floor.min = 10;
  EXPECT_EQ(decide({9, 8, 10, true, ""}, floor), Verdict::inconclusive);
  EXPECT_EQ(decide({9, 8, 9.999, true, ""}, floor), Verdict::fail);
  profile::Clause ceiling;
  ceiling.max = 20;
  EXPECT_EQ(decide({21, 20, 22, true, ""}, ceiling), Verdict::inconclusive);
  EXPECT_EQ(decide({21, 20.001, 22, true, ""}, ceiling), Verdict::fail);
}

// An infinite end is a missing bound (the sequential interval of a p10 has no lower end at
// first): it decides nothing, while the other end still decides what it can. NaN never decides.
TEST(Decide, AnInfiniteEndIsNoBoundAndANanEndIsNeverDecided) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  profile::Clause floor;
  floor.min = 10;
  EXPECT_EQ(decide({11, 11, inf, true, ""}, floor), Verdict::pass); // the lower end clears it
  EXPECT_EQ(decide({11, -inf, 12, true, ""}, floor), Verdict::inconclusive); // no lower end
  EXPECT_EQ(decide({5, -inf, 5, true, ""}, floor), Verdict::fail); // the upper end misses it
  EXPECT_EQ(decide({11, nan, 12, true, ""}, floor), Verdict::inconclusive);
  EXPECT_EQ(decide({11, 11, nan, true, ""}, floor), Verdict::inconclusive);
  EXPECT_EQ(decide({11, inf, inf, true, ""}, floor), Verdict::inconclusive); // a broken end
  profile::Clause ceiling;
  ceiling.max = 3;
  EXPECT_EQ(decide({2, -inf, 2.5, true, ""}, ceiling), Verdict::pass);
  EXPECT_EQ(decide({2.5, 1, inf, true, ""}, ceiling), Verdict::inconclusive);
  EXPECT_EQ(decide({4, 3.5, inf, true, ""}, ceiling), Verdict::fail);
  EXPECT_EQ(decide({2, 1, nan, true, ""}, ceiling), Verdict::inconclusive);
  EXPECT_EQ(decide({2, -inf, -inf, true, ""}, ceiling), Verdict::inconclusive);
  EXPECT_EQ(decide({2, -inf, inf, false, ""}, ceiling), Verdict::inconclusive);
}

TEST(Verdict, ANonFiniteSampleIsABrokenMeasurementNeverAFigure) {
  // A sample timed at zero seconds reads as infinite bandwidth, and a null in a results file as
  // NaN: a timing fault, not a fast GPU. The median would shrug off a few; the engine must not.
  for (const double bad :
       {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    Results r = healthy_results();
    auto& v = measurement_of(r, "hbm.triad", "gpu0").metrics["hbm.triad.gbps"];
    v.assign(v.size() - 4, 2950);
    v.insert(v.end(), 4, bad);
    const auto cert = evaluate(unit_profile(), r);
    const auto& k = find(cert, "hbm-triad", "gpu0");
    EXPECT_EQ(k.verdict, Verdict::error);
    EXPECT_EQ(k.message, "4 of 20 samples of hbm.triad.gbps are not finite numbers (NaN or "
                         "infinite): the measurement is broken");
    EXPECT_FALSE(k.value);
    EXPECT_EQ(cert.outcome, report::Outcome::not_certified);
  }
}

TEST(Verdict, AllSkippedNeverCertifies) {
  // A complete run in which every check was SKIPPED verified nothing: NOT CERTIFIED, exit 1.
  Results r = healthy_results();
  Measurement& m = measurement_of(r, "p2p.uni", "gpu0-gpu1");
  m.status = MeasurementStatus::skipped;
  m.message = "no peer access between GPU 0 and GPU 1";
  const auto p = profile::parse_profile(builtin_registry(),
                                        "schema: gpucert/profile/v1\nname: x\nclauses:\n"
                                        "  - {id: p2p, metric: p2p.uni.gbps, each: gpu-pair, "
                                        "min: 335}\n",
                                        "x.yaml");
  const auto cert = evaluate(p, r);
  ASSERT_EQ(cert.checks.size(), 1u);
  EXPECT_EQ(cert.checks[0].verdict, Verdict::skipped);
  EXPECT_EQ(cert.counts.skipped, 1);
  EXPECT_EQ(cert.counts.pass, 0);
  EXPECT_EQ(cert.outcome, report::Outcome::not_certified);
  EXPECT_EQ(report::exit_code(cert), 1);
  EXPECT_EQ(cert.summary, "no check passed: nothing was verified");
}

TEST(Verdict, SkippedAndInconclusiveCountSeparately) {
  Results r = healthy_results();
  measurement_of(r, "hbm.triad", "gpu0").metrics["hbm.triad.gbps"] = samples(2800, 0.05);
  Measurement& p2p = measurement_of(r, "p2p.uni", "gpu0-gpu1");
  p2p.status = MeasurementStatus::skipped;
  p2p.message = "no peer access";
  const auto cert = evaluate(unit_profile(), r);
  EXPECT_EQ(cert.counts.inconclusive, 1);
  EXPECT_EQ(cert.counts.skipped, 1);
  EXPECT_EQ(cert.counts.pass, cert.counts.total - 2);
  EXPECT_EQ(cert.outcome, report::Outcome::inconclusive);
  EXPECT_EQ(cert.summary, "1 of 20 checks could not be decided within their sampling budget");
}

TEST(Verdict, WrongResultsFailEvenWhenTheFiguresClearTheFloor) {
  // status ok but the result check failed: still FAIL, never re-decided on speed.
  Results r = healthy_results();
  Measurement& m = measurement_of(r, "hbm.triad", "gpu0");
  m.verification = {true, false, "61 of 4096 elements differ"};
  const auto& k = find(evaluate(unit_profile(), r), "hbm-triad", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::fail);
  EXPECT_EQ(k.cause, "wrong results: 61 of 4096 elements differ");
}

TEST(Verdict, AMeasurementWithoutSamplesOfTheMetricIsError) {
  Results r = healthy_results();
  measurement_of(r, "pcie.h2d", "gpu0").metrics["pcie.h2d.gbps"] = {};
  const auto& k = find(evaluate(unit_profile(), r), "pcie-h2d", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::error);
  EXPECT_EQ(k.message, "no samples of pcie.h2d.gbps were recorded");
}

TEST(Verdict, ARerunSupersedesTheEarlierMeasurement) {
  Results r = healthy_results();
  Measurement again = measurement_of(r, "hbm.triad", "gpu0");
  again.metrics["hbm.triad.gbps"] = samples(2000, 0.005);
  r.measurements.push_back(again); // the later one counts: FAIL
  EXPECT_EQ(find(evaluate(unit_profile(), r), "hbm-triad", "gpu0").verdict, Verdict::fail);
  r.measurements.back().metrics["hbm.triad.gbps"] = samples(2950, 0.005);
  measurement_of(r, "hbm.triad", "gpu0").metrics["hbm.triad.gbps"] = samples(2000, 0.005);
  EXPECT_EQ(find(evaluate(unit_profile(), r), "hbm-triad", "gpu0").verdict, Verdict::pass);
}

TEST(Verdict, HealthReadingExactlyOnItsThresholdPasses) {
  const auto p =
      profile::parse_profile(builtin_registry(),
                             "schema: gpucert/profile/v1\nname: x\nclauses:\n"
                             "  - {id: links, metric: inventory.nvlink_links, min: 18}\n"
                             "  - {id: ecc, metric: inventory.ecc_uncorrected, max: 0}\n",
                             "x.yaml");
  Results r = healthy_results();
  const auto cert = evaluate(p, r);
  EXPECT_EQ(find(cert, "links", "gpu0").verdict, Verdict::pass);
  EXPECT_EQ(find(cert, "ecc", "gpu0").verdict, Verdict::pass);
  r.inventory_before.gpus[0].nvlink_links_active = 17;
  EXPECT_EQ(find(evaluate(p, r), "links", "gpu0").verdict, Verdict::fail);
}

TEST(Verdict, TheInventoryAfterTheRunIsCheckedToo) {
  // A GPU that develops an uncorrectable error or a pending remap during the run FAILs, and one
  // lost during the run (NVML cannot read it afterwards) is ERROR: never PASS on the "before".
  Results r = healthy_results();
  r.inventory_after->gpus[1].ecc_uncorrected_aggregate = 2;
  r.inventory_after->gpus[1].remapped_rows_pending = true;
  auto cert = evaluate(unit_profile(), r);
  auto ecc = find(cert, "ecc", "gpu1");
  EXPECT_EQ(ecc.verdict, Verdict::fail);
  EXPECT_EQ(ecc.cause, "reads 2 after the run, expected ≤ 0 errors");
  EXPECT_EQ(find(cert, "remap", "gpu1").verdict, Verdict::fail);
  EXPECT_EQ(find(cert, "ecc", "gpu0").verdict, Verdict::pass);

  r = healthy_results();
  GpuInfo& lost = r.inventory_after->gpus[1];
  lost.ecc_uncorrected_volatile.reset();
  lost.ecc_uncorrected_aggregate.reset();
  lost.remapped_rows_pending.reset();
  lost.unavailable["ecc_uncorrected_volatile"] = "GPU is lost";
  lost.unavailable["remapped_rows_pending"] = "GPU is lost";
  cert = evaluate(unit_profile(), r);
  ecc = find(cert, "ecc", "gpu1");
  EXPECT_EQ(ecc.verdict, Verdict::error);
  EXPECT_EQ(ecc.message, "inventory.ecc_uncorrected after the run: GPU is lost");
  EXPECT_EQ(find(cert, "remap", "gpu1").verdict, Verdict::error);
  EXPECT_EQ(cert.outcome, report::Outcome::not_certified);
}

TEST(Verdict, UncorrectableEccCountsTheLargerOfTheTwoCounters) {
  Results r = healthy_results();
  r.inventory_before.gpus[0].ecc_uncorrected_volatile = 0;
  r.inventory_before.gpus[0].ecc_uncorrected_aggregate = 3; // from before the last reset
  const auto& k = find(evaluate(unit_profile(), r), "ecc", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::fail);
  ASSERT_TRUE(k.value);
  EXPECT_EQ(*k.value, 3);
}

TEST(Verdict, APcieLinkTrainedDownInWidthOnlyIsNamed) {
  Results r = healthy_results();
  r.inventory_before.gpus[1].pcie_width_current = 8;
  *r.inventory_after = r.inventory_before;
  measurement_of(r, "pcie.h2d", "gpu1").metrics["pcie.h2d.gbps"] = samples(27, 0.01);
  const auto& k = find(evaluate(unit_profile(), r), "pcie-h2d", "gpu1");
  EXPECT_EQ(k.verdict, Verdict::fail);
  EXPECT_EQ(k.cause, "PCIe link trained down to gen5 x8 (capable of gen5 x16)");
}

} // namespace
} // namespace gpucert::evaluate
