// Building and running the tables (see tables.hpp).
#include "apps/error-rates/tables.hpp"

#include "harness/certify/plan.hpp"
#include "harness/evaluate/evaluate.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fmt/core.h>

namespace gpucert::error_rates {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string direction_of(const profile::Clause& c) {
  if (c.min && c.max)
    return "band (min and max; offsets from the min)";
  return c.min ? "floor (min)" : "ceiling (max)";
}

/// What makes two clauses' error rates differ: the statistic, the side, whether the load is
/// held and for how long. (The threshold's value does not: offsets are relative.)
std::string method_label(const profile::Clause& c, profile::Tier tier) {
  std::string held = "adaptive";
  if (c.duration)
    held = fmt::format("held {:g} s", *c.duration);
  else if (tier == profile::Tier::soak)
    held = "held (soak tier)";
  return fmt::format("{}, {}, {}", c.stat, direction_of(c), held);
}

} // namespace

std::vector<int> profile_gpus(const profile::Profile& p, const RunConfig& cfg) {
  std::vector<int> gpus;
  for (int i = 0; i < cfg.gpus.value_or(p.match.gpu_count.value_or(1)); ++i)
    gpus.push_back(i);
  return gpus;
}

std::vector<Truth> method_rows(const RunConfig& cfg) {
  std::vector<Truth> rows;
  for (double offset : {-0.01, 0.0, 0.01, 0.03})
    for (double cv : {0.005, 0.02, 0.05})
      rows.push_back({offset, cv, 0, 0});
  // Dependent samples (a GPU whose clocks wander): at the floor the PASS rate must still hold;
  // 3 % above it, what dependence costs in decisions.
  for (double offset : {0.0, 0.03})
    for (double rho : {0.5, 0.9})
      rows.push_back({offset, 0.02, rho, 0});
  if (cfg.drift)
    for (double offset : {0.0, 0.01})
      rows.push_back({offset, 0.02, 0, *cfg.drift});
  return rows;
}

std::vector<Truth> node_rows() {
  // The target's row first, then at the floor, tight noise, a clearly healthy node, and a
  // healthy node whose noise is correlated (what dependence does to the node's false FAILs).
  return {{0.01, 0.05, 0, 0},
          {0.0, 0.05, 0, 0},
          {0.01, 0.005, 0, 0},
          {0.03, 0.02, 0, 0},
          {0.01, 0.02, 0.5, 0}};
}

std::string row_label(const Truth& t) {
  std::string s = fmt::format("offset {:+g} % CV {:g} %", t.offset * 100, t.cv * 100);
  if (t.rho != 0)
    s += fmt::format(" rho {:g}", t.rho);
  if (t.drift != 0)
    s += fmt::format(" drift {:+g} %/min", t.drift * 100);
  return s;
}

std::vector<MethodTable> method_tables(const profile::Profile& p, const RunConfig& cfg) {
  std::vector<MethodTable> out;
  const std::vector<int> gpus = profile_gpus(p, cfg);
  for (const auto& c : p.clauses) {
    // Sibling-relative clauses are judged after the run against the other GPUs, not here.
    if (c.is_health() || c.relative_to_siblings())
      continue;
    const std::vector<Target> targets = targets_for(c.each, gpus);
    if (targets.empty())
      continue; // e.g. a pair clause on one GPU: no check of it exists

    const std::string label = method_label(c, p.tier);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& t) { return t.label == label; });
    if (it != out.end()) {
      it->clause_ids.push_back(c.id);
      continue;
    }
    MethodTable t;
    t.profile = p.name;
    t.tier = p.tier;
    t.label = label;
    t.clause_ids = {c.id};
    t.clause = c;
    t.gpus = static_cast<int>(gpus.size());
    t.spec.clauses = {c};
    t.spec.target = targets.front();
    t.spec.policy = certify::policy_for(p.method, p.tier, c.duration.value_or(0));
    t.spec.held = t.spec.policy.target_rel_ci == 0; // as certify::plan decides it
    t.spec.ctx = evaluate::judge_context(p, gpus);
    t.spec.soak = p.tier == profile::Tier::soak;
    out.push_back(std::move(t));
  }
  return out;
}

