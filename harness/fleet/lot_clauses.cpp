// Lot clauses: each is a plain comparison of a lot figure with the profile's number, except a
// sample's certified fraction, which has a bound and an interval to respect.
#include "harness/fleet/lot_clauses.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <set>
#include <utility>

namespace gpucert::fleet {

using report::LotClauseResult;
using report::Verdict;

namespace {

LotClauseResult certified_fraction(double floor, const report::LotCertificate& lot) {
  LotClauseResult r;
  r.id = "fleet.min_certified_fraction";
  r.description = fmt::format("at least {:g} % of the nodes offered are certified", floor * 100);
  r.threshold.min = floor;
  r.threshold.unit = "fraction";
  const report::Proportion& cf = lot.certified_fraction;
  if (lot.nodes_offered == 0) {
    r.verdict = Verdict::error;
    r.message = "no node was offered";
    return r;
  }
  const double observed = double(lot.nodes_certified) / lot.nodes_offered;
  r.value = observed;
  if (!lot.sample) {
    r.verdict = observed >= floor ? Verdict::pass : Verdict::fail;
    if (r.verdict == Verdict::fail)
      r.message = fmt::format("{} of {} nodes certified ({:.2f} %)", lot.nodes_certified,
                              lot.nodes_offered, observed * 100);
    return r;
  }
  const double certified_bound = 1 - lot.sample->max_defective_fraction;
  if (certified_bound >= floor) {
    r.verdict = Verdict::pass;
  } else if (cf.n > 0 && cf.hi < floor) {
    r.verdict = Verdict::fail;
    r.message = fmt::format("the sample's {:g} % interval of the certified fraction ends at "
                            "{:.4f}, below the floor",
                            cf.confidence * 100, cf.hi);
  } else {
    r.verdict = Verdict::inconclusive;
    r.message = fmt::format("the sample bounds the lot's certified fraction only at ≥ {:.4f}: "
                            "spot-check more nodes",
                            certified_bound);
  }
  return r;
}

LotClauseResult median_floor(const std::string& id, double floor,
                             const report::LotCertificate& lot) {
  LotClauseResult r;
  r.id = "fleet.median." + id;
  const auto c = std::find_if(lot.clauses.begin(), lot.clauses.end(),
                              [&](const report::LotClause& lc) { return lc.id == id; });
  const bool hib = c == lot.clauses.end() || c->higher_is_better;
  r.description =
      fmt::format("the lot's median of {} is {} {:g}", id, hib ? "at least" : "at most", floor);
  (hib ? r.threshold.min : r.threshold.max) = floor;
  r.threshold.higher_is_better = hib;
  if (c == lot.clauses.end() || !c->distribution || c->distribution->n == 0) {
    r.verdict = Verdict::error;
    r.message = fmt::format("no node of the lot has a value of clause '{}'", id);
    return r;
  }
  r.threshold.unit = c->unit;
  r.value = c->distribution->median;
  const bool ok = hib ? *r.value >= floor : *r.value <= floor;
  r.verdict = ok ? Verdict::pass : Verdict::fail;
  if (!ok)
    r.message = fmt::format("median {:g} {} over {} values", *r.value, c->unit, c->distribution->n);
  return r;
}

LotClauseResult outlier_fraction(double limit, const report::LotCertificate& lot) {
  LotClauseResult r;
  r.id = "fleet.max_outlier_fraction";
  r.description =
      fmt::format("at most {:g} % of the GPUs offered are outliers of the lot", limit * 100);
  r.threshold.max = limit;
  r.threshold.higher_is_better = false;
  r.threshold.unit = "fraction";
  if (lot.gpus_offered == 0) {
    r.verdict = Verdict::error;
    r.message = "no GPU was offered";
    return r;
  }
  std::set<std::pair<std::string, int>> gpus;
  for (const auto& o : lot.outliers)
    if (o.gpu >= 0)
      gpus.insert({o.node, o.gpu});
  r.value = double(gpus.size()) / lot.gpus_offered;
  r.verdict = *r.value <= limit ? Verdict::pass : Verdict::fail;
  if (r.verdict == Verdict::fail)
    r.message = fmt::format("{} of {} GPUs are outliers", gpus.size(), lot.gpus_offered);
  return r;
}

} // namespace

std::vector<LotClauseResult> judge_lot_clauses(const profile::FleetPolicy& policy,
                                               const report::LotCertificate& lot) {
  std::vector<LotClauseResult> out;
  if (policy.min_certified_fraction)
    out.push_back(certified_fraction(*policy.min_certified_fraction, lot));
  for (const auto& [id, floor] : policy.median_floors)
    out.push_back(median_floor(id, floor, lot));
  if (policy.max_outlier_fraction)
    out.push_back(outlier_fraction(*policy.max_outlier_fraction, lot));
  return out;
}

report::Outcome lot_outcome(const profile::FleetPolicy& policy, const report::LotCertificate& lot) {
  using report::Outcome;
  if (lot.nodes_read == 0)
    return Outcome::not_certified;
  bool undecided = false;
  for (const auto& c : lot.lot_clauses) {
    if (c.verdict == Verdict::fail || c.verdict == Verdict::error)
      return Outcome::not_certified;
    undecided |= c.verdict == Verdict::inconclusive;
  }
  if (!policy.min_certified_fraction) {
    if (lot.nodes_certified + lot.nodes_inconclusive < lot.nodes_offered)
      return Outcome::not_certified;
    undecided |= lot.nodes_inconclusive > 0;
  }
  return undecided ? Outcome::inconclusive : Outcome::certified;
}

void judge_lot(const profile::FleetPolicy& policy, report::LotCertificate& lot) {
  lot.lot_clauses = judge_lot_clauses(policy, lot);
  lot.outcome = lot_outcome(policy, lot);
  int failed = 0;
  for (const auto& c : lot.lot_clauses)
    failed += c.verdict == Verdict::fail || c.verdict == Verdict::error;
  lot.summary = fmt::format("{} of {} nodes certified ({} not certified, {} inconclusive, {} "
                            "unreadable){}",
                            lot.nodes_certified, lot.nodes_offered, lot.nodes_not_certified,
                            lot.nodes_inconclusive, lot.nodes_unreadable,
                            lot.lot_clauses.empty() ? std::string()
                                                    : fmt::format("; {} of {} lot clauses failed",
                                                                  failed, lot.lot_clauses.size()));
}

} // namespace gpucert::fleet
