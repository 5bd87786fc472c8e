// Sibling-relative clauses (`relative: siblings`): the profile form and its errors, and the
// verdict on hand-built results: a GPU well below its siblings FAILs naming it and their median,
// a common spread PASSes, too few targets is SKIPPED, unusable siblings are left out and named.
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/evaluate/checks.hpp"
#include "harness/evaluate/evaluate.hpp"
#include "harness/model/certificate.hpp"
#include "harness/profile/profile.hpp"
#include "harness/profile/profile_yaml.hpp"
#include "harness/stats/sequential.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <limits>
#include <string>
#include <vector>

namespace gpucert::evaluate {
namespace {

using report::Verdict;

constexpr const char* kProfile = R"(schema: gpucert/profile/v1
name: siblings
method: {confidence: 0.95, min_samples: 10, max_samples: 200}
clauses:
  - {id: gemm-sib, metric: gemm.tflops, relative: siblings, min_ratio: 0.92}
  - {id: p2p-sib, metric: p2p.uni.gbps, each: gpu-pair, stat: p50, relative: siblings, min_ratio: 0.92}
)";

profile::Profile sibling_profile() {
  return profile::parse_profile(builtin_registry(), kProfile, "siblings.yaml");
}

/// `n` samples spread evenly over center × [1 − spread, 1 + spread], in a scrambled order (an
/// ordered run would read as a trend).
std::vector<double> samples(double center, double spread = 0.003, int n = 60) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    v[static_cast<size_t>((i * 37) % n)] = center * (1 - spread + 2 * spread * i / (n - 1));
  return v;
}

Measurement measurement(const std::string& benchmark, const std::string& metric, Target t,
                        std::vector<double> values) {
  Measurement m;
  m.benchmark = benchmark;
  m.params = Registry::resolve(*builtin_registry().find(benchmark), {});
  m.target = std::move(t);
  m.metrics[metric] = std::move(values);
  m.seconds.assign(m.metrics[metric].size(), 1e-3);
  m.verification = {true, true, "ok"};
  m.stop_reason = "decided";
  return m;
}

/// A complete run on GPUs 0..centers.size()-1 with GEMM medians at `centers`.
Results gemm_results(const std::vector<double>& centers) {
  Results r;
  r.complete = true;
  r.backend = "sim";
  for (int g = 0; g < static_cast<int>(centers.size()); ++g) {
    GpuInfo info;
    info.index = g;
    r.inventory_before.gpus.push_back(info);
    r.measurements.push_back(measurement("gemm", "gemm.tflops", {Scope::gpu, {g}},
                                         samples(centers[static_cast<size_t>(g)])));
  }
  return r;
}

/// GPU 3 at 722 TFLOP/s among seven siblings at 790-801 (the case of issue 9).
const std::vector<double> kSlowGpu3 = {790, 792, 794, 722, 795, 797, 799, 801};

report::Check find(const report::Certificate& c, const std::string& id, const std::string& target) {
  for (const auto& k : c.checks)
    if (k.clause_id == id && k.target == target)
      return k;
  throw std::runtime_error("no check " + id + " on " + target);
}

profile::Profile gemm_only() {
  auto p = sibling_profile();
  p.clauses.resize(1);
  return p;
}

TEST(Siblings, AGpuNinePercentBelowItsSiblingsFailsNamingItAndTheirMedian) {
  const auto cert = evaluate(gemm_only(), gemm_results(kSlowGpu3));
  const auto k = find(cert, "gemm-sib", "gpu3");
  ASSERT_EQ(k.verdict, Verdict::fail) << k.message;
  ASSERT_TRUE(k.value);
  EXPECT_NEAR(*k.value, 722.0 / 795.0, 1e-3);
  EXPECT_NE(k.cause.find("gpu3 median 722.0 TFLOP/s is 0.908 of its 7 siblings' median 795.0"),
            std::string::npos)
      << k.cause;
  EXPECT_NE(k.cause.find("floor 0.92"), std::string::npos) << k.cause;
  // An absolute floor of 720 would have passed it; every sibling passes.
  for (int g : {0, 1, 2, 4, 5, 6, 7})
    EXPECT_EQ(find(cert, "gemm-sib", "gpu" + std::to_string(g)).verdict, Verdict::pass) << g;
  EXPECT_EQ(cert.outcome, report::Outcome::not_certified);
}