NodeTable node_table(const Registry& registry, const profile::Profile& p, const RunConfig& cfg) {
  NodeTable t;
  t.profile = p.name;
  t.tier = p.tier;
  const std::vector<int> gpus = profile_gpus(p, cfg);
  t.gpus = static_cast<int>(gpus.size());
  const evaluate::JudgeContext ctx = evaluate::judge_context(p, gpus);
  for (const auto& planned : certify::plan(registry, p, gpus)) {
    CheckSpec s;
    for (const auto& c : planned.clauses)
      if (!c.relative_to_siblings())
        s.clauses.push_back(c);
    if (s.clauses.empty())
      continue;
    s.target = planned.target;
    s.policy = planned.policy;
    s.held = planned.sustained;
    s.ctx = ctx;
    s.soak = p.tier == profile::Tier::soak;
    t.checks += static_cast<int>(s.clauses.size());
    t.specs.push_back(std::move(s));
  }
  t.measurements = static_cast<int>(t.specs.size());
  return t;
}

void run(MethodTable& t, const std::vector<Truth>& rows, const RunConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  t.rows.clear();
  for (const Truth& truth : rows) {
    const std::uint64_t key = text_key(t.profile + "|" + t.label + "|" + row_label(truth));
    Row row{truth, parallel_tally(cfg.trials, cfg.threads, [&](long long i) {
              const CheckOutcome o =
                  run_check(t.spec, truth, cfg.sample_seconds,
                            stream_seed(cfg.seed, key, static_cast<std::uint64_t>(i), 0));
              Tally one;
              one.trials = 1;
              one.samples = o.samples;
              one.warmup = o.warmup;
              switch (o.verdicts.front()) {
              case report::Verdict::pass:
                one.pass = 1;
                break;
              case report::Verdict::fail:
                one.fail = 1;
                break;
              case report::Verdict::inconclusive:
                one.inconclusive = 1;
                break;
              default:
                one.error = 1;
              }
              return one;
            })};
    t.rows.push_back(row);
  }
  t.wall_seconds = seconds_since(t0);
  if (cfg.progress)
    fmt::print(stderr, "gpucert-error-rates: {} {}: {} rows x {} trials, {:.1f} s\n", t.profile,
               t.label, rows.size(), cfg.trials, t.wall_seconds);
}

void run(NodeTable& t, const std::vector<Truth>& rows, const RunConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  t.rows.clear();
  for (const Truth& truth : rows) {
    const std::uint64_t key = text_key(t.profile + "|node|" + row_label(truth));
    NodeRow row{truth, parallel_node_tally(cfg.node_trials, cfg.threads, [&](long long i) {
                  NodeTally one;
                  one.trials = 1;
                  long long fails = 0, inconclusive = 0, errors = 0, checks = 0;
                  for (std::size_t j = 0; j < t.specs.size(); ++j) {
                    // Independent across checks: one stream per (trial, measurement).
                    const CheckOutcome o =
                        run_check(t.specs[j], truth, cfg.sample_seconds,
                                  stream_seed(cfg.seed, key, static_cast<std::uint64_t>(i), j + 1));
                    one.samples += o.samples * static_cast<long long>(o.verdicts.size());
                    one.micros += static_cast<long long>(o.seconds * 1e6);
                    for (report::Verdict v : o.verdicts) {
                      ++checks;
                      fails += v == report::Verdict::fail;
                      inconclusive += v == report::Verdict::inconclusive;
                      errors += v == report::Verdict::error;
                    }
                  }
                  one.checks = checks;
                  one.fail_checks = fails;
                  one.inconclusive_checks = inconclusive;
                  one.any_fail = fails > 0;
                  one.any_inconclusive = inconclusive > 0;
                  one.any_error = errors > 0;
                  one.all_pass = fails + inconclusive + errors == 0;
                  return one;
                })};
    t.rows.push_back(row);
  }
  t.wall_seconds = seconds_since(t0);
  if (cfg.progress)
    fmt::print(stderr, "gpucert-error-rates: {} node: {} rows x {} trials, {:.1f} s\n", t.profile,
               rows.size(), cfg.node_trials, t.wall_seconds);
}

} // namespace gpucert::error_rates
