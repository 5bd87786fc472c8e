// Checking the tables against the targets (see targets.hpp).
#include "apps/error-rates/targets.hpp"

#include <cmath>
#include <fmt/core.h>

namespace gpucert::error_rates {

namespace {

double se_at(double p, long long n) {
  return std::sqrt(p * (1 - p) / static_cast<double>(std::max(1LL, n)));
}

TargetResult at_most(std::string what, long long hits, long long n, double limit) {
  TargetResult r;
  r.what = std::move(what);
  r.relation = "<=";
  r.trials = n;
  r.observed = n ? static_cast<double>(hits) / static_cast<double>(n) : 0;
  r.limit = limit;
  r.allowed = limit + kMonteCarloSigmas * se_at(limit, n);
  r.ok = r.observed <= r.allowed;
  return r;
}

TargetResult at_least(std::string what, long long hits, long long n, double limit) {
  TargetResult r = at_most(std::move(what), hits, n, limit);
  r.relation = ">=";
  r.allowed = limit - kMonteCarloSigmas * se_at(limit, n);
  r.ok = r.observed >= r.allowed;
  return r;
}

bool independent(const Truth& t) {
  return t.rho == 0 && t.drift == 0;
}

} // namespace

std::vector<TargetResult> check_targets(const std::vector<MethodTable>& methods,
                                        const std::vector<NodeTable>& nodes) {
  std::vector<TargetResult> out;
  for (const auto& t : methods) {
    for (const auto& row : t.rows) {
      const std::string what = fmt::format("{} [{}] {}", t.profile, t.label, row_label(row.truth));
      // At the floor a PASS is an error. With dependent samples too (batch statistics are
      // there to keep it so), but that row is informational: see TargetResult.
      if (row.truth.offset == 0 && row.truth.drift == 0) {
        out.push_back(
            at_most(what + ": P(PASS)", row.tally.pass, row.tally.trials, kMaxPassAtFloor));
        out.back().informational = row.truth.rho != 0;
      }
      if (t.tier == profile::Tier::standard && independent(row.truth) && row.truth.offset == 0.03 &&
          row.truth.cv == 0.02)
        out.push_back(
            at_least(what + ": P(PASS)", row.tally.pass, row.tally.trials, kMinPassAbove));
      if (row.tally.error > 0) {
        TargetResult e = at_most(what + ": ERROR verdicts", row.tally.error, row.tally.trials, 0);
        e.allowed = 0;
        e.ok = false;
        out.push_back(e);
      }
    }
  }
  for (const auto& t : nodes) {
    for (const auto& row : t.rows) {
      const std::string what =
          fmt::format("{} node ({} checks) {}", t.profile, t.checks, row_label(row.truth));
      if (independent(row.truth) && row.truth.offset == 0.01 && row.truth.cv == 0.05)
        out.push_back(at_most(what + ": P(any FAIL)", row.tally.any_fail, row.tally.trials,
                              kMaxNodeFalseFail));
      if (row.truth.rho != 0 && row.truth.offset > 0) {
        out.push_back(at_most(what + ": P(any FAIL)", row.tally.any_fail, row.tally.trials,
                              kMaxNodeFalseFail));
        out.back().informational = true;
      }
      if (row.tally.any_error > 0) {
        TargetResult e =
            at_most(what + ": nodes with an ERROR", row.tally.any_error, row.tally.trials, 0);
        e.ok = false;
        out.push_back(e);
      }
    }
  }
  return out;
}

} // namespace gpucert::error_rates
