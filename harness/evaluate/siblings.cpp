// Sibling-relative clauses (`relative: siblings`): a GPU (or pair) is judged by the ratio of its
// statistic to the median of the same statistic on the node's other GPUs (pairs). In a
// synchronous job the slowest GPU sets the pace of all, so a GPU well below its siblings costs
// the whole node even when it clears an absolute floor.
//
// The ratio's interval comes from one sequential quantile interval per target (anytime-valid, so
// the runner may stop on any look): with lo/hi the ends, R_lo = lo_t / median_s(hi_s) and
// R_hi = hi_t / median_s(lo_s). The median is monotone in each argument, so when every interval
// covers its quantile the true ratio lies in [R_lo, R_hi]; Bonferroni over the 1 + k intervals
// gives each end budget/(1 + k) of the side it serves (PASS: lo_t and the siblings' hi; FAIL:
// hi_t and the siblings' lo).
#include "harness/evaluate/checks.hpp"
#include "harness/model/targets.hpp"
#include "harness/stats/diagnostics.hpp"
#include "harness/stats/sequential.hpp"
#include "harness/stats/statistic_fn.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <limits>

namespace gpucert::evaluate::detail {

using report::Check;
using report::Verdict;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double quantile_of(const profile::Clause& c) {
  return stats::StatisticFn::parse(c.stat).q; // the profile allows median and pNN only
}

/// The clause's quantile interval with these end budgets, on the design judge() reads (looks
/// n_min..n_max; a longer results file is read as one fixed-sample look, as judge() does).
stats::Interval quantile_interval(const std::vector<double>& x, double q, const JudgeContext& ctx,
                                  double lower, double upper) {
  const int n = static_cast<int>(x.size());
  const bool beyond = n > std::max(ctx.n_max, kMaxDesignLooks);
  const auto design = beyond
                          ? stats::sign_design(q, n, n, lower, upper)
                          : stats::sign_design(q, ctx.n_min, std::max(ctx.n_max, n), lower, upper);
  return stats::sequential_quantile_ci(x, *design);
}

/// Median of values that may hold one infinity sign (missing ends): the mean of the two middle
/// values for an even count, written so that −inf and a number give −inf, never NaN.
double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * v[n / 2 - 1] + 0.5 * v[n / 2];
}

bool all_finite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

std::string fmt_value(double v) {
  return std::fabs(v) >= 100 ? fmt::format("{:.1f}", v) : fmt::format("{:.4g}", v);
}

std::string ratio_text(double lo, double hi) {
  const bool l = std::isfinite(lo), h = std::isfinite(hi);
  if (l && h)
    return fmt::format("interval {:.3f}–{:.3f}", lo, hi);
  if (l)
    return fmt::format("lower bound {:.3f}", lo);
  if (h)
    return fmt::format("upper bound {:.3f}", hi);
  return "no bound yet";
}

/// Why a sibling's measurement cannot serve as a reference; empty when it can.
std::string unusable(const Measurement* m, const profile::Clause& c) {
  if (!m)
    return "not measured";
  if (m->status == MeasurementStatus::skipped)
    return "skipped";
  if (m->status == MeasurementStatus::error)
    return "measurement failed";
  if (m->status == MeasurementStatus::incorrect ||
      (m->verification.checked && !m->verification.passed))
    return "wrong results";
  auto it = m->metrics.find(c.metric);
  if (it == m->metrics.end() || it->second.empty())
    return "no samples";
  if (!all_finite(it->second))
    return "samples not finite";
  return {};
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : sep) + s;
  return out;
}

/// The parts of the check every outcome carries.
Check skeleton(const profile::Clause& c, const profile::Profile& p, const Results& r,
               const Target& t) {
  Check k;
  k.clause_id = c.id;
  k.metric = c.metric;
  k.description = c.description;
  k.contract_ref = c.contract_ref;
  k.kind = "benchmark";
  k.scope = t.scope;
  k.target = t.label();
  k.gpus = t.gpus;
  k.stat = c.stat;
  k.confidence = p.method.confidence;
  k.ci_method = "sibling-ratio";
  k.mode = "relative";
  k.threshold.min = c.min_ratio;
  k.threshold.unit = "ratio";
  k.threshold.higher_is_better = true;
  k.params = params_text(c.resolved);
  k.simulated = r.simulated;
  k.relative = report::Relative{};
  k.relative->min_ratio = c.min_ratio.value_or(1);
  return k;
}

