// Shared text formatting of the renderers.
#include "reports/format.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <map>

namespace gpucert::report {

namespace {
bool tera(double v, const std::string& unit) {
  return unit == "GB/s" && std::fabs(v) >= 1000;
}
} // namespace

std::string number_for(double v, const std::string& unit) {
  if (!std::isfinite(v))
    return "n/a";
  if (tera(v, unit))
    return fmt::format("{:.2f}", v / 1000);
  if (unit == "fraction")
    return fmt::format("{:.0f}%", 100 * v);
  if (std::fabs(v) >= 100)
    return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v); // 55.4, 2.48, 16, 0.5: three significant digits, no padding
}

std::string quantity(double v, const std::string& unit) {
  if (unit.empty() || unit == "fraction")
    return number_for(v, unit);
  if (tera(v, unit))
    return number_for(v, unit) + " TB/s";
  return number_for(v, unit) + " " + unit;
}

std::string value_text(const Check& k) {
  if (k.observed && (!k.value || k.threshold.equals))
    return k.stat + " " + *k.observed;
  if (!k.value)
    return "—";
  return k.stat + " " + quantity(*k.value, k.threshold.unit);
}

std::string interval_text(const Check& k) {
  if (!k.ci_lo || !k.ci_hi)
    return "";
  if (k.ci_method == "exact" || k.ci_method == "observed")
    return "";
  // Show the interval in the value's scale (TB/s when the value is shown in TB/s).
  const double ref = k.value.value_or(*k.ci_hi);
  const bool scaled = tera(ref, k.threshold.unit);
  auto num = [&](double v) { return scaled ? fmt::format("{:.2f}", v / 1000) : number_for(v, ""); };
  return fmt::format("CI {}–{}", num(*k.ci_lo), num(*k.ci_hi));
}

std::string threshold_text(const Check& k) {
  const Threshold& t = k.threshold;
  if (t.equals)
    return "= " + *t.equals;
  if (t.min && t.max)
    return fmt::format("{}–{}", quantity(*t.min, t.unit), quantity(*t.max, t.unit));
  if (t.min)
    return "≥ " + quantity(*t.min, t.unit);
  if (t.max)
    return "≤ " + quantity(*t.max, t.unit);
  return "";
}

std::string explanation(const Check& k) {
  if (k.verdict == Verdict::fail)
    return k.cause.empty() ? "no cause found in telemetry or inventory" : k.cause;
  return k.message;
}

std::string simulation_note(const Certificate& c) {
  std::string s =
      "simulator node " + (c.inventory.sim_node.empty() ? std::string("?") : c.inventory.sim_node);
  if (!c.inventory.sim_faults.empty()) {
    s += ", faults:";
    for (const auto& f : c.inventory.sim_faults)
      s += " " + f;
  }
  return s;
}

std::string node_line(const Certificate& c) {
  std::map<std::string, int> models;
  for (const auto& g : c.inventory.gpus)
    ++models[g.name.value_or("unknown GPU")];
  std::string s = c.inventory.node.hostname.value_or("node");
  for (const auto& [name, n] : models)
    s += fmt::format(" · {} × {}", n, name);
  if (c.inventory.gpus.empty())
    s += " · no GPU";
  const NodeInfo& n = c.inventory.node;
  if (n.driver_version)
    s += " · driver " + *n.driver_version;
  if (n.cuda_driver_version)
    s += " · CUDA " + *n.cuda_driver_version;
  if (n.nccl_version)
    s += " · NCCL " + *n.nccl_version;
  return s;
}

std::string inconsistency_banner(const Derived& d) {
  return d.consistent ? "" : "INCONSISTENT: " + d.inconsistency;
}

