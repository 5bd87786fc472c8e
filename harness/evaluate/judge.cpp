// One clause on one measurement: pick the method its statistic and its samples allow (exact
// sequential sign test, t for the mean, batch statistics when the samples are dependent or the
// load is held), compute the interval at the check's error levels, and decide.
#include "harness/evaluate/judge.hpp"

#include "harness/stats/distributions.hpp"
#include "harness/stats/sequential.hpp"
#include "harness/stats/statistic_fn.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <numeric>

namespace gpucert::evaluate {

using report::Verdict;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Error budgets of the interval's two ends. A floor PASSes on its lower end and FAILs on its
/// upper end; a ceiling the other way round; a band decides both ways on both ends, so each end
/// takes the smaller (FAIL) budget.
struct EndBudgets {
  double lower, upper;
};
EndBudgets end_budgets(const profile::Clause& c, const Levels& l) {
  if (c.min && c.max)
    return {std::min(l.pass, l.fail), std::min(l.pass, l.fail)};
  if (c.max)
    return {l.fail, l.pass};
  return {l.pass, l.fail};
}

/// The threshold whose side the samples are judged against (a band: the nearer end).
double threshold_of(const profile::Clause& c, double point) {
  if (c.min && c.max)
    return std::fabs(point - *c.min) <= std::fabs(*c.max - point) ? *c.min : *c.max;
  return c.min ? *c.min : c.max.value_or(0);
}

double mean_of(const std::vector<double>& v, size_t from, size_t to) {
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(from),
                         v.begin() + static_cast<std::ptrdiff_t>(to), 0.0) /
         static_cast<double>(to - from);
}

double sd_of(const std::vector<double>& v, double mean) {
  double ss = 0;
  for (double x : v)
    ss += (x - mean) * (x - mean);
  return v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0;
}

/// Mean clauses may stop at n = 30, 60, 120, ...; the interval read at any other n (the end of a
/// budget) is one more look. Bonferroni over all of them keeps each end within its budget.
int mean_looks(int n_max) {
  int looks = 1;
  for (long n = kMinMeanSamples; n <= n_max; n *= 2)
    ++looks;
  return looks;
}
bool mean_schedule_look(int n) {
  for (long k = kMinMeanSamples; k <= n; k *= 2)
    if (k == n)
      return true;
  return false;
}

void judge_sequential(const std::vector<double>& x, const profile::Clause& c,
                      const JudgeContext& ctx, Judgement& j) {
  const int n = static_cast<int>(x.size());
  j.mode = "sequential";
  // A stop needs the assumption checks to have had their say: at least kMinDiagnosisSamples.
  j.final_at_any_look = n >= stats::kMinDiagnosisSamples;
  if (n < ctx.n_min) {
    j.why = fmt::format("{} samples are fewer than the method's min_samples ({})", n, ctx.n_min);
    return;
  }
  const EndBudgets b = end_budgets(c, j.levels);
  // A results file measured under a larger budget than this profile's is judged with looks up
  // to its own size: the design must cover the look it is read at.
  const bool beyond = n > std::max(ctx.n_max, kMaxDesignLooks);
  const auto design =
      beyond ? stats::sign_design(j.q, n, n, b.lower, b.upper)
             : stats::sign_design(j.q, ctx.n_min, std::max(ctx.n_max, n), b.lower, b.upper);
  const double point = j.ci.point;
  j.ci = stats::sequential_quantile_ci(x, *design);
  j.ci.point = point;
  j.verdict = decide(j.ci, c);
  const double thr = threshold_of(c, point);
  j.p_below =
      static_cast<double>(std::count_if(x.begin(), x.end(), [&](double v) { return v < thr; })) / n;
  j.nominal = j.p_below < j.q ? design->nominal_lower : design->nominal_upper;
  j.samples_needed = stats::samples_to_decide(j.q, j.p_below, j.nominal);
  if (!j.ci.valid) {
    const int first = std::min(design->first_lower() ? design->first_lower() : 1 << 30,
                               design->first_upper() ? design->first_upper() : 1 << 30);
    j.why = first < (1 << 30)
                ? fmt::format("the {} has no bound before {} samples", c.stat, first)
                : fmt::format("the {} has no bound within {} samples", c.stat, design->n_max);
  }
}

void judge_mean(const std::vector<double>& x, const profile::Clause& c, const JudgeContext& ctx,
                Judgement& j) {
  const int n = static_cast<int>(x.size());
  j.mode = "t";
  j.ci.method = "student-t";
  j.final_at_any_look = mean_schedule_look(n);
  if (n < kMinMeanSamples) {
    j.why = fmt::format("a mean needs at least {} samples ({} taken)", kMinMeanSamples, n);
    return;
  }
  const EndBudgets b = end_budgets(c, j.levels);
  const int looks = mean_looks(std::max(ctx.n_max, n));
  const double m = mean_of(x, 0, x.size()), se = sd_of(x, m) / std::sqrt(static_cast<double>(n));
  j.ci.lo = m - stats::student_t_quantile(1 - b.lower / looks, n - 1) * se;
  j.ci.hi = m + stats::student_t_quantile(1 - b.upper / looks, n - 1) * se;
  j.ci.valid = true;
  j.nominal = std::min(b.lower, b.upper) / looks;
  j.verdict = decide(j.ci, c);
}