/// Reads t's own measurement into k. False when that already decides the check (ERROR, SKIPPED
/// or FAIL for wrong results), with k's verdict and message set.
bool read_own(const profile::Clause& c, const Results& r, const Measurement* m, Check& k) {
  if (!m) {
    k.verdict = Verdict::error;
    k.message = r.complete
                    ? "not measured"
                    : fmt::format("not reached: run interrupted ({})",
                                  r.incomplete_reason.empty() ? "incomplete" : r.incomplete_reason);
    return false;
  }
  k.measurement = static_cast<int>(m - r.measurements.data());
  k.target = m->target.label();
  k.gpus = m->target.gpus;
  k.telemetry = m->telemetry;
  k.stop_reason = m->stop_reason;
  k.started_at = m->started_at;
  k.finished_at = m->finished_at;
  k.warmup_extensions = m->warmup_extensions;
  if (auto it = m->metrics.find(c.metric); it != m->metrics.end())
    k.samples = it->second;
  k.n = static_cast<int>(k.samples.size());
  switch (m->status) {
  case MeasurementStatus::skipped:
    k.verdict = Verdict::skipped;
    k.message = m->message.empty() ? "not applicable" : m->message;
    return false;
  case MeasurementStatus::error:
    k.verdict = Verdict::error;
    k.message = m->message.empty() ? "measurement failed" : m->message;
    return false;
  case MeasurementStatus::incorrect:
  case MeasurementStatus::ok:
    break;
  }
  if (m->status == MeasurementStatus::incorrect ||
      (m->verification.checked && !m->verification.passed)) {
    // Fast but wrong is never PASS, whatever its siblings did.
    const std::string detail = m->message.empty() ? m->verification.detail : m->message;
    k.verdict = Verdict::fail;
    k.cause = "wrong results" + (detail.empty() ? std::string() : ": " + detail);
    return false;
  }
  if (k.samples.empty()) {
    k.verdict = Verdict::error;
    k.message = fmt::format("no samples of {} were recorded", c.metric);
    return false;
  }
  if (!all_finite(k.samples)) {
    const auto bad = std::count_if(k.samples.begin(), k.samples.end(),
                                   [](double v) { return !std::isfinite(v); });
    k.verdict = Verdict::error;
    k.message = fmt::format("{} of {} samples of {} are not finite numbers (NaN or infinite): "
                            "the measurement is broken",
                            bad, k.n, c.metric);
    return false;
  }
  return true;
}

} // namespace

bool sibling_precise_enough(const std::vector<double>& samples, const profile::Clause& c,
                            const JudgeContext& ctx) {
  if (samples.empty() || !c.min_ratio || !all_finite(samples))
    return false;
  // While one target is measured its siblings are not known here; the family (every
  // statistical check of the certificate) bounds 1 + their count, so the interval read is at
  // most as wide as the one the check reads after the run.
  const double intervals = std::max(2, ctx.family);
  const Levels levels = levels_for(ctx);
  const stats::Interval ci = quantile_interval(samples, quantile_of(c), ctx,
                                               levels.pass / intervals, levels.fail / intervals);
  if (!std::isfinite(ci.lo) || !std::isfinite(ci.hi) || !(ci.point > 0))
    return false;
  return (ci.hi - ci.lo) / ci.point < (1 - *c.min_ratio) / 2;
}

