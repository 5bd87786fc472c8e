// Certificate vocabulary: verdict and outcome names, threshold text, counts, exit codes.
#include "harness/model/certificate.hpp"

#include "harness/core/error.hpp"

#include <algorithm>
#include <fmt/core.h>

namespace gpucert::report {

std::string to_string(Verdict v) {
  switch (v) {
  case Verdict::pass:
    return "PASS";
  case Verdict::fail:
    return "FAIL";
  case Verdict::inconclusive:
    return "INCONCLUSIVE";
  case Verdict::error:
    return "ERROR";
  case Verdict::skipped:
    return "SKIPPED";
  }
  return "ERROR";
}

Verdict verdict_from_string(const std::string& s) {
  for (Verdict v :
       {Verdict::pass, Verdict::fail, Verdict::inconclusive, Verdict::error, Verdict::skipped})
    if (to_string(v) == s)
      return v;
  throw InputError(
      fmt::format("'{}' is not a verdict (PASS, FAIL, INCONCLUSIVE, ERROR, SKIPPED)", s));
}

std::string to_string(Outcome o) {
  switch (o) {
  case Outcome::certified:
    return "CERTIFIED";
  case Outcome::not_certified:
    return "NOT CERTIFIED";
  case Outcome::inconclusive:
    return "INCONCLUSIVE";
  }
  return "NOT CERTIFIED";
}

Outcome outcome_from_string(const std::string& s) {
  for (Outcome o : {Outcome::certified, Outcome::not_certified, Outcome::inconclusive})
    if (to_string(o) == s)
      return o;
  throw InputError(
      fmt::format("'{}' is not an outcome (CERTIFIED, NOT CERTIFIED, INCONCLUSIVE)", s));
}

std::string Threshold::str() const {
  const std::string u = unit.empty() ? "" : " " + unit;
  if (equals)
    return "= " + *equals;
  if (min && max)
    return fmt::format("{:g}–{:g}{}", *min, *max, u);
  if (min)
    return fmt::format("≥ {:g}{}", *min, u);
  if (max)
    return fmt::format("≤ {:g}{}", *max, u);
  return "(none)";
}

Counts count(const std::vector<Check>& checks) {
  Counts c;
  for (const auto& k : checks) {
    ++c.total;
    switch (k.verdict) {
    case Verdict::pass:
      ++c.pass;
      break;
    case Verdict::fail:
      ++c.fail;
      break;
    case Verdict::inconclusive:
      ++c.inconclusive;
      break;
    case Verdict::error:
      ++c.error;
      break;
    case Verdict::skipped:
      ++c.skipped;
      break;
    }
  }
  return c;
}

std::string RunScope::str() const {
  if (gpus.empty())
    return "no GPU";
  if (complete_node)
    return fmt::format("all {} GPU{}", gpus.size(), gpus.size() == 1 ? "" : "s");
  bool contiguous = true;
  for (std::size_t i = 1; i < gpus.size(); ++i)
    contiguous = contiguous && gpus[i] == gpus[i - 1] + 1;
  std::string list;
  if (contiguous && gpus.size() > 1) {
    list = fmt::format("{}–{}", gpus.front(), gpus.back());
  } else {
    for (std::size_t i = 0; i < gpus.size(); ++i)
      list += (i ? "," : "") + std::to_string(gpus[i]);
  }
  return fmt::format("GPU{} {} of {}", gpus.size() == 1 ? "" : "s", list, gpus_in_node);
}

RunScope run_scope(const std::vector<int>& gpus, const std::vector<int>& inventory_gpus) {
  RunScope s;
  s.gpus = gpus;
  std::sort(s.gpus.begin(), s.gpus.end());
  s.gpus.erase(std::unique(s.gpus.begin(), s.gpus.end()), s.gpus.end());
  std::vector<int> inv = inventory_gpus;
  std::sort(inv.begin(), inv.end());
  inv.erase(std::unique(inv.begin(), inv.end()), inv.end());
  s.gpus_in_node = static_cast<int>(std::max(inv.size(), s.gpus.size()));
  s.complete_node =
      !s.gpus.empty() && std::includes(s.gpus.begin(), s.gpus.end(), inv.begin(), inv.end());
  return s;
}

Outcome derive_outcome(const std::vector<Check>& checks, bool complete) {
  const Counts n = count(checks);
  if (!complete || n.fail > 0 || n.error > 0)
    return Outcome::not_certified;
  if (n.inconclusive > 0)
    return Outcome::inconclusive;
  if (n.pass == 0)
    return Outcome::not_certified; // nothing verified: an empty list, everything skipped
  return Outcome::certified;
}

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string counts_text(const Counts& n) {
  return fmt::format("{} PASS, {} FAIL, {} ERROR, {} INCONCLUSIVE, {} SKIPPED of {}", n.pass,
                     n.fail, n.error, n.inconclusive, n.skipped, n.total);
}

bool same(const Counts& a, const Counts& b) {
  return a.total == b.total && a.pass == b.pass && a.fail == b.fail &&
         a.inconclusive == b.inconclusive && a.error == b.error && a.skipped == b.skipped;
}

} // namespace

