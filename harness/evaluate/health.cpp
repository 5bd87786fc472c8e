// Health checks: inventory.* readings (before and after the run) and telemetry.* summaries
// (every measurement window of a GPU), plus the profile's `match` block, which is checked the
// same way through equivalent clauses (ids "match.<key>").
#include "harness/evaluate/checks.hpp"
#include "harness/evaluate/evaluate.hpp"
#include "harness/profile/health_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::evaluate::detail {

using report::Check;
using report::Verdict;

namespace {

/// One reading of a health metric; `why` says why it is missing.
struct Reading {
  bool ok = false;
  std::string why;
  profile::Expected value;
};

Reading missing(const GpuInfo& g, const char* field, const std::string& fallback = "not reported") {
  auto it = g.unavailable.find(field);
  return {false, it != g.unavailable.end() ? it->second : fallback, {}};
}

Reading number(double v) {
  Reading r{true, {}, {}};
  r.value.kind = profile::Expected::Kind::number;
  r.value.number = v;
  return r;
}

Reading boolean(bool v) {
  Reading r{true, {}, {}};
  r.value.kind = profile::Expected::Kind::boolean;
  r.value.boolean = v;
  return r;
}

Reading read_inventory(const Inventory& inv, const std::string& metric, int gpu) {
  if (metric == "inventory.gpu_count")
    return number(static_cast<double>(inv.gpus.size()));
  const GpuInfo* g = find_gpu(inv, gpu);
  if (!g)
    return {false, fmt::format("gpu{} is not in the inventory", gpu), {}};
  if (metric == "inventory.gpu_name") {
    if (!g->name)
      return missing(*g, "name");
    Reading r{true, {}, {}};
    r.value.kind = profile::Expected::Kind::text;
    r.value.text = *g->name;
    return r;
  }
  if (metric == "inventory.memory_gib") {
    if (!g->memory_total_bytes)
      return missing(*g, "memory_total_bytes");
    return number(static_cast<double>(*g->memory_total_bytes) / (1024.0 * 1024.0 * 1024.0));
  }
  if (metric == "inventory.pcie_gen")
    return g->pcie_gen_current ? number(*g->pcie_gen_current) : missing(*g, "pcie_gen_current");
  if (metric == "inventory.pcie_width")
    return g->pcie_width_current ? number(*g->pcie_width_current)
                                 : missing(*g, "pcie_width_current");
  if (metric == "inventory.nvlink_links")
    return g->nvlink_links_active ? number(*g->nvlink_links_active)
                                  : missing(*g, "nvlink_links_active");
  if (metric == "inventory.ecc_enabled")
    return g->ecc_enabled ? boolean(*g->ecc_enabled) : missing(*g, "ecc_enabled");
  if (metric == "inventory.remapped_rows_pending")
    return g->remapped_rows_pending ? boolean(*g->remapped_rows_pending)
                                    : missing(*g, "remapped_rows_pending");
  if (metric == "inventory.remapped_rows_failed")
    return g->remapped_rows_failed ? boolean(*g->remapped_rows_failed)
                                   : missing(*g, "remapped_rows_failed");
  if (metric == "inventory.ecc_uncorrected") {
    if (!g->ecc_uncorrected_volatile && !g->ecc_uncorrected_aggregate)
      return missing(*g, "ecc_uncorrected_volatile");
    return number(static_cast<double>(std::max(g->ecc_uncorrected_volatile.value_or(0),
                                               g->ecc_uncorrected_aggregate.value_or(0))));
  }
  if (metric == "inventory.power_limit_at_default") {
    if (!g->power_limit_w)
      return missing(*g, "power_limit_w");
    if (!g->power_default_limit_w)
      return missing(*g, "power_default_limit_w");
    return boolean(std::fabs(*g->power_limit_w - *g->power_default_limit_w) <= 1.0);
  }
  return {false, fmt::format("'{}' is not an inventory metric", metric), {}};
}

bool satisfied(const profile::Expected& v, const profile::Clause& c) {
  using K = profile::Expected::Kind;
  if (c.equals) {
    if (c.equals->kind != v.kind)
      return false;
    switch (v.kind) {
    case K::number:
      return std::fabs(v.number - c.equals->number) <=
             1e-9 * std::max(1.0, std::fabs(c.equals->number));
    case K::boolean:
      return v.boolean == c.equals->boolean;
    case K::text:
      return v.text == c.equals->text;
    }
  }
  if (v.kind != K::number)
    return false;
  if (c.min && v.number < *c.min)
    return false;
  if (c.max && v.number > *c.max)
    return false;
  return true;
}

std::string shown(const profile::Expected& v) {
  if (v.kind == profile::Expected::Kind::number)
    return fmt::format("{:g}", v.number);
  return v.str();
}

report::Threshold threshold_of(const profile::Clause& c, const std::string& unit) {
  report::Threshold t;
  t.min = c.min;
  t.max = c.max;
  if (c.equals)
    t.equals = c.equals->str();
  t.unit = unit;
  t.higher_is_better = !c.max || c.min.has_value();
  return t;
}

Check skeleton(const profile::Clause& c, const profile::Profile& p, const Results& r,
               const Target& t, const std::string& kind) {
  Check k;
  k.clause_id = c.id;
  k.metric = c.metric;
  k.description = c.description;
  k.contract_ref = c.contract_ref;
  k.kind = kind;
  k.scope = t.scope;
  k.target = t.label();
  k.gpus = t.gpus;
  k.stat = "value";
  k.ci_method = "exact";
  k.confidence = p.method.confidence;
  const auto* def = profile::find_health_metric(c.metric);
  k.threshold = threshold_of(c, def ? def->unit : "");
  k.simulated = r.simulated;
  return k;
}

void set_margin(Check& k, const profile::Clause& c) {
  if (!k.value || c.equals)
    return;
  std::optional<double> margin;
  std::optional<double> thr;
  if (c.min) {
    margin = *k.value - *c.min;
    thr = *c.min;
  }
  if (c.max && (!margin || *c.max - *k.value < *margin)) {
    margin = *c.max - *k.value;
    thr = *c.max;
  }
  k.margin = margin;
  if (thr && *thr != 0)
    k.margin_rel = *margin / *thr;
}

Check inventory_check(const profile::Clause& c, const profile::Profile& p, const Results& r,
                      const Target& t, const std::string& kind) {
  Check k = skeleton(c, p, r, t, kind);
  const int gpu = t.gpus.empty() ? -1 : t.gpus.front();
  struct Side {
    const char* when;
    Reading reading;
  };
  std::vector<Side> sides{{"before the run", read_inventory(r.inventory_before, c.metric, gpu)}};
  if (r.inventory_after)
    sides.push_back({"after the run", read_inventory(*r.inventory_after, c.metric, gpu)});

  std::vector<std::string> failures, errors, observed;
  for (const auto& s : sides) {
    if (!s.reading.ok) {
      errors.push_back(fmt::format("{} {}: {}", c.metric, s.when, s.reading.why));
      continue;
    }
    ++k.n;
    observed.push_back(shown(s.reading.value));
    if (s.reading.value.kind == profile::Expected::Kind::number) {
      // Report the worse of the two readings as the value.
      const double v = s.reading.value.number;
      const bool worse = !k.value || (c.min && v < *k.value) || (!c.min && c.max && v > *k.value);
      if (worse)
        k.value = v;
    }
    if (!satisfied(s.reading.value, c))
      failures.push_back(fmt::format("reads {} {}", shown(s.reading.value), s.when));
  }
  // "reads 4 before the run; reads 4 after the run" says the same thing twice.
  if (failures.size() == 2 && observed.size() == 2 && observed[0] == observed[1])
    failures = {fmt::format("reads {} before and after the run", observed[0])};
  if (!failures.empty())
    failures.back() += ", expected " + k.threshold.str();
  observed.erase(std::unique(observed.begin(), observed.end()), observed.end());
  if (!observed.empty()) {
    std::string joined;
    for (const auto& o : observed)
      joined += (joined.empty() ? "" : " → ") + o;
    k.observed = joined;
  }
  if (k.value) {
    k.ci_lo = k.value;
    k.ci_hi = k.value;
    k.samples = {*k.value};
  }
  set_margin(k, c);
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
      out += (out.empty() ? "" : "; ") + s;
    return out;
  };
  if (!failures.empty()) {
    k.verdict = Verdict::fail;
    k.cause = join(failures);
  } else if (!errors.empty()) {
    k.verdict = Verdict::error;
    k.message = join(errors);
  } else {
    k.verdict = Verdict::pass;
  }
  return k;
}

