// The certificate's file form (see certificate_compact.hpp). Writing rewrites the full form's
// JSON; reading validates the tables here and reads each check with the one check reader
// (check_fields.hpp, certificate_json.cpp), which takes a field from the check's row, its
// clause's shared fields or its run, so both forms are checked field by field alike.
#include "harness/model/certificate_compact.hpp"

#include "harness/core/error.hpp"
#include "harness/core/input_limits.hpp"
#include "harness/model/check_fields.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <map>

namespace gpucert::report {

using nlohmann::json;

namespace {

/// The fields that belong to a measurement rather than to a check: identical in every check
/// judging it, so they live once in "runs".
constexpr const char* kRunFields[] = {"measurement", "telemetry",   "started_at",
                                      "finished_at", "stop_reason", "warmup_extensions"};
/// Table columns of a check's leaf fields inside these objects ("interval/lo"): their defaults
/// are objects in the default check, so a cell at the default is exact.
constexpr const char* kFlattened[] = {"interval", "threshold"};
/// Sub-objects that are null by default: table columns of their fields when every check of the
/// clause has one.
constexpr const char* kTemplated[] = {"diagnosis", "relative"};
constexpr int kDigits = 7, kTelemetryDigits = 4;

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw InputError(fmt::format("certificate: field '{}': {}", path, what));
}

/// A check with every field at its default, in the full form: what an omitted field reads as.
const json& default_check() {
  static const json d = [] {
    Certificate c;
    c.checks.emplace_back();
    return to_json(c).at("checks").at(0);
  }();
  return d;
}

const json& telemetry_columns() {
  static const json cols = [] {
    json names = json::array();
    const json fields = gpucert::to_json(TelemetrySummary{});
    for (auto it = fields.begin(); it != fields.end(); ++it)
      names.push_back(it.key());
    return names;
  }();
  return cols;
}

void round_numbers(json& j, int digits) {
  if (j.is_number_float())
    j = round_for_file(j.get<double>(), digits);
  else if (j.is_structured())
    for (auto& v : j)
      round_numbers(v, digits);
}

/// Removes from `j` what equals `d` (recursing into objects both hold); an object emptied by
/// this is removed too, one that was empty is kept (it is not a default).
void strip_defaults(json& j, const json& d) {
  for (auto it = j.begin(); it != j.end();) {
    const auto di = d.find(it.key());
    if (di == d.end()) {
      ++it;
      continue;
    }
    if (it->is_object() && di->is_object() && !it->empty()) {
      strip_defaults(*it, *di);
      it = it->empty() ? j.erase(it) : std::next(it);
    } else if (*it == *di) {
      it = j.erase(it);
    } else {
      ++it;
    }
  }
}

/// A telemetry summary as a row of telemetry_columns(), rounded; zero throttle fractions omitted.
json telemetry_row(json t) {
  round_numbers(t, kTelemetryDigits);
  json row = json::array();
  for (const auto& col : telemetry_columns()) {
    json v = t.value(col.get<std::string>(), json());
    if (col == "throttle_fraction" && v.is_object())
      for (auto it = v.begin(); it != v.end();)
        it = it->is_number() && it->get<double>() == 0 ? v.erase(it) : std::next(it);
    row.push_back(std::move(v));
  }
  return row;
}

bool flattened(const std::string& key) {
  return std::find(std::begin(kFlattened), std::end(kFlattened), key) != std::end(kFlattened);
}
bool templated(const std::string& key) {
  return std::find(std::begin(kTemplated), std::end(kTemplated), key) != std::end(kTemplated);
}

/// The objects whose fields are columns of a clause's table: interval and threshold always,
/// a diagnosis or relative when every check of the clause has one (else a check without one
/// could not be told from one at the defaults).
std::vector<std::string> flat_keys(const std::vector<json*>& group) {
  std::vector<std::string> keys(std::begin(kFlattened), std::end(kFlattened));
  for (const char* t : kTemplated)
    if (std::all_of(group.begin(), group.end(), [&](const json* k) {
          const auto it = k->find(t);
          return it != k->end() && it->is_object() && !it->empty();
        }))
      keys.push_back(t);
  return keys;
}

/// The leaves of a check as (path, value), as its table has them: the fields of a flattened
/// object one by one, any other field whole.
std::vector<std::pair<std::vector<std::string>, const json*>>
leaves(const json& k, const std::vector<std::string>& flat) {
  std::vector<std::pair<std::vector<std::string>, const json*>> out;
  for (auto it = k.begin(); it != k.end(); ++it) {
    if (std::find(flat.begin(), flat.end(), it.key()) != flat.end() && it->is_object() &&
        !it->empty())
      for (auto leaf = it->begin(); leaf != it->end(); ++leaf)
        out.push_back({{it.key(), leaf.key()}, &*leaf});
    else
      out.push_back({{it.key()}, &*it});
  }
  return out;
}

const json* find_path(const json& j, const std::vector<std::string>& p) {
  const json* cur = &j;
  for (const auto& k : p) {
    if (!cur->is_object())
      return nullptr;
    const auto it = cur->find(k);
    if (it == cur->end())
      return nullptr;
    cur = &*it;
  }
  return cur;
}

void set_path(json& j, const std::vector<std::string>& p, const json& v) {
  json* cur = &j;
  for (std::size_t i = 0; i + 1 < p.size(); ++i)
    cur = &(*cur)[p[i]];
  (*cur)[p.back()] = v;
}

/// Erases the leaf at `p`, and the objects on the way that it leaves empty.
void erase_path(json& j, const std::vector<std::string>& p, std::size_t i = 0) {
  const auto it = j.find(p[i]);
  if (i + 1 == p.size()) {
    j.erase(it);
    return;
  }
  erase_path(*it, p, i + 1);
  if (it->empty())
    j.erase(it);
}

/// Moves the leaves that every check of `group` holds with one value into the returned object.
json hoist_shared(std::vector<json*>& group) {
  json shared = json::object();
  if (group.size() < 2)
    return shared;
  const auto first = leaves(*group.front(), flat_keys(group));
  std::vector<std::vector<std::string>> moved;
  for (const auto& [path, value] : first) {
    if (path.front() == "clause_id")
      continue;
    bool all = true;
    for (std::size_t i = 1; all && i < group.size(); ++i) {
      const json* other = find_path(*group[i], path);
      all = other && *other == *value;
    }
    if (!all)
      continue;
    set_path(shared, path, *value);
    moved.push_back(path);
  }
  for (json* k : group)
    for (const auto& path : moved)
      erase_path(*k, path);
  return shared;
}

/// A table column: a top-level field, or "interval/lo" for a leaf of a flattened object.
std::vector<std::string> column_path(const std::string& col) {
  const auto slash = col.find('/');
  if (slash == std::string::npos)
    return {col};
  return {col.substr(0, slash), col.substr(slash + 1)};
}

/// The columns of a clause's checks: their leaves in first-seen order.
std::vector<std::string> columns_of(const std::vector<json*>& group) {
  const std::vector<std::string> flat = flat_keys(group);
  std::vector<std::string> cols;
  for (const json* k : group)
    for (const auto& [path, value] : leaves(*k, flat)) {
      const std::string c = path.size() == 1 ? path[0] : path[0] + "/" + path[1];
      if (c != "clause_id" && std::find(cols.begin(), cols.end(), c) == cols.end())
        cols.push_back(c);
    }
  return cols;
}

/// A check's cell in column `col`: its value, else the value reading fills for an absent field
/// (the default; null for "run", which has none).
json cell(const json& k, const std::string& col) {
  const std::vector<std::string> p = column_path(col);
  if (const json* v = find_path(k, p))
    return *v;
  const json* d = find_path(default_check(), p);
  return d ? *d : json(nullptr);
}

/// `path` makes the field's path, for the error only (it is asked for every check).
template <typename Path> std::size_t index_in(JsonRef v, std::size_t size, const Path& path) {
  if (!v.is_number_unsigned() || v.get_uint64() >= size)
    bad(path(), size == 0 ? std::string("refers to an entry of an empty table")
                          : fmt::format("must be an index from 0 to {}", size - 1));
  return static_cast<std::size_t>(v.get_uint64());
}

JsonRef member(JsonRef j, const char* key, const std::string& path) {
  JsonRef v;
  if (!j.find(key, v))
    bad(path.empty() ? key : path + "." + key, "missing");
  return v;
}

/// A table ({..., "rows": [...]}) with one row per line.
void write_table(std::string& out, const json& t, const std::string& indent) {
  out += "{";
  bool first = true;
  for (auto it = t.begin(); it != t.end(); ++it) {
    out += first ? "" : ", ";
    first = false;
    out += json(it.key()).dump() + ": ";
    if (it.key() != "rows" || !it->is_array()) {
      out += it->dump();
      continue;
    }
    out += "[";
    for (std::size_t r = 0; r < it->size(); ++r)
      out += (r ? ",\n" : "\n") + indent + "  " + (*it)[r].dump();
    out += "]";
  }
  out += "}";
}

/// Tables and arrays of tables a row per line; any other value on one line.
void write_value(std::string& out, const json& v, const std::string& indent) {
  if (v.is_object() && v.contains("rows")) {
    write_table(out, v, indent);
    return;
  }
  const bool tables =
      v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), [](const json& e) {
        return e.is_object() && e.contains("rows");
      });
  if (!tables) {
    out += v.dump();
    return;
  }
  out += "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    out += (i ? ",\n" : "\n") + indent + " ";
    write_table(out, v[i], indent + " ");
  }
  out += "\n" + indent + "]";
}

