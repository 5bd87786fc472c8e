// The renderers' fixture certificate (render_test.cpp, report_content_test.cpp and the goldens in
// tests/data/golden/ are made from it): one check of every verdict, each row self-consistent (its
// metric, unit, threshold, parameters, samples and message agree with its clause), plus text that
// needs escaping in every format. tests/data/golden/README.md says what each row must show.
#pragma once

#include "harness/model/certificate.hpp"

#include <string>

namespace gpucert::test {

inline report::Check fixture_check(const std::string& id, const std::string& target,
                                   report::Verdict v) {
  report::Check k;
  k.clause_id = id;
  k.metric = "hbm.triad.gbps";
  k.kind = "benchmark";
  k.scope = Scope::gpu;
  k.target = target;
  k.gpus = {target.back() - '0'};
  k.verdict = v;
  k.stat = "median";
  k.confidence = 0.95;
  k.threshold.min = 2800;
  k.threshold.unit = "GB/s";
  k.params = "bytes=1073741824";
  k.started_at = "2026-01-31T10:00:00.000Z";
  k.finished_at = "2026-01-31T10:00:01.500Z";
  k.simulated = true;
  return k;
}

/// A simulated certificate: hbm-triad PASS on gpu0, FAIL on gpu5 (thermal fault), ERROR on gpu3
/// (GPU lost); launch INCONCLUSIVE on gpu0; p2p SKIPPED on gpu0-gpu3 (no peer access).
inline report::Certificate sample_certificate() {
  using report::Verdict;
  report::Certificate c;
  c.tool_version = "0.1.0";
  c.git_revision = "abcdef123456";
  c.simulated = true;
  c.outcome = report::Outcome::not_certified;
  // As evaluate words it: failures, then errors, then "target clause" of each FAIL/ERROR in order.
  c.summary =
      "1 of 5 checks failed, 1 of 5 checks could not be measured (gpu5 hbm-triad, gpu3 hbm-triad)";
  const std::string profile_name = "h100-sxm5-80gb-8x-standard";
  c.profile = {profile_name,
               "HGX H100",
               "standard",
               std::string(64, 'a'),
               {{"p.yaml", std::string(64, 'a')}},
               0.95};
  c.results.complete = true;
  c.results.backend = "sim";
  c.results.started_at = "2026-01-31T10:00:00.000Z";
  c.results.finished_at = "2026-01-31T10:05:00.000Z";
  c.results.tool_version = "0.1.0";
  c.results.git_revision = "abcdef123456";
  c.results.planned_profile_name = profile_name;
  c.results.planned_profile_sha256 = std::string(64, 'a');
  c.results.sha256 = std::string(64, 'b');
  c.inventory.simulated = true;
  c.inventory.sim_node = "h100-sxm5-80gb-8x";
  c.inventory.sim_faults = {"gpu5:thermal"};
  c.inventory.collected_at = "2026-01-31T10:00:00Z";
  c.inventory.node.hostname = "node<017>";
  c.inventory.node.driver_version = "580.95.05";
  for (int i : {0, 3, 5}) {
    GpuInfo g;
    g.index = i;
    g.name = "NVIDIA H100 80GB HBM3";
    g.pcie_gen_current = 5;
    g.pcie_width_current = 16;
    g.nvlink_links_active = g.nvlink_links_total = 18;
    g.ecc_enabled = true;
    g.ecc_uncorrected_volatile = 0;
    g.serial = "16522230" + std::to_string(i);
    c.inventory.gpus.push_back(g);
  }

  // PASS: the whole interval 2961–2979 clears 2800; median of the 12 samples is 2970.5.
  report::Check pass = fixture_check("hbm-triad", "gpu0", Verdict::pass);
  pass.value = 2970.5;
  pass.ci_lo = 2961;
  pass.ci_hi = 2979;
  pass.ci_method = "order-statistic";
  pass.n = 12;
  pass.margin = 170.5;
  pass.margin_rel = 170.5 / 2800;
  pass.samples = {2955, 2958, 2961, 2964, 2967, 2970, 2971, 2974, 2977, 2979, 2982, 2985};
  pass.stop_reason = "target_ci_reached";
  TelemetrySummary cool;
  cool.available = true;
  cool.samples = 10;
  cool.sm_clock_mhz_mean = 1950;
  cool.temperature_c_max = 61;
  cool.throttle_fraction = {{"hw_slowdown", 0}};
  pass.telemetry[0] = cool;

  // FAIL: the whole interval 2030–2050 misses 2800; the cause is the thermal fault, as its
  // telemetry shows. The cause also carries markup every format must escape.
  report::Check fail = fixture_check("hbm-triad", "gpu5", Verdict::fail);
  fail.value = 2040;
  fail.ci_lo = 2030;
  fail.ci_hi = 2050;
  fail.ci_method = "order-statistic";
  fail.n = 10;
  fail.margin = -760;
  fail.margin_rel = -760.0 / 2800;
  fail.samples = {2025, 2028, 2031, 2035, 2039, 2041, 2045, 2049, 2052, 2055};
  fail.stop_reason = "decided";
  TelemetrySummary hot;
  hot.available = true;
  hot.samples = 10;
  hot.sm_clock_mhz_mean = 1410;
  hot.temperature_c_max = 87;
  hot.throttle_fraction = {{"hw_slowdown", 0.41}};
  fail.telemetry[5] = hot;
  fail.cause = "HW slowdown (thermal) 41% of window, 87 °C & <rising> | \"hot\"";

  // ERROR: the GPU was lost during setup, nothing was measured (no value, no interval, n = 0).
  // The message carries a control byte that XML forbids.
  report::Check error = fixture_check("hbm-triad", "gpu3", Verdict::error);
  error.message = "setup: GPU 3 fell off the bus\x01 (cudaErrorDevicesUnavailable)";
  error.stop_reason = "error";
  error.finished_at = "2026-01-31T10:00:00.250Z"; // lost a quarter second in

  // INCONCLUSIVE: a launch-latency clause (≤ 3 us, lower is better) whose interval 2.9–3.1
  // straddles 3 after the sampling budget (max_samples) was spent.
  report::Check undecided = fixture_check("launch", "gpu0", Verdict::inconclusive);
  undecided.metric = "launch.issue.us";
  undecided.params = "launches=1000";
  undecided.threshold.min.reset();
  undecided.threshold.max = 3;
  undecided.threshold.unit = "us";
  undecided.threshold.higher_is_better = false;
  undecided.value = 2.98;
  undecided.ci_lo = 2.9;
  undecided.ci_hi = 3.1;
  undecided.ci_method = "order-statistic";
  undecided.n = 200;
  undecided.margin = 3 - 2.98;
  undecided.margin_rel = (3 - 2.98) / 3;
  undecided.stop_reason = "max_samples";
  undecided.message =
      "95% interval 2.9–3.1 straddles the threshold ≤ 3 us after 200 samples (max_samples)";

  // SKIPPED: a P2P clause (≥ 335 GB/s per pair) on a pair without peer access.
  report::Check skipped = fixture_check("p2p", "gpu0-gpu3", Verdict::skipped);
  skipped.scope = Scope::gpu_pair;
  skipped.gpus = {0, 3};
  skipped.metric = "p2p.uni.gbps";
  skipped.params = "bytes=268435456 engine=ce";
  skipped.threshold.min = 335;
  skipped.threshold.unit = "GB/s";
  skipped.message = "no peer access between GPU 0 and GPU 3";
  skipped.finished_at = skipped.started_at; // nothing ran

  c.checks = {pass, fail, error, undecided, skipped};
  c.counts = report::count(c.checks);
  return c;
}

/// The same certificate as measured on real hardware: no simulator anywhere in it.
inline report::Certificate real_certificate() {
  report::Certificate c = sample_certificate();
  c.simulated = false;
  c.results.backend = "cuda";
  c.inventory.simulated = false;
  c.inventory.sim_node.clear();
  c.inventory.sim_faults.clear();
  for (auto& k : c.checks)
    k.simulated = false;
  return c;
}

} // namespace gpucert::test
