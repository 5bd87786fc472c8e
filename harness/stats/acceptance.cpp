// Exact acceptance sampling. Sums run over the hypergeometric's support with log-factorials
// (lgamma), so lots of 100,000 nodes cost milliseconds, not tables.
#include "harness/stats/acceptance.hpp"

#include "harness/core/error.hpp"
#include "harness/stats/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::stats {

namespace {

double log_choose(int n, int k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
}

double binom_pmf(int k, int n, double p) {
  if (k < 0 || k > n)
    return 0;
  if (p <= 0)
    return k == 0 ? 1 : 0;
  if (p >= 1)
    return k == n ? 1 : 0;
  return std::exp(log_choose(n, k) + k * std::log(p) + (n - k) * std::log1p(-p));
}

void check_fraction(double v, const char* what, bool open_low) {
  if (!(open_low ? v > 0 : v >= 0) || !(v < 1))
    throw InputError(
        fmt::format("{} must lie in {}0, 1), got {:g}", what, open_low ? "(" : "[", v));
}

void check_rates(const ErrorRates& r) {
  check_fraction(r.miss, "--miss-rate", false);
  check_fraction(r.false_fail, "--false-fail-rate", false);
}

} // namespace

ExactInterval clopper_pearson(int k, int n, double confidence) {
  if (n < 1 || k < 0 || k > n)
    throw InputError(
        fmt::format("clopper_pearson: need 0 <= k <= n and n >= 1 (k {}, n {})", k, n));
  check_fraction(confidence, "confidence", true);
  const double a = 1 - confidence;
  ExactInterval r;
  r.lo = k == 0 ? 0 : beta_quantile(a / 2, k, n - k + 1);
  r.hi = k == n ? 1 : beta_quantile(1 - a / 2, k + 1, n - k);
  return r;
}

double accept_probability(int lot_size, int defective, int sample, int c, const ErrorRates& r) {
  const int N = lot_size, D = defective, n = sample;
  const double log_total = log_choose(N, n);
  double p = 0;
  for (int x = std::max(0, n - (N - D)); x <= std::min(n, D); ++x) {
    const double h = std::exp(log_choose(D, x) + log_choose(N - D, n - x) - log_total);
    if (h < 1e-300)
      continue;
    // Seen defective = caught defectives + false fails of the good ones, at most c in all.
    double seen_le_c = 0;
    for (int caught = 0; caught <= std::min(c, x); ++caught) {
      const double pc = binom_pmf(caught, x, 1 - r.miss);
      if (pc == 0)
        continue;
      double ff = 0;
      for (int f = 0; f <= c - caught && f <= n - x; ++f)
        ff += binom_pmf(f, n - x, r.false_fail);
      seen_le_c += pc * ff;
    }
    p += h * seen_le_c;
  }
  return std::min(1.0, p);
}

SamplePlan sample_plan(int lot_size, double max_defective_fraction, double confidence,
                       int acceptance_number, const ErrorRates& rates) {
  if (lot_size < 1 || lot_size > 10000000)
    throw InputError(fmt::format("--lot-size must be from 1 to 10000000, got {}", lot_size));
  check_fraction(max_defective_fraction, "--max-defective", true);
  check_fraction(confidence, "--confidence", true);
  if (acceptance_number < 0 || acceptance_number >= lot_size)
    throw InputError(fmt::format("--acceptance-number must be from 0 to the lot size − 1, got {}",
                                 acceptance_number));
  check_rates(rates);
  SamplePlan plan;
  plan.lot_size = lot_size;
  plan.max_defective_fraction = max_defective_fraction;
  plan.confidence = confidence;
  plan.acceptance_number = acceptance_number;
  plan.rates = rates;
  plan.rejectable_defective =
      std::min(lot_size, static_cast<int>(std::floor(max_defective_fraction * lot_size)) + 1);
  ErrorRates buyer = rates;
  buyer.false_fail = 0; // the guarantee does not lean on good nodes failing
  // P(accept) falls as n grows: bisect for the smallest n that reaches the confidence.
  auto ok = [&](int n) {
    return accept_probability(lot_size, plan.rejectable_defective, n, acceptance_number, buyer) <=
           1 - confidence;
  };
  int lo = acceptance_number + 1, hi = lot_size;
  plan.achieved = ok(hi);
  if (plan.achieved) {
    while (lo < hi) {
      const int mid = lo + (hi - lo) / 2;
      if (ok(mid))
        hi = mid;
      else
        lo = mid + 1;
    }
  }
  plan.sample = plan.achieved ? lo : lot_size;
  plan.accept_at_rejectable = accept_probability(lot_size, plan.rejectable_defective, plan.sample,
                                                 acceptance_number, buyer);
  for (double f : {0.0, max_defective_fraction / 2, max_defective_fraction,
                   2 * max_defective_fraction, 5 * max_defective_fraction}) {
    if (f > 1)
      continue;
    OcPoint pt;
    pt.defective_fraction = f;
    pt.defective = static_cast<int>(std::lround(f * lot_size));
    pt.accept = accept_probability(lot_size, pt.defective, plan.sample, acceptance_number, rates);
    plan.oc.push_back(pt);
  }
  return plan;
}

LotBound lot_defect_bound(int lot_size, int sample, int observed, double confidence,
                          const ErrorRates& rates) {
  if (lot_size < 1 || sample < 1 || sample > lot_size)
    throw InputError(fmt::format("--lot-size {} and {} nodes sampled: need 1 <= sampled <= lot "
                                 "size",
                                 lot_size, sample));
  if (observed < 0 || observed > sample)
    throw InputError(fmt::format("{} defective of {} sampled is impossible", observed, sample));
  check_fraction(confidence, "confidence", true);
  check_rates(rates);
  ErrorRates buyer = rates;
  buyer.false_fail = 0;
  // The defectives seen are at least `observed`'s worth of the lot's: bisect the largest D still
  // accepted with probability above 1 − confidence (P falls as D grows).
  auto plausible = [&](int d) {
    return accept_probability(lot_size, d, sample, observed, buyer) > 1 - confidence;
  };
  int lo = observed, hi = lot_size;
  if (plausible(hi))
    lo = hi;
  while (lo < hi) {
    const int mid = lo + (hi - lo + 1) / 2;
    if (plausible(mid))
      lo = mid;
    else
      hi = mid - 1;
  }
  return {lo, double(lo) / lot_size};
}

} // namespace gpucert::stats
