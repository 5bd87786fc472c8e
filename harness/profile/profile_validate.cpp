// Checking a merged profile and building the model: value types and ranges, metrics and their
// parameters (the benchmark registry decides), scopes, statistics and thresholds.
#include "harness/core/error.hpp"
#include "harness/model/catalog.hpp"
#include "harness/profile/health_metrics.hpp"
#include "harness/profile/node_fit.hpp"
#include "harness/profile/profile_decidable.hpp"
#include "harness/profile/raw_profile.hpp"
#include "harness/profile/yaml_guard.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <regex>
#include <set>

namespace gpucert::profile {

std::string Expected::str() const {
  switch (kind) {
  case Kind::number:
    return fmt::format("{:g}", number);
  case Kind::boolean:
    return boolean ? "true" : "false";
  case Kind::text:
    return fmt::format("\"{}\"", text);
  }
  return {};
}

namespace detail {
namespace {

double in_range(const Raw& v, const std::string& key, double lo, double hi, bool lo_open,
                bool hi_open, const std::string& why) {
  const double d = as_number(v, key);
  const bool low_bad = lo_open ? d <= lo : d < lo;
  const bool high_bad = hi_open ? d >= hi : d > hi;
  if (low_bad || high_bad)
    fail(v.loc, key, fmt::format("{:g} is impossible: {}", d, why));
  return d;
}

int int_in_range(const Raw& v, const std::string& key, int lo, int hi) {
  const int i = as_int(v, key);
  if (i < lo || i > hi)
    fail(v.loc, key, fmt::format("{} is out of range [{}, {}]", i, lo, hi));
  return i;
}

Match build_match(const RawMap& raw) {
  Match m;
  for (const auto& [k, v] : raw) {
    const std::string key = "match." + k;
    if (k == "gpu_name") {
      m.gpu_name = as_string(v, key);
      if (m.gpu_name->empty())
        fail(v.loc, key, "empty name");
    } else if (k == "gpu_count") {
      m.gpu_count = int_in_range(v, key, 1, 1024);
    } else if (k == "nvlink_links_per_gpu") {
      m.nvlink_links_per_gpu = int_in_range(v, key, 0, 64);
    } else if (k == "ecc") {
      const std::string s = as_string(v, key);
      if (s != "enabled" && s != "disabled")
        fail(v.loc, key, "expected 'enabled' or 'disabled', got '" + s + "'");
      m.ecc = s == "enabled";
    } else if (k == "memory_gib") {
      if (!v.node.IsMap())
        fail(v.loc, key, "expected a map like {min: 79}, got " + describe(v.node));
      for (const auto& kv : v.node) {
        Raw sub{kv.second, loc_of(kv.second, v.loc.file), loc_of(kv.first, v.loc.file)};
        const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "?";
        if (name != "min")
          fail(sub.key_loc, key + "." + name, "unknown key (known: min)");
        m.memory_gib_min =
            in_range(sub, key + ".min", 0, 1e6, true, false, "memory must be above 0 GiB");
      }
      if (!m.memory_gib_min)
        fail(v.loc, key, "give {min: GiB}");
    } else if (k == "pcie") {
      if (!v.node.IsMap())
        fail(v.loc, key, "expected a map like {gen: 5, width: 16}, got " + describe(v.node));
      for (const auto& kv : v.node) {
        Raw sub{kv.second, loc_of(kv.second, v.loc.file), loc_of(kv.first, v.loc.file)};
        const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "?";
        if (name == "gen") {
          m.pcie_gen = int_in_range(sub, key + ".gen", 1, 7);
        } else if (name == "width") {
          const int w = as_int(sub, key + ".width");
          if (w != 1 && w != 2 && w != 4 && w != 8 && w != 16 && w != 32)
            fail(sub.loc, key + ".width",
                 fmt::format("{} lanes is not a PCIe width (1, 2, 4, 8, 16, 32)", w));
          m.pcie_width = w;
        } else {
          fail(sub.key_loc, key + "." + name, "unknown key (known: gen, width)");
        }
      }
    }
  }
  return m;
}

Method build_method(const RawMap& raw) {
  Method m;
  const Raw* min_samples = nullptr;
  for (const auto& [k, v] : raw) {
    const std::string key = "method." + k;
    if (k == "confidence") {
      m.confidence =
          in_range(v, key, 0, 1, true, true, "a confidence level lies strictly between 0 and 1");
    } else if (k == "target_rel_ci") {
      m.target_rel_ci =
          in_range(v, key, 0, 1, true, false, "a relative CI half-width lies in (0, 1]");
    } else if (k == "min_samples") {
      m.min_samples = int_in_range(v, key, 1, 1000000);
      min_samples = &v;
    } else if (k == "max_samples") {
      m.max_samples = int_in_range(v, key, 1, 1000000);
    } else if (k == "max_seconds_per_clause") {
      m.max_seconds_per_clause =
          in_range(v, key, 0, 86400, true, false, "the budget lies in (0, 86400] seconds");
    }
  }
  if (m.max_samples < m.min_samples) {
    const Raw& at = raw.count("max_samples") ? raw.at("max_samples") : *min_samples;
    fail(at.loc, raw.count("max_samples") ? "method.max_samples" : "method.min_samples",
         fmt::format("max_samples ({}) is below min_samples ({})", m.max_samples, m.min_samples));
  }
  return m;
}

bool valid_stat(const std::string& s) {
  static const std::regex pct("p([1-9]|[1-9][0-9])");
  return s == "median" || s == "mean" || s == "min" || s == "max" || std::regex_match(s, pct);
}

/// `relative: siblings` with its `min_ratio`: the clause judges the ratio of a target's statistic
/// to the median of its siblings' (the node's other GPUs or pairs), so it needs a measured
/// quantile of a figure where more is better, and no absolute threshold beside the ratio floor.
void build_relative(const RawClause& rc, const HealthMetricDef* health, Clause& c) {
  const auto& f = rc.fields;
  const auto rel = f.find("relative");
  const auto ratio = f.find("min_ratio");
  if (rel == f.end()) {
    if (ratio != f.end())
      fail(ratio->second.loc, "min_ratio",
           "min_ratio is the floor of a relative clause: add 'relative: siblings' or use min");
    return;
  }
  const Raw& at = rel->second;
  c.relative = as_string(at, "relative");
  if (c.relative != "siblings")
    fail(at.loc, "relative",
         fmt::format("'{}' is not a reference to judge against (known: siblings)", c.relative));
  if (ratio == f.end())
    fail(at.loc, "min_ratio",
         fmt::format("clause '{}' is relative to its siblings: give min_ratio, the lowest ratio "
                     "to their median that passes (e.g. 0.92)",
                     c.id));
  c.min_ratio = in_range(ratio->second, "min_ratio", 0, 1, true, false,
                         "a ratio floor to the siblings' median lies in (0, 1]");
  for (const char* key : {"min", "max", "equals"})
    if (auto it = f.find(key); it != f.end())
      fail(it->second.loc, key,
           fmt::format("a relative clause is judged by min_ratio against its siblings, not by "
                       "'{}': put an absolute threshold in a clause of its own",
                       key));
  if (health)
    fail(at.loc, "relative",
         fmt::format("'{}' is a health reading, not a measured figure: relative clauses take a "
                     "benchmark metric",
                     c.metric));
  if (!c.higher_is_better)
    fail(at.loc, "relative",
         fmt::format("metric '{}' is better when lower ({}): a ratio floor applies only to "
                     "figures where more is better",
                     c.metric, c.unit));
  if (c.each != Scope::gpu && c.each != Scope::gpu_pair) {
    const auto each = f.find("each");
    fail(each != f.end() ? each->second.loc : at.loc, "each",
         fmt::format("a relative clause compares a GPU or a GPU pair with the node's others; "
                     "metric '{}' is measured per {}",
                     c.metric, to_string(c.each)));
  }
  if (c.stat == "mean" || c.stat == "min" || c.stat == "max")
    fail(f.count("stat") ? f.at("stat").loc : at.loc, "stat",
         fmt::format("a relative clause compares quantiles (median or p1..p99), not the {}",
                     c.stat));
}

/// Checks each parameter on its own (to point at it), then the combination.
Params resolve_params(const BenchmarkDef& def, const RawClause& rc, const std::string& metric,
                      Clause& c) {
  // One parameter at a time, the others take their defaults: the combination check would judge
  // a mix the clause does not ask for, so it waits for the whole set below.
  BenchmarkDef axes_only = def;
  axes_only.check = nullptr;
  for (const auto& [name, raw] : rc.params) {
    const std::string key = "params." + name;
    c.locs[key] = raw.loc;
    const Axis* axis = nullptr;
    for (const auto& a : def.axes)
      if (a.name == name)
        axis = &a;
    if (!axis) {
      std::string names;
      for (const auto& a : def.axes)
        names += (names.empty() ? "" : ", ") + a.name;
      fail(raw.key_loc, key,
           fmt::format("unknown parameter for metric '{}' (benchmark '{}' takes: {})", metric,
                       def.name, names.empty() ? "none" : names));
    }
    if (!raw.node.IsScalar())
      fail(raw.loc, key, "expected a value, got " + describe(raw.node));
    const std::string value = raw.node.Scalar();
    c.params[name] = value;
    try {
      (void)Registry::resolve(axes_only, Params{{name, value}});
    } catch (const InputError& e) {
      fail(raw.loc, key, e.what());
    }
  }
  try {
    return Registry::resolve(def, c.params);
  } catch (const InputError& e) {
    fail(rc.params_node ? rc.params_node->loc : rc.loc, "params", e.what());
  }
}

Clause build_clause(const RawClause& rc, const Registry& registry) {
  Clause c;
  const auto& f = rc.fields;
  c.locs["clause"] = rc.loc;
  for (const auto& [k, v] : f)
    c.locs[k] = v.loc;
  c.id = as_string(f.at("id"), "id");
  if (!f.count("metric"))
    fail(rc.loc, "metric", fmt::format("clause '{}' names no metric", c.id));
  const Raw& metric_raw = f.at("metric");
  c.metric = as_string(metric_raw, "metric");

  const BenchmarkDef* def = registry.find_metric(c.metric);
  const HealthMetricDef* health = def ? nullptr : find_health_metric(c.metric);
  if (!def && !health) {
    for (const BenchmarkDef& d : registry.all())
      for (const MetricDef& m : d.metrics)
        for (const std::string& former : m.former_names)
          if (former == c.metric)
            fail(metric_raw.loc, "metric",
                 fmt::format("metric '{}' was renamed to '{}' ({}): write the new name", c.metric,
                             m.name, m.description));
    fail(metric_raw.loc, "metric",
         fmt::format("unknown metric '{}' (run 'gpucert list' for the benchmark metrics; health "
                     "metrics are listed in profiles/README.md)",
                     c.metric));
  }
  const Scope metric_scope = def ? def->scope : health->scope;
  if (def) {
    const MetricDef* md = registry.metric(c.metric);
    c.unit = md->unit;
    c.higher_is_better = md->higher_is_better;
  }

  if (auto it = f.find("each"); it != f.end()) {
    const std::string each = as_string(it->second, "each");
    if (each == "gpu")
      c.each = Scope::gpu;
    else if (each == "gpu-pair")
      c.each = Scope::gpu_pair;
    else if (each == "node")
      c.each = Scope::node;
    else
      fail(it->second.loc, "each", fmt::format("'{}' is not a scope (gpu, gpu-pair, node)", each));
    if (c.each != metric_scope)
      fail(it->second.loc, "each",
           fmt::format("'{}' does not fit metric '{}', which is measured per {}", each, c.metric,
                       to_string(metric_scope)));
  } else {
    c.each = metric_scope;
  }

  if (def) {
    c.benchmark = def->name;
    c.resolved = resolve_params(*def, rc, c.metric, c);
    if (auto it = f.find("stat"); it != f.end()) {
      c.locs["stat"] = it->second.loc;
      c.stat = as_string(it->second, "stat");
      if (!valid_stat(c.stat))
        fail(it->second.loc, "stat",
             fmt::format("'{}' is not a statistic (median, mean, min, max, p1..p99)", c.stat));
    }
  } else {
    if (!rc.params.empty() || (rc.params_node && !rc.params_node->node.IsNull()))
      fail(rc.params_node ? rc.params_node->loc : rc.loc, "params",
           fmt::format("health metric '{}' takes no parameters", c.metric));
    if (auto it = f.find("stat"); it != f.end())
      fail(it->second.loc, "stat",
           fmt::format("health metric '{}' is a single reading; a statistic does not apply",
                       c.metric));
    c.stat = "value";
  }

  build_relative(rc, health, c);

  const bool fraction = health && health->unit == "fraction";
  for (const char* key : {"min", "max"}) {
    auto it = f.find(key);
    if (it == f.end())
      continue;
    if (health && health->kind != HealthMetricDef::Kind::number)
      fail(it->second.loc, key,
           fmt::format("metric '{}' is yes/no or text: use 'equals'", c.metric));
    const double d = as_number(it->second, key);
    if (d < 0)
      fail(it->second.loc, key,
           fmt::format("{:g} is impossible: a threshold cannot be negative", d));
    if (fraction && d > 1)
      fail(it->second.loc, key, fmt::format("{:g} is impossible: a fraction lies in [0, 1]", d));
    (std::string(key) == "min" ? c.min : c.max) = d;
  }
  if (auto it = f.find("equals"); it != f.end()) {
    if (!health)
      fail(it->second.loc, "equals",
           fmt::format("'equals' applies to health metrics; benchmark metric '{}' needs min or max",
                       c.metric));
    if (c.min || c.max)
      fail(it->second.loc, "equals", "give either 'equals' or 'min'/'max', not both");
    Expected e;
    switch (health->kind) {
    case HealthMetricDef::Kind::number:
      e.kind = Expected::Kind::number;
      e.number = as_number(it->second, "equals");
      break;
    case HealthMetricDef::Kind::boolean:
      e.kind = Expected::Kind::boolean;
      e.boolean = as_bool(it->second, "equals");
      break;
    case HealthMetricDef::Kind::text:
      e.kind = Expected::Kind::text;
      e.text = as_string(it->second, "equals");
      break;
    }
    c.equals = e;
  }
  if (!c.min && !c.max && !c.equals && !c.relative_to_siblings())
    fail(rc.loc, "min",
         fmt::format("clause '{}' has no threshold: give min, max{}", c.id,
                     health ? " or equals" : ""));
  if (c.min && c.max && *c.min > *c.max)
    fail(f.at("max").loc, "max",
         fmt::format("min ({:g}) is above max ({:g}): nothing can pass", *c.min, *c.max));

  if (auto it = f.find("duration"); it != f.end()) {
    if (health)
      fail(it->second.loc, "duration",
           fmt::format("health metric '{}' is read, not measured: no duration", c.metric));
    c.duration = in_range(it->second, "duration", 0, 86400, true, false,
                          "a duration lies in (0, 86400] seconds");
  }
  if (auto it = f.find("concurrency"); it != f.end()) {
    if (health)
      fail(it->second.loc, "concurrency",
           fmt::format("health metric '{}' is read, not measured: no concurrency", c.metric));
    if (c.each == Scope::node)
      fail(it->second.loc, "concurrency",
           fmt::format("metric '{}' measures the node as one: concurrency applies to per-GPU and "
                       "per-pair clauses",
                       c.metric));
    const std::string v = as_string(it->second, "concurrency");
    if (v != "all" && v != "one")
      fail(
          it->second.loc, "concurrency",
          fmt::format("'{}' is not a concurrency (all: every target at once; one: each alone)", v));
    c.concurrency = concurrency_from_string(v);
  }
  if (auto it = f.find("description"); it != f.end())
    c.description = as_string(it->second, "description");
  if (auto it = f.find("contract_ref"); it != f.end())
    c.contract_ref = as_string(it->second, "contract_ref");
  return c;
}

} // namespace

/// The `fleet:` section: fractions in [0, 1], a positive z, floors on clauses the profile has.
FleetPolicy build_fleet(const RawMap& raw, const std::vector<Clause>& clauses) {
  FleetPolicy f;
  const auto fraction = [](const Raw& v, const std::string& key) {
    return in_range(v, key, 0, 1, false, false, "a fraction lies in [0, 1]");
  };
  for (const auto& [k, v] : raw) {
    const std::string key = "fleet." + k;
    f.locs[k] = v.loc;
    if (k == "min_certified_fraction") {
      f.min_certified_fraction = fraction(v, key);
    } else if (k == "max_outlier_fraction") {
      f.max_outlier_fraction = fraction(v, key);
    } else if (k == "outlier_z") {
      f.outlier_z = in_range(v, key, 0, 1000, true, false, "a robust z lies in (0, 1000]");
    } else if (k == "outlier_rel") {
      f.outlier_rel = in_range(v, key, 0, 1, true, true, "a relative distance lies in (0, 1)");
    } else if (k == "median_floors") {
      if (!v.node.IsMap())
        fail(v.loc, key,
             "expected a map of clause id to the lot median's floor, like "
             "{gemm-bf16: 760}, got " +
                 describe(v.node));
      for (const auto& kv : v.node) {
        const Loc at = loc_of(kv.first, v.loc.file);
        if (!kv.first.IsScalar())
          fail(at, key, "keys must be clause ids, got " + describe(kv.first));
        const std::string id = kv.first.Scalar();
        const auto c = std::find_if(clauses.begin(), clauses.end(),
                                    [&](const Clause& cl) { return cl.id == id; });
        if (c == clauses.end())
          fail(at, key + "." + id, "the profile has no clause '" + id + "'");
        if (c->is_health())
          fail(at, key + "." + id, "a lot median applies to benchmark clauses, not health ones");
        const Raw floor{kv.second, loc_of(kv.second, v.loc.file), at};
        const double d = as_number(floor, key + "." + id);
        if (!std::isfinite(d) || d <= 0)
          fail(floor.loc, key + "." + id,
               fmt::format("{:g} is impossible: a floor is positive", d));
        f.median_floors[id] = d;
        f.locs["median_floors." + id] = floor.loc;
      }
    }
  }
  return f;
}

Profile build(const RawFile& merged, const Registry& registry) {
  static const std::regex name_pattern("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  Profile p;
  p.name = as_string(*merged.name, "name");
  if (!std::regex_match(p.name, name_pattern))
    fail(merged.name->loc, "name",
         fmt::format("'{}' is not a valid name (letters, digits, '.', '_', '-')", p.name));
  if (merged.description)
    p.description = as_string(*merged.description, "description");
  if (merged.tier) {
    const std::string t = as_string(*merged.tier, "tier");
    if (t == "quick")
      p.tier = Tier::quick;
    else if (t == "standard")
      p.tier = Tier::standard;
    else if (t == "soak")
      p.tier = Tier::soak;
    else
      fail(merged.tier->loc, "tier", fmt::format("'{}' is not a tier (quick, standard, soak)", t));
  }
  p.match = build_match(merged.match);
  p.method = build_method(merged.method);
  if (merged.clauses.empty()) {
    const Loc at = merged.clauses_node ? merged.clauses_node->loc : Loc{merged.path, 1, 1};
    fail(at, "clauses", "no clauses: a profile must check something");
  }
  if (merged.clauses.size() > 1000)
    fail(merged.clauses_node->loc, "clauses", "more than 1000 clauses");
  for (const auto& rc : merged.clauses) {
    p.clauses.push_back(build_clause(rc, registry));
    check_decidable(p.clauses.back(), p.method, p.tier, rc.loc); // profile_decidable.cpp
  }
  p.fleet = build_fleet(merged.fleet, p.clauses);
  return p;
}

} // namespace detail

std::string NodeFitProblem::str() const {
  return fmt::format("{}: clause '{}': {}", loc.str(), clause_id, reason);
}

std::vector<NodeFitProblem> node_fit_problems(const Registry& registry, const Profile& profile,
                                              const Inventory& inventory) {
  std::vector<NodeFitProblem> out;
  for (const Clause& c : profile.clauses) {
    const BenchmarkDef* def = c.is_health() ? nullptr : registry.find(c.benchmark);
    if (!def || !def->fits)
      continue;
    // Point at the parameter the benchmark judged when there is one parameter; else the clause.
    Loc at = c.locs.count("clause") ? c.locs.at("clause") : Loc{};
    if (c.params.size() == 1 && c.locs.count("params." + c.params.begin()->first))
      at = c.locs.at("params." + c.params.begin()->first);
    for (const GpuInfo& gpu : inventory.gpus) {
      std::string why = def->fits(c.resolved, gpu);
      if (!why.empty())
        out.push_back({c.id, gpu.index, at, std::move(why)});
    }
  }
  return out;
}

void check_node_fit(const Registry& registry, const Profile& profile, const Inventory& inventory) {
  const std::vector<NodeFitProblem> problems = node_fit_problems(registry, profile, inventory);
  if (problems.empty())
    return;
  std::string text;
  for (const auto& p : problems)
    text += (text.empty() ? "" : "\n") + p.str();
  throw InputError(text);
}

} // namespace gpucert::profile