/// Arrays of two or more objects with the same fields become {"$columns": [...], "$rows": [...]}
/// (an inventory lists 8 GPUs of 50 fields and 18 NVLinks each); inner values first.
void tabulate(json& j) {
  if (!j.is_structured())
    return;
  for (auto& v : j)
    tabulate(v);
  if (!j.is_array() || j.size() < 2 || !j[0].is_object() || j[0].empty())
    return;
  json cols = json::array();
  for (auto it = j[0].begin(); it != j[0].end(); ++it)
    cols.push_back(it.key());
  for (const json& e : j) {
    if (!e.is_object() || e.size() != cols.size())
      return;
    for (const auto& c : cols)
      if (!e.contains(c.get<std::string>()))
        return;
  }
  json rows = json::array();
  for (const json& e : j) {
    json row = json::array();
    for (const auto& c : cols)
      row.push_back(e.at(c.get<std::string>()));
    rows.push_back(std::move(row));
  }
  j = json{{"$columns", std::move(cols)}, {"$rows", std::move(rows)}};
}

void untabulate(json& j, const std::string& path, int depth = 0) {
  if (!j.is_structured() || depth > 8) // an inventory nests 4 deep
    return;
  if (j.is_object() && j.size() == 2 && j.contains("$columns") && j.contains("$rows")) {
    const json& cols = j.at("$columns");
    const json& rows = j.at("$rows");
    if (!cols.is_array() ||
        !std::all_of(cols.begin(), cols.end(), [](const json& c) { return c.is_string(); }))
      bad(path + ".$columns", "expected an array of field names");
    if (!rows.is_array())
      bad(path + ".$rows", "expected an array");
    json out = json::array();
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (!rows[r].is_array() || rows[r].size() != cols.size())
        bad(fmt::format("{}.$rows[{}]", path, r),
            fmt::format("expected an array of {} cells (one per column)", cols.size()));
      json e = json::object();
      for (std::size_t i = 0; i < cols.size(); ++i)
        e[cols[i].get<std::string>()] = rows[r][i];
      out.push_back(std::move(e));
    }
    j = std::move(out);
  }
  // Only arrays and objects can hold a table: the paths of the leaves are never made.
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it->is_structured())
        untabulate(*it, path + "." + it.key(), depth + 1);
  } else {
    for (std::size_t i = 0; i < j.size(); ++i)
      if (j[i].is_structured())
        untabulate(j[i], fmt::format("{}[{}]", path, i), depth + 1);
  }
}