/// Batch statistics: k consecutive batches of w samples (the earliest n - k·w are dropped: later
/// samples are the more settled ones). A quantile is judged by the fraction of each batch below
/// the threshold (batch-means applied to the indicator), a mean by batch means; either way a
/// t interval on k − 1 degrees of freedom, read once at the end of sampling.
void judge_batches(const std::vector<double>& all, const profile::Clause& c, bool is_mean,
                   Judgement& j) {
  const int n = static_cast<int>(all.size());
  const int k = std::min(kMaxBatches, n / kMinBatchSize);
  j.final_at_any_look = false;
  j.ci.method = is_mean ? "batch-means" : "batch-proportion";
  if (k < kMinBatches) {
    j.why = fmt::format("{} samples are too few for batch statistics (at least {})", n,
                        kMinBatches * kMinBatchSize);
    return;
  }
  const int w = n / k;
  const std::vector<double> x(all.end() - static_cast<std::ptrdiff_t>(k * w), all.end());
  j.batches = k;
  j.batch_size = w;
  const EndBudgets b = end_budgets(c, j.levels);
  const double t_lo = stats::student_t_quantile(1 - b.lower, k - 1);
  const double t_hi = stats::student_t_quantile(1 - b.upper, k - 1);
  j.nominal = std::min(b.lower, b.upper);

  if (is_mean) {
    std::vector<double> means(static_cast<size_t>(k));
    for (int i = 0; i < k; ++i)
      means[static_cast<size_t>(i)] =
          mean_of(x, static_cast<size_t>(i * w), static_cast<size_t>((i + 1) * w));
    const double m = mean_of(means, 0, means.size());
    const double se = sd_of(means, m) / std::sqrt(static_cast<double>(k));
    j.ci.lo = m - t_lo * se;
    j.ci.hi = m + t_hi * se;
    j.ci.valid = true;
  } else {
    std::vector<std::vector<double>> batch(static_cast<size_t>(k));
    for (int i = 0; i < k; ++i) {
      batch[static_cast<size_t>(i)].assign(x.begin() + i * w, x.begin() + (i + 1) * w);
      std::sort(batch[static_cast<size_t>(i)].begin(), batch[static_cast<size_t>(i)].end());
    }
    const double q = j.q;
    // Fractions of each batch at or below t; their mean and a standard error floored at the
    // i.i.d. binomial one (dependence only ever widens it).
    auto fractions = [&](double t, bool inclusive, double& mean, double& se) {
      std::vector<double> y(static_cast<size_t>(k));
      for (int i = 0; i < k; ++i) {
        const auto& s = batch[static_cast<size_t>(i)];
        const auto it = inclusive ? std::upper_bound(s.begin(), s.end(), t)
                                  : std::lower_bound(s.begin(), s.end(), t);
        y[static_cast<size_t>(i)] = static_cast<double>(it - s.begin()) / w;
      }
      mean = mean_of(y, 0, y.size());
      se = std::max(sd_of(y, mean) / std::sqrt(static_cast<double>(k)),
                    std::sqrt(q * (1 - q) / (static_cast<double>(k) * w)));
    };
    std::vector<double> u = x;
    std::sort(u.begin(), u.end());
    u.erase(std::unique(u.begin(), u.end()), u.end());
    double mean = 0, se = 0;
    // Lower end: the quantile is above t while the fraction at or below t is credibly under q.
    j.ci.lo = -kInf;
    fractions(u.front() - 1, true, mean, se);
    if (mean + t_lo * se < q) {
      for (double v : u) {
        fractions(v, true, mean, se);
        if (!(mean + t_lo * se < q)) {
          j.ci.lo = v;
          break;
        }
      }
    }
    // Upper end: the quantile is below t while the fraction under t is credibly over q.
    j.ci.hi = kInf;
    for (size_t i = u.size(); i-- > 0;) {
      fractions(u[i], false, mean, se); // t just at u[i]: the samples strictly below it
      if (!(mean - t_hi * se > q)) {
        j.ci.hi = u[i];
        break;
      }
    }
    j.ci.valid = j.ci.lo > -kInf || j.ci.hi < kInf;
    const double thr = threshold_of(c, j.ci.point);
    fractions(thr, false, mean, se);
    j.p_below = mean;
    const double iid = std::sqrt(q * (1 - q) / (static_cast<double>(k) * w));
    j.samples_needed = stats::samples_to_decide(q, mean, j.nominal) * (se / iid) * (se / iid);
  }
  j.verdict = decide(j.ci, c);
}

