// compare_runs and spot_compare on hand-built certificates: each verdict from data made for it,
// orientation by higher_is_better, what is not compared and why, Holm across checks, the exit
// codes; the spot-check's draw and identity check.
#include "harness/compare/compare_runs.hpp"
#include "harness/compare/spot_check.hpp"
#include "harness/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <set>

namespace gpucert::compare {
namespace {

std::vector<double> samples(double median, double cv, int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::vector<double> v(n);
  for (double& x : v)
    x = median * std::exp(cv * z(rng));
  return v;
}

report::Check check(const std::string& id, const std::string& target, std::vector<double> s,
                    bool higher = true) {
  report::Check c;
  c.clause_id = id;
  c.metric = "gemm.tflops";
  c.kind = "benchmark";
  c.target = target;
  c.verdict = report::Verdict::pass;
  c.samples = std::move(s);
  c.n = static_cast<int>(c.samples.size());
  c.threshold.higher_is_better = higher;
  c.threshold.unit = "TFLOP/s";
  c.params = "dtype=bf16";
  return c;
}

report::Certificate cert(std::vector<report::Check> checks) {
  report::Certificate c;
  c.profile.name = "p";
  c.profile.sha256 = "abc";
  c.checks = std::move(checks);
  return c;
}

const ShiftRow& row(const RunComparison& c, const std::string& id) {
  auto it = std::find_if(c.rows.begin(), c.rows.end(),
                         [&](const ShiftRow& r) { return r.clause_id == id; });
  if (it == c.rows.end())
    throw std::runtime_error("no row " + id);
  return *it;
}

TEST(CompareRuns, EachVerdictFromItsData) {
  const auto base = cert({check("down", "gpu0", samples(800, 0.01, 20, 1)),
                          check("up", "gpu0", samples(800, 0.01, 20, 2)),
                          check("same", "gpu0", samples(800, 0.01, 20, 3)),
                          check("unsure", "gpu0", samples(800, 0.03, 5, 4)),
                          check("latency", "gpu0", samples(2.5, 0.01, 20, 5), false)});
  const auto fresh = cert({check("down", "gpu0", samples(800 * 0.94, 0.01, 20, 11)),
                           check("up", "gpu0", samples(800 * 1.06, 0.01, 20, 12)),
                           check("same", "gpu0", samples(800, 0.01, 20, 13)),
                           check("unsure", "gpu0", samples(800 * 0.98, 0.03, 5, 14)),
                           check("latency", "gpu0", samples(2.5 * 1.06, 0.01, 20, 15), false)});
  const RunComparison c = compare_runs(base, fresh, ShiftOptions{0.02, 0.95});
  EXPECT_EQ(row(c, "down").verdict, kRegressed);
  EXPECT_NEAR(row(c, "down").percent(), -6, 1.0);
  EXPECT_EQ(row(c, "up").verdict, kImproved);
  EXPECT_EQ(row(c, "same").verdict, kSame);
  EXPECT_EQ(row(c, "unsure").verdict, kInconclusive);
  // Latency 6 % higher is worse: lower is better.
  EXPECT_EQ(row(c, "latency").verdict, kRegressed);
  EXPECT_GT(row(c, "latency").percent(), 4);
  // Worst first (in the good direction): the two regressions lead, the improvement is last.
  EXPECT_TRUE(c.rows[0].verdict == kRegressed && c.rows[1].verdict == kRegressed);
  EXPECT_EQ(c.rows.back().clause_id, "up");
  EXPECT_EQ(c.regressed, 2);
  EXPECT_EQ(exit_code(c), 1);
}

TEST(CompareRuns, SameRunsExitZeroAndNothingRegressed) {
  std::vector<report::Check> a, b;
  for (int g = 0; g < 8; ++g) {
    a.push_back(check("gemm", "gpu" + std::to_string(g), samples(800, 0.01, 20, 100 + g)));
    b.push_back(check("gemm", "gpu" + std::to_string(g), samples(800, 0.01, 20, 200 + g)));
  }
  const RunComparison c = compare_runs(cert(a), cert(b), ShiftOptions{});
  EXPECT_EQ(c.same, 8);
  EXPECT_EQ(exit_code(c), 0);
}

TEST(CompareRuns, NotComparedListedWithReason) {
  report::Check lost = check("lost", "gpu0", {});
  lost.verdict = report::Verdict::error;
  lost.message = "GPU lost";
  report::Check health = check("ecc", "gpu0", {});
  health.kind = "health";
  report::Check other_params = check("params", "gpu0", samples(800, 0.01, 10, 7));
  other_params.params = "dtype=fp8";
  const auto base = cert({check("same", "gpu0", samples(800, 0.01, 20, 3)),
                          check("lost", "gpu0", samples(800, 0.01, 20, 4)), health,
                          check("params", "gpu0", samples(800, 0.01, 10, 6)),
                          check("gone", "gpu1", samples(800, 0.01, 10, 8))});
  const auto fresh = cert({check("same", "gpu0", samples(800, 0.01, 20, 13)), lost, health,
                           other_params, check("added", "gpu2", samples(800, 0.01, 10, 9))});
  const RunComparison c = compare_runs(base, fresh, ShiftOptions{});
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.readings, 1);
  std::map<std::string, Unpaired> by;
  for (const Unpaired& u : c.not_compared)
    by[u.clause_id] = u;
  ASSERT_EQ(by.size(), 4u);
  EXPECT_EQ(by["lost"].reason, "new: ERROR without samples: GPU lost");
  EXPECT_TRUE(by["lost"].undecided);
  EXPECT_NE(by["params"].reason.find("parameters differ"), std::string::npos);
  EXPECT_EQ(by["gone"].reason, "only in base");
  EXPECT_TRUE(by["gone"].undecided);
  EXPECT_EQ(by["added"].reason, "only in new");
  EXPECT_FALSE(by["added"].undecided);
  EXPECT_EQ(exit_code(c), 5); // the new run lost measurements the base had
}

TEST(CompareRuns, SiblingClauseOnTheSameSamplesIsListedOnce) {
  const auto s = samples(800, 0.01, 20, 1), t = samples(800 * 0.94, 0.01, 20, 2);
  report::Check sib_a = check("gemm-siblings", "gpu0", s),
                sib_b = check("gemm-siblings", "gpu0", t);
  sib_a.relative = sib_b.relative = report::Relative{};
  const RunComparison c = compare_runs(cert({check("gemm", "gpu0", s), sib_a}),
                                       cert({check("gemm", "gpu0", t), sib_b}), ShiftOptions{});
  ASSERT_EQ(c.rows.size(), 1u);
  ASSERT_EQ(c.not_compared.size(), 1u);
  EXPECT_EQ(c.not_compared[0].reason, "same samples as gemm@gpu0");
}

TEST(CompareRuns, HolmMakesAMarginalClaimAmongManyInconclusive) {
  // One check just beyond the tolerance: alone it is REGRESSED; among 40 checks whose evidence
  // is weaker Holm asks more of it.
  const auto b = samples(800, 0.02, 8, 1);
  std::vector<double> n = b;
  for (double& x : n)
    x *= 0.955;
  const ShiftOptions o{0.02, 0.95};
  const RunComparison alone =
      compare_runs(cert({check("x", "gpu0", b)}), cert({check("x", "gpu0", n)}), o);
  ASSERT_EQ(alone.rows.size(), 1u);
  const double p = alone.rows[0].p_worse;
  ASSERT_LE(p, o.one_sided_level());
  EXPECT_EQ(alone.rows[0].verdict, kRegressed);
  std::vector<report::Check> many_b{check("x", "gpu0", b)}, many_n{check("x", "gpu0", n)};
  for (int i = 0; i < 40; ++i) {
    const std::string id = "y" + std::to_string(i);
    many_b.push_back(check(id, "gpu0", samples(800, 0.02, 8, 50 + i)));
    many_n.push_back(check(id, "gpu0", samples(800, 0.02, 8, 150 + i)));
  }
  const RunComparison many = compare_runs(cert(many_b), cert(many_n), o);
  const ShiftRow& x = row(many, "x");
  EXPECT_DOUBLE_EQ(x.p_worse, p);
  EXPECT_GT(x.p_worse_holm, p);
  if (x.p_worse_holm > o.one_sided_level())
    EXPECT_NE(x.verdict, kRegressed);
}

TEST(CompareRuns, TooFewSamplesIsInconclusive) {
  const RunComparison c = compare_runs(cert({check("x", "gpu0", {800, 801, 799})}),
                                       cert({check("x", "gpu0", {700, 701, 702})}), ShiftOptions{});
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_FALSE(c.rows[0].shift.valid);
  EXPECT_EQ(c.rows[0].verdict, kInconclusive);
  EXPECT_FALSE(c.rows[0].note.empty());
  EXPECT_EQ(exit_code(c), 5);
}

report::Certificate seller(int gpus) {
  std::vector<report::Check> checks;
  for (int g = 0; g < gpus; ++g) {
    report::Check c = check("gemm", "gpu" + std::to_string(g), samples(800, 0.01, 20, g));
    c.gpus = {g};
    checks.push_back(c);
    report::Check h = check("hbm", "gpu" + std::to_string(g), samples(3000, 0.01, 20, 50 + g));
    h.gpus = {g};
    checks.push_back(h);
  }
  report::Check node = check("nccl", "node", samples(470, 0.01, 10, 99));
  node.scope = Scope::node;
  for (int g = 0; g < gpus; ++g)
    node.gpus.push_back(g);
  checks.push_back(node);
  report::Check health = check("ecc", "gpu0", {});
  health.kind = "health";
  checks.push_back(health);
  return cert(checks);
}

std::set<std::string> names(const Draw& d) {
  std::set<std::string> out;
  for (const Drawn& c : d.checks)
    out.insert(check_name(c.clause_id, c.target));
  return out;
}

TEST(SpotDraw, SeededCountedAndRestricted) {
  const report::Certificate s = seller(8);
  const Draw a = draw_checks(s, 0.25, 7, {});
  EXPECT_EQ(a.candidates, 17);    // 16 per-GPU + the node check; the health check is no candidate
  EXPECT_EQ(a.checks.size(), 5u); // ceil(0.25 x 17)
  EXPECT_EQ(names(a), names(draw_checks(s, 0.25, 7, {})));
  bool differs = false;
  for (std::uint64_t seed = 8; seed < 12; ++seed)
    differs |= names(draw_checks(s, 0.25, seed, {})) != names(a);
  EXPECT_TRUE(differs);
  // Restricted to GPU 0: its two checks, no node check; only GPU 0 measured.
  const Draw g0 = draw_checks(s, 1.0, 7, {0});
  EXPECT_EQ(names(g0), (std::set<std::string>{"gemm@gpu0", "hbm@gpu0"}));
  EXPECT_FALSE(g0.all_gpus);
  EXPECT_EQ(g0.gpus, std::vector<int>{0});
  // All of them: the node check is drawn and the whole node is measured.
  const Draw all = draw_checks(s, 1.0, 7, {});
  EXPECT_TRUE(all.all_gpus);
  EXPECT_EQ(all.checks.size(), 17u);
  EXPECT_THROW(draw_checks(s, 0.0, 1, {}), InputError);
  EXPECT_THROW(draw_checks(s, 0.5, 1, {9}), InputError); // no check on GPU 9
}

TEST(SpotCompare, BelowConsistentAndContract) {
  report::Certificate s = seller(2);
  const Draw d = draw_checks(s, 1.0, 1, {0, 1});
  report::Certificate b = s;
  for (report::Check& c : b.checks) {
    if (c.clause_id == "hbm" && c.target == "gpu0") {
      c.samples = samples(3000 * 0.9, 0.01, 20, 500);
      c.verdict = report::Verdict::fail;
      c.cause = "below floor";
    } else if (!c.samples.empty()) {
      c.samples = samples(c.clause_id == "gemm" ? 800 : 3000, 0.01, 20, 600 + c.n);
    }
  }
  const SpotCheck r = spot_compare(s, b, d, ShiftOptions{0.02, 0.95});
  ASSERT_EQ(r.rows.size(), 4u);
  for (const SpotRow& row : r.rows) {
    if (row.shift.clause_id == "hbm" && row.shift.target == "gpu0") {
      EXPECT_EQ(row.verdict, kBelowCertified);
      EXPECT_EQ(row.contract, "FAIL");
    } else {
      EXPECT_EQ(row.verdict, kConsistent) << row.shift.clause_id << row.shift.target;
    }
  }
  EXPECT_EQ(exit_code(r), 1);
  // A drawn check the buyer did not measure: undecided, the contract ERROR.
  report::Certificate partial = s;
  partial.checks.erase(partial.checks.begin());
  const SpotCheck p = spot_compare(s, partial, d, ShiftOptions{});
  EXPECT_EQ(p.rows[0].verdict, kInconclusive);
  EXPECT_EQ(p.rows[0].contract, "ERROR");
  EXPECT_EQ(exit_code(p), 1);
}

TEST(SpotIdentity, MismatchesNamed) {
  Inventory a;
  a.node.hostname = "node-a";
  GpuInfo g;
  g.index = 0;
  g.uuid = "GPU-1";
  g.serial = "S1";
  a.gpus.push_back(g);
  EXPECT_TRUE(check_identity(a, a).match);
  Inventory b = a;
  b.node.hostname = "node-b";
  b.gpus[0].serial = "S2";
  const Identity id = check_identity(a, b);
  EXPECT_FALSE(id.match);
  ASSERT_EQ(id.mismatches.size(), 2u);
  EXPECT_EQ(id.mismatches[0], "hostname: certified node-a, this node node-b");
  EXPECT_EQ(id.mismatches[1], "gpu0 serial: certified S1, this node S2");
  Inventory c = a;
  c.gpus[0].uuid.reset();
  EXPECT_FALSE(check_identity(a, c).match); // unreadable here is no match
  Inventory d = a;
  d.gpus.push_back(g);
  d.gpus[1].index = 1;
  EXPECT_FALSE(check_identity(a, d).match); // another GPU count
}

} // namespace
} // namespace gpucert::compare
