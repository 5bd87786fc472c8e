// Lot statistics: the exact Clopper–Pearson interval against published values, the sampling
// plan against a brute-force product of the hypergeometric, the bound, and bad arguments.
#include "harness/core/error.hpp"
#include "harness/stats/acceptance.hpp"

#include <gtest/gtest.h>

namespace gpucert::stats {
namespace {

TEST(ClopperPearson, MatchesPublishedValues) {
  // 0 of 10: the upper end is 1 − 0.025^(1/10).
  ExactInterval r = clopper_pearson(0, 10, 0.95);
  EXPECT_DOUBLE_EQ(r.lo, 0);
  EXPECT_NEAR(r.hi, 0.30849, 1e-4);
  // 3 of 50 (R: binom.test(3, 50)$conf.int = 0.01254859 0.16548195).
  r = clopper_pearson(3, 50, 0.95);
  EXPECT_NEAR(r.lo, 0.0125486, 1e-6);
  EXPECT_NEAR(r.hi, 0.1654820, 1e-6);
  r = clopper_pearson(50, 50, 0.95);
  EXPECT_DOUBLE_EQ(r.hi, 1);
  EXPECT_NEAR(r.lo, 1 - 0.0711, 1e-3); // mirror of 0/50
  EXPECT_THROW(clopper_pearson(3, 2, 0.95), InputError);
  EXPECT_THROW(clopper_pearson(0, 0, 0.95), InputError);
  EXPECT_THROW(clopper_pearson(1, 2, 1.0), InputError);
}

/// P(no defective in a sample of n) for a lot of N with D defective: the product formula.
double zero_in_sample(int N, int D, int n) {
  double p = 1;
  for (int i = 0; i < n; ++i)
    p *= double(N - D - i) / (N - i);
  return p;
}

TEST(SamplePlan, ZeroAcceptanceIsTheSmallestSampleThatCatchesTheLimit) {
  const ErrorRates exact{0, 0};
  const SamplePlan plan = sample_plan(1250, 0.01, 0.95, 0, exact);
  ASSERT_TRUE(plan.achieved);
  EXPECT_EQ(plan.rejectable_defective, 13);
  EXPECT_LE(zero_in_sample(1250, 13, plan.sample), 0.05);
  EXPECT_GT(zero_in_sample(1250, 13, plan.sample - 1), 0.05);
  EXPECT_NEAR(plan.accept_at_rejectable, zero_in_sample(1250, 13, plan.sample), 1e-9);
  // The OC: a clean lot is always accepted without false fails, the limit rarely.
  ASSERT_GE(plan.oc.size(), 3u);
  EXPECT_DOUBLE_EQ(plan.oc[0].accept, 1);
}

TEST(SamplePlan, MoreConfidenceOrAMissRateNeedsMoreNodes) {
  const ErrorRates exact{0, 0};
  const int n95 = sample_plan(1250, 0.01, 0.95, 0, exact).sample;
  EXPECT_GT(sample_plan(1250, 0.01, 0.99, 0, exact).sample, n95);
  EXPECT_GT(sample_plan(1250, 0.01, 0.95, 0, ErrorRates{0.025, 0}).sample, n95);
  EXPECT_GT(sample_plan(1250, 0.01, 0.95, 2, exact).sample, n95);
  // False fails do not change the guarantee, only the OC (a good lot is rejected more often).
  const SamplePlan ff = sample_plan(1250, 0.01, 0.95, 0, ErrorRates{0, 0.05});
  EXPECT_EQ(ff.sample, n95);
  EXPECT_LT(ff.oc[0].accept, 1);
  // A tiny lot: the whole lot.
  const SamplePlan small = sample_plan(5, 0.01, 0.95, 0, exact);
  EXPECT_EQ(small.rejectable_defective, 1);
  EXPECT_LE(small.sample, 5);
}

TEST(SamplePlan, BadArgumentsNameTheOption) {
  const ErrorRates r;
  for (auto call :
       {+[] { sample_plan(0, 0.01, 0.95, 0, {}); }, +[] { sample_plan(100, 0, 0.95, 0, {}); },
        +[] { sample_plan(100, 0.01, 1.5, 0, {}); }, +[] { sample_plan(100, 0.01, 0.95, -1, {}); },
        +[] {
          sample_plan(100, 0.01, 0.95, 0, ErrorRates{1.2, 0});
        }})
    EXPECT_THROW(call(), InputError);
  try {
    sample_plan(100, 2, 0.95, 0, r);
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--max-defective"), std::string::npos);
  }
}

TEST(LotBound, ACleanSampleBoundsTheLotAndDefectsRaiseIt) {
  const ErrorRates exact{0, 0};
  const SamplePlan plan = sample_plan(1250, 0.01, 0.95, 0, exact);
  // The plan's sample with nothing found supports at most 1 % defective (fewer than 13).
  const LotBound clean = lot_defect_bound(1250, plan.sample, 0, 0.95, exact);
  EXPECT_LT(clean.max_defective, plan.rejectable_defective);
  EXPECT_GT(zero_in_sample(1250, clean.max_defective, plan.sample), 0.05);
  EXPECT_LE(zero_in_sample(1250, clean.max_defective + 1, plan.sample), 0.05);
  const LotBound two = lot_defect_bound(1250, plan.sample, 2, 0.95, exact);
  EXPECT_GT(two.max_defective, clean.max_defective);
  // A miss rate widens the bound: a defective node can hide behind a wrong PASS.
  EXPECT_GE(lot_defect_bound(1250, plan.sample, 0, 0.95, ErrorRates{0.025, 0}).max_defective,
            clean.max_defective);
  // Sampling the whole lot and finding nothing: nothing left.
  EXPECT_EQ(lot_defect_bound(40, 40, 0, 0.95, exact).max_defective, 0);
  EXPECT_THROW(lot_defect_bound(10, 11, 0, 0.95, exact), InputError);
  EXPECT_THROW(lot_defect_bound(10, 5, 6, 0.95, exact), InputError);
}

} // namespace
} // namespace gpucert::stats
