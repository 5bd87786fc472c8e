// Statistics: point statistics, the order-statistic CI's coverage on known distributions over
// many seeds, bootstrap determinism, and the CI each profile statistic uses.
#include "harness/stats/interval.hpp"

#include <cmath>
#include <functional>
#include <gtest/gtest.h>
#include <random>
#include <stdexcept>

namespace gpucert::stats {
namespace {

TEST(Statistic, NamedStatisticsOnKnownValues) {
  const std::vector<double> v = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(statistic(v, "median"), 3);
  EXPECT_DOUBLE_EQ(statistic(v, "mean"), 3);
  EXPECT_DOUBLE_EQ(statistic(v, "min"), 1);
  EXPECT_DOUBLE_EQ(statistic(v, "max"), 5);
  EXPECT_DOUBLE_EQ(statistic(v, "p50"), 3);
  EXPECT_DOUBLE_EQ(statistic(v, "p25"), 2);   // type 7: h = 4*0.25 = 1 → x(2)
  EXPECT_DOUBLE_EQ(statistic(v, "p90"), 4.6); // h = 3.6 → 4 + 0.6*(5-4)
  EXPECT_DOUBLE_EQ(statistic({1, 2, 3, 4}, "median"), 2.5);
  EXPECT_DOUBLE_EQ(statistic({7}, "p99"), 7);
}

TEST(Statistic, QuantileMatchesStatisticForEveryPercentile) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> d;
  std::vector<double> v(37);
  for (auto& x : v)
    x = d(rng);
  for (int p = 1; p <= 99; ++p)
    EXPECT_DOUBLE_EQ(statistic(v, "p" + std::to_string(p)), quantile(v, p / 100.0)) << p;
}

TEST(Statistic, UnknownNamesAndEmptyInputAreRejected) {
  for (const char* bad : {"avg", "p0", "p100", "p", "p05", "p9x", "Median", ""})
    EXPECT_THROW(statistic({1, 2}, bad), std::invalid_argument) << bad;
  EXPECT_THROW(statistic({}, "median"), std::invalid_argument);
  EXPECT_THROW(quantile({1.0}, 1.5), std::invalid_argument);
}

// Exact coverage of the order-statistic interval [x(l), x(u)] is F(u-1) - F(l-1) for B~Bin(n,q);
// the empirical coverage over many seeds must match it and never fall below the nominal level
// by more than sampling error.
struct Dist {
  const char* name;
  std::function<double(std::mt19937_64&)> draw;
  double median, p90;
};

std::vector<Dist> distributions() {
  return {
      {"normal", [](std::mt19937_64& r) { return std::normal_distribution<double>(10, 2)(r); }, 10,
       10 + 2 * 1.2815515655446004},
      {"lognormal",
       [](std::mt19937_64& r) { return std::lognormal_distribution<double>(0, 0.5)(r); }, 1,
       std::exp(0.5 * 1.2815515655446004)},
      {"exponential",
       [](std::mt19937_64& r) { return std::exponential_distribution<double>(1)(r); },
       std::log(2.0), std::log(10.0)},
      {"uniform",
       [](std::mt19937_64& r) { return std::uniform_real_distribution<double>(0, 1)(r); }, 0.5,
       0.9},
  };
}

double coverage(const Dist& d, int n, double q, double truth, double confidence, int trials,
                int* invalid) {
  std::mt19937_64 rng(1234 + n);
  int hit = 0;
  *invalid = 0;
  std::vector<double> v(static_cast<size_t>(n));
  for (int t = 0; t < trials; ++t) {
    for (auto& x : v)
      x = d.draw(rng);
    const Interval ci = quantile_ci(v, q, confidence);
    if (!ci.valid) {
      ++*invalid;
      continue;
    }
    EXPECT_LE(ci.lo, ci.point);
    EXPECT_GE(ci.hi, ci.point);
    if (ci.lo <= truth && truth <= ci.hi)
      ++hit;
  }
  return static_cast<double>(hit) / (trials - *invalid);
}

TEST(QuantileCi, CoverageOfTheMedianIsAtLeastNominalOnKnownDistributions) {
  const int trials = 2000;
  for (const auto& d : distributions()) {
    for (int n : {10, 30, 101}) {
      int invalid = 0;
      const double c = coverage(d, n, 0.5, d.median, 0.95, trials, &invalid);
      EXPECT_EQ(invalid, 0) << d.name << " n=" << n;
      // Binomial sampling error of 2000 trials at 0.95: sd ≈ 0.005; allow 3 sd below nominal.
      EXPECT_GE(c, 0.95 - 0.015) << d.name << " n=" << n;
      // Conservative but not absurdly so (attainable binomial levels at these n are < 0.99).
      EXPECT_LE(c, 0.995) << d.name << " n=" << n;
    }
  }
}

TEST(QuantileCi, CoverageOfP90AndOtherConfidenceLevels) {
  for (const auto& d : distributions()) {
    int invalid = 0;
    const double c90 = coverage(d, 60, 0.9, d.p90, 0.95, 2000, &invalid);
    EXPECT_EQ(invalid, 0) << d.name;
    EXPECT_GE(c90, 0.935) << d.name;
    const double c80 = coverage(d, 40, 0.5, d.median, 0.80, 2000, &invalid);
    EXPECT_GE(c80, 0.80 - 0.027) << d.name;
    EXPECT_LE(c80, 0.92) << d.name;
  }
}

TEST(QuantileCi, SmallSamplesAreInvalidAndTheBoundaryIsExact) {
  // Median at 95 %: both tails of [x(1), x(n)] miss with 0.5^n; 0.5^5 = 0.031 > 0.025.
  EXPECT_FALSE(quantile_ci({1, 2, 3, 4, 5}, 0.5, 0.95).valid);
  const Interval six = quantile_ci({6, 1, 5, 2, 4, 3}, 0.5, 0.95);
  ASSERT_TRUE(six.valid);
  EXPECT_EQ(six.lo, 1);
  EXPECT_EQ(six.hi, 6);
  EXPECT_DOUBLE_EQ(six.point, 3.5);
  EXPECT_EQ(six.method, "order-statistic");
  // n = 20: l = 6, u = 15 (F(5) = 0.0207 <= 0.025 < F(6); F(14) = 0.979 >= 0.975 > F(13)).
  std::vector<double> v;
  for (int i = 1; i <= 20; ++i)
    v.push_back(i);
  const Interval twenty = quantile_ci(v, 0.5, 0.95);
  ASSERT_TRUE(twenty.valid);
  EXPECT_EQ(twenty.lo, 6);
  EXPECT_EQ(twenty.hi, 15);
  // p99 needs many samples for an upper bound: 0.99^200 = 0.13 > 0.025.
  EXPECT_FALSE(quantile_ci(std::vector<double>(200, 1.0), 0.99, 0.95).valid);
  EXPECT_FALSE(quantile_ci({}, 0.5, 0.95).valid);
}

TEST(QuantileCi, AConfidenceExactlyAttainableIsReachedDespiteRounding) {
  // [x(1), x(n)] covers the median with exactly 1 - 2·0.5^n. Asking for exactly that level must
  // give the interval, although the binomial CDF summed in floating point lands a few ulps off
  // 0.5^n (above it at n = 6 on x86-64): the comparison needs its slack.
  for (const int n : {5, 6, 7}) {
    std::vector<double> v;
    for (int i = 1; i <= n; ++i)
      v.push_back(i);
    const double level = 1 - 2 * std::pow(0.5, n);
    const Interval i = quantile_ci(v, 0.5, level);
    ASSERT_TRUE(i.valid) << "n=" << n;
    EXPECT_EQ(i.lo, 1) << "n=" << n;
    EXPECT_EQ(i.hi, n) << "n=" << n;
    // One step more confidence than attainable: no interval.
    EXPECT_FALSE(quantile_ci(v, 0.5, level + 1e-6).valid) << "n=" << n;
  }
}

TEST(QuantileCi, LargeSamplesDoNotUnderflow) {
  std::vector<double> v;
  for (int i = 0; i < 20000; ++i)
    v.push_back(i);
  const Interval ci = quantile_ci(v, 0.5, 0.95);
  ASSERT_TRUE(ci.valid);
  // Normal approximation: n/2 ± 1.96·sqrt(n)/2 ≈ 10000 ± 139.
  EXPECT_NEAR(ci.lo, 10000 - 139, 3);
  EXPECT_NEAR(ci.hi, 10000 + 139, 3);
}

TEST(QuantileCi, RejectsImpossibleArguments) {
  EXPECT_THROW(quantile_ci({1, 2, 3}, 0, 0.95), std::invalid_argument);
  EXPECT_THROW(quantile_ci({1, 2, 3}, 0.5, 1), std::invalid_argument);
}

TEST(Bootstrap, SameSeedSameIntervalOtherSeedSlightlyDifferent) {
  std::mt19937_64 rng(9);
  std::normal_distribution<double> d(100, 5);
  std::vector<double> v(50);
  for (auto& x : v)
    x = d(rng);
  const Interval a = bootstrap_ci(v, "mean", 0.95, 2000, 7);
  const Interval b = bootstrap_ci(v, "mean", 0.95, 2000, 7);
  const Interval c = bootstrap_ci(v, "mean", 0.95, 2000, 8);
  ASSERT_TRUE(a.valid);
  EXPECT_EQ(a.lo, b.lo);
  EXPECT_EQ(a.hi, b.hi);
  EXPECT_NE(a.lo, c.lo);
  EXPECT_EQ(a.method, "bootstrap-percentile");
  // The percentile interval of the mean approximates mean ± 1.96·s/sqrt(n).
  double mean = 0, ss = 0;
  for (double x : v)
    mean += x / v.size();
  for (double x : v)
    ss += (x - mean) * (x - mean);
  const double se = std::sqrt(ss / (v.size() - 1) / v.size());
  EXPECT_NEAR(a.point, mean, 1e-9);
  EXPECT_NEAR(a.lo, mean - 1.96 * se, 0.3 * se);
  EXPECT_NEAR(a.hi, mean + 1.96 * se, 0.3 * se);
}

TEST(Bootstrap, CoverageOfTheMeanIsNearNominal) {
  std::mt19937_64 rng(77);
  std::lognormal_distribution<double> d(0, 0.25);
  const double truth = std::exp(0.25 * 0.25 / 2);
  int hit = 0;
  const int trials = 300;
  std::vector<double> v(40);
  for (int t = 0; t < trials; ++t) {
    for (auto& x : v)
      x = d(rng);
    const Interval ci = bootstrap_ci(v, "mean", 0.95, 500, static_cast<std::uint64_t>(t));
    if (ci.lo <= truth && truth <= ci.hi)
      ++hit;
  }
  // Percentile bootstrap under-covers a little at n = 40; 300 trials: sd ≈ 0.013.
  EXPECT_GE(hit / double(trials), 0.89);
}

TEST(Bootstrap, EachTailMissesWithHalfOfAlpha) {
  // 400 evenly spaced values (a uniform sample without randomness): the mean's sampling
  // distribution is close to normal, so each end of the 95 % percentile interval lies about
  // 1.96 standard errors from the mean. A tail taken at α instead of α/2 lands at 1.64.
  std::vector<double> v;
  const int n = 400;
  for (int i = 0; i < n; ++i)
    v.push_back(100 + static_cast<double>(i) / (n - 1));
  double mean = 0, ss = 0;
  for (double x : v)
    mean += x / n;
  for (double x : v)
    ss += (x - mean) * (x - mean);
  const double se = std::sqrt(ss / (n - 1)) / std::sqrt(static_cast<double>(n));
  const Interval ci = bootstrap_ci(v, "mean", 0.95, 4000, 3);
  ASSERT_TRUE(ci.valid);
  EXPECT_NEAR((mean - ci.lo) / se, 1.96, 0.12);
  EXPECT_NEAR((ci.hi - mean) / se, 1.96, 0.12);
}

TEST(Bootstrap, DegenerateInputs) {
  EXPECT_FALSE(bootstrap_ci({}, "mean", 0.95).valid);
  const Interval one = bootstrap_ci({3}, "mean", 0.95);
  EXPECT_FALSE(one.valid);
  EXPECT_EQ(one.point, 3);
  EXPECT_FALSE(bootstrap_ci({1, 2, 3}, "mean", 0.95, 10).valid); // too few for 2.5 % tails
  EXPECT_THROW(bootstrap_ci({1, 2}, "mode", 0.95), std::invalid_argument);
}

TEST(CiFor, EachStatisticUsesItsMethod) {
  std::vector<double> v;
  for (int i = 1; i <= 30; ++i)
    v.push_back(i);
  EXPECT_EQ(ci_for(v, "median", 0.95).method, "order-statistic");
  EXPECT_EQ(ci_for(v, "p10", 0.95).method, "order-statistic");
  EXPECT_EQ(ci_for(v, "mean", 0.95).method, "bootstrap-percentile");
  const Interval mn = ci_for(v, "min", 0.95);
  EXPECT_EQ(mn.method, "exact");
  EXPECT_TRUE(mn.valid);
  EXPECT_EQ(mn.point, 1);
  EXPECT_EQ(mn.lo, 1);
  EXPECT_EQ(mn.hi, 1);
  EXPECT_EQ(ci_for(v, "max", 0.95).point, 30);
  EXPECT_THROW(ci_for(v, "p100", 0.95), std::invalid_argument);
}

TEST(RelativeHalfWidth, DefinitionAndInvalid) {
  Interval i;
  i.point = 100, i.lo = 98, i.hi = 103, i.valid = true;
  EXPECT_DOUBLE_EQ(relative_half_width(i), 0.025);
  i.valid = false;
  EXPECT_TRUE(std::isinf(relative_half_width(i)));
}

} // namespace
} // namespace gpucert::stats