/// The runs as one table: a column per run field any run has, a cell at the default where a run
/// lacks it.
json run_table(const json& runs) {
  const json& d = default_check();
  json cols = json::array();
  for (const char* f : kRunFields)
    if (std::any_of(runs.begin(), runs.end(), [&](const json& r) { return r.contains(f); }))
      cols.push_back(f);
  json rows = json::array();
  for (const json& r : runs) {
    json row = json::array();
    for (const auto& c : cols)
      row.push_back(r.value(c.get<std::string>(), d.at(c.get<std::string>())));
    rows.push_back(std::move(row));
  }
  return {{"columns", std::move(cols)}, {"rows", std::move(rows)}};
}

/// The list of every other row's target, in row order, for each row of a table with both
/// columns: what a sibling check's siblings usually are.
std::vector<json> other_targets(const std::vector<std::string>& cols, const json& rows) {
  const auto t = std::find(cols.begin(), cols.end(), "target");
  std::vector<json> out;
  if (t == cols.end())
    return out;
  const auto ti = static_cast<std::size_t>(t - cols.begin());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    json others = json::array();
    for (std::size_t o = 0; o < rows.size(); ++o)
      if (o != r)
        others.push_back(rows[o].at(ti));
    out.push_back(std::move(others));
  }
  return out;
}

