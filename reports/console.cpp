// The run summary on the terminal: node, profile, one line per clause
// (targets that agree collapse into one line), then the outcome line.
#include "reports/format.hpp"
#include "reports/render.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <set>

namespace gpucert::report {

namespace {

/// "gpu0..7", "gpu0,2,5", "28 pairs", "node".
std::string targets_label(const std::vector<const Check*>& group) {
  if (group.size() == 1)
    return group.front()->target;
  if (group.front()->scope == Scope::gpu) {
    std::vector<int> ids;
    for (const Check* k : group)
      if (!k->gpus.empty())
        ids.push_back(k->gpus.front());
    bool contiguous = !ids.empty();
    for (std::size_t i = 1; i < ids.size(); ++i)
      contiguous = contiguous && ids[i] == ids[i - 1] + 1;
    if (contiguous)
      return fmt::format("gpu{}..{}", ids.front(), ids.back());
    std::string s = "gpu";
    for (std::size_t i = 0; i < ids.size(); ++i)
      s += (i ? "," : "") + std::to_string(ids[i]);
    return s;
  }
  if (group.front()->scope == Scope::gpu_pair)
    return fmt::format("{} pairs", group.size());
  return fmt::format("{} targets", group.size());
}

std::string range_text(const std::vector<const Check*>& group) {
  const Check& first = *group.front();
  if (group.size() == 1 || first.threshold.equals || !first.value)
    return value_text(first);
  double lo = INFINITY, hi = -INFINITY;
  for (const Check* k : group) {
    if (!k->value)
      continue;
    lo = std::min(lo, *k->value);
    hi = std::max(hi, *k->value);
  }
  const std::string unit = first.threshold.unit;
  const bool scaled = unit == "GB/s" && hi >= 1000;
  auto num = [&](double v) {
    return scaled ? fmt::format("{:.2f}", v / 1000) : number_for(v, unit);
  };
  const std::string shown_unit = scaled ? "TB/s" : (unit == "fraction" ? "" : unit);
  const std::string nums = num(lo) == num(hi) ? num(lo) : num(lo) + "–" + num(hi);
  return fmt::format("{} {}{}", first.stat, nums, shown_unit.empty() ? "" : " " + shown_unit);
}

/// "(95% CI −0.6%/+0.2%, n=12)": how far the interval reaches below and above the value, each
/// side on its own (the widest of the group), since order-statistic intervals are asymmetric and
/// a ± half-width would misstate both ends.
std::string pass_extra(const std::vector<const Check*>& group) {
  double worst_down = 0, worst_up = 0;
  int n_lo = 1 << 30, n_hi = 0;
  bool any_ci = false;
  for (const Check* k : group) {
    n_lo = std::min(n_lo, k->n);
    n_hi = std::max(n_hi, k->n);
    if (k->ci_lo && k->ci_hi && k->value && *k->value != 0 && k->ci_method != "exact" &&
        k->ci_method != "observed") {
      any_ci = true;
      const double v = std::fabs(*k->value);
      worst_down = std::max(worst_down, (*k->value - *k->ci_lo) / v);
      worst_up = std::max(worst_up, (*k->ci_hi - *k->value) / v);
    }
  }
  if (!any_ci)
    return "";
  const std::string n = n_lo == n_hi ? std::to_string(n_lo) : fmt::format("{}–{}", n_lo, n_hi);
  return fmt::format("({:.0f}% CI −{:.1f}%/+{:.1f}%, n={})", 100 * group.front()->confidence,
                     100 * worst_down, 100 * worst_up, n);
}

struct Widths {
  std::size_t clause = 10, target = 8, value = 20, threshold = 12;
};

/// Text from a certificate is data, never terminal commands: C0 control bytes (ESC included),
/// DEL and the C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F) become '?'.
std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto ch = static_cast<unsigned char>(s[i]);
    if (ch < 0x20 || ch == 0x7f) {
      out += '?';
    } else if (ch == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      out += '?';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string pad(const std::string& s, std::size_t width) {
  // Column widths count characters, not bytes ("≥", "–", "°" are multi-byte in UTF-8).
  std::size_t chars = 0;
  for (unsigned char c : s)
    chars += (c & 0xc0) != 0x80;
  return chars >= width ? s : s + std::string(width - chars, ' ');
}

std::string line(const std::vector<const Check*>& group, const Widths& w) {
  const Check& k = *group.front();
  std::string extra;
  if (k.verdict == Verdict::pass) {
    extra = pass_extra(group);
  } else {
    const std::string ci = interval_text(k);
    if (!ci.empty())
      extra = "(" + ci + ")";
    const std::string why = explanation(k);
    if (!why.empty())
      extra += (extra.empty() ? "" : "  ") +
               std::string(k.verdict == Verdict::fail ? "cause: " : "") + why;
  }
  std::string s =
      fmt::format("  {} {} {} {} {} {}", pad(to_string(k.verdict), 5), pad(k.clause_id, w.clause),
                  pad(targets_label(group), w.target), pad(range_text(group), w.value),
                  pad(threshold_text(k), w.threshold), extra);
  while (!s.empty() && s.back() == ' ')
    s.pop_back();
  return printable(s) + "\n";
}

} // namespace

std::string render_console(const Certificate& c, const ConsoleOptions& opts) {
  const Derived d = derive(c);
  std::string out;
  if (d.simulated)
    out += fmt::format("*** {} ({}) ***\n", kSimulatedStamp, printable(simulation_note(c)));
  if (!d.consistent)
    out += "*** " + printable(inconsistency_banner(d)) + " ***\n";
  out += "node " + printable(node_line(c)) + "\n";
  out += "scope " + scope_text(d) + "\n";
  std::set<std::string> clauses;
  for (const auto& k : c.checks)
    clauses.insert(k.clause_id);
  out += fmt::format("profile {} (sha256 {}…) · {} clauses × scopes = {} checks\n", c.profile.name,
                     c.profile.sha256.substr(0, 8), clauses.size(), c.checks.size());
  // Group consecutive checks of one clause with the same verdict, when they passed or were
  // skipped; every other verdict gets its own line, naming its target.
  std::vector<std::vector<const Check*>> groups;
  for (std::size_t i = 0; i < c.checks.size();) {
    std::vector<const Check*> group{&c.checks[i]};
    const Check& k = c.checks[i];
    std::size_t j = i + 1;
    if (k.verdict == Verdict::pass || k.verdict == Verdict::skipped) {
      while (j < c.checks.size() && c.checks[j].clause_id == k.clause_id &&
             c.checks[j].verdict == k.verdict &&
             (k.verdict == Verdict::pass || c.checks[j].message == k.message)) {
        group.push_back(&c.checks[j]);
        ++j;
      }
    }
    groups.push_back(std::move(group));
    i = j;
  }
  Widths w;
  auto chars = [](const std::string& s) {
    std::size_t n = 0;
    for (unsigned char ch : s)
      n += (ch & 0xc0) != 0x80;
    return n;
  };
  for (const auto& g : groups) {
    w.clause = std::max(w.clause, chars(g.front()->clause_id));
    w.target = std::max(w.target, chars(targets_label(g)));
    w.value = std::max(w.value, std::min<std::size_t>(32, chars(range_text(g))));
    w.threshold =
        std::max(w.threshold, std::min<std::size_t>(24, chars(threshold_text(*g.front()))));
  }
  for (const auto& g : groups)
    out += line(g, w);
  out += "signature " + printable(signature_text(opts.signature)) + "\n";
  std::string verdict = to_string(d.outcome);
  if (d.simulated)
    verdict += std::string(" (") + kSimulatedStamp + ")";
  if (!d.scope.complete_node && !d.scope.gpus.empty())
    verdict += " for " + d.scope.str();
  out += fmt::format("{}: {}.", verdict, printable(d.summary));
  if (!opts.evidence.empty()) {
    out += " Evidence:";
    for (std::size_t i = 0; i < opts.evidence.size(); ++i)
      out += (i ? ", " : " ") + opts.evidence[i];
  }
  out += "\n";
  return out;
}

} // namespace gpucert::report
