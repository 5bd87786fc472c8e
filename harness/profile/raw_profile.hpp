// A profile file as written, before extends are merged and values checked: every value keeps its
// YAML node and where it was written, so errors after merging still name the right FILE:LINE:COL.
#pragma once

#include "harness/profile/profile.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace gpucert::profile::detail {

struct Raw {
  YAML::Node node;
  Loc loc;     ///< of the value
  Loc key_loc; ///< of its key
};
using RawMap = std::map<std::string, Raw>;

struct RawClause {
  Loc loc; ///< the list entry
  RawMap fields;
  std::optional<Raw> params_node; ///< the `params` value itself (for errors about the whole map)
  RawMap params;
};

struct RawFile {
  std::string path, sha256;
  std::optional<Raw> schema, name, description, tier, extends;
  std::optional<Raw> match_node, method_node, clauses_node, fleet_node;
  RawMap match, method, fleet;
  std::vector<RawClause> clauses;
  std::vector<std::pair<std::string, Loc>> remove_clauses;
};

/// Parses one file's text into its raw form, checking its structure: known keys, maps and lists
/// where expected, clause ids present, unique and well-formed.
RawFile parse_raw(const std::string& text, const std::string& path);

/// Applies `child` on top of `base` (extends): keys given replace, null removes, clauses merge by
/// id.
RawFile merge(RawFile base, const RawFile& child);

/// Converts a merged profile into the checked model (types, ranges, metrics, parameters, scopes).
Profile build(const RawFile& merged, const Registry& registry);

// Scalar conversions with "expected X, got Y" errors.
std::string as_string(const Raw& v, const std::string& key);
double as_number(const Raw& v, const std::string& key);
int as_int(const Raw& v, const std::string& key);
bool as_bool(const Raw& v, const std::string& key);

} // namespace gpucert::profile::detail