constexpr const char* kSiblings = "relative/siblings";
constexpr const char* kOthers = "*"; ///< a siblings cell: every other row's target

/// Siblings that are every other row's target (28 GPU pairs list 27 each) are written as "*".
void others_as_star(const std::vector<std::string>& cols, json& rows) {
  const auto s = std::find(cols.begin(), cols.end(), kSiblings);
  if (s == cols.end())
    return;
  const auto si = static_cast<std::size_t>(s - cols.begin());
  const std::vector<json> others = other_targets(cols, rows);
  for (std::size_t r = 0; r < others.size(); ++r)
    if (rows[r][si] == others[r])
      rows[r][si] = kOthers;
}

} // namespace

double round_for_file(double x, int digits) {
  if (!std::isfinite(x) || x == 0 || x == std::trunc(x))
    return x;
  if (digits < kDigits && std::fabs(x) < 1e-9)
    return 0; // float noise in a sum of fractions, not a reading
  return std::stod(fmt::format("{:.{}g}", x, digits));
}

json compact_certificate_json(const json& full) {
  json out = full;
  round_numbers(out, kDigits);
  out["schema"] = kCompactCertificateSchema;
  const json& d = default_check();
  json runs = json::array();
  std::map<std::string, std::size_t> run_index;
  json checks = std::move(out.at("checks"));
  out.erase("checks");
  for (auto& k : checks) {
    if (k.contains("measurement") && !k.at("measurement").is_null() &&
        k.value("kind", "") == "benchmark")
      k.erase("samples");
    json run = json::object();
    for (const char* f : kRunFields) {
      if (k.contains(f) && k.at(f) != d.at(f))
        run[f] = k.at(f);
      k.erase(f);
    }
    if (run.contains("telemetry"))
      for (auto& t : run.at("telemetry"))
        t = telemetry_row(t);
    if (k.contains("diagnosis") && k.at("diagnosis").is_object())
      round_numbers(k.at("diagnosis"), kTelemetryDigits);
    strip_defaults(k, d);
    if (!run.empty()) {
      const auto [it, fresh] = run_index.emplace(run.dump(), runs.size());
      if (fresh)
        runs.push_back(std::move(run));
      k["run"] = it->second;
    }
  }
  // One table per clause, in the order of the checks' first appearance; a "#" column keeps the
  // order when a clause's checks are not consecutive.
  std::vector<std::string> order;
  std::map<std::string, std::vector<json*>> groups;
  bool consecutive = true;
  for (auto& k : checks) {
    const std::string id = k.value("clause_id", "");
    if (!groups.count(id))
      order.push_back(id);
    else if (order.back() != id)
      consecutive = false;
    groups[id].push_back(&k);
  }
  std::map<const json*, std::size_t> position;
  for (std::size_t i = 0; i < checks.size(); ++i)
    position[&checks[i]] = i;
  json tables = json::array();
  for (const auto& id : order) {
    std::vector<json*>& group = groups[id];
    json table = {{"clause_id", id}, {"shared", hoist_shared(group)}};
    std::vector<std::string> cols = columns_of(group);
    if (!consecutive)
      cols.insert(cols.begin(), "#");
    json rows = json::array();
    for (const json* k : group) {
      json row = json::array();
      for (const auto& c : cols)
        row.push_back(c == "#" ? json(position.at(k)) : cell(*k, c));
      rows.push_back(std::move(row));
    }
    others_as_star(cols, rows);
    table["columns"] = cols;
    table["rows"] = std::move(rows);
    tables.push_back(std::move(table));
  }
  out["clauses"] = std::move(tables);
  out["runs"] = run_table(runs);
  out["telemetry_columns"] = telemetry_columns();
  const json& after = out.at("inventory_after");
  out["inventory_after_patch"] =
      after.is_null() ? json(nullptr) : json::diff(out.at("inventory"), after);
  out.erase("inventory_after");
  tabulate(out.at("inventory"));
  return out;
}