std::string signature_text(const SignatureStatus& sig) {
  using S = SignatureStatus::State;
  const std::string key = sig.key_id.empty() ? "?" : sig.key_id;
  const std::string fp = sig.fingerprint.empty() ? "?" : sig.fingerprint;
  const std::string more = sig.detail.empty() ? "" : " (" + sig.detail + ")";
  switch (sig.state) {
  case S::valid:
    return fmt::format("VALID — signed by trusted key {} (fingerprint {})", key, fp);
  case S::untrusted:
    return fmt::format("UNTRUSTED — intact, signed by key {} (fingerprint {}), which is not "
                       "among the trusted keys given{}",
                       key, fp, more);
  case S::unsigned_:
    return "UNSIGNED — the run directory holds no signature";
  case S::invalid:
    return fmt::format("INVALID — {}: do not rely on these files",
                       sig.detail.empty() ? "the signature does not hold" : sig.detail);
  case S::not_checked:
    break;
  }
  return "NOT CHECKED — rendered from a certificate alone (gpucert report CERT.json checks the "
         "directory it is in)";
}

std::string scope_text(const Derived& d) {
  const RunScope& s = d.scope;
  if (s.complete_node || s.gpus.empty())
    return s.str();
  return s.str() + " (a subset: this certificate says nothing about the node's other GPUs)";
}

bool measured(const Derived& d, int index) {
  return std::find(d.scope.gpus.begin(), d.scope.gpus.end(), index) != d.scope.gpus.end();
}

int verdict_rank(Verdict v) {
  switch (v) {
  case Verdict::fail:
    return 0;
  case Verdict::error:
    return 1;
  case Verdict::inconclusive:
    return 2;
  case Verdict::pass:
    return 3;
  case Verdict::skipped:
    return 4;
  }
  return 1;
}

std::vector<ClauseGroup> clause_groups(const Certificate& c) {
  std::vector<ClauseGroup> groups;
  std::map<std::string, std::size_t> at;
  for (const auto& k : c.checks) {
    const auto [it, fresh] = at.emplace(k.clause_id, groups.size());
    if (fresh) {
      groups.push_back({});
      groups.back().id = k.clause_id;
      groups.back().worst = k.verdict;
    }
    ClauseGroup& g = groups[it->second];
    g.checks.push_back(&k);
    if (verdict_rank(k.verdict) < verdict_rank(g.worst))
      g.worst = k.verdict;
  }
  for (ClauseGroup& g : groups) {
    std::map<int, std::pair<std::string, int>> tally; // by rank: the worst first
    std::vector<std::string> refs;
    double lo = INFINITY, hi = -INFINITY;
    for (const Check* k : g.checks) {
      auto& t = tally[verdict_rank(k->verdict)];
      t.first = to_string(k->verdict);
      ++t.second;
      if (!k->contract_ref.empty() &&
          std::find(refs.begin(), refs.end(), k->contract_ref) == refs.end())
        refs.push_back(k->contract_ref);
      if (k->value && std::isfinite(*k->value) && !k->observed) {
        lo = std::min(lo, *k->value);
        hi = std::max(hi, *k->value);
      }
    }
    for (const auto& [rank, t] : tally)
      g.tally += fmt::format("{}{} {}", g.tally.empty() ? "" : ", ", t.second, t.first);
    for (const auto& r : refs)
      g.contract_refs += (g.contract_refs.empty() ? "" : "; ") + r;
    const std::string& unit = g.checks.front()->threshold.unit;
    if (lo == hi)
      g.range = quantity(lo, unit);
    else if (lo < hi) // "2.91–2.99 TB/s"; both in full where one is in GB/s and one in TB/s
      g.range = (tera(lo, unit) == tera(hi, unit) ? number_for(lo, unit) : quantity(lo, unit)) +
                "–" + quantity(hi, unit);
  }
  std::stable_sort(groups.begin(), groups.end(), [](const ClauseGroup& a, const ClauseGroup& b) {
    return verdict_rank(a.worst) < verdict_rank(b.worst);
  });
  return groups;
}

} // namespace gpucert::report