std::string derive_summary(const Certificate& cert) {
  const Counts n = count(cert.checks);
  const Outcome outcome = derive_outcome(cert.checks, cert.results.complete);
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
  switch (outcome) {
  case Outcome::certified:
    return fmt::format("{} of {} checks passed{}", n.pass, n.total,
                       n.skipped ? fmt::format(", {} skipped", n.skipped) : "");
  case Outcome::inconclusive:
    return fmt::format("{} of {} checks could not be decided within their sampling budget",
                       n.inconclusive, n.total);
  case Outcome::not_certified:
    break;
  }
  std::vector<std::string> parts;
  if (!cert.results.complete)
    parts.push_back(fmt::format("run incomplete ({})", cert.results.incomplete_reason.empty()
                                                           ? "unknown"
                                                           : cert.results.incomplete_reason));
  if (n.fail)
    parts.push_back(fmt::format("{} of {} checks failed", n.fail, n.total));
  if (n.error)
    parts.push_back(fmt::format("{} of {} checks could not be measured", n.error, n.total));
  if (parts.empty())
    parts.push_back(n.total == 0 ? "no checks: nothing was verified"
                                 : "no check passed: nothing was verified");
  std::string s = join(parts, ", ");
  if (!bad.empty())
    s += " (" + join(bad, ", ") + ")";
  return s;
}

bool derive_simulated(const Certificate& c) {
  auto inventory_says = [](const Inventory& inv) {
    return inv.simulated || !inv.sim_node.empty() || !inv.sim_faults.empty();
  };
  if (c.simulated || c.results.backend == "sim" || inventory_says(c.inventory) ||
      (c.inventory_after && inventory_says(*c.inventory_after)))
    return true;
  return std::any_of(c.checks.begin(), c.checks.end(), [](const Check& k) { return k.simulated; });
}

Derived derive(const Certificate& c) {
  Derived d;
  d.outcome = derive_outcome(c.checks, c.results.complete);
  d.counts = count(c.checks);
  d.summary = derive_summary(c);
  d.simulated = derive_simulated(c);
  std::vector<int> inventory_gpus;
  for (const auto& g : c.inventory.gpus)
    inventory_gpus.push_back(g.index);
  // A certificate made without a scope (older files) measured what its inventory lists.
  const bool unset = c.scope.gpus.empty() && c.scope.gpus_in_node == 0;
  std::vector<int> measured = unset ? inventory_gpus : c.scope.gpus;
  // The checks name the GPUs they judged: a stated scope wider than every check is not believed.
  std::vector<int> in_checks;
  for (const auto& k : c.checks)
    if (k.scope != Scope::node)
      in_checks.insert(in_checks.end(), k.gpus.begin(), k.gpus.end());
  std::sort(in_checks.begin(), in_checks.end());
  in_checks.erase(std::unique(in_checks.begin(), in_checks.end()), in_checks.end());
  std::sort(measured.begin(), measured.end());
  if (!in_checks.empty() &&
      !std::includes(in_checks.begin(), in_checks.end(), measured.begin(), measured.end()))
    measured = in_checks;
  d.scope = run_scope(measured, inventory_gpus);
  d.scope.gpus_in_node = std::max(d.scope.gpus_in_node, c.scope.gpus_in_node);
  d.scope.complete_node = d.scope.complete_node && d.scope.gpus_in_node == int(d.scope.gpus.size());
  std::vector<std::string> why;
  if (c.outcome != d.outcome)
    why.push_back(fmt::format("the certificate states {} but its checks give {}",
                              to_string(c.outcome), to_string(d.outcome)));
  if (!same(c.counts, d.counts))
    why.push_back(fmt::format("its counts ({}) disagree with its checks ({})",
                              counts_text(c.counts), counts_text(d.counts)));
  if (c.summary != d.summary && c.outcome == d.outcome)
    why.push_back(
        fmt::format("its summary \"{}\" disagrees with its checks (\"{}\")", c.summary, d.summary));
  if (!c.simulated && d.simulated)
    why.push_back("it states simulated: false but its evidence comes from the simulator");
  if (!unset && c.scope.complete_node && !d.scope.complete_node)
    why.push_back(
        fmt::format("it states the whole node was measured but it measured {}", d.scope.str()));
  d.consistent = why.empty();
  d.inconsistency = join(why, "; ");
  return d;
}

int exit_code(const Certificate& c) {
  switch (c.outcome) {
  case Outcome::certified:
    return static_cast<int>(ExitCode::certified);
  case Outcome::not_certified:
    return static_cast<int>(ExitCode::not_certified);
  case Outcome::inconclusive:
    return static_cast<int>(ExitCode::inconclusive);
  }
  return static_cast<int>(ExitCode::not_certified);
}

} // namespace gpucert::report

namespace gpucert::report {

bool needs_samples(const Certificate& c) {
  return std::any_of(c.checks.begin(), c.checks.end(), [](const Check& k) {
    return k.measurement >= 0 && k.n > 0 && k.samples.empty();
  });
}

void attach_samples(Certificate& c, const Results& r) {
  for (Check& k : c.checks) {
    if (k.measurement < 0 || k.n <= 0 || !k.samples.empty())
      continue;
    const auto where =
        fmt::format("check {} on {}: measurement {}", k.clause_id, k.target, k.measurement);
    if (static_cast<std::size_t>(k.measurement) >= r.measurements.size())
      throw InputError(
          fmt::format("{} is not in the results ({} measurements)", where, r.measurements.size()));
    const Measurement& m = r.measurements[static_cast<std::size_t>(k.measurement)];
    const auto it = m.metrics.find(k.metric);
    if (m.target.label() != k.target || it == m.metrics.end() ||
        it->second.size() != static_cast<std::size_t>(k.n))
      throw InputError(fmt::format("{} in the results is not the one judged (target {}, {} "
                                   "samples of {}; the check has {} on {})",
                                   where, m.target.label(),
                                   it == m.metrics.end() ? 0 : it->second.size(), k.metric, k.n,
                                   k.target));
    k.samples = it->second;
  }
}

} // namespace gpucert::report
