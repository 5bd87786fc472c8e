// The sequential sign-test design: its exact crossing probabilities hold the budget and are the
// largest that do (a coarser search would waste power), its boundaries are those of a binomial
// tail at the per-look level, a single look is the fixed-sample interval, and the interval it
// induces covers the true quantile at every look at once (a confidence sequence) on skewed data.
#include "harness/stats/distributions.hpp"
#include "harness/stats/sequential.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

namespace gpucert::stats {
namespace {

double binomial_cdf(int n, double q, int c) {
  double acc = 0;
  for (int k = 0; k <= c; ++k)
    acc += std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) +
                    k * std::log(q) + (n - k) * std::log1p(-q));
  return acc;
}

TEST(SignDesign, CrossingProbabilitiesStayWithinTheirBudgets) {
  for (double q : {0.1, 0.5, 0.9}) {
    const auto d = sign_design(q, 10, 200, 0.025, 0.025 / 129);
    EXPECT_LE(d->crossing_lower, 0.025) << q;
    EXPECT_LE(d->crossing_upper, 0.025 / 129) << q;
    // Not far below either: the search finds the largest level that fits (the walk's steps make
    // the function a staircase, so some slack remains, but not half of the budget).
    EXPECT_GT(d->crossing_lower, 0.5 * 0.025) << q;
    EXPECT_GT(d->crossing_upper, 0.5 * 0.025 / 129) << q;
    EXPECT_LT(d->nominal_lower, 0.025) << q; // looking 191 times costs per-look level
  }
}

TEST(SignDesign, BoundariesAreBinomialTailsAtThePerLookLevel) {
  const auto d = sign_design(0.5, 10, 200, 0.025, 0.01);
  for (int n = 10; n <= 200; ++n) {
    const int a = d->lower[static_cast<size_t>(n)];
    if (a >= 0)
      EXPECT_LE(binomial_cdf(n, 0.5, a), d->nominal_lower * (1 + 1e-9)) << n;
    EXPECT_GT(binomial_cdf(n, 0.5, a + 1), d->nominal_lower) << n; // the largest such c
    const int b = d->upper[static_cast<size_t>(n)];
    ASSERT_LE(b, n + 1);
    if (b <= n)
      EXPECT_LE(1 - binomial_cdf(n, 0.5, b - 1), d->nominal_upper * (1 + 1e-6)) << n;
  }
  for (int n = 0; n < 10; ++n) { // no look before n_min
    EXPECT_EQ(d->lower[static_cast<size_t>(n)], -1);
    EXPECT_EQ(d->upper[static_cast<size_t>(n)], n + 1);
  }
}

TEST(SignDesign, ASingleLookIsTheFixedSampleInterval) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> dist(0, 0.3);
  for (int n : {6, 20, 57, 200}) {
    std::vector<double> v(static_cast<size_t>(n));
    for (auto& x : v)
      x = dist(rng);
    const auto d = sign_design(0.5, n, n, 0.025, 0.025);
    EXPECT_DOUBLE_EQ(d->nominal_lower, 0.025);
    const Interval seq = sequential_quantile_ci(v, *d);
    const Interval fixed = quantile_ci(v, 0.5, 0.95);
    ASSERT_TRUE(seq.valid && fixed.valid) << n;
    EXPECT_DOUBLE_EQ(seq.lo, fixed.lo) << n;
    EXPECT_DOUBLE_EQ(seq.hi, fixed.hi) << n;
  }
}

TEST(SignDesign, MissingEndsAreInfiniteAndOutOfRangeLooksInvalid) {
  const auto d = sign_design(0.1, 10, 200, 0.025, 0.025);
  std::vector<double> v(20);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<double>(i);
  const Interval i20 = sequential_quantile_ci(v, *d);
  EXPECT_TRUE(i20.valid);
  EXPECT_TRUE(std::isinf(i20.lo) && i20.lo < 0); // a p10 has no lower bound at 20 samples
  EXPECT_TRUE(std::isfinite(i20.hi));
  EXPECT_GT(d->first_lower(), 20);
  EXPECT_FALSE(sequential_quantile_ci({1, 2, 3}, *d).valid);                     // before n_min
  EXPECT_FALSE(sequential_quantile_ci(std::vector<double>(201, 1.0), *d).valid); // after n_max
  EXPECT_THROW(sign_design(0, 10, 20, 0.025, 0.025), std::invalid_argument);
  EXPECT_THROW(sign_design(0.5, 20, 10, 0.025, 0.025), std::invalid_argument);
  EXPECT_THROW(sign_design(0.5, 10, 20, 0, 0.025), std::invalid_argument);
}

// The property the certificate's error rates rest on: at the true quantile, the probability
// that the interval excludes it at ANY look is within the budgets. 4000 paths of 200 lognormal
// samples; looked at after every sample. The fixed-sample interval, looked at the same way,
// misses far more often: the peeking this design corrects.
TEST(SignDesign, TheIntervalCoversTheQuantileAtEveryLookAtOnce) {
  const double q = 0.5, truth = 1.0; // lognormal(0, σ) has median 1
  const auto d = sign_design(q, 10, 200, 0.025, 0.025);
  std::mt19937_64 rng(2026);
  std::lognormal_distribution<double> dist(0, 0.05);
  const int paths = 4000;
  int seq_miss = 0, fixed_miss = 0;
  for (int p = 0; p < paths; ++p) {
    std::vector<double> v;
    bool seq_out = false, fixed_out = false;
    for (int n = 1; n <= 200; ++n) {
      v.push_back(dist(rng));
      if (n < 10)
        continue;
      const Interval s = sequential_quantile_ci(v, *d);
      seq_out = seq_out || s.lo > truth || s.hi < truth;
      const Interval f = quantile_ci(v, q, 0.95);
      fixed_out = fixed_out || (f.valid && (f.lo > truth || f.hi < truth));
    }
    seq_miss += seq_out;
    fixed_miss += fixed_out;
  }
  const double se = std::sqrt(0.05 * 0.95 / paths);
  EXPECT_LE(seq_miss / double(paths), 0.05 + 3 * se);
  EXPECT_GT(fixed_miss / double(paths), 0.15); // peeking at a 95 % interval 191 times
}

TEST(Distributions, KnownQuantilesAndSymmetry) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167813, 1e-9);
  EXPECT_NEAR(normal_cdf(1.959963984540054), 0.975, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.228138851986274, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.995, 3), 5.840909309733350, 1e-7);
  EXPECT_NEAR(student_t_quantile(0.9, 1), 3.077683537175253, 1e-8); // Cauchy: tan(0.4π)
  EXPECT_NEAR(student_t_cdf(-2.228138851986274, 10), 0.025, 1e-10);
  EXPECT_NEAR(student_t_cdf(0, 7), 0.5, 1e-15);
  EXPECT_NEAR(student_t_quantile(0.975, 1e6), 1.959963984540054, 1e-4); // → normal
  EXPECT_THROW(normal_quantile(0), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(1, 5), std::invalid_argument);
}

TEST(SamplesToDecide, GrowsAsTheFigureNearsTheThreshold) {
  const double far = samples_to_decide(0.5, 0.3, 0.0033);
  const double near = samples_to_decide(0.5, 0.45, 0.0033);
  EXPECT_GT(near, far);
  EXPECT_NEAR(far, std::ceil(std::pow(normal_quantile(1 - 0.0033) * 0.5 / 0.2, 2)), 1);
  EXPECT_TRUE(std::isinf(samples_to_decide(0.5, 0.5, 0.0033)));
}

} // namespace
} // namespace gpucert::stats