Check telemetry_check(const profile::Clause& c, const profile::Profile& p, const Results& r,
                      const Target& t) {
  Check k = skeleton(c, p, r, t, "health");
  const int gpu = t.gpus.front();
  k.ci_method = "observed";
  std::optional<double> worst;
  std::string worst_text, unavailable;
  int windows = 0;
  for (const auto& m : r.measurements) {
    auto it = m.telemetry.find(gpu);
    if (it == m.telemetry.end())
      continue;
    const TelemetrySummary& s = it->second;
    if (!s.available) {
      if (unavailable.empty())
        unavailable = s.unavailable_reason;
      continue;
    }
    ++windows;
    auto frac = [&](const char* key) {
      auto f = s.throttle_fraction.find(key);
      return f == s.throttle_fraction.end() ? 0.0 : f->second;
    };
    double v = 0;
    if (c.metric == "telemetry.hw_slowdown_fraction")
      v = std::max({frac("hw_slowdown"), frac("hw_thermal"), frac("hw_power_brake")});
    else if (c.metric == "telemetry.thermal_fraction")
      v = std::max(frac("hw_thermal"), frac("sw_thermal"));
    else if (c.metric == "telemetry.temperature_c_max")
      v = s.temperature_c_max;
    k.samples.push_back(v);
    if (!worst || v > *worst) {
      worst = v;
      const std::string why = throttle_text(s);
      const std::string during = fmt::format("during {} on {}", m.benchmark, m.target.label());
      worst_text = why.empty() ? fmt::format("{:.0f} °C {}", s.temperature_c_max, during)
                               : why + " " + during;
      k.telemetry[gpu] = s;
      k.started_at = m.started_at;
      k.finished_at = m.finished_at;
    }
  }
  k.n = windows;
  if (!worst) {
    k.verdict = Verdict::error;
    k.message = unavailable.empty()
                    ? fmt::format("no telemetry recorded for gpu{}: no measurement ran on it", gpu)
                    : fmt::format("telemetry unavailable for gpu{}: {}", gpu, unavailable);
    return k;
  }
  k.value = worst;
  k.ci_lo = worst;
  k.ci_hi = worst;
  k.stat = "max";
  set_margin(k, c);
  if (satisfied(profile::Expected{profile::Expected::Kind::number, *worst, false, {}}, c)) {
    k.verdict = Verdict::pass;
  } else {
    k.verdict = Verdict::fail;
    k.cause = worst_text;
  }
  return k;
}

} // namespace