namespace detail {

std::vector<Check> file_form_checks(JsonRef c) {
  const JsonRef tables = member(c, "clauses", "");
  if (!tables.is_array())
    bad("clauses", "expected an array of clause tables");
  const JsonRef tcol_ref = member(c, "telemetry_columns", "");
  const std::vector<JsonRef> tcols = tcol_ref.elements();
  if (!tcol_ref.is_array() || tcols.empty() ||
      !std::all_of(tcols.begin(), tcols.end(), [](JsonRef n) { return n.is_string(); }))
    bad("telemetry_columns", "expected an array of field names");
  const JsonRef run_tab = member(c, "runs", "");
  if (!run_tab.is_object())
    bad("runs", "expected a table (columns, rows)");
  const JsonRef run_col_ref = member(run_tab, "columns", "runs");
  const std::vector<JsonRef> run_cols = run_col_ref.elements();
  std::map<std::string, std::size_t, std::less<>> run_columns;
  for (std::size_t k = 0; k < run_cols.size(); ++k)
    if (run_cols[k].is_string())
      run_columns.emplace(run_cols[k].get_string(), k);
  if (!run_col_ref.is_array() || !std::all_of(run_cols.begin(), run_cols.end(), [](JsonRef n) {
        return n.is_string() && std::find_if(std::begin(kRunFields), std::end(kRunFields),
                                             [&](const char* f) { return n.get_string() == f; }) !=
                                    std::end(kRunFields);
      }))
    bad("runs.columns", "expected an array of run fields (measurement, telemetry, started_at, "
                        "finished_at, stop_reason, warmup_extensions)");
  const JsonRef run_rows = member(run_tab, "rows", "runs");
  if (!run_rows.is_array())
    bad("runs.rows", "expected an array");
  const std::vector<JsonRef> run_items = run_rows.elements();
  std::vector<RunFields> runs(run_items.size());
  std::vector<JsonRef> telemetry_cells;
  const auto telemetry_at = run_columns.find("telemetry");
  for (std::size_t i = 0; i < run_items.size(); ++i) {
    RunFields& run = runs[i];
    run.columns = &run_columns;
    run_items[i].elements(run.cells);
    if (!run_items[i].is_array() || run.cells.size() != run_cols.size())
      bad(fmt::format("runs.rows[{}]", i),
          fmt::format("expected an array of {} cells (one per column)", run_cols.size()));
    if (telemetry_at == run_columns.end())
      continue;
    const JsonRef t = run.cells[telemetry_at->second];
    const std::string path = fmt::format("runs.rows[{}].telemetry", i);
    if (!t.is_object())
      bad(path, "expected an object of GPU index: telemetry row");
    for (const auto& [key, row] : t.members()) {
      const std::string gp = path + "." + std::string(key);
      const int gpu = gpu_index_from_key(std::string(key));
      if (gpu < 0)
        bad(gp, fmt::format("keys are GPU indices 0 to {}", kMaxGpus - 1));
      row.elements(telemetry_cells);
      if (!row.is_array() || telemetry_cells.size() != tcols.size())
        bad(gp, fmt::format("expected an array of {} values (telemetry_columns)", tcols.size()));
      run.telemetry[gpu] = telemetry_from_row(tcols, telemetry_cells, "certificate", gp);
    }
  }
  std::vector<Check> checks;
  std::vector<std::pair<std::size_t, Check>> placed; // (position, check) with a "#" column
  std::vector<JsonRef> cells;
  const std::vector<JsonRef> table_items = tables.elements();
  std::size_t rows_in_all = 0;
  for (const JsonRef table : table_items)
    if (JsonRef rows; table.find("rows", rows))
      rows_in_all += rows.size();
  checks.reserve(std::min<std::size_t>(rows_in_all, std::size_t(1) << 20));
  for (std::size_t t = 0; t < table_items.size(); ++t) {
    const std::string tp = fmt::format("clauses[{}]", t);
    const JsonRef table = table_items[t];
    if (!table.is_object())
      bad(tp, "expected an object");
    const JsonRef id = member(table, "clause_id", tp);
    if (!id.is_string())
      bad(tp + ".clause_id", "expected a string");
    const std::string clause_id(id.get_string());
    const JsonRef shared = member(table, "shared", tp);
    if (!shared.is_object())
      bad(tp + ".shared", "expected an object");
    if (JsonRef ignored; shared.find("clause_id", ignored))
      bad(tp + ".shared.clause_id", "the clause id is the table's");
    const JsonRef col_ref = member(table, "columns", tp);
    if (!col_ref.is_array())
      bad(tp + ".columns", "expected an array");
    const std::vector<JsonRef> cols = col_ref.elements();
    ClauseTable ct;
    ct.index = t;
    ct.shared = shared;
    ct.run_columns = &run_columns;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const std::string cp = fmt::format("{}.columns[{}]", tp, i);
      if (!cols[i].is_string() || cols[i].get_string().empty())
        bad(cp, "expected a field name");
      const std::string name(cols[i].get_string());
      const auto p = column_path(name);
      if (name == "clause_id" || name.find('/') != name.rfind('/') ||
          (p.size() == 2 && !flattened(p[0]) && !templated(p[0])))
        bad(cp, fmt::format("'{}' is not a column", name));
      if (!ct.columns.emplace(name, i).second)
        bad(cp, fmt::format("'{}' is given twice", name));
      ct.names.push_back(cols[i].get_string());
    }
    const JsonRef row_ref = member(table, "rows", tp);
    if (!row_ref.is_array())
      bad(tp + ".rows", "expected an array");
    const std::vector<JsonRef> rows = row_ref.elements();
    for (std::size_t r = 0; r < rows.size(); ++r)
      if (!rows[r].is_array() || rows[r].size() != cols.size())
        bad(fmt::format("{}.rows[{}]", tp, r),
            fmt::format("expected an array of {} cells (one per column)", cols.size()));
    if (const auto target = ct.columns.find("target");
        target != ct.columns.end() && ct.columns.count(kSiblings)) {
      ct.target_column = static_cast<int>(target->second);
      for (const JsonRef row : rows) {
        row.elements(cells);
        ct.targets.push_back(cells[target->second]);
      }
    }
    const auto numbered = ct.columns.find("#");
    for (std::size_t r = 0; r < rows.size(); ++r) {
      rows[r].elements(cells);
      const CheckFields plain(ct, cells, r, nullptr);
      const RunFields* run = nullptr;
      if (const Field ri = plain.get("run"); ri && !ri->is_null())
        run = &runs[index_in(*ri, runs.size(), [&] { return plain.path("run"); })];
      Check k = check_from(CheckFields(ct, cells, r, run));
      k.clause_id = clause_id;
      if (numbered != ct.columns.end())
        placed.emplace_back(index_in(cells[numbered->second], std::size_t(1) << 30,
                                     [&] { return fmt::format("{}.rows[{}].#", tp, r); }),
                            std::move(k));
      else
        checks.push_back(std::move(k));
    }
  }
  if (!placed.empty()) {
    if (!checks.empty())
      bad("clauses", "either every clause table has a \"#\" column or none has");
    std::sort(placed.begin(), placed.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < placed.size(); ++i) {
      if (placed[i].first != i)
        bad("clauses", fmt::format("the \"#\" columns do not number the checks 0 to {} once each",
                                   placed.size() - 1));
      checks.push_back(std::move(placed[i].second));
    }
  }
  return checks;
}