/// Window statistics for a held load: k consecutive windows, each reduced to its median with a
/// fixed-sample interval at budget / k per end (Bonferroni over the windows); the clause's
/// quantile over the windows' medians is the figure, and the same quantile of the windows'
/// lower (upper) ends bounds it, since a quantile is monotone in every value. Brief noise is
/// smoothed within a window; a slowdown that lasts counts for the windows it covers.
void judge_windows(const std::vector<double>& all, const profile::Clause& c, Judgement& j) {
  const int n = static_cast<int>(all.size());
  const EndBudgets b = end_budgets(c, j.levels);
  const double tightest = std::min(b.lower, b.upper);
  j.final_at_any_look = false;
  j.ci.method = "window-medians";
  // The most windows whose medians still have both ends at budget / k: 0.5^w <= budget / k.
  int k = std::min(kMaxBatches, n / kMinBatchSize);
  for (; k >= kMinBatches; --k)
    if (n / k >= static_cast<int>(std::ceil(std::log2(k / tightest))))
      break;
  if (k < kMinBatches) {
    j.why = fmt::format("{} samples are too few for window statistics at these error levels", n);
    return;
  }
  const int w = n / k;
  j.batches = k;
  j.batch_size = w;
  const auto design = stats::sign_design(0.5, w, w, b.lower / k, b.upper / k);
  std::vector<double> med, lo, hi;
  for (int i = 0; i < k; ++i) {
    const auto first = all.end() - static_cast<std::ptrdiff_t>((k - i) * w);
    const std::vector<double> window(first, first + w);
    const stats::Interval wi = stats::sequential_quantile_ci(window, *design);
    med.push_back(wi.point);
    lo.push_back(wi.lo);
    hi.push_back(wi.hi);
  }
  j.ci.point = stats::quantile(med, j.q);
  j.ci.lo = stats::quantile(lo, j.q);
  j.ci.hi = stats::quantile(hi, j.q);
  j.ci.valid = std::isfinite(j.ci.lo) && std::isfinite(j.ci.hi);
  j.nominal = tightest / k;
  j.verdict = decide(j.ci, c);
}

} // namespace

Levels levels_for(const JudgeContext& ctx) {
  const double half = (1 - ctx.confidence) / 2;
  return {half, half / std::max(1, ctx.family)};
}

Verdict decide(const stats::Interval& ci, const profile::Clause& c) {
  // ±inf is a missing end (no bound on that side yet) and decides nothing on its own; NaN, or an
  // end at the wrong infinity, is a broken interval.
  if (!ci.valid || std::isnan(ci.lo) || std::isnan(ci.hi) || ci.lo == kInf || ci.hi == -kInf)
    return Verdict::inconclusive;
  bool clears = true, misses = false;
  if (c.min) {
    clears = clears && ci.lo >= *c.min;
    misses = misses || ci.hi < *c.min;
  }
  if (c.max) {
    clears = clears && ci.hi <= *c.max;
    misses = misses || ci.lo > *c.max;
  }
  if (misses)
    return Verdict::fail;
  if (clears)
    return Verdict::pass;
  return Verdict::inconclusive;
}

Judgement judge(const std::vector<double>& x, const profile::Clause& c, const JudgeContext& ctx) {
  Judgement j;
  j.levels = levels_for(ctx);
  if (x.empty()) {
    j.why = "no samples";
    return j;
  }
  const stats::StatisticFn fn = stats::StatisticFn::parse(c.stat);
  const bool is_mean = fn.kind == stats::StatisticFn::Kind::mean;
  j.q = fn.kind == stats::StatisticFn::Kind::min   ? kToleranceTail
        : fn.kind == stats::StatisticFn::Kind::max ? 1 - kToleranceTail
                                                   : fn.q;
  {
    std::vector<double> scratch = x;
    j.ci.point = fn(scratch); // min/max: the observed extreme
  }
  j.diagnosis = stats::diagnose(x);
  if (ctx.sustained) {
    j.mode = "windows";
    if (is_mean)
      judge_batches(x, c, true, j);
    else
      judge_windows(x, c, j);
    return j;
  }
  if (ctx.dependent || (j.diagnosis.checked && !j.diagnosis.independent())) {
    j.mode = "batch";
    judge_batches(x, c, is_mean, j);
    // A drifting figure PASSes only if its last window meets the contract too: the trend says
    // where the GPU is heading, and the batches alone average over it.
    if (j.diagnosis.trending && j.verdict == Verdict::pass && j.batch_size > 0) {
      std::vector<double> last(x.end() - j.batch_size, x.end());
      const double v = fn(last);
      const bool meets = (!c.min || v >= *c.min) && (!c.max || v <= *c.max);
      if (!meets) {
        j.verdict = Verdict::inconclusive;
        j.why = fmt::format("the samples drift (rank trend {:+.2f}) and the {} of the last {} "
                            "samples, {:.4g}, does not meet the threshold",
                            j.diagnosis.trend, c.stat, j.batch_size, v);
      }
    }
    return j;
  }
  if (is_mean)
    judge_mean(x, c, ctx, j);
  else
    judge_sequential(x, c, ctx, j);
  return j;
}

} // namespace gpucert::evaluate
