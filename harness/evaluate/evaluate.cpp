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

Verdict decide(const stats::Interval& ci, const profile::Clause& c) {
  if (!ci.valid || !std::isfinite(ci.lo) || !std::isfinite(ci.hi))
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

std::function<bool(const Measurement&)> decided_rule(std::vector<profile::Clause> clauses,
                                                     double confidence) {
  return [clauses = std::move(clauses), confidence](const Measurement& m) {
    for (const auto& c : clauses) {
      auto it = m.metrics.find(c.metric);
      if (it == m.metrics.end() || it->second.empty())
        return false;
      const stats::Interval ci = stats::ci_for(it->second, c.stat, confidence);
      if (decide(ci, c) == Verdict::inconclusive)
        return false;
    }
    return true;
  };
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

bool same_target(const Target& a, const Target& b) {
  return a.scope == b.scope && (a.scope == Scope::node || a.gpus == b.gpus);
}

/// The last measurement of (benchmark, params, target): a rerun supersedes an earlier one.
const Measurement* find_measurement(const Results& r, const profile::Clause& c, const Target& t) {
  const Measurement* found = nullptr;
  for (const auto& m : r.measurements)
    if (m.benchmark == c.benchmark && m.params == c.resolved && same_target(m.target, t))
      found = &m;
  return found;
}

std::string params_text(const Params& p) {
  std::string out;
  for (const auto& [k, v] : p)
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", k, v);
  return out;
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

Check benchmark_check(const profile::Clause& c, const profile::Profile& p, const Results& r,
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
  k.threshold.min = c.min;
  k.threshold.max = c.max;
  k.threshold.unit = c.unit;
  k.threshold.higher_is_better = c.higher_is_better;
  k.params = params_text(c.resolved);
  k.simulated = r.simulated;

  const Measurement* m = find_measurement(r, c, t);
  if (!m) {
    k.verdict = Verdict::error;
    k.message = r.complete
                    ? "not measured"
                    : fmt::format("not reached: run interrupted ({})",
                                  r.incomplete_reason.empty() ? "incomplete" : r.incomplete_reason);
    return k;
  }
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
  const stats::Interval ci = stats::ci_for(k.samples, c.stat, p.method.confidence);
  k.value = ci.point;
  k.ci_method = ci.method;
  if (ci.valid) {
    k.ci_lo = ci.lo;
    k.ci_hi = ci.hi;
  }
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

  k.verdict = decide(ci, c);
  if (k.verdict == Verdict::fail) {
    k.cause = join(detail::failure_causes(c.metric, t, m, r), "; ");
  } else if (k.verdict == Verdict::inconclusive) {
    k.message =
        ci.valid
            ? fmt::format("{:.0f}% interval {}–{} straddles the threshold {} after {} samples ({})",
                          100 * p.method.confidence, fmt_value(ci.lo), fmt_value(ci.hi),
                          k.threshold.str(), k.n,
                          m->stop_reason.empty() ? "budget spent" : m->stop_reason)
            : fmt::format("{} samples are too few for a {:.0f}% interval of the {}", k.n,
                          100 * p.method.confidence, c.stat);
  }
  return k;
}

std::string summary_of(const report::Certificate& cert, const Results& r) {
  const auto& n = cert.counts;
  std::vector<std::string> bad;
  for (const auto& k : cert.checks) {
    if (k.verdict != Verdict::fail && k.verdict != Verdict::error)
      continue;
    if (bad.size() == 6) {
      bad.push_back("…");
      break;
    }
    bad.push_back(fmt::format("{} {}", k.target, k.clause_id));
  }
  switch (cert.outcome) {
  case report::Outcome::certified:
    return fmt::format("{} of {} checks passed{}", n.pass, n.total,
                       n.skipped ? fmt::format(", {} skipped", n.skipped) : "");
  case report::Outcome::inconclusive:
    return fmt::format("{} of {} checks could not be decided within their sampling budget",
                       n.inconclusive, n.total);
  case report::Outcome::not_certified:
    break;
  }
  std::vector<std::string> parts;
  if (!r.complete)
    parts.push_back(fmt::format("run incomplete ({})",
                                r.incomplete_reason.empty() ? "unknown" : r.incomplete_reason));
  if (n.fail)
    parts.push_back(fmt::format("{} of {} checks failed", n.fail, n.total));
  if (n.error)
    parts.push_back(fmt::format("{} of {} checks could not be measured", n.error, n.total));
  if (parts.empty())
    parts.push_back("no check passed: nothing was verified");
  std::string s = join(parts, ", ");
  if (!bad.empty())
    s += " (" + join(bad, ", ") + ")";
  return s;
}

} // namespace

report::Certificate evaluate(const profile::Profile& p, const Results& r) {
  report::Certificate cert;
  cert.tool_version = kToolVersion;
  cert.git_revision = kGitRevision;
  cert.simulated = r.simulated || r.inventory_before.simulated;
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
      cert.checks.push_back(benchmark_check(c, p, r, t));
  }

  cert.counts = report::count(cert.checks);
  const auto& n = cert.counts;
  // Fail closed: an incomplete run, any FAIL or ERROR, or a certificate in which nothing PASSed
  // (all skipped) never certifies.
  if (!r.complete || n.fail > 0 || n.error > 0)
    cert.outcome = report::Outcome::not_certified;
  else if (n.inconclusive > 0)
    cert.outcome = report::Outcome::inconclusive;
  else if (n.pass == 0)
    cert.outcome = report::Outcome::not_certified;
  else
    cert.outcome = report::Outcome::certified;
  cert.summary = summary_of(cert, r);
  return cert;
}

} // namespace gpucert::evaluate