TEST(Siblings, TheCheckCarriesTheRatioItsIntervalAndTheReference) {
  const auto k = find(evaluate(gemm_only(), gemm_results(kSlowGpu3)), "gemm-sib", "gpu3");
  EXPECT_EQ(k.kind, "benchmark");
  EXPECT_EQ(k.ci_method, "sibling-ratio");
  EXPECT_EQ(k.mode, "relative");
  EXPECT_EQ(k.stat, "median");
  EXPECT_EQ(k.threshold.min, 0.92);
  EXPECT_EQ(k.threshold.unit, "ratio");
  EXPECT_EQ(k.n, 60);
  EXPECT_EQ(k.samples.size(), 60u);
  EXPECT_FALSE(k.params.empty());
  ASSERT_TRUE(k.ci_lo && k.ci_hi && k.value);
  EXPECT_LE(*k.ci_lo, *k.value);
  EXPECT_LE(*k.value, *k.ci_hi);
  EXPECT_LT(*k.ci_hi, 0.92);
  ASSERT_TRUE(k.relative);
  EXPECT_EQ(k.relative->min_ratio, 0.92);
  EXPECT_NEAR(k.relative->reference, 795.0, 1e-9);
  ASSERT_TRUE(k.relative->reference_lo && k.relative->reference_hi);
  EXPECT_LT(*k.relative->reference_lo, 795.0);
  EXPECT_GT(*k.relative->reference_hi, 795.0);
  EXPECT_EQ(k.relative->siblings,
            (std::vector<std::string>{"gpu0", "gpu1", "gpu2", "gpu4", "gpu5", "gpu6", "gpu7"}));
  ASSERT_TRUE(k.pass_level && k.fail_level);
  EXPECT_LE(*k.fail_level, *k.pass_level);
}

// The ends of the ratio are exactly the ends of the targets' own sequential intervals, each at
// its share of the budget: PASS-side ends (lo of the target, hi of each sibling) at pass/8,
// FAIL-side ends at fail/8.
TEST(Siblings, TheRatioEndsAreTheBonferroniSplitIntervalsOfEachTarget) {
  const auto p = gemm_only();
  const Results r = gemm_results(kSlowGpu3);
  const auto cert = evaluate(p, r);
  const auto k = find(cert, "gemm-sib", "gpu3");
  const double pass = cert.error_control.pass_level / 8, fail = cert.error_control.fail_level / 8;
  auto interval = [&](int g, double lower, double upper) {
    const auto d =
        stats::sign_design(0.5, p.method.min_samples, p.method.max_samples, lower, upper);
    return stats::sequential_quantile_ci(
        r.measurements[static_cast<size_t>(g)].metrics.at("gemm.tflops"), *d);
  };
  std::vector<double> his, los;
  for (int g : {0, 1, 2, 4, 5, 6, 7}) {
    his.push_back(interval(g, fail, pass).hi);
    los.push_back(interval(g, fail, pass).lo);
  }
  std::sort(his.begin(), his.end());
  std::sort(los.begin(), los.end());
  ASSERT_TRUE(k.ci_lo && k.ci_hi);
  EXPECT_DOUBLE_EQ(*k.ci_lo, interval(3, pass, fail).lo / his[3]);
  EXPECT_DOUBLE_EQ(*k.ci_hi, interval(3, pass, fail).hi / los[3]);
  EXPECT_DOUBLE_EQ(*k.relative->reference_hi, his[3]);
  EXPECT_DOUBLE_EQ(*k.relative->reference_lo, los[3]);
}

TEST(Siblings, AFivePercentSpreadBetweenHealthyGpusPasses) {
  const auto cert = evaluate(gemm_only(), gemm_results({760, 770, 780, 785, 790, 795, 798, 800}));
  for (const auto& k : cert.checks) {
    EXPECT_EQ(k.verdict, Verdict::pass) << k.target << ": " << k.message << k.cause;
    ASSERT_TRUE(k.ci_lo);
    EXPECT_GE(*k.ci_lo, 0.92);
  }
  EXPECT_EQ(cert.outcome, report::Outcome::certified);
}

TEST(Siblings, ARatioAtTheFloorIsInconclusive) {
  std::vector<double> centers = {790, 792, 794, 0, 795, 797, 799, 801};
  centers[3] = 0.92 * 795;
  Results r = gemm_results(centers);
  r.measurements[3].metrics["gemm.tflops"] = samples(centers[3], 0.02);
  const auto k = find(evaluate(gemm_only(), r), "gemm-sib", "gpu3");
  EXPECT_EQ(k.verdict, Verdict::inconclusive);
  EXPECT_NE(k.message.find("straddles its floor"), std::string::npos) << k.message;
  EXPECT_NE(k.message.find("gpu3"), std::string::npos) << k.message;
}

