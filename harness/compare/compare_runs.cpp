// Pairing, verdicts and the family-wise control of compare's claims (docs/compare.md).
#include "harness/compare/compare_runs.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <map>

namespace gpucert::compare {

namespace {

using Key = std::pair<std::string, std::string>;

std::map<Key, const report::Check*> by_key(const report::Certificate& c) {
  std::map<Key, const report::Check*> out;
  for (const report::Check& k : c.checks)
    out.emplace(Key{k.clause_id, k.target}, &k);
  return out;
}

std::string profile_text(const report::ProfileRef& p) {
  return fmt::format("{} (sha256 {}…)", p.name, p.sha256.substr(0, 12));
}

} // namespace

std::string profile_difference(const report::Certificate& base, const report::Certificate& fresh) {
  if (base.profile.sha256 == fresh.profile.sha256)
    return "";
  return fmt::format("the runs were judged by different profiles: base {}, new {}",
                     profile_text(base.profile), profile_text(fresh.profile));
}

RunComparison compare_runs(const report::Certificate& base, const report::Certificate& fresh,
                           const ShiftOptions& opts) {
  RunComparison out;
  out.opts = opts;
  out.base_simulated = base.simulated;
  out.new_simulated = fresh.simulated;
  out.base_profile = profile_text(base.profile);
  out.new_profile = profile_text(fresh.profile);
  out.base_sha256 = base.profile.sha256;
  out.new_sha256 = fresh.profile.sha256;
  const auto base_keys = by_key(base), new_keys = by_key(fresh);
  std::vector<std::pair<const std::vector<double>*, const std::vector<double>*>> seen;

  for (const report::Check& b : base.checks) {
    auto it = new_keys.find({b.clause_id, b.target});
    if (it == new_keys.end() && b.kind != "benchmark") {
      ++out.readings;
      continue;
    }
    if (it == new_keys.end()) {
      out.not_compared.push_back({b.clause_id, b.target, "only in base", not_measured(b).empty()});
      continue;
    }
    const report::Check& n = *it->second;
    if (b.kind != "benchmark" && n.kind != "benchmark") {
      ++out.readings;
      continue;
    }
    if (const std::string why = not_comparable(b, n); !why.empty()) {
      out.not_compared.push_back({b.clause_id, b.target, why, not_measured(b).empty()});
      continue;
    }
    // A clause that judges the samples of a measurement already compared (a sibling clause
    // beside its floor) adds no evidence, only a hypothesis to the family: listed once.
    std::size_t dup = 0;
    while (dup < seen.size() && !(out.rows[dup].target == b.target &&
                                  *seen[dup].first == b.samples && *seen[dup].second == n.samples))
      ++dup;
    if (dup < seen.size()) {
      out.not_compared.push_back(
          {b.clause_id, b.target,
           "same samples as " + check_name(out.rows[dup].clause_id, out.rows[dup].target), false});
      continue;
    }
    out.rows.push_back(shift_row(b, n, opts));
    seen.emplace_back(&b.samples, &n.samples);
  }
  for (const report::Check& n : fresh.checks)
    if (!base_keys.count({n.clause_id, n.target}) && n.kind == "benchmark")
      out.not_compared.push_back({n.clause_id, n.target, "only in new", false});

  adjust(out.rows);
  const double level = opts.one_sided_level();
  for (ShiftRow& r : out.rows) {
    const bool worse = r.p_worse_holm <= level, better = r.p_better_holm <= level;
    if (worse && !better)
      r.verdict = kRegressed;
    else if (better && !worse)
      r.verdict = kImproved;
    else if (!worse && !better && r.within(opts.tolerance))
      r.verdict = kSame;
    else
      r.verdict = kInconclusive;
  }
  std::stable_sort(out.rows.begin(), out.rows.end(), [](const ShiftRow& a, const ShiftRow& b) {
    return a.oriented() < b.oriented();
  });
  for (const ShiftRow& r : out.rows) {
    out.regressed += r.verdict == kRegressed;
    out.improved += r.verdict == kImproved;
    out.same += r.verdict == kSame;
    out.inconclusive += r.verdict == kInconclusive;
  }
  for (const Unpaired& u : out.not_compared)
    out.undecided += u.undecided;
  return out;
}

int exit_code(const RunComparison& c) {
  if (c.regressed > 0)
    return 1;
  if (c.inconclusive > 0 || c.undecided > 0 || c.rows.empty())
    return 5;
  return 0;
}

nlohmann::json to_json(const RunComparison& c) {
  nlohmann::json rows = nlohmann::json::array(), skipped = nlohmann::json::array();
  for (const ShiftRow& r : c.rows)
    rows.push_back(to_json(r));
  for (const Unpaired& u : c.not_compared)
    skipped.push_back({{"clause_id", u.clause_id},
                       {"target", u.target},
                       {"reason", u.reason},
                       {"undecided", u.undecided}});
  return {{"schema", "gpucert/compare/v1"},
          {"tolerance", c.opts.tolerance},
          {"confidence", c.opts.confidence},
          {"error_control", "holm-one-sided"},
          {"one_sided_level", c.opts.one_sided_level()},
          {"simulated", c.base_simulated || c.new_simulated},
          {"base_profile", c.base_profile},
          {"new_profile", c.new_profile},
          {"counts",
           {{"regressed", c.regressed},
            {"improved", c.improved},
            {"same", c.same},
            {"inconclusive", c.inconclusive},
            {"not_compared", c.not_compared.size()},
            {"readings", c.readings},
            {"undecided", c.undecided}}},
          {"checks", rows},
          {"not_compared", skipped},
          {"exit_code", exit_code(c)}};
}

} // namespace gpucert::compare
