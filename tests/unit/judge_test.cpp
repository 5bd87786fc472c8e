// judge(): the method each statistic and sample series gets, and the error levels behind each
// verdict: exact sequential for quantiles, FAIL harder as the family grows, min/max as tolerance
// bounds, the mean's minimum n and scheduled looks, batch statistics for dependent samples, the
// trend rule, windows for held loads, and INCONCLUSIVE's estimate of the samples it needs.
#include "harness/evaluate/judge.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

namespace gpucert::evaluate {
namespace {

using report::Verdict;

profile::Clause floor_clause(const std::string& stat, double min) {
  profile::Clause c;
  c.id = "c";
  c.metric = "x.gbps";
  c.benchmark = "x";
  c.stat = stat;
  c.min = min;
  return c;
}

std::vector<double> lognormal(std::uint64_t seed, int n, double median, double cv, double rho = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z;
  const double sigma = std::sqrt(std::log1p(cv * cv));
  std::vector<double> v;
  double x = z(rng);
  for (int i = 0; i < n; ++i) {
    v.push_back(median * std::exp(sigma * x));
    x = rho * x + std::sqrt(1 - rho * rho) * z(rng);
  }
  return v;
}

TEST(Judge, LevelsSplitTheFailBudgetOverTheFamily) {
  JudgeContext ctx;
  ctx.family = 129;
  const Levels l = levels_for(ctx);
  EXPECT_NEAR(l.pass, 0.025, 1e-15);
  EXPECT_NEAR(l.fail, 0.025 / 129, 1e-15);
  ctx.family = 0; // never divides by zero
  EXPECT_NEAR(levels_for(ctx).fail, 0.025, 1e-15);
}

TEST(Judge, AMedianClearlyAboveItsFloorPassesSequentially) {
  JudgeContext ctx;
  const Judgement j = judge(lognormal(1, 20, 800, 0.005), floor_clause("median", 720), ctx);
  EXPECT_EQ(j.verdict, Verdict::pass);
  EXPECT_EQ(j.mode, "sequential");
  EXPECT_TRUE(j.final_at_any_look);
  EXPECT_EQ(j.ci.method, "sequential-order-statistic");
  EXPECT_GE(j.ci.lo, 720);
}

// Ten samples all below the floor FAIL a lone check (a 10-of-10 count is past the boundary at
// 2.5 %), but not one of a 129-check certificate: its FAIL side needs 16 before it can decide.
TEST(Judge, FailNeedsMoreEvidenceInALargerFamily) {
  const auto below = lognormal(2, 10, 700, 0.005);
  JudgeContext lone;
  EXPECT_EQ(judge(below, floor_clause("median", 720), lone).verdict, Verdict::fail);
  JudgeContext node;
  node.family = 129;
  const Judgement j = judge(below, floor_clause("median", 720), node);
  EXPECT_EQ(j.verdict, Verdict::inconclusive);
  EXPECT_TRUE(std::isinf(j.ci.hi)); // no upper bound yet at this family size
  EXPECT_EQ(judge(lognormal(2, 16, 700, 0.005), floor_clause("median", 720), node).verdict,
            Verdict::fail);
}

TEST(Judge, MinIsAToleranceBoundThatNeeds368Samples) {
  JudgeContext ctx;
  ctx.n_max = 400;
  const auto clause = floor_clause("min", 700);
  const Judgement early = judge(lognormal(3, 200, 800, 0.01), clause, ctx);
  EXPECT_EQ(early.verdict, Verdict::inconclusive); // every sample above 700, but only 200
  EXPECT_DOUBLE_EQ(early.q, 0.01);
  const Judgement enough = judge(lognormal(3, 368, 800, 0.01), clause, ctx);
  EXPECT_EQ(enough.verdict, Verdict::pass);
  std::vector<double> one_low = lognormal(3, 368, 800, 0.01);
  one_low[100] = 650;
  const Judgement dipped = judge(one_low, clause, ctx);
  EXPECT_NE(dipped.verdict, Verdict::pass);
  EXPECT_DOUBLE_EQ(dipped.ci.point, 650); // the point shown is the observed minimum
}

TEST(Judge, TheMeanNeedsThirtySamplesAndStopsOnlyAtItsScheduledLooks) {
  JudgeContext ctx;
  const auto clause = floor_clause("mean", 720);
  const Judgement few = judge(lognormal(4, 29, 800, 0.01), clause, ctx);
  EXPECT_EQ(few.verdict, Verdict::inconclusive);
  EXPECT_NE(few.why.find("at least 30"), std::string::npos) << few.why;
  const Judgement at30 = judge(lognormal(4, 30, 800, 0.01), clause, ctx);
  EXPECT_EQ(at30.verdict, Verdict::pass);
  EXPECT_EQ(at30.ci.method, "student-t");
  EXPECT_TRUE(at30.final_at_any_look);
  EXPECT_FALSE(judge(lognormal(4, 31, 800, 0.01), clause, ctx).final_at_any_look);
  EXPECT_TRUE(judge(lognormal(4, 60, 800, 0.01), clause, ctx).final_at_any_look);
}

// Strongly autocorrelated samples sitting 1 % above the floor: independent-sample arithmetic
// would PASS them; batch statistics see how few independent batches there are.
TEST(Judge, DependentSamplesAreJudgedOnBatchesReadOnlyAtTheEnd) {
  JudgeContext ctx;
  const auto v = lognormal(5, 200, 727.2, 0.02, 0.9);
  const Judgement j = judge(v, floor_clause("median", 720), ctx);
  ASSERT_TRUE(j.diagnosis.autocorrelated);
  EXPECT_EQ(j.mode, "batch");
  EXPECT_FALSE(j.final_at_any_look);
  EXPECT_EQ(j.batches, 20);
  EXPECT_EQ(j.batch_size, 10);
  EXPECT_EQ(j.ci.method, "batch-proportion");
  EXPECT_LE(j.ci.lo, j.ci.point);
  EXPECT_GE(j.ci.hi, j.ci.point);
}

// Dependence seen at an earlier look sticks: clean-looking final samples are still judged on
// batches, and no independent-sample verdict may stop the runner.
TEST(Judge, DependenceSeenEarlierKeepsBatchStatistics) {
  JudgeContext ctx;
  const auto v = lognormal(7, 40, 800, 0.005);
  EXPECT_EQ(judge(v, floor_clause("median", 720), ctx).mode, "sequential");
  ctx.dependent = true;
  const Judgement j = judge(v, floor_clause("median", 720), ctx);
  EXPECT_EQ(j.mode, "batch");
  EXPECT_FALSE(j.final_at_any_look);
  // And fewer than 20 samples never stop the runner, however clear.
  JudgeContext plain;
  EXPECT_FALSE(
      judge(lognormal(7, 19, 800, 0.005), floor_clause("median", 720), plain).final_at_any_look);
}

TEST(Judge, ADriftingFigurePassesOnlyIfItsLastWindowMeetsTheFloor) {
  JudgeContext ctx;
  // Falls linearly from 900 to 700 over 200 samples: most of it far above 720, the end below.
  std::vector<double> v;
  for (int i = 0; i < 200; ++i)
    v.push_back(900 - i + (i % 2 ? 0.5 : -0.5));
  const Judgement j = judge(v, floor_clause("p10", 650), ctx);
  ASSERT_TRUE(j.diagnosis.trending);
  EXPECT_EQ(j.verdict, Verdict::pass); // all of it, last window included, clears 650
  const Judgement high = judge(v, floor_clause("median", 720), ctx);
  EXPECT_EQ(high.verdict, Verdict::inconclusive);
  EXPECT_NE(high.why.find("drift"), std::string::npos) << high.why;
}

TEST(Judge, HeldLoadsAreJudgedOnWindowsWithoutTheTrendRule) {
  JudgeContext ctx;
  ctx.sustained = true;
  std::vector<double> v;
  for (int i = 0; i < 300; ++i)
    v.push_back(800 - 0.2 * i + (i % 3)); // a slow, steady decay far above the floor
  const Judgement j = judge(v, floor_clause("p10", 700), ctx);
  EXPECT_EQ(j.mode, "windows");
  EXPECT_EQ(j.batches, 20);
  EXPECT_EQ(j.verdict, Verdict::pass);
}

// A GPU that throttles for the last quarter of its soak: its slowest tenth of the windows ran at
// 480, so the soak's p10 floor of 700 FAILs, even in a 129-check certificate.
TEST(Judge, AHeldLoadThatThrottlesPartWayFailsItsWindowFloor) {
  JudgeContext ctx;
  ctx.sustained = true;
  ctx.family = 129;
  std::vector<double> v = lognormal(8, 216, 797, 0.004);
  for (double x : lognormal(9, 72, 479, 0.004))
    v.push_back(x);
  const Judgement j = judge(v, floor_clause("p10", 700), ctx);
  EXPECT_EQ(j.mode, "windows");
  EXPECT_EQ(j.ci.method, "window-medians");
  EXPECT_EQ(j.verdict, Verdict::fail) << j.ci.lo << " " << j.ci.hi;
  EXPECT_NEAR(j.ci.point, 479, 5);
  // Too few samples for windows at these levels: undecided, never PASS.
  const Judgement few = judge(lognormal(8, 30, 797, 0.004), floor_clause("p10", 700), ctx);
  EXPECT_EQ(few.verdict, Verdict::inconclusive);
  EXPECT_NE(few.why.find("too few"), std::string::npos) << few.why;
}

TEST(Judge, InconclusiveEstimatesTheSamplesThatWouldDecide) {
  JudgeContext ctx;
  ctx.n_max = 30;
  // 30 samples, 12 of them (40 %) just below the floor, in an order without trend or
  // positive autocorrelation: near the floor, not decidable at 30.
  std::vector<double> v;
  for (int i = 0; i < 30; ++i)
    v.push_back(i % 5 == 0 || i % 5 == 2 ? 719 : 721);
  const Judgement j = judge(v, floor_clause("median", 720), ctx);
  ASSERT_EQ(j.verdict, Verdict::inconclusive);
  EXPECT_TRUE(std::isfinite(j.samples_needed));
  EXPECT_GT(j.samples_needed, 30);
  EXPECT_DOUBLE_EQ(j.p_below, 0.4);
  EXPECT_EQ(j.mode, "sequential");
  // On the threshold itself (half below), no sample count is likely to decide it.
  std::vector<double> even;
  for (int i = 0; i < 30; ++i)
    even.push_back(i % 2 ? 719 : 721);
  EXPECT_TRUE(std::isinf(judge(even, floor_clause("median", 720), ctx).samples_needed));
}

} // namespace
} // namespace gpucert::evaluate
