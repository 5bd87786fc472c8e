// The verdict engine proper: for each clause and each target the clause applies to, find the
// measurement, compute the confidence interval of the clause's statistic and decide.
#include "harness/evaluate/evaluate.hpp"

#include "gpucert/version.hpp"
#include "harness/evaluate/checks.hpp"
#include "harness/profile/sha256.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::evaluate {

using report::Check;
using report::Verdict;

Look decided_rule_look(const std::vector<profile::Clause>& clauses, const JudgeContext& ctx,
                       const Measurement& m);

std::function<Look(const Measurement&)> decided_rule(std::vector<profile::Clause> clauses,
                                                     JudgeContext ctx) {
  return [clauses = std::move(clauses), ctx](const Measurement& m) {
    return decided_rule_look(clauses, ctx, m);
  };
}

// The runner stops when every clause on the measurement is decided by a verdict that holds at
// any look (the sequential sign test, the mean at its scheduled looks). A clause whose samples
// are dependent is judged once, at the end, on batch statistics; a trend while the first
// samples come in asks the runner to extend the warm-up instead.
Look decided_rule_look(const std::vector<profile::Clause>& clauses, const JudgeContext& ctx,
                       const Measurement& m) {
  bool all = true, trend = false, dependent = false;
  JudgeContext here = ctx;
  here.dependent = m.dependent; // once seen, the measurement stays on batch statistics
  for (const auto& c : clauses) {
    if (c.relative_to_siblings()) {
      // Judged against the other GPUs after the run (siblings.cpp); until then, sample until
      // this target's own interval is tight enough to tell a ratio below the floor apart.
      auto it = m.metrics.find(c.metric);
      if (it == m.metrics.end() || !detail::sibling_precise_enough(it->second, c, ctx))
        all = false;
      continue;
    }
    auto it = m.metrics.find(c.metric);
    if (it == m.metrics.end() || it->second.empty())
      return Look::undecided;
    const Judgement j = judge(it->second, c, here);
    trend = trend || j.diagnosis.trending;
    dependent = dependent || j.mode == "batch";
    if (j.verdict == Verdict::inconclusive || !j.final_at_any_look)
      all = false;
  }
  if (all)
    return Look::decided;
  if (trend)
    return Look::drifting;
  return dependent && !m.dependent ? Look::dependent : Look::undecided;
}

int family_size(const profile::Profile& p, const std::vector<int>& gpus) {
  int n = 0;
  for (const auto& c : p.clauses)
    if (!c.is_health())
      n += std::max<int>(1, static_cast<int>(targets_for(c.each, gpus).size()));
  return std::max(n, 1);
}

JudgeContext judge_context(const profile::Profile& p, const std::vector<int>& gpus) {
  JudgeContext ctx;
  ctx.confidence = p.method.confidence;
  ctx.family = family_size(p, gpus);
  ctx.n_min = p.method.min_samples;
  ctx.n_max = p.method.max_samples;
  return ctx;
}

std::vector<int> measured_gpus(const Results& r) {
  std::vector<int> gpus;
  auto it = r.provenance.find("gpus");
  if (it != r.provenance.end() && it->is_array()) {
    for (const auto& g : *it)
      if (g.is_number_integer())
        gpus.push_back(g.get<int>());
  } else {
    for (const auto& g : r.inventory_before.gpus)
      gpus.push_back(g.index);
  }
  std::sort(gpus.begin(), gpus.end());
  gpus.erase(std::unique(gpus.begin(), gpus.end()), gpus.end());
  return gpus;
}

