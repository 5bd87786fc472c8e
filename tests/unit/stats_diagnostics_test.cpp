// Assumption checks: independent samples rarely alarm (the 1 % level holds), a trend and an
// AR(1) process are found, and ranks make the tests immune to one wild outlier.
#include "harness/stats/diagnostics.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

namespace gpucert::stats {
namespace {

std::vector<double> ar1(std::mt19937_64& rng, int n, double rho, double drift_per_sample = 0) {
  std::normal_distribution<double> z;
  std::vector<double> v;
  double x = z(rng);
  for (int i = 0; i < n; ++i) {
    v.push_back(std::exp(0.02 * x + drift_per_sample * i));
    x = rho * x + std::sqrt(1 - rho * rho) * z(rng);
  }
  return v;
}

TEST(Diagnose, IndependentSamplesAlarmAtAboutTheLevel) {
  std::mt19937_64 rng(9);
  int trend = 0, auto_ = 0;
  const int runs = 2000;
  for (int r = 0; r < runs; ++r) {
    const Diagnosis d = diagnose(ar1(rng, 100, 0));
    ASSERT_TRUE(d.checked);
    trend += d.trending;
    auto_ += d.autocorrelated;
  }
  // 1 % each, with Monte Carlo error (sd 0.22 %) and the normal approximation's slack.
  EXPECT_LT(trend / double(runs), 0.02);
  EXPECT_LT(auto_ / double(runs), 0.02);
}

TEST(Diagnose, FindsAutocorrelationAndTrend) {
  std::mt19937_64 rng(10);
  int found_auto = 0, found_trend = 0;
  for (int r = 0; r < 200; ++r) {
    found_auto += diagnose(ar1(rng, 100, 0.5)).autocorrelated;
    // -0.03 % per sample: 3 % over 100 samples at 2 % noise (a GPU heating up).
    found_trend += diagnose(ar1(rng, 100, 0, -0.0003)).trending;
  }
  EXPECT_GT(found_auto, 190);  // lag-1 0.5 over 100 samples: z ≈ 5
  EXPECT_GT(found_trend, 150); // Spearman z ≈ 3.7 on average
  const Diagnosis d = diagnose(ar1(rng, 100, 0, -0.0003));
  EXPECT_LT(d.trend, 0); // the sign says which way it drifts
}

TEST(Diagnose, TooFewSamplesOrNoSpreadAreNotDiagnosed) {
  EXPECT_FALSE(diagnose({1, 2, 3, 4, 5, 6, 7, 8, 9}).checked);
  const Diagnosis flat = diagnose(std::vector<double>(50, 3.0));
  EXPECT_TRUE(flat.checked);
  EXPECT_TRUE(flat.independent());
  // A sorted series is the extreme trend; one outlier in an i.i.d. series changes ranks by one.
  std::vector<double> up(30);
  for (size_t i = 0; i < up.size(); ++i)
    up[i] = static_cast<double>(i);
  EXPECT_TRUE(diagnose(up).trending);
  std::mt19937_64 rng(4);
  std::vector<double> v = ar1(rng, 60, 0);
  const Diagnosis before = diagnose(v);
  v[30] = 1e9;
  const Diagnosis after = diagnose(v);
  EXPECT_NEAR(after.trend, before.trend, 0.1);
  EXPECT_NEAR(after.lag1, before.lag1, 0.1);
}

} // namespace
} // namespace gpucert::stats
