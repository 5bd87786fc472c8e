// Rendering the report (see render.hpp).
#include "apps/error-rates/render.hpp"

#include "gpucert/version.hpp"

#include <cmath>
#include <fmt/core.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace gpucert::error_rates {

namespace {

struct Proportion {
  double p = 0, lo = 0, hi = 0; ///< observed, and its 95 % Wilson interval
};

/// Wilson, not p ± 2 SE: it stays inside [0, 1] and is not zero-width at 0 PASS in N.
Proportion proportion(long long hits, long long n) {
  if (n <= 0)
    return {};
  const double z = 1.959963984540054, nn = static_cast<double>(n);
  const double p = static_cast<double>(hits) / nn;
  const double d = 1 + z * z / nn;
  const double centre = (p + z * z / (2 * nn)) / d;
  const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / d;
  return {p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::string pct(const Proportion& x) {
  return fmt::format("{:.2f} [{:.2f}, {:.2f}]", 100 * x.p, 100 * x.lo, 100 * x.hi);
}

double mean(long long sum, long long n) {
  return n > 0 ? static_cast<double>(sum) / static_cast<double>(n) : 0;
}

std::string gpus_text(int n) {
  return fmt::format("{} GPU{}", n, n == 1 ? "" : "s");
}

std::string truth_cells(const Truth& t) {
  std::string rho = fmt::format("{:g}", t.rho);
  if (t.drift != 0)
    rho += fmt::format(", drift {:+g} %/min", 100 * t.drift);
  return fmt::format("| {:+g} % | {:g} % | {} |", 100 * t.offset, 100 * t.cv, rho);
}

std::string method_text(const MethodTable& t) {
  const SamplingPolicy& p = t.spec.policy;
  const auto levels = evaluate::levels_for(t.spec.ctx);
  std::string stop = t.spec.held
                         ? fmt::format("held load: samples for {:g} s, no early stop; judged on "
                                       "windows (batch statistics) at the end",
                                       p.max_seconds)
                         : fmt::format("the verdict engine's stopping rule (decided_rule) after "
                                       "each sample from {}; at most {} samples or {:g} s",
                                       p.min_samples, p.max_samples, p.max_seconds);
  std::string threshold;
  if (t.clause.min)
    threshold += fmt::format("min {:g}", *t.clause.min);
  if (t.clause.max)
    threshold += fmt::format("{}max {:g}", threshold.empty() ? "" : ", ", *t.clause.max);
  return fmt::format(
      "Clauses: {} (first: {} {}; offsets are relative, so the value does not matter).  \n"
      "Method: confidence {:g}; {}; warm-up at least {} samples and {:g} s (on the budget's "
      "clock); design looks {}..{}; family {} checks ({}): PASS level {:.4g} % per "
      "check, FAIL level {:.4g} % per check ({:.4g} % over the family).  \n"
      "Trials: {} per row; wall time {:.1f} s.\n",
      fmt::join(t.clause_ids, ", "), threshold, t.clause.unit, p.confidence, stop, p.warmup_min,
      p.warmup_seconds, t.spec.ctx.n_min, t.spec.ctx.n_max, t.spec.ctx.family, gpus_text(t.gpus),
      100 * levels.pass, 100 * levels.fail, 100 * levels.fail * t.spec.ctx.family,
      t.rows.empty() ? 0 : t.rows.front().tally.trials, t.wall_seconds);
}

nlohmann::json truth_json(const Truth& t) {
  return {{"offset", t.offset}, {"cv", t.cv}, {"rho", t.rho}, {"drift_per_min", t.drift}};
}

nlohmann::json proportion_json(long long hits, long long n) {
  const Proportion x = proportion(hits, n);
  return {{"count", hits}, {"p", x.p}, {"ci95", {x.lo, x.hi}}};
}

} // namespace

std::string render_markdown(const Report& r) {
  std::string out = fmt::format(
      "# Error rates of the shipped methods\n\n"
      "gpucert-error-rates {} ({}): seed {}, {} threads, one sample = {:g} ms of device time "
      "(median) on the backend clock; total wall time {:.1f} s.\n\n"
      "Each trial is one measurement through the real path: certify::policy_for, measure() with "
      "evaluate::decided_rule, evaluate::judge. Samples are lognormal with coefficient of "
      "variation CV; rho is the lag-1 correlation of an AR(1) process on the log scale (the "
      "marginal is unchanged). **offset** is where the clause's statistic (its median, p10, "
      "mean, ...) truly is relative to its threshold, in the good direction: +1 % = 1 % above a "
      "floor or 1 % below a ceiling. Percentages with 95 % Wilson intervals of the Monte Carlo "
      "error; samples are the timed ones (warm-up, with any extensions, separately).\n\n"
      "## Table 1: single checks\n",
      kToolVersion, kGitRevision, r.config.seed, r.config.threads, 1e3 * r.config.sample_seconds,
      r.wall_seconds);
  for (const auto& t : r.methods) {
    out += fmt::format("\n### {}: {}\n\n", t.profile, t.label);
    out += method_text(t);
    out += "\n| offset | CV | rho | P(PASS) % | P(FAIL) % | P(INCONCLUSIVE) % | mean samples "
           "| mean warm-up |\n|---|---|---|---|---|---|---|---|\n";
    for (const auto& row : t.rows) {
      const Tally& y = row.tally;
      out += fmt::format("{} {} | {} | {} | {:.1f} | {:.1f} |\n", truth_cells(row.truth),
                         pct(proportion(y.pass, y.trials)), pct(proportion(y.fail, y.trials)),
                         pct(proportion(y.inconclusive, y.trials)), mean(y.samples, y.trials),
                         mean(y.warmup, y.trials));
      if (y.error > 0)
        out += fmt::format("|   | ERROR verdicts: {} of {} |\n", y.error, y.trials);
    }
  }
  out += "\n## Table 2: a healthy node, every check of the plan\n";
  for (const auto& t : r.nodes) {
    out += fmt::format(
        "\n### {}: {}, {} measurements, {} checks\n\n"
        "Every benchmark clause at the row's offset and CV, an independent stream per "
        "measurement. Trials: {} nodes per row; wall time {:.1f} s.\n\n"
        "| offset | CV | rho | P(any FAIL) % | P(all PASS) % | P(any INCONCLUSIVE) % | "
        "mean FAIL checks | mean INCONCLUSIVE checks | mean samples per check | node time "
        "(min) |\n|---|---|---|---|---|---|---|---|---|---|\n",
        t.profile, gpus_text(t.gpus), t.measurements, t.checks,
        t.rows.empty() ? 0 : t.rows.front().tally.trials, t.wall_seconds);
    for (const auto& row : t.rows) {
      const NodeTally& y = row.tally;
      out += fmt::format("{} {} | {} | {} | {:.3f} | {:.2f} | {:.1f} | {:.1f} |\n",
                         truth_cells(row.truth), pct(proportion(y.any_fail, y.trials)),
                         pct(proportion(y.all_pass, y.trials)),
                         pct(proportion(y.any_inconclusive, y.trials)),
                         mean(y.fail_checks, y.trials), mean(y.inconclusive_checks, y.trials),
                         mean(y.samples, y.checks), mean(y.micros, y.trials) / 60e6);
      if (y.any_error > 0)
        out += fmt::format("|   | nodes with an ERROR: {} of {} |\n", y.any_error, y.trials);
    }
  }
  out += fmt::format(
      "\n## Targets{}\n\nA target is missed when the observation is beyond it by "
      "more than 3 Monte Carlo standard errors (at the target). Rows with dependent samples "
      "are reported against the same limit but do not fail --check.\n\n"
      "| target | observed % | limit % | allowed % | trials | result |\n"
      "|---|---|---|---|---|---|\n",
      r.checked ? " (--check)" : "");
  for (const auto& g : r.targets)
    out += fmt::format("| {} {} | {:.2f} | {:.2f} | {:.2f} | {} | {} |\n", g.what, g.relation,
                       100 * g.observed, 100 * g.limit, 100 * g.allowed, g.trials,
                       g.ok              ? "met"
                       : g.informational ? "exceeded (informational: dependent samples)"
                                         : "**MISSED**");
  return out;
}

std::string render_json(const Report& r) {
  nlohmann::json j;
  j["tool"] = "gpucert-error-rates";
  j["version"] = kToolVersion;
  j["git_revision"] = kGitRevision;
  j["seed"] = r.config.seed;
  j["threads"] = r.config.threads;
  j["sample_seconds"] = r.config.sample_seconds;
  j["wall_seconds"] = r.wall_seconds;
  j["offset"] = "the clause statistic's true value relative to its threshold, good direction";
  j["methods"] = nlohmann::json::array();
  for (const auto& t : r.methods) {
    nlohmann::json m = {{"profile", t.profile},
                        {"method", t.label},
                        {"clauses", t.clause_ids},
                        {"stat", t.clause.stat},
                        {"policy", t.spec.policy.to_json()},
                        {"held", t.spec.held},
                        {"gpus", t.gpus},
                        {"family", t.spec.ctx.family},
                        {"pass_level", evaluate::levels_for(t.spec.ctx).pass},
                        {"fail_level", evaluate::levels_for(t.spec.ctx).fail},
                        {"wall_seconds", t.wall_seconds},
                        {"rows", nlohmann::json::array()}};
    if (t.clause.min)
      m["min"] = *t.clause.min;
    if (t.clause.max)
      m["max"] = *t.clause.max;
    for (const auto& row : t.rows) {
      const Tally& y = row.tally;
      m["rows"].push_back({{"truth", truth_json(row.truth)},
                           {"trials", y.trials},
                           {"pass", proportion_json(y.pass, y.trials)},
                           {"fail", proportion_json(y.fail, y.trials)},
                           {"inconclusive", proportion_json(y.inconclusive, y.trials)},
                           {"error", y.error},
                           {"mean_samples", mean(y.samples, y.trials)},
                           {"mean_warmup_samples", mean(y.warmup, y.trials)}});
    }
    j["methods"].push_back(std::move(m));
  }
  j["nodes"] = nlohmann::json::array();
  for (const auto& t : r.nodes) {
    nlohmann::json n = {{"profile", t.profile},           {"gpus", t.gpus},
                        {"measurements", t.measurements}, {"checks", t.checks},
                        {"wall_seconds", t.wall_seconds}, {"rows", nlohmann::json::array()}};
    for (const auto& row : t.rows) {
      const NodeTally& y = row.tally;
      n["rows"].push_back({{"truth", truth_json(row.truth)},
                           {"trials", y.trials},
                           {"any_fail", proportion_json(y.any_fail, y.trials)},
                           {"all_pass", proportion_json(y.all_pass, y.trials)},
                           {"any_inconclusive", proportion_json(y.any_inconclusive, y.trials)},
                           {"any_error", y.any_error},
                           {"mean_fail_checks", mean(y.fail_checks, y.trials)},
                           {"mean_inconclusive_checks", mean(y.inconclusive_checks, y.trials)},
                           {"mean_samples_per_check", mean(y.samples, y.checks)},
                           {"mean_node_seconds", mean(y.micros, y.trials) / 1e6}});
    }
    j["nodes"].push_back(std::move(n));
  }
  j["targets"] = nlohmann::json::array();
  for (const auto& g : r.targets)
    j["targets"].push_back({{"what", g.what},
                            {"relation", g.relation},
                            {"observed", g.observed},
                            {"limit", g.limit},
                            {"allowed", g.allowed},
                            {"trials", g.trials},
                            {"ok", g.ok},
                            {"informational", g.informational}});
  j["checked"] = r.checked;
  return j.dump(2) + "\n";
}

} // namespace gpucert::error_rates
