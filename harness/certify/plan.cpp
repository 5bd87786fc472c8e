// Planning: one measurement per (benchmark, resolved parameters, target), shared by clauses.
#include "harness/certify/plan.hpp"

#include "harness/evaluate/evaluate.hpp"

#include <algorithm>

namespace gpucert::certify {

SamplingPolicy policy_for(const profile::Method& method, profile::Tier tier, double sustained_s) {
  SamplingPolicy p;
  p.confidence = method.confidence;
  p.target_rel_ci = method.target_rel_ci;
  p.min_samples = method.min_samples;
  p.max_samples = method.max_samples;
  p.max_seconds = method.max_seconds_per_clause;
  // Soak tier: every measurement holds the load for its whole budget.
  if (tier == profile::Tier::soak && sustained_s <= 0)
    sustained_s = method.max_seconds_per_clause;
  if (sustained_s > 0) {
    p.max_seconds = sustained_s;
    p.target_rel_ci = 0;        // never "tight enough": the point is the load, not the CI
    p.max_samples = 10'000'000; // bounded by time
  }
  return p;
}

std::vector<PlannedMeasurement> plan(const Registry& registry, const profile::Profile& profile,
                                     const std::vector<int>& gpus) {
  std::vector<PlannedMeasurement> out;
  for (const auto& c : profile.clauses) {
    if (c.is_health())
      continue;
    const BenchmarkDef* def = registry.find(c.benchmark);
    if (!def)
      continue; // validated profiles only name registered benchmarks
    for (const Target& t : targets_for(c.each, gpus)) {
      auto same = [&](const PlannedMeasurement& p) {
        return p.def == def && p.params == c.resolved && p.target == t &&
               p.concurrency == c.concurrency;
      };
      auto it = std::find_if(out.begin(), out.end(), same);
      if (it == out.end()) {
        PlannedMeasurement p;
        p.def = def;
        p.params = c.resolved;
        p.target = t;
        p.concurrency = c.concurrency;
        Measurement probe;
        probe.benchmark = def->name;
        probe.params = c.resolved;
        probe.target = t;
        p.key = probe.key();
        p.label = c.id + " " + t.label() + (c.concurrency == Concurrency::one ? " alone" : "");
        out.push_back(std::move(p));
        it = std::prev(out.end());
      }
      it->clauses.push_back(c);
    }
  }
  for (auto& p : out) {
    double sustained = 0;
    for (const auto& c : p.clauses)
      sustained = std::max(sustained, c.duration.value_or(0));
    p.policy = policy_for(profile.method, profile.tier, sustained);
    p.sustained = p.policy.target_rel_ci == 0;
  }
  return out;
}

} // namespace gpucert::certify