TEST(Siblings, FewerThanThreeGpusIsSkipped) {
  const auto cert = evaluate(gemm_only(), gemm_results({722, 795}));
  ASSERT_EQ(cert.checks.size(), 2u);
  for (const auto& k : cert.checks) {
    EXPECT_EQ(k.verdict, Verdict::skipped);
    EXPECT_EQ(k.message, "needs at least 3 GPUs (or pairs) to compare");
  }
  // Three GPUs are enough: each has two siblings.
  EXPECT_EQ(find(evaluate(gemm_only(), gemm_results({722, 795, 797})), "gemm-sib", "gpu0").verdict,
            Verdict::fail);
}

TEST(Siblings, AMissingSiblingIsLeftOutOfTheMedianAndNamed) {
  Results r = gemm_results(kSlowGpu3);
  r.measurements.erase(r.measurements.begin() + 5); // gpu5 never measured
  const auto cert = evaluate(gemm_only(), r);
  const auto k = find(cert, "gemm-sib", "gpu3");
  EXPECT_EQ(k.verdict, Verdict::fail);
  EXPECT_NE(k.cause.find("of its 6 siblings' median"), std::string::npos) << k.cause;
  EXPECT_NE(k.message.find("left out of the siblings' median: gpu5 (not measured)"),
            std::string::npos)
      << k.message;
  ASSERT_TRUE(k.relative);
  EXPECT_EQ(std::count(k.relative->siblings.begin(), k.relative->siblings.end(), "gpu5"), 0);
  EXPECT_EQ(k.relative->siblings.size(), 6u);
  const auto own = find(cert, "gemm-sib", "gpu5");
  EXPECT_EQ(own.verdict, Verdict::error);
  EXPECT_EQ(own.message, "not measured");
}

TEST(Siblings, FailedOrWrongSiblingsAreLeftOutAndTooFewLeftIsError) {
  Results r = gemm_results({722, 795, 797});
  r.measurements[1].status = MeasurementStatus::error;
  r.measurements[1].message = "GPU 1 fell off the bus";
  auto k = find(evaluate(gemm_only(), r), "gemm-sib", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::error);
  EXPECT_NE(k.message.find("fewer than 2 of its 2 siblings"), std::string::npos) << k.message;
  EXPECT_NE(k.message.find("gpu1 (measurement failed)"), std::string::npos) << k.message;

  r = gemm_results({722, 795, 797, 799});
  r.measurements[2].verification = {true, false, "mismatch at 17"};
  k = find(evaluate(gemm_only(), r), "gemm-sib", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::fail);
  EXPECT_NE(k.message.find("gpu2 (wrong results)"), std::string::npos) << k.message;
  EXPECT_EQ(k.relative->siblings, (std::vector<std::string>{"gpu1", "gpu3"}));
}

TEST(Siblings, TheTargetsOwnTroubleDecidesAsForAnyBenchmarkClause) {
  Results r = gemm_results({795, 795, 797, 799});
  r.measurements[0].verification = {true, false, "mismatch at 3"};
  auto k = find(evaluate(gemm_only(), r), "gemm-sib", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::fail); // fast but wrong is never PASS
  EXPECT_EQ(k.cause.rfind("wrong results", 0), 0u) << k.cause;

  r = gemm_results({795, 795, 797, 799});
  r.measurements[0].status = MeasurementStatus::error;
  r.measurements[0].message = "GPU 0 fell off the bus";
  k = find(evaluate(gemm_only(), r), "gemm-sib", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::error);
  EXPECT_EQ(k.message, "GPU 0 fell off the bus");

  r = gemm_results({795, 795, 797, 799});
  r.measurements[0].metrics["gemm.tflops"][7] = std::numeric_limits<double>::quiet_NaN();
  k = find(evaluate(gemm_only(), r), "gemm-sib", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::error);
  EXPECT_NE(k.message.find("not finite"), std::string::npos) << k.message;

  r = gemm_results({795, 795, 797, 799});
  r.complete = false;
  r.incomplete_reason = "SIGTERM";
  r.measurements.erase(r.measurements.begin());
  k = find(evaluate(gemm_only(), r), "gemm-sib", "gpu0");
  EXPECT_EQ(k.verdict, Verdict::error);
  EXPECT_EQ(k.message, "not reached: run interrupted (SIGTERM)");
}