report::Check sibling_check(const profile::Clause& c, const profile::Profile& p, const Results& r,
                            const Target& t, const std::vector<int>& gpus,
                            const JudgeContext& ctx) {
  Check k = skeleton(c, p, r, t);
  std::vector<Target> siblings;
  for (const Target& s : targets_for(c.each, gpus))
    if (!(s.scope == t.scope && s.gpus == t.gpus))
      siblings.push_back(s);
  for (const Target& s : siblings)
    k.relative->siblings.push_back(s.label());
  if (siblings.size() < 2) {
    k.verdict = Verdict::skipped;
    k.message = "needs at least 3 GPUs (or pairs) to compare";
    return k;
  }

  const Measurement* m = find_measurement(r, c, t);
  if (!read_own(c, r, m, k))
    return k;

  // Siblings without usable samples are left out of the reference, and named.
  std::vector<const std::vector<double>*> used;
  std::vector<std::string> used_labels, left_out;
  for (const Target& s : siblings) {
    const Measurement* ms = find_measurement(r, c, s);
    if (const std::string why = unusable(ms, c); !why.empty()) {
      left_out.push_back(fmt::format("{} ({})", s.label(), why));
      continue;
    }
    used.push_back(&ms->metrics.at(c.metric));
    used_labels.push_back(s.label());
  }
  k.relative->siblings = used_labels;
  const std::string left_text =
      left_out.empty() ? std::string()
                       : fmt::format("left out of the siblings' median: {}", join(left_out, ", "));
  if (used.size() < 2) {
    k.verdict = Verdict::error;
    k.message = fmt::format("fewer than 2 of its {} siblings have usable measurements to "
                            "compare with; {}",
                            siblings.size(), left_text);
    return k;
  }

  const double q = quantile_of(c);
  const Levels levels = levels_for(ctx);
  const double intervals = static_cast<double>(1 + used.size());
  const double pass_end = levels.pass / intervals, fail_end = levels.fail / intervals;
  const stats::Interval own = quantile_interval(k.samples, q, ctx, pass_end, fail_end);
  std::vector<double> points, los, his;
  for (const auto* x : used) {
    // A sibling's upper end serves PASS (this target is not below a reference that high), its
    // lower end serves FAIL.
    const stats::Interval s = quantile_interval(*x, q, ctx, fail_end, pass_end);
    points.push_back(s.point);
    los.push_back(s.lo);
    his.push_back(s.hi);
  }
  const double ref = median_of(points), ref_lo = median_of(los), ref_hi = median_of(his);
  const double r_lo =
      std::isfinite(own.lo) && std::isfinite(ref_hi) && ref_hi > 0 ? own.lo / ref_hi : -kInf;
  const double r_hi =
      std::isfinite(own.hi) && std::isfinite(ref_lo) && ref_lo > 0 ? own.hi / ref_lo : kInf;
  const double floor = *c.min_ratio;

  k.relative->reference = ref;
  if (std::isfinite(ref_lo))
    k.relative->reference_lo = ref_lo;
  if (std::isfinite(ref_hi))
    k.relative->reference_hi = ref_hi;
  k.pass_level = levels.pass;
  k.fail_level = levels.fail;
  if (ref > 0) {
    k.value = own.point / ref;
    k.margin = *k.value - floor;
    k.margin_rel = *k.margin / floor;
  }
  if (std::isfinite(r_lo))
    k.ci_lo = r_lo;
  if (std::isfinite(r_hi))
    k.ci_hi = r_hi;
  const stats::Diagnosis d = stats::diagnose(k.samples);
  if (d.checked)
    k.diagnosis =
        report::Diagnosis{d.lag1, d.lag1_z, d.trend, d.trend_z, d.autocorrelated, d.trending};

  const std::string ratio =
      fmt::format("{} {} {} {} is {:.3f} of its {} siblings' {} {} ({}, floor {:g})", k.target,
                  c.stat, fmt_value(own.point), c.unit, k.value.value_or(0), used.size(), c.stat,
                  fmt_value(ref), ratio_text(r_lo, r_hi), floor);
  if (r_lo >= floor) {
    k.verdict = Verdict::pass;
    k.message = left_text;
  } else if (r_hi < floor) {
    k.verdict = Verdict::fail;
    std::vector<std::string> causes{ratio};
    for (auto& s : failure_causes(c.metric, t, m, r))
      causes.push_back(std::move(s));
    k.cause = join(causes, "; ");
    k.message = left_text;
  } else {
    k.verdict = Verdict::inconclusive;
    k.message = fmt::format("the ratio straddles its floor: {}; sampling ended ({}) after {} "
                            "samples",
                            ratio, m->stop_reason.empty() ? "budget spent" : m->stop_reason, k.n);
    if (!left_text.empty())
      k.message += "; " + left_text;
  }
  return k;
}

} // namespace gpucert::evaluate::detail