std::vector<Check> health_checks(const profile::Clause& c, const profile::Profile& p,
                                 const Results& r, const std::vector<int>& gpus) {
  std::vector<Check> out;
  const bool telemetry = c.metric.rfind("telemetry.", 0) == 0;
  for (const Target& t : targets_for(c.each, gpus))
    out.push_back(telemetry ? telemetry_check(c, p, r, t) : inventory_check(c, p, r, t, "health"));
  return out;
}

std::vector<Check> match_checks(const profile::Profile& p, const Results& r,
                                const std::vector<int>& gpus) {
  const profile::Match& m = p.match;
  std::vector<profile::Clause> clauses;
  auto add = [&](const std::string& key, const std::string& metric, Scope scope,
                 const std::string& what) {
    profile::Clause c;
    c.id = "match." + key;
    c.metric = metric;
    c.each = scope;
    c.stat = "value";
    c.description = what;
    clauses.push_back(c);
    return &clauses.back();
  };
  using K = profile::Expected::Kind;
  if (m.gpu_count)
    add("gpu_count", "inventory.gpu_count", Scope::node,
        "the node has the contracted number of GPUs")
        ->equals = profile::Expected{K::number, static_cast<double>(*m.gpu_count), false, {}};
  if (m.gpu_name)
    add("gpu_name", "inventory.gpu_name", Scope::gpu, "the contracted GPU model")->equals =
        profile::Expected{K::text, 0, false, *m.gpu_name};
  if (m.memory_gib_min)
    add("memory_gib", "inventory.memory_gib", Scope::gpu, "device memory at least as contracted")
        ->min = *m.memory_gib_min;
  if (m.pcie_gen)
    add("pcie_gen", "inventory.pcie_gen", Scope::gpu,
        "PCIe link trained at the contracted generation")
        ->min = *m.pcie_gen;
  if (m.pcie_width)
    add("pcie_width", "inventory.pcie_width", Scope::gpu,
        "PCIe link trained at the contracted width")
        ->min = *m.pcie_width;
  if (m.nvlink_links_per_gpu)
    add("nvlink_links_per_gpu", "inventory.nvlink_links", Scope::gpu, "NVLink links active per GPU")
        ->min = *m.nvlink_links_per_gpu;
  if (m.ecc)
    add("ecc", "inventory.ecc_enabled", Scope::gpu, "ECC mode as contracted")->equals =
        profile::Expected{K::boolean, 0, *m.ecc, {}};
  std::vector<Check> out;
  for (const auto& c : clauses)
    for (const Target& t : targets_for(c.each, gpus))
      out.push_back(inventory_check(c, p, r, t, "match"));
  return out;
}

} // namespace gpucert::evaluate::detail