TEST(Siblings, APairIsJudgedAgainstTheOtherPairs) {
  auto p = sibling_profile();
  p.clauses.erase(p.clauses.begin()); // p2p only
  Results r;
  r.complete = true;
  for (int g = 0; g < 4; ++g) {
    GpuInfo info;
    info.index = g;
    r.inventory_before.gpus.push_back(info);
  }
  for (const Target& t : targets_for(Scope::gpu_pair, {0, 1, 2, 3}))
    r.measurements.push_back(measurement("p2p.uni", "p2p.uni.gbps", t,
                                         samples(t.gpus == std::vector<int>{1, 2} ? 340 : 390)));
  const auto cert = evaluate(p, r);
  ASSERT_EQ(cert.checks.size(), 6u);
  for (const auto& k : cert.checks) {
    EXPECT_EQ(k.verdict, k.target == "gpu1-gpu2" ? Verdict::fail : Verdict::pass) << k.target;
    EXPECT_EQ(k.relative->siblings.size(), 5u);
  }
  EXPECT_NE(find(cert, "p2p-sib", "gpu1-gpu2").cause.find("gpu1-gpu2 p50 340.0 GB/s"),
            std::string::npos);
  // Two GPUs make one pair: nothing to compare it with.
  const auto two = evaluate(p, gemm_results({795, 795}));
  ASSERT_EQ(two.checks.size(), 1u);
  EXPECT_EQ(two.checks[0].verdict, Verdict::skipped);
}

// --- The runner's rule: sample until the target's own interval is tight ----------------------

