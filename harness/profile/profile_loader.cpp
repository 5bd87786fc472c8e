// Reading profile files: structure of each file, the extends chain (cycles, depth) and merging.
#include "harness/core/error.hpp"
#include "harness/profile/extends_path.hpp"
#include "harness/profile/raw_profile.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/profile/yaml_guard.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fmt/core.h>
#include <regex>
#include <set>

namespace gpucert::profile {

std::string to_string(Tier t) {
  switch (t) {
  case Tier::quick:
    return "quick";
  case Tier::standard:
    return "standard";
  case Tier::soak:
    return "soak";
  }
  return "standard";
}

namespace detail {
namespace {

const std::set<std::string> kTopKeys = {"schema", "name",          "description", "extends",
                                        "tier",   "match",         "method",      "clauses",
                                        "fleet",  "remove_clauses"};
const std::set<std::string> kClauseKeys = {
    "id",     "metric",   "params",    "each",     "stat",        "min",         "max",
    "equals", "relative", "min_ratio", "duration", "concurrency", "description", "contract_ref"};
const std::set<std::string> kMatchKeys = {
    "gpu_name", "gpu_count", "memory_gib", "pcie", "nvlink_links_per_gpu", "ecc"};
const std::set<std::string> kFleetKeys = {"min_certified_fraction", "median_floors",
                                          "max_outlier_fraction", "outlier_z", "outlier_rel"};
const std::set<std::string> kMethodKeys = {"confidence", "target_rel_ci", "min_samples",
                                           "max_samples", "max_seconds_per_clause"};
const std::regex kIdPattern("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

std::string known(const std::set<std::string>& keys) {
  std::string out;
  for (const auto& k : keys)
    out += (out.empty() ? "" : ", ") + k;
  return out;
}

/// The entries of a map node with their key text, rejecting non-text and duplicate keys.
std::vector<std::pair<std::string, Raw>> entries(const YAML::Node& map, const std::string& file,
                                                 const std::string& where) {
  std::vector<std::pair<std::string, Raw>> out;
  std::map<std::string, Loc> seen;
  for (const auto& kv : map) {
    const Loc key_loc = loc_of(kv.first, file);
    if (!kv.first.IsScalar())
      fail(key_loc, where, "keys must be plain names, got " + describe(kv.first));
    const std::string key = kv.first.Scalar();
    if (auto it = seen.find(key); it != seen.end())
      fail(key_loc, key, fmt::format("duplicate key (first at {})", it->second.str()));
    seen.emplace(key, key_loc);
    out.push_back({key, Raw{kv.second, loc_of(kv.second, file), key_loc}});
  }
  return out;
}

RawMap checked_map(const Raw& value, const std::string& key, const std::set<std::string>& allowed,
                   const std::string& file) {
  if (!value.node.IsMap())
    fail(value.loc, key, "expected a map, got " + describe(value.node));
  RawMap out;
  for (auto& [k, v] : entries(value.node, file, key)) {
    if (!allowed.empty() && !allowed.count(k))
      fail(v.key_loc, key + "." + k, fmt::format("unknown key (known: {})", known(allowed)));
    out.emplace(k, v);
  }
  return out;
}

RawClause parse_clause(const YAML::Node& node, const std::string& file) {
  RawClause c;
  c.loc = loc_of(node, file);
  if (!node.IsMap())
    fail(c.loc, "clauses", "each clause must be a map, got " + describe(node));
  for (auto& [k, v] : entries(node, file, "clauses")) {
    if (!kClauseKeys.count(k))
      fail(v.key_loc, k, fmt::format("unknown clause key (known: {})", known(kClauseKeys)));
    if (k == "params") {
      c.params_node = v;
      if (v.node.IsNull())
        continue;
      if (!v.node.IsMap())
        fail(v.loc, "params", "expected a map, got " + describe(v.node));
      for (auto& [pk, pv] : entries(v.node, file, "params"))
        c.params.emplace(pk, pv);
    } else {
      c.fields.emplace(k, v);
    }
  }
  auto id = c.fields.find("id");
  if (id == c.fields.end())
    fail(c.loc, "id", "every clause needs an id");
  const std::string text = as_string(id->second, "id");
  if (!std::regex_match(text, kIdPattern))
    fail(id->second.loc, "id",
         fmt::format("'{}' is not a valid id (letters, digits, '.', '_', '-'; at most 64)", text));
  if (text.rfind("match.", 0) == 0)
    fail(id->second.loc, "id", "ids starting with 'match.' are reserved for the match checks");
  return c;
}

std::string clause_id(const RawClause& c) {
  return c.fields.at("id").node.Scalar();
}

bool is_null(const Raw& v) {
  return v.node.IsNull();
}

} // namespace

std::string as_string(const Raw& v, const std::string& key) {
  if (!v.node.IsScalar())
    fail(v.loc, key, "expected text, got " + describe(v.node));
  const std::string& s = v.node.Scalar();
  if (s.size() > 4096)
    fail(v.loc, key, "text longer than 4096 characters");
  return s;
}

double as_number(const Raw& v, const std::string& key) {
  static const std::regex number(R"([-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?)");
  if (!v.node.IsScalar() || v.node.Tag() != "?" || !std::regex_match(v.node.Scalar(), number))
    fail(v.loc, key, "expected a number, got " + describe(v.node));
  const double d = std::strtod(v.node.Scalar().c_str(), nullptr);
  if (!std::isfinite(d))
    fail(v.loc, key, "number out of range");
  return d;
}

int as_int(const Raw& v, const std::string& key) {
  static const std::regex integer(R"([-+]?[0-9]{1,9})");
  if (!v.node.IsScalar() || v.node.Tag() != "?" || !std::regex_match(v.node.Scalar(), integer))
    fail(v.loc, key, "expected a whole number, got " + describe(v.node));
  return std::stoi(v.node.Scalar());
}

bool as_bool(const Raw& v, const std::string& key) {
  if (v.node.IsScalar() && v.node.Tag() == "?") {
    if (v.node.Scalar() == "true")
      return true;
    if (v.node.Scalar() == "false")
      return false;
  }
  fail(v.loc, key, "expected true or false, got " + describe(v.node));
}

RawFile parse_raw(const std::string& text, const std::string& path) {
  RawFile f;
  f.path = path;
  f.sha256 = sha256_hex(text);
  const YAML::Node root = load_yaml_guarded(text, path);
  if (!root.IsMap())
    fail(loc_of(root, path), "", "a profile must be a map of keys, got " + describe(root));
  for (auto& [k, v] : entries(root, path, "")) {
    if (!kTopKeys.count(k))
      fail(v.key_loc, k, fmt::format("unknown key (known: {})", known(kTopKeys)));
    if (k == "schema")
      f.schema = v;
    else if (k == "name")
      f.name = v;
    else if (k == "description")
      f.description = v;
    else if (k == "tier")
      f.tier = v;
    else if (k == "extends")
      f.extends = v;
    else if (k == "match") {
      f.match_node = v;
      f.match = checked_map(v, "match", kMatchKeys, path);
    } else if (k == "method") {
      f.method_node = v;
      f.method = checked_map(v, "method", kMethodKeys, path);
    } else if (k == "fleet") {
      f.fleet_node = v;
      f.fleet = checked_map(v, "fleet", kFleetKeys, path);
    } else if (k == "clauses") {
      f.clauses_node = v;
      if (!v.node.IsSequence())
        fail(v.loc, "clauses", "expected a list of clauses, got " + describe(v.node));
      std::map<std::string, Loc> ids;
      for (const auto& item : v.node) {
        RawClause c = parse_clause(item, path);
        const std::string id = clause_id(c);
        if (auto it = ids.find(id); it != ids.end())
          fail(c.fields.at("id").loc, "id",
               fmt::format("duplicate clause id '{}' (first at {})", id, it->second.str()));
        ids.emplace(id, c.fields.at("id").loc);
        f.clauses.push_back(std::move(c));
      }
    } else if (k == "remove_clauses") {
      if (!v.node.IsSequence())
        fail(v.loc, k, "expected a list of clause ids, got " + describe(v.node));
      for (const auto& item : v.node) {
        Raw r{item, loc_of(item, path), loc_of(item, path)};
        f.remove_clauses.push_back({as_string(r, k), r.loc});
      }
    }
  }
  const Loc top{path, 1, 1};
  if (!f.schema)
    fail(top, "schema", fmt::format("missing; write 'schema: {}'", kProfileSchema));
  const std::string schema = as_string(*f.schema, "schema");
  if (schema != kProfileSchema)
    fail(f.schema->loc, "schema",
         fmt::format("'{}' is not supported (expected '{}')", schema, kProfileSchema));
  if (!f.name)
    fail(top, "name", "missing: every profile needs a name");
  if (!f.extends && !f.remove_clauses.empty())
    fail(f.remove_clauses.front().second, "remove_clauses",
         "only a profile that extends another can remove clauses");
  if (!f.extends && !f.clauses_node)
    fail(top, "clauses", "missing: a profile needs at least one clause");
  return f;
}

RawFile merge(RawFile base, const RawFile& child) {
  RawFile out = std::move(base);
  out.path = child.path;
  out.sha256 = child.sha256;
  out.schema = child.schema;
  out.name = child.name;
  out.extends = child.extends;
  if (child.description)
    out.description = child.description;
  if (child.tier)
    out.tier = child.tier;
  if (child.match_node)
    out.match_node = child.match_node;
  if (child.method_node)
    out.method_node = child.method_node;
  if (child.clauses_node)
    out.clauses_node = child.clauses_node;
  for (const auto& [k, v] : child.match) {
    if (is_null(v))
      out.match.erase(k);
    else
      out.match[k] = v;
  }
  for (const auto& [k, v] : child.fleet) { // key by key; null removes a lot clause
    if (is_null(v))
      out.fleet.erase(k);
    else
      out.fleet[k] = v;
  }
  for (const auto& [k, v] : child.method) {
    if (is_null(v))
      fail(v.loc, "method." + k, "a method value cannot be removed, only changed");
    out.method[k] = v;
  }
  for (const auto& removal : child.remove_clauses) {
    // Not a structured binding: clang before 16 cannot capture one in a lambda.
    const auto& id = removal.first;
    const auto& at = removal.second;
    auto it = std::find_if(out.clauses.begin(), out.clauses.end(),
                           [&](const RawClause& c) { return clause_id(c) == id; });
    if (it == out.clauses.end())
      fail(at, "remove_clauses", fmt::format("the base profile has no clause '{}'", id));
    out.clauses.erase(it);
  }
  for (const auto& c : child.clauses) {
    auto it = std::find_if(out.clauses.begin(), out.clauses.end(),
                           [&](const RawClause& b) { return clause_id(b) == clause_id(c); });
    if (it == out.clauses.end()) {
      RawClause fresh = c; // null values in a new clause mean "not given"
      std::erase_if(fresh.fields, [](const auto& kv) { return is_null(kv.second); });
      std::erase_if(fresh.params, [](const auto& kv) { return is_null(kv.second); });
      out.clauses.push_back(std::move(fresh));
      continue;
    }
    RawClause& b = *it;
    const bool metric_changed =
        c.fields.count("metric") &&
        (!b.fields.count("metric") || !c.fields.at("metric").node.IsScalar() ||
         !b.fields.at("metric").node.IsScalar() ||
         c.fields.at("metric").node.Scalar() != b.fields.at("metric").node.Scalar());
    for (const auto& [k, v] : c.fields) {
      if (is_null(v)) {
        if (k == "id" || k == "metric")
          fail(v.loc, k, "cannot be removed");
        b.fields.erase(k);
      } else {
        b.fields[k] = v;
      }
    }
    if (metric_changed)
      b.params.clear(); // another benchmark: the base's parameters do not apply
    if (c.params_node) {
      b.params_node = c.params_node;
      if (c.params_node->node.IsNull())
        b.params.clear();
    }
    for (const auto& [k, v] : c.params) {
      if (is_null(v))
        b.params.erase(k);
      else
        b.params[k] = v;
    }
    b.loc = c.loc;
  }
  return out;
}

} // namespace detail

namespace {

namespace fs = std::filesystem;

struct Chain {
  std::vector<detail::RawFile> files; ///< top first
};

void load_chain(const std::string& text, const std::string& path, const fs::path& base_dir,
                const std::vector<fs::path>& roots, std::vector<std::string>& visiting,
                Chain& chain) {
  detail::RawFile f = detail::parse_raw(text, path);
  if (f.extends) {
    const std::string rel = detail::as_string(*f.extends, "extends");
    // Read through the canonical path (the one checked against the roots); name the file by
    // the path as written, so certificates do not carry this machine's absolute paths.
    const fs::path canon = resolve_extends(*f.extends, base_dir, roots);
    const fs::path base_path = (base_dir / rel).lexically_normal();
    if (std::find(visiting.begin(), visiting.end(), canon.string()) != visiting.end())
      fail(f.extends->loc, "extends",
           fmt::format("'{}' extends itself (cycle through {})", rel, canon.string()));
    if (static_cast<int>(visiting.size()) >= kMaxExtendsDepth)
      fail(f.extends->loc, "extends",
           fmt::format("more than {} levels of extends", kMaxExtendsDepth));
    std::string base_text;
    try {
      base_text = read_text_file(canon.string());
    } catch (const InputError& e) {
      fail(f.extends->loc, "extends",
           fmt::format("cannot read base profile '{}': {}", rel, e.what()));
    }
    chain.files.push_back(std::move(f));
    visiting.push_back(canon.string());
    load_chain(base_text, base_path.string(), base_path.parent_path(), roots, visiting, chain);
    return;
  }
  chain.files.push_back(std::move(f));
}

Profile parse_chain(const Registry& registry, const std::string& text, const std::string& source,
                    const fs::path& base_dir, const std::vector<fs::path>& roots) {
  std::vector<std::string> visiting;
  std::error_code ec;
  visiting.push_back(fs::weakly_canonical(fs::path(source), ec).string());
  Chain chain;
  load_chain(text, source, base_dir, roots, visiting, chain);
  detail::RawFile merged = chain.files.back();
  for (auto it = chain.files.rbegin() + 1; it != chain.files.rend(); ++it)
    merged = detail::merge(std::move(merged), *it);
  Profile p = detail::build(merged, registry);

  std::string joined;
  for (const auto& f : chain.files) {
    p.files.push_back({f.path, f.sha256});
    joined += f.sha256 + "\n";
  }
  p.sha256 = chain.files.size() == 1 ? chain.files.front().sha256 : sha256_hex(joined);
  return p;
}

} // namespace

Profile parse_profile(const Registry& registry, const std::string& text, const std::string& source,
                      const std::string& base_dir) {
  std::error_code ec;
  return parse_chain(registry, text, source, base_dir, {fs::weakly_canonical(base_dir, ec)});
}

Profile load_profile(const Registry& registry, const std::string& path,
                     const std::vector<std::string>& extends_from) {
  const std::string text = read_text_file(path);
  return parse_chain(registry, text, path, fs::path(path).parent_path(),
                     extends_roots(path, extends_from));
}

} // namespace gpucert::profile
