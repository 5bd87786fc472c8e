// Thresholds from a lot: the rule over each clause's distribution, never looser than the base
// unless asked, with where each number came from written next to it.
#include "harness/fleet/derive_profile.hpp"

#include "harness/core/error.hpp"
#include "harness/profile/profile_yaml.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fmt/core.h>

namespace gpucert::fleet {

namespace {

[[noreturn]] void bad_rule(const std::string& text, const std::string& why) {
  throw InputError(fmt::format("--rule '{}': {} (rules: median-4*MAD, median-3%, p1, "
                               "p5-1*MAD, min)",
                               text, why));
}

/// Reads a non-negative decimal number at `s[i...]`; advances i.
double read_number(const std::string& s, std::size_t& i, const std::string& text) {
  const std::size_t start = i;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
    ++i;
  if (i == start)
    bad_rule(text, "expected a number after the sign");
  char* end = nullptr;
  const std::string num = s.substr(start, i - start);
  const double v = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size() || !std::isfinite(v))
    bad_rule(text, "'" + num + "' is not a number");
  return v;
}

std::optional<double> base_value(const Rule& r, const report::Distribution& d) {
  if (r.base == "median")
    return d.median;
  if (r.base == "p1")
    return d.p1;
  if (r.base == "p5")
    return d.p5;
  if (r.base == "min")
    return d.min;
  return std::nullopt;
}

} // namespace

Rule parse_rule(const std::string& text) {
  std::string s;
  for (char ch : text)
    if (!std::isspace(static_cast<unsigned char>(ch)))
      s += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (s.empty())
    bad_rule(text, "empty");
  Rule r;
  r.text = text;
  std::size_t i = 0;
  while (i < s.size() && std::isalnum(static_cast<unsigned char>(s[i])))
    ++i;
  r.base = s.substr(0, i);
  if (r.base != "median" && r.base != "p1" && r.base != "p5" && r.base != "min")
    bad_rule(text, "'" + r.base + "' is not a base (median, p1, p5, min)");
  if (i == s.size())
    return r;
  if (s[i] != '-' && s[i] != '+')
    bad_rule(text, "expected + or - after the base");
  const double sign = s[i] == '-' ? -1 : 1;
  ++i;
  const double k = read_number(s, i, text);
  const std::string unit = s.substr(i);
  if (unit == "%")
    r.percent = sign * k;
  else if (unit == "*mad" || unit == "mad")
    r.mads = sign * k;
  else
    bad_rule(text, "expected '*MAD' or '%' after the number");
  if (r.percent <= -100)
    bad_rule(text, "an offset of 100 % or more leaves no threshold");
  return r;
}

DerivedProfile derive_profile(const profile::Profile& base, const report::LotCertificate& lot,
                              const Rule& rule, const std::string& name, bool allow_looser) {
  DerivedProfile out;
  out.profile = base;
  const std::string sha = lot.lot_sha256.empty() ? "(none)" : lot.lot_sha256;
  out.profile.name = name.empty() ? fmt::format("{}-lot-{}", base.name, sha.substr(0, 8)) : name;
  out.profile.description =
      fmt::format("{} (thresholds from lot sha256:{}, rule {})", base.description, sha, rule.text);
  int derived = 0;
  for (auto& clause : out.profile.clauses) {
    if (clause.is_health() || clause.relative_to_siblings())
      continue;
    DerivedThreshold t;
    t.clause_id = clause.id;
    t.higher_is_better = clause.higher_is_better;
    t.base_threshold = clause.higher_is_better ? clause.min : clause.max;
    const auto lc = std::find_if(lot.clauses.begin(), lot.clauses.end(),
                                 [&](const report::LotClause& c) { return c.id == clause.id; });
    if (!t.base_threshold)
      t.action = clause.higher_is_better ? "skipped: the base has no floor (min) to derive"
                                         : "skipped: the base has no ceiling (max) to derive";
    else if (lc == lot.clauses.end())
      t.action = "skipped: not in the lot";
    else if (!lc->distribution || lc->distribution->n == 0)
      t.action = "skipped: the lot has no value of it";
    else if (lc->stat != clause.stat || lc->unit != clause.unit)
      t.action = fmt::format("skipped: the lot judged {} in {}, the base {} in {}", lc->stat,
                             lc->unit, clause.stat, clause.unit);
    else if (!clause.higher_is_better && rule.base != "median")
      t.action = "skipped: " + rule.base + " is the low tail; a ceiling needs the median";
    if (!t.action.empty()) {
      out.thresholds.push_back(t);
      continue;
    }
    const report::Distribution& d = *lc->distribution;
    t.n = d.n;
    const double b = *base_value(rule, d);
    // Written for a floor; mirrored for a ceiling.
    const double dir = clause.higher_is_better ? 1 : -1;
    t.lot_value = b + dir * (rule.mads * d.mad + rule.percent / 100 * b);
    const bool looser = clause.higher_is_better ? *t.lot_value < *t.base_threshold
                                                : *t.lot_value > *t.base_threshold;
    if (looser && !allow_looser) {
      t.threshold = t.base_threshold;
      t.action = "kept: the lot's value would loosen it";
    } else {
      t.threshold = t.lot_value;
      t.action = "derived";
      ++derived;
    }
    (clause.higher_is_better ? clause.min : clause.max) = t.threshold;
    out.notes[clause.id] = fmt::format("{} {} = {} over {} values of lot sha256:{}; base {}",
                                       t.action, rule.text, fmt::format("{:.6g}", *t.lot_value),
                                       d.n, sha, fmt::format("{}", *t.base_threshold));
    out.thresholds.push_back(t);
  }
  const bool any_applicable =
      std::any_of(out.thresholds.begin(), out.thresholds.end(),
                  [](const DerivedThreshold& t) { return t.lot_value.has_value(); });
  if (!any_applicable)
    throw InputError(fmt::format("derive-profile: no benchmark clause of profile '{}' has a "
                                 "distribution in the lot that rule '{}' applies to",
                                 base.name, rule.text));
  std::string head = fmt::format("# Derived by gpucert fleet derive-profile: {} threshold(s) from "
                                 "lot sha256:{}\n# ({} nodes read of {} offered), rule {}, base "
                                 "profile {} sha256 {}.\n",
                                 derived, sha, lot.nodes_read, lot.nodes_offered, rule.text,
                                 base.name, base.sha256);
  if (lot.simulated)
    head += "# The lot is SIMULATED: these thresholds are not measured figures of real GPUs.\n";
  out.yaml = head + profile::to_yaml(out.profile, out.notes);
  return out;
}

} // namespace gpucert::fleet