TEST(Siblings, PreciseEnoughNeedsTheOwnIntervalNarrowerThanHalfTheRatioBand) {
  const auto p = sibling_profile();
  const auto& c = p.clauses[0];
  const JudgeContext ctx = judge_context(p, {0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_TRUE(detail::sibling_precise_enough(samples(795, 0.003), c, ctx));
  // ±6 %: the interval is wider than (1 - 0.92) / 2 = 4 % of the figure.
  EXPECT_FALSE(detail::sibling_precise_enough(samples(795, 0.06), c, ctx));
  // ±2.5 %: about 3 % wide, enough for a 0.92 floor, not for a 0.96 one (2 %).
  EXPECT_TRUE(detail::sibling_precise_enough(samples(795, 0.025), c, ctx));
  profile::Clause tight = c;
  tight.min_ratio = 0.96;
  EXPECT_FALSE(detail::sibling_precise_enough(samples(795, 0.025), tight, ctx));
  // Too few samples for both ends, none, or a broken one.
  EXPECT_FALSE(detail::sibling_precise_enough(samples(795, 0.003, 8), c, ctx));
  EXPECT_FALSE(detail::sibling_precise_enough({}, c, ctx));
  auto broken = samples(795, 0.003);
  broken[4] = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(detail::sibling_precise_enough(broken, c, ctx));
}

TEST(Siblings, TheRunnerKeepsSamplingASiblingClauseUntilItIsPrecise) {
  const auto p = gemm_only();
  const JudgeContext ctx = judge_context(p, {0, 1, 2, 3, 4, 5, 6, 7});
  const auto rule = decided_rule(p.clauses, ctx);
  Measurement m = measurement("gemm", "gemm.tflops", {Scope::gpu, {0}}, samples(795, 0.003));
  EXPECT_EQ(rule(m), Look::decided);
  m.metrics["gemm.tflops"] = samples(795, 0.06);
  EXPECT_EQ(rule(m), Look::undecided);
  m.metrics.clear();
  EXPECT_EQ(rule(m), Look::undecided);
}

// --- The profile form ---------------------------------------------------------------------------

profile::Profile parse(const std::string& clause) {
  return profile::parse_profile(
      builtin_registry(), "schema: gpucert/profile/v1\nname: t\nclauses:\n" + clause, "t.yaml");
}

std::string error_of(const std::string& clause) {
  try {
    (void)parse(clause);
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(SiblingsProfile, TheFormParsesWithItsFloor) {
  const auto p = sibling_profile();
  ASSERT_EQ(p.clauses.size(), 2u);
  EXPECT_TRUE(p.clauses[0].relative_to_siblings());
  EXPECT_EQ(p.clauses[0].relative, "siblings");
  EXPECT_EQ(p.clauses[0].min_ratio, 0.92);
  EXPECT_FALSE(p.clauses[0].min || p.clauses[0].max);
  EXPECT_EQ(p.clauses[1].each, Scope::gpu_pair);
  EXPECT_EQ(parse("  - {id: x, metric: gemm.tflops, relative: siblings, min_ratio: 1}\n")
                .clauses[0]
                .min_ratio,
            1.0);
}

TEST(SiblingsProfile, EachRuleIsAnErrorAtItsKeyWithFileAndLine) {
  const std::string at = "t.yaml:4:";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{id: x, metric: gemm.tflops, relative: siblings}", "key 'min_ratio'"},
      {"{id: x, metric: gemm.tflops, min: 720, min_ratio: 0.9}", "key 'min_ratio'"},
      {"{id: x, metric: gemm.tflops, relative: node, min_ratio: 0.9}", "key 'relative'"},
      {"{id: x, metric: gemm.tflops, relative: siblings, min_ratio: 0}", "key 'min_ratio'"},
      {"{id: x, metric: gemm.tflops, relative: siblings, min_ratio: 1.01}", "key 'min_ratio'"},
      {"{id: x, metric: gemm.tflops, relative: siblings, min_ratio: 0.9, max: 900}", "key 'max'"},
      {"{id: x, metric: gemm.tflops, stat: min, relative: siblings, min_ratio: 0.9}", "key 'stat'"},
      {"{id: x, metric: gemm.tflops, stat: max, relative: siblings, min_ratio: 0.9}", "key 'stat'"},
      {"{id: x, metric: inventory.memory_gib, relative: siblings, min_ratio: 0.9}",
       "key 'relative'"},
      {"{id: x, metric: launch.graph.us, relative: siblings, min_ratio: 0.9}", "key 'relative'"},
      {"{id: x, metric: nccl.all_reduce.busbw_gbps, relative: siblings, min_ratio: 0.9}",
       "key 'each'"},
  };
  for (const auto& [clause, key] : cases) {
    const std::string msg = error_of("  - " + clause + "\n");
    EXPECT_EQ(msg.rfind(at, 0), 0u) << clause << ": " << msg;
    EXPECT_NE(msg.find(key), std::string::npos) << clause << ": " << msg;
  }
  // A pNN is a quantile like the median.
  EXPECT_EQ(error_of("  - {id: x, metric: gemm.tflops, stat: p10, relative: siblings, "
                     "min_ratio: 0.9}\n"),
            "accepted");
}

TEST(SiblingsProfile, ProfileShowPrintsTheKeysSoTheTextReparsesToTheSameClause) {
  const auto p = sibling_profile();
  const std::string yaml = profile::to_yaml(p);
  EXPECT_NE(yaml.find("relative: siblings"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("min_ratio: 0.92"), std::string::npos) << yaml;
  const auto q = profile::parse_profile(builtin_registry(), yaml, "shown.yaml");
  ASSERT_EQ(q.clauses.size(), p.clauses.size());
  for (size_t i = 0; i < p.clauses.size(); ++i) {
    EXPECT_EQ(q.clauses[i].relative, p.clauses[i].relative);
    EXPECT_EQ(q.clauses[i].min_ratio, p.clauses[i].min_ratio);
    EXPECT_EQ(q.clauses[i].stat, p.clauses[i].stat);
    EXPECT_EQ(q.clauses[i].each, p.clauses[i].each);
  }
}

TEST(SiblingsProfile, ExtendsCarriesChangesAndRemovesTheKeysById) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "gpucert-siblings-extends";
  fs::create_directories(dir);
  std::ofstream(dir / "base.yaml") << kProfile;
  std::ofstream(dir / "child.yaml") << R"(schema: gpucert/profile/v1
name: child
extends: base.yaml
clauses:
  - {id: gemm-sib, min_ratio: 0.95}
  - {id: p2p-sib, relative: null, min_ratio: null, min: 335}
)";
  const auto p = profile::load_profile(builtin_registry(), (dir / "child.yaml").string());
  ASSERT_EQ(p.clauses.size(), 2u);
  EXPECT_TRUE(p.clauses[0].relative_to_siblings());  // inherited
  EXPECT_EQ(p.clauses[0].min_ratio, 0.95);           // changed
  EXPECT_FALSE(p.clauses[1].relative_to_siblings()); // removed: an absolute clause again
  EXPECT_FALSE(p.clauses[1].min_ratio);
  EXPECT_EQ(p.clauses[1].min, 335);
  fs::remove_all(dir);
}

} // namespace
} // namespace gpucert::evaluate