namespace {

/// The judging context for re-reading `r`: the looks of the design cover both this profile's
/// method and the one the results were measured under (recorded in results.method), so a file
/// measured with a smaller min_samples or a larger max_samples is read at looks its design has.
JudgeContext results_context(const profile::Profile& p, const Results& r,
                             const std::vector<int>& gpus) {
  JudgeContext ctx = judge_context(p, gpus);
  const auto pm = r.method.find("profile_method");
  if (pm != r.method.end() && pm->is_object()) {
    if (auto it = pm->find("min_samples"); it != pm->end() && it->is_number_integer())
      ctx.n_min = std::max(1, std::min(ctx.n_min, it->get<int>()));
    // A soak's millions are not a design horizon (its samples are judged in windows).
    if (auto it = pm->find("max_samples");
        it != pm->end() && it->is_number_integer() && it->get<int>() <= kMaxDesignLooks)
      ctx.n_max = std::max(ctx.n_max, it->get<int>());
  }
  return ctx;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string fmt_value(double v) {
  return std::fabs(v) >= 100 ? fmt::format("{:.1f}", v) : fmt::format("{:.4g}", v);
}

std::string interval_text(const stats::Interval& ci) {
  const bool lo = std::isfinite(ci.lo), hi = std::isfinite(ci.hi);
  if (lo && hi)
    return fmt::format("interval {}–{}", fmt_value(ci.lo), fmt_value(ci.hi));
  if (lo)
    return fmt::format("lower bound {}", fmt_value(ci.lo));
  return fmt::format("upper bound {}", fmt_value(ci.hi));
}

/// Why a check is undecided, which budget ran out, and how many samples would likely decide it.
std::string inconclusive_message(const Check& k, const Judgement& j, const Measurement& m) {
  std::string budget;
  if (m.stop_reason == "max_samples")
    budget = fmt::format("the sample budget ran out (max_samples, {} samples)", k.n);
  else if (m.stop_reason == "time_budget")
    budget = fmt::format("the time budget ran out (max_seconds_per_clause) after {} samples", k.n);
  else
    budget = fmt::format("sampling ended ({}) after {} samples",
                         m.stop_reason.empty() ? "budget spent" : m.stop_reason, k.n);
  std::string what = !j.why.empty() ? j.why
                     : j.ci.valid   ? fmt::format("the {} {} straddles the threshold {}", k.stat,
                                                  interval_text(j.ci), k.threshold.str())
                                    : fmt::format("the {} has no bound yet", k.stat);
  std::string likely;
  if (std::isfinite(j.samples_needed) && j.samples_needed > k.n)
    likely = j.samples_needed > 1e6
                 ? "; it sits so close to the threshold that no practical sample count would "
                   "decide it"
                 : fmt::format("; about {:.0f} samples would likely decide it", j.samples_needed);
  else if (!std::isfinite(j.samples_needed) && j.ci.valid && j.why.empty())
    likely = "; it sits on the threshold: more samples are unlikely to decide it";
  return what + ": " + budget + likely;
}

Check benchmark_check(const profile::Clause& c, const profile::Profile& p, const Results& r,
                      const Target& t, const JudgeContext& ctx) {
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
  k.threshold.min = c.min;
  k.threshold.max = c.max;
  k.threshold.unit = c.unit;
  k.threshold.higher_is_better = c.higher_is_better;
  k.params = detail::params_text(c.resolved);
  k.simulated = r.simulated;

  const Measurement* m = detail::find_measurement(r, c, t);
  if (!m) {
    k.verdict = Verdict::error;
    k.message = r.complete
                    ? detail::not_measured_reason(r, c, t)
                    : fmt::format("not reached: run interrupted ({})",
                                  r.incomplete_reason.empty() ? "incomplete" : r.incomplete_reason);
    return k;
  }
  k.measurement = static_cast<int>(m - r.measurements.data());
  k.target = m->target.label();
  k.gpus = m->target.gpus;
  k.telemetry = m->telemetry;
  k.stop_reason = m->stop_reason;
  k.started_at = m->started_at;
  k.finished_at = m->finished_at;
  if (auto it = m->metrics.find(c.metric); it != m->metrics.end())
    k.samples = it->second;
  k.n = static_cast<int>(k.samples.size());

  switch (m->status) {
  case MeasurementStatus::skipped:
    k.verdict = Verdict::skipped;
    k.message = m->message.empty() ? "not applicable" : m->message;
    return k;
  case MeasurementStatus::error:
    k.verdict = Verdict::error;
    k.message = m->message.empty() ? "measurement failed" : m->message;
    return k;
  case MeasurementStatus::incorrect: {
    k.verdict = Verdict::fail;
    std::string detail = m->message.empty() ? m->verification.detail : m->message;
    k.cause = "wrong results" + (detail.empty() ? std::string() : ": " + detail);
    break;
  }
  case MeasurementStatus::ok:
    if (m->verification.checked && !m->verification.passed) {
      k.verdict = Verdict::fail;
      k.cause = "wrong results" +
                (m->verification.detail.empty() ? std::string() : ": " + m->verification.detail);
    }
    break;
  }

  if (k.samples.empty()) {
    if (k.verdict != Verdict::fail) {
      k.verdict = Verdict::error;
      k.message = fmt::format("no samples of {} were recorded", c.metric);
    }
    return k;
  }
  // A NaN or infinite sample is a broken measurement (a sample timed at zero seconds, a null in
  // a results file), never a figure: order statistics over it are meaningless, so fail closed.
  const auto bad =
      std::count_if(k.samples.begin(), k.samples.end(), [](double v) { return !std::isfinite(v); });
  if (bad > 0) {
    if (k.verdict != Verdict::fail) {
      k.verdict = Verdict::error;
      k.message = fmt::format("{} of {} samples of {} are not finite numbers (NaN or infinite): "
                              "the measurement is broken",
                              bad, k.n, c.metric);
    }
    return k;
  }
  JudgeContext here = ctx;
  here.sustained = c.duration.has_value() || p.tier == profile::Tier::soak;
  here.dependent = m->dependent;
  const Judgement j = judge(k.samples, c, here);
  const stats::Interval& ci = j.ci;
  k.value = ci.point;
  k.ci_method = ci.method;
  k.mode = j.mode;
  k.pass_level = j.levels.pass;
  k.fail_level = j.levels.fail;
  k.batches = j.batches;
  k.batch_size = j.batch_size;
  k.warmup_extensions = m->warmup_extensions;
  if (j.diagnosis.checked)
    k.diagnosis =
        report::Diagnosis{j.diagnosis.lag1,    j.diagnosis.lag1_z,         j.diagnosis.trend,
                          j.diagnosis.trend_z, j.diagnosis.autocorrelated, j.diagnosis.trending};
  if (ci.valid && std::isfinite(ci.lo))
    k.ci_lo = ci.lo;
  if (ci.valid && std::isfinite(ci.hi))
    k.ci_hi = ci.hi;
  std::optional<double> thr;
  if (c.min) {
    k.margin = ci.point - *c.min;
    thr = *c.min;
  }
  if (c.max && (!k.margin || *c.max - ci.point < *k.margin)) {
    k.margin = *c.max - ci.point;
    thr = *c.max;
  }
  if (thr && *thr != 0)
    k.margin_rel = *k.margin / *thr;
  if (k.verdict == Verdict::fail)
    return k; // wrong results: fast but wrong is never PASS

  k.verdict = j.verdict;
  if (k.verdict == Verdict::fail) {
    k.cause = join(detail::failure_causes(c.metric, t, m, r), "; ");
  } else if (k.verdict == Verdict::inconclusive) {
    k.message = inconclusive_message(k, j, *m);
    if (std::isfinite(j.samples_needed) && j.samples_needed > k.n)
      k.samples_needed = j.samples_needed;
  }
  return k;
}

} // namespace

report::Certificate evaluate(const profile::Profile& p, const Results& r) {
  report::Certificate cert;
  cert.tool_version = kToolVersion;
  cert.git_revision = kGitRevision;
  cert.simulated = r.simulated || r.backend == "sim" || r.inventory_before.simulated;
  cert.profile.name = p.name;
  cert.profile.description = p.description;
  cert.profile.tier = profile::to_string(p.tier);
  cert.profile.sha256 = p.sha256;
  cert.profile.confidence = p.method.confidence;
  for (const auto& f : p.files) {
    const auto slash = f.path.find_last_of('/');
    cert.profile.files.push_back(
        {slash == std::string::npos ? f.path : f.path.substr(slash + 1), f.sha256});
  }
  cert.results.complete = r.complete;
  cert.results.incomplete_reason = r.incomplete_reason;
  cert.results.backend = r.backend;
  cert.results.started_at = r.started_at;
  cert.results.finished_at = r.finished_at;
  cert.results.tool_version = r.tool_version;
  cert.results.git_revision = r.git_revision;
  cert.results.planned_profile_name = r.profile_name;
  cert.results.planned_profile_sha256 = r.profile_sha256;
  cert.results.sha256 = sha256_hex(to_json(r).dump());
  cert.inventory = r.inventory_before;
  cert.inventory_after = r.inventory_after;

  const std::vector<int> gpus = measured_gpus(r);
  std::vector<int> inventory_gpus;
  for (const auto& g : r.inventory_before.gpus)
    inventory_gpus.push_back(g.index);
  cert.scope = report::run_scope(gpus, inventory_gpus);
  const JudgeContext ctx = results_context(p, r, gpus);
  cert.error_control.family_size = ctx.family;
  cert.error_control.pass_level = levels_for(ctx).pass;
  cert.error_control.fail_level = levels_for(ctx).fail;
  for (auto& k : detail::match_checks(p, r, gpus))
    cert.checks.push_back(std::move(k));
  for (const auto& c : p.clauses) {
    if (c.is_health()) {
      for (auto& k : detail::health_checks(c, p, r, gpus))
        cert.checks.push_back(std::move(k));
      continue;
    }
    const auto targets = targets_for(c.each, gpus);
    if (targets.empty()) {
      Check k;
      k.clause_id = c.id;
      k.metric = c.metric;
      k.kind = "benchmark";
      k.scope = c.each;
      k.target = to_string(c.each);
      k.stat = c.stat;
      k.verdict = Verdict::error;
      k.message = gpus.empty() ? "no GPU was measured"
                               : "no target of this scope (a GPU pair needs two GPUs)";
      k.simulated = r.simulated;
      cert.checks.push_back(std::move(k));
    }
    for (const Target& t : targets)
      cert.checks.push_back(c.relative_to_siblings() ? detail::sibling_check(c, p, r, t, gpus, ctx)
                                                     : benchmark_check(c, p, r, t, ctx));
  }

  // A run on a subset certifies that subset: a node-scope check (the node's GPU count, a
  // collective over the node) judged on part of the node says nothing about the node.
  if (!cert.scope.complete_node)
    for (auto& k : cert.checks)
      if (k.scope == Scope::node && k.verdict != Verdict::skipped) {
        k.verdict = Verdict::error;
        k.cause.clear();
        k.message = fmt::format("node-scope clause: the run measured {}", cert.scope.str());
      }

  cert.counts = report::count(cert.checks);
  // Fail closed (report::derive_outcome, the rule every renderer re-derives with).
  cert.outcome = report::derive_outcome(cert.checks, r.complete);
  cert.summary = report::derive_summary(cert);
  return cert;
}

} // namespace gpucert::evaluate