void read_file_form_inventories(const json& c, Certificate& cert) {
  const auto inv = c.find("inventory");
  if (inv == c.end())
    bad("inventory", "missing");
  json before = *inv;
  untabulate(before, "inventory");
  const auto pi = c.find("inventory_after_patch");
  if (pi == c.end())
    bad("inventory_after_patch", "missing");
  if (!pi->is_null() && !pi->is_array())
    bad("inventory_after_patch", "expected a JSON Patch (an array of operations) or null");
  json after;
  if (pi->is_array() && !pi->empty()) {
    try {
      after = before.patch(*pi);
    } catch (const json::exception& e) {
      bad("inventory_after_patch", fmt::format("does not apply to inventory: {}", e.what()));
    }
  }
  try {
    cert.inventory = inventory_from_json(before);
    if (pi->is_array()) // an empty patch: the same inventory after the run (read once)
      cert.inventory_after = pi->empty() ? cert.inventory : inventory_from_json(after);
  } catch (const InputError& e) {
    bad("inventory", e.what());
  }
}

} // namespace detail

json expand_certificate_json(const json& c) {
  // The full form of what the one reader reads: a file-form document never takes another path.
  return to_json(certificate_from_json(c));
}

std::string certificate_text(const Certificate& cert) {
  const json j = compact_certificate_json(to_json(cert));
  // The schema first, so that `head -c 40` tells the form; the tables last; the rest in key
  // order.
  std::string out = "{\n \"schema\": " + j.at("schema").dump();
  auto put = [&](const std::string& key, const json& v) {
    out += ",\n " + json(key).dump() + ": ";
    write_value(out, v, " ");
  };
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "schema" && it.key() != "runs" && it.key() != "clauses")
      put(it.key(), *it);
  put("runs", j.at("runs"));
  put("clauses", j.at("clauses"));
  out += "\n}\n";
  return out;
}

} // namespace gpucert::report
