// Certificate <-> JSON in the full form (schema gpucert/certificate/v1, described by
// reports/schema/certificate.schema.json), and the one reader of both forms: a check's fields are
// read in place from the parsed document (json_dom.hpp) through CheckFields, the file form's
// tables and runs by certificate_compact.cpp.
#include "harness/core/error.hpp"
#include "harness/core/input_limits.hpp"
#include "harness/core/json_input.hpp"
#include "harness/model/certificate.hpp"
#include "harness/model/certificate_compact.hpp"
#include "harness/model/check_fields.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fmt/core.h>
#include <limits>

namespace gpucert::report {

using nlohmann::json;

namespace {

json num(double d) {
  return std::isfinite(d) ? json(d) : json(nullptr);
}
json opt(const std::optional<double>& d) {
  return d ? num(*d) : json(nullptr);
}
json opt(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

json diagnosis_json(const std::optional<Diagnosis>& d) {
  if (!d)
    return nullptr;
  return {{"lag1", num(d->lag1)},
          {"lag1_z", num(d->lag1_z)},
          {"trend", num(d->trend)},
          {"trend_z", num(d->trend_z)},
          {"autocorrelated", d->autocorrelated},
          {"trending", d->trending}};
}

json relative_json(const std::optional<Relative>& r) {
  if (!r)
    return nullptr;
  return {{"min_ratio", num(r->min_ratio)},
          {"reference", num(r->reference)},
          {"reference_lo", opt(r->reference_lo)},
          {"reference_hi", opt(r->reference_hi)},
          {"siblings", r->siblings}};
}

json check_json(const Check& c) {
  json tel = json::object();
  for (const auto& [gpu, t] : c.telemetry)
    tel[std::to_string(gpu)] = gpucert::to_json(t);
  json samples = json::array();
  for (double s : c.samples)
    samples.push_back(num(s));
  return {{"clause_id", c.clause_id},
          {"metric", c.metric},
          {"kind", c.kind},
          {"description", c.description},
          {"contract_ref", c.contract_ref},
          {"scope", to_string(c.scope)},
          {"target", c.target},
          {"gpus", c.gpus},
          {"params", c.params},
          {"verdict", to_string(c.verdict)},
          {"stat", c.stat},
          {"value", opt(c.value)},
          {"observed", opt(c.observed)},
          {"interval",
           {{"lo", opt(c.ci_lo)},
            {"hi", opt(c.ci_hi)},
            {"method", c.ci_method},
            {"confidence", num(c.confidence)},
            {"pass_level", opt(c.pass_level)},
            {"fail_level", opt(c.fail_level)},
            {"mode", c.mode},
            {"batches", c.batches},
            {"batch_size", c.batch_size}}},
          {"diagnosis", diagnosis_json(c.diagnosis)},
          {"relative", relative_json(c.relative)},
          {"warmup_extensions", c.warmup_extensions},
          {"samples_needed", opt(c.samples_needed)},
          {"threshold",
           {{"min", opt(c.threshold.min)},
            {"max", opt(c.threshold.max)},
            {"equals", opt(c.threshold.equals)},
            {"unit", c.threshold.unit},
            {"higher_is_better", c.threshold.higher_is_better}}},
          {"margin", opt(c.margin)},
          {"margin_rel", opt(c.margin_rel)},
          {"n", c.n},
          {"samples", samples},
          {"measurement", c.measurement >= 0 ? json(c.measurement) : json(nullptr)},
          {"telemetry", tel},
          {"cause", c.cause},
          {"message", c.message},
          {"stop_reason", c.stop_reason},
          {"started_at", c.started_at},
          {"finished_at", c.finished_at},
          {"simulated", c.simulated}};
}

// --- reading -------------------------------------------------------------------------------

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw InputError(fmt::format("certificate: field '{}': {}", path, what));
}

const json& field(const json& j, const char* key, const std::string& path) {
  if (!j.is_object())
    bad(path, "expected an object");
  auto it = j.find(key);
  if (it == j.end())
    bad(path.empty() ? key : path + "." + key, "missing");
  return *it;
}

std::string str(const json& j, const char* key, const std::string& path) {
  const json& v = field(j, key, path);
  if (!v.is_string())
    bad(path + "." + key, "expected a string");
  return v.get<std::string>();
}

bool boolean(const json& j, const char* key, const std::string& path) {
  const json& v = field(j, key, path);
  if (!v.is_boolean())
    bad(path + "." + key, "expected true or false");
  return v.get<bool>();
}

double number(const json& j, const char* key, const std::string& path) {
  const json& v = field(j, key, path);
  if (v.is_null())
    return NAN;
  if (!v.is_number())
    bad(path + "." + key, "expected a number");
  return v.get<double>();
}

std::uint64_t as_u64(const json& v) {
  return v.get<std::uint64_t>();
}
std::uint64_t as_u64(JsonRef v) {
  return v.get_uint64();
}
std::int64_t as_i64(const json& v) {
  return v.get<std::int64_t>();
}
std::int64_t as_i64(JsonRef v) {
  return v.get_int64();
}

/// An integer in [lo, hi]; a cast from a double or get<int>() of 10^12 would silently wrap.
/// `path` is made only for the error (it is formatted for every field of every check).
template <typename V, typename Path> int integer_at(const V& v, const Path& path, int lo, int hi) {
  if (!v.is_number_integer())
    bad(path(), "expected an integer");
  const bool huge = v.is_number_unsigned() && as_u64(v) > std::uint64_t(hi);
  const std::int64_t i = huge ? 0 : as_i64(v);
  if (huge || i < lo || i > hi)
    bad(path(), fmt::format("must be an integer from {} to {}", lo, hi));
  return static_cast<int>(i);
}
int integer(const json& v, const std::string& path, int lo, int hi) {
  return integer_at(
      v, [&] { return path; }, lo, hi);
}

} // namespace

namespace detail {

void bad_field(const std::string& path, const std::string& what) {
  bad(path, what);
}

CheckFields::CheckFields(JsonRef check, std::size_t index) : own_(check), index_(index) {
  if (!check.is_object())
    bad(fmt::format("checks[{}]", index), "expected an object");
}

CheckFields::CheckFields(const ClauseTable& table, const std::vector<JsonRef>& row,
                         std::size_t row_index, const RunFields* run)
    : index_(row_index), table_(&table), row_(&row), run_(run) {}

namespace {
Field member_of(const Field& obj, const char* key) {
  JsonRef v;
  if (!obj || !obj->find(key, v))
    return std::nullopt;
  return v;
}
bool is_star(const Field& v) {
  return v && v->is_string() && v->get_string() == "*";
}
} // namespace

Field RunFields::get(const char* key) const {
  const auto it = columns->find(std::string_view(key));
  return it == columns->end() ? Field() : Field(cells[it->second]);
}

Field CheckFields::cell(std::string_view column) const {
  const auto it = table_->columns.find(column);
  if (it == table_->columns.end())
    return std::nullopt;
  return (*row_)[it->second];
}

Field CheckFields::get(const char* key, const char* sub) const {
  if (own_) {
    const Field v = member_of(own_, key);
    if (!sub || !v)
      return v;
    if (!v->is_object())
      bad(path(key), "expected an object");
    return member_of(v, sub);
  }
  const ClauseTable::Where& w = locate(key, sub);
  if (w.column >= 0)
    return (*row_)[static_cast<std::size_t>(w.column)];
  if (w.whole >= 0)
    if (Field v = member_of((*row_)[static_cast<std::size_t>(w.whole)], sub))
      return v;
  if (w.shared)
    return w.shared;
  return run_ && w.run >= 0 ? Field(run_->cells[static_cast<std::size_t>(w.run)]) : Field();
}

bool CheckFields::other_targets(std::vector<JsonRef>& out) const {
  if (own_ || table_->target_column < 0 || !is_star(cell("relative/siblings")))
    return false;
  out.clear();
  for (std::size_t r = 0; r < table_->targets.size(); ++r)
    if (r != index_)
      out.push_back(table_->targets[r]);
  return true;
}

const ClauseTable::Where& CheckFields::locate(const char* key, const char* sub) const {
  // check_from asks for the fields in the same order for every row: look where the last row's
  // next question was found first.
  auto& where = table_->where;
  if (next_ < where.size() && where[next_].key == key && where[next_].sub == sub)
    return where[next_++];
  for (std::size_t i = 0; i < where.size(); ++i)
    if (where[i].key == key && where[i].sub == sub) {
      next_ = i + 1;
      return where[i];
    }
  ClauseTable::Where w;
  w.key = key;
  w.sub = sub;
  // The column "key" or "key/sub": a scan of the table's few names, without making the name
  // (every table asks each of some 50 fields once).
  auto column = [&](std::string_view k, const char* s) {
    const std::string_view sv = s ? std::string_view(s) : std::string_view();
    for (std::size_t i = 0; i < table_->names.size(); ++i) {
      const std::string_view n = table_->names[i];
      if (s ? n.size() == k.size() + 1 + sv.size() && n.substr(0, k.size()) == k &&
                  n[k.size()] == '/' && n.substr(k.size() + 1) == sv
            : n == k)
        return static_cast<int>(i);
    }
    return -1;
  };
  if (sub) {
    w.column = column(key, sub);
    w.whole = column(key, nullptr);
    w.shared = member_of(member_of(table_->shared, key), sub);
  } else {
    w.column = column(key, nullptr);
    w.shared = member_of(table_->shared, key);
    if (table_->run_columns)
      if (const auto it = table_->run_columns->find(std::string_view(key));
          it != table_->run_columns->end())
        w.run = static_cast<int>(it->second);
  }
  where.push_back(w);
  next_ = where.size();
  return where.back();
}

bool CheckFields::has_object(const char* key) const {
  if (own_) {
    const Field v = member_of(own_, key);
    return v && !v->is_null();
  }
  auto& objects = table_->objects;
  auto o = std::find_if(objects.begin(), objects.end(),
                        [&](const ClauseTable::HasObject& h) { return h.key == key; });
  if (o == objects.end()) {
    ClauseTable::HasObject h;
    h.key = key;
    const std::string prefix = std::string(key) + "/";
    const auto it = table_->columns.lower_bound(prefix);
    const Field shared = member_of(table_->shared, key);
    h.always = (it != table_->columns.end() && it->first.compare(0, prefix.size(), prefix) == 0) ||
               (shared && !shared->is_null());
    if (const auto whole = table_->columns.find(std::string_view(key));
        whole != table_->columns.end())
      h.whole = static_cast<int>(whole->second);
    objects.push_back(h);
    o = objects.end() - 1;
  }
  return o->always || (o->whole >= 0 && !(*row_)[static_cast<std::size_t>(o->whole)].is_null());
}

std::string CheckFields::path(const char* key, const char* sub) const {
  if (own_) {
    std::string p = fmt::format("checks[{}]", index_);
    if (key)
      p += std::string(".") + key;
    if (sub)
      p += std::string(".") + sub;
    return p;
  }
  const std::string row = fmt::format("clauses[{}].rows[{}]", table_->index, index_);
  if (!key)
    return row;
  const std::string column = sub ? std::string(key) + "/" + sub : std::string(key);
  if (cell(column))
    return row + "." + column;
  if (sub && cell(key))
    return row + "." + key + "." + sub;
  if (member_of(sub ? member_of(table_->shared, key) : Field(table_->shared), sub ? sub : key))
    return fmt::format("clauses[{}].shared.{}{}", table_->index, key,
                       sub ? std::string(".") + sub : std::string());
  if (!sub && run_ && run_->get(key))
    return fmt::format("{} (its run).{}", row, key);
  return row + "." + column;
}

Check check_from(const CheckFields& f) {
  Check c;
  // A field the full form requires and the file form may omit (at its default).
  auto req = [&](const char* key, const char* sub = nullptr) -> Field {
    Field v = f.get(key, sub);
    if (!v && !f.defaults())
      bad(f.path(key, sub), "missing");
    return v;
  };
  auto str = [&](std::string& out, const char* key, const char* sub = nullptr) {
    if (const Field v = req(key, sub)) {
      if (!v->is_string())
        bad(f.path(key, sub), "expected a string");
      out = v->get_string();
    }
  };
  auto boolean = [&](bool& out, const char* key, const char* sub = nullptr) {
    if (const Field v = req(key, sub)) {
      if (!v->is_boolean())
        bad(f.path(key, sub), "expected true or false");
      out = v->get_bool();
    }
  };
  auto number = [&](double& out, const Field& v, const char* key, const char* sub) {
    if (!v)
      return;
    if (v->is_null())
      out = NAN;
    else if (!v->is_number())
      bad(f.path(key, sub), "expected a number");
    else
      out = v->get_double();
  };
  auto opt_number = [&](std::optional<double>& out, const Field& v, const char* key,
                        const char* sub) {
    if (!v || v->is_null())
      return;
    if (!v->is_number())
      bad(f.path(key, sub), "expected a number or null");
    out = v->get_double();
  };
  auto int_field = [&](int& out, const Field& v, const char* key, const char* sub, int lo, int hi) {
    if (v)
      out = integer_at(
          *v, [&] { return f.path(key, sub); }, lo, hi);
  };
  std::vector<JsonRef> items;
  str(c.clause_id, "clause_id");
  str(c.metric, "metric");
  str(c.kind, "kind");
  str(c.description, "description");
  str(c.contract_ref, "contract_ref");
  std::string scope = "gpu";
  str(scope, "scope");
  if (scope == "gpu")
    c.scope = Scope::gpu;
  else if (scope == "gpu-pair")
    c.scope = Scope::gpu_pair;
  else if (scope == "node")
    c.scope = Scope::node;
  else
    bad(f.path("scope"), "'" + scope + "' is not a scope");
  str(c.target, "target");
  if (const Field gpus = req("gpus")) {
    if (!gpus->is_array())
      bad(f.path("gpus"), "expected an array");
    gpus->elements(items);
    for (std::size_t i = 0; i < items.size(); ++i)
      c.gpus.push_back(integer_at(
          items[i], [&] { return fmt::format("{}[{}]", f.path("gpus"), i); }, 0, kMaxGpus - 1));
  }
  str(c.params, "params");
  std::string verdict = "ERROR";
  str(verdict, "verdict");
  try {
    c.verdict = verdict_from_string(verdict);
  } catch (const InputError& e) {
    bad(f.path("verdict"), e.what());
  }
  str(c.stat, "stat");
  opt_number(c.value, req("value"), "value", nullptr);
  if (const Field v = req("observed"); v && !v->is_null()) {
    if (!v->is_string())
      bad(f.path("observed"), "expected a string or null");
    c.observed = std::string(v->get_string());
  }
  if (!f.defaults() && !f.get("interval"))
    bad(f.path("interval"), "missing");
  opt_number(c.ci_lo, req("interval", "lo"), "interval", "lo");
  opt_number(c.ci_hi, req("interval", "hi"), "interval", "hi");
  str(c.ci_method, "interval", "method");
  number(c.confidence, req("interval", "confidence"), "interval", "confidence");
  // Fields added within v1: a certificate written before them reads with their defaults.
  opt_number(c.pass_level, f.get("interval", "pass_level"), "interval", "pass_level");
  opt_number(c.fail_level, f.get("interval", "fail_level"), "interval", "fail_level");
  if (const Field v = f.get("interval", "mode")) {
    if (!v->is_string())
      bad(f.path("interval", "mode"), "expected a string");
    c.mode = v->get_string();
  }
  int_field(c.batches, f.get("interval", "batches"), "interval", "batches", 0, 1 << 30);
  int_field(c.batch_size, f.get("interval", "batch_size"), "interval", "batch_size", 0, 1 << 30);
  if (f.has_object("diagnosis")) {
    Diagnosis g;
    number(g.lag1, req("diagnosis", "lag1"), "diagnosis", "lag1");
    number(g.lag1_z, req("diagnosis", "lag1_z"), "diagnosis", "lag1_z");
    number(g.trend, req("diagnosis", "trend"), "diagnosis", "trend");
    number(g.trend_z, req("diagnosis", "trend_z"), "diagnosis", "trend_z");
    boolean(g.autocorrelated, "diagnosis", "autocorrelated");
    boolean(g.trending, "diagnosis", "trending");
    c.diagnosis = g;
  }
  if (f.has_object("relative")) {
    Relative rel;
    number(rel.min_ratio, req("relative", "min_ratio"), "relative", "min_ratio");
    number(rel.reference, req("relative", "reference"), "relative", "reference");
    opt_number(rel.reference_lo, req("relative", "reference_lo"), "relative", "reference_lo");
    opt_number(rel.reference_hi, req("relative", "reference_hi"), "relative", "reference_hi");
    if (const Field sib = req("relative", "siblings")) {
      // "*" in a table: every other row's target (a sibling check's usual siblings).
      if (!f.other_targets(items)) {
        if (!sib->is_array())
          bad(f.path("relative", "siblings"), "expected an array");
        sib->elements(items);
      }
      for (const JsonRef t : items) {
        if (!t.is_string())
          bad(f.path("relative", "siblings"), "expected strings");
        rel.siblings.emplace_back(t.get_string());
      }
    }
    c.relative = rel;
  }
  int_field(c.warmup_extensions, f.get("warmup_extensions"), "warmup_extensions", nullptr, 0,
            1 << 30);
  opt_number(c.samples_needed, f.get("samples_needed"), "samples_needed", nullptr);
  if (!f.defaults() && !f.get("threshold"))
    bad(f.path("threshold"), "missing");
  opt_number(c.threshold.min, req("threshold", "min"), "threshold", "min");
  opt_number(c.threshold.max, req("threshold", "max"), "threshold", "max");
  if (const Field v = req("threshold", "equals"); v && !v->is_null()) {
    if (!v->is_string())
      bad(f.path("threshold", "equals"), "expected a string or null");
    c.threshold.equals = std::string(v->get_string());
  }
  str(c.threshold.unit, "threshold", "unit");
  boolean(c.threshold.higher_is_better, "threshold", "higher_is_better");
  opt_number(c.margin, req("margin"), "margin", nullptr);
  opt_number(c.margin_rel, req("margin_rel"), "margin_rel", nullptr);
  int_field(c.n, req("n"), "n", nullptr, 0, std::numeric_limits<int>::max());
  if (const Field samples = req("samples")) {
    if (!samples->is_array())
      bad(f.path("samples"), "expected an array");
    samples->elements(items);
    c.samples.reserve(items.size());
    for (const JsonRef s : items)
      c.samples.push_back(s.is_number() ? s.get_double() : NAN);
  }
  if (const Field m = f.get("measurement"); m && !m->is_null())
    c.measurement = integer_at(
        *m, [&] { return f.path("measurement"); }, 0, 1 << 30);
  if (f.defaults()) {
    if (f.run())
      c.telemetry = f.run()->telemetry;
  } else if (const Field tel = req("telemetry")) {
    if (!tel->is_object())
      bad(f.path("telemetry"), "expected an object");
    for (const auto& [key, value] : tel->members()) {
      const std::string k(key);
      const int gpu = gpu_index_from_key(k);
      if (gpu < 0)
        bad(f.path("telemetry") + "." + k,
            fmt::format("keys are GPU indices 0 to {}", kMaxGpus - 1));
      c.telemetry[gpu] =
          telemetry_from_json(value.to_json(), "certificate", f.path("telemetry") + "." + k);
    }
  }
  str(c.cause, "cause");
  str(c.message, "message");
  str(c.stop_reason, "stop_reason");
  str(c.started_at, "started_at");
  str(c.finished_at, "finished_at");
  boolean(c.simulated, "simulated");
  return c;
}

} // namespace detail

json to_json(const Certificate& c) {
  json files = json::array();
  for (const auto& [name, sha] : c.profile.files)
    files.push_back({{"file", name}, {"sha256", sha}});
  json checks = json::array();
  for (const auto& k : c.checks)
    checks.push_back(check_json(k));
  return {
      {"schema", c.schema},
      {"tool",
       {{"name", "gpucert"}, {"version", c.tool_version}, {"git_revision", c.git_revision}}},
      {"simulated", c.simulated},
      {"outcome", to_string(c.outcome)},
      {"summary", c.summary},
      {"profile",
       {{"name", c.profile.name},
        {"description", c.profile.description},
        {"tier", c.profile.tier},
        {"sha256", c.profile.sha256},
        {"files", files},
        {"confidence", num(c.profile.confidence)}}},
      {"results",
       {{"complete", c.results.complete},
        {"incomplete_reason", c.results.incomplete_reason},
        {"backend", c.results.backend},
        {"started_at", c.results.started_at},
        {"finished_at", c.results.finished_at},
        {"tool_version", c.results.tool_version},
        {"git_revision", c.results.git_revision},
        {"planned_profile",
         {{"name", c.results.planned_profile_name}, {"sha256", c.results.planned_profile_sha256}}},
        {"sha256", c.results.sha256}}},
      {"inventory", gpucert::to_json(c.inventory)},
      {"inventory_after", c.inventory_after ? gpucert::to_json(*c.inventory_after) : json(nullptr)},
      {"scope",
       {{"gpus", c.scope.gpus},
        {"gpus_in_node", c.scope.gpus_in_node},
        {"complete_node", c.scope.complete_node}}},
      {"counts",
       {{"total", c.counts.total},
        {"pass", c.counts.pass},
        {"fail", c.counts.fail},
        {"inconclusive", c.counts.inconclusive},
        {"error", c.counts.error},
        {"skipped", c.counts.skipped}}},
      {"error_control",
       {{"method", c.error_control.method},
        {"family_size", c.error_control.family_size},
        {"pass_level", num(c.error_control.pass_level)},
        {"fail_level", num(c.error_control.fail_level)}}},
      {"checks", checks}};
}

namespace {

Certificate certificate_from_document(JsonRef root) {
  Certificate c;
  if (!root.is_object())
    throw InputError("certificate: expected a JSON object");
  // Both forms share every field but the checks and inventory_after (the file form's tables and
  // patch, read by certificate_compact.cpp). The checks (their tables and runs: nine tenths of a
  // file) are read in place; the rest as nlohmann values.
  json j = json::object();
  for (const auto& [key, value] : root.members())
    if (key != "clauses" && key != "runs" && key != "checks")
      j.emplace(std::string(key), value.to_json());
  const std::string schema = str(j, "schema", "");
  const bool compact = schema == kCompactCertificateSchema;
  if (schema != kCertificateSchema && !compact)
    bad("schema", fmt::format("'{}' is not supported (expected '{}', or its full form '{}')",
                              schema, kCompactCertificateSchema, kCertificateSchema));
  c.schema = kCertificateSchema; // what the struct holds: the full form's content
  const json& tool = field(j, "tool", "");
  c.tool_version = str(tool, "version", "tool");
  c.git_revision = str(tool, "git_revision", "tool");
  c.simulated = boolean(j, "simulated", "");
  try {
    c.outcome = outcome_from_string(str(j, "outcome", ""));
  } catch (const InputError& e) {
    bad("outcome", e.what());
  }
  c.summary = str(j, "summary", "");
  const json& p = field(j, "profile", "");
  c.profile.name = str(p, "name", "profile");
  c.profile.description = str(p, "description", "profile");
  c.profile.tier = str(p, "tier", "profile");
  c.profile.sha256 = str(p, "sha256", "profile");
  c.profile.confidence = number(p, "confidence", "profile");
  const json& files = field(p, "files", "profile");
  if (!files.is_array())
    bad("profile.files", "expected an array");
  for (const auto& f : files)
    c.profile.files.push_back({str(f, "file", "profile.files"), str(f, "sha256", "profile.files")});
  const json& r = field(j, "results", "");
  c.results.complete = boolean(r, "complete", "results");
  c.results.incomplete_reason = str(r, "incomplete_reason", "results");
  c.results.backend = str(r, "backend", "results");
  c.results.started_at = str(r, "started_at", "results");
  c.results.finished_at = str(r, "finished_at", "results");
  c.results.tool_version = str(r, "tool_version", "results");
  c.results.git_revision = str(r, "git_revision", "results");
  const json& planned = field(r, "planned_profile", "results");
  c.results.planned_profile_name = str(planned, "name", "results.planned_profile");
  c.results.planned_profile_sha256 = str(planned, "sha256", "results.planned_profile");
  c.results.sha256 = str(r, "sha256", "results");
  if (compact) {
    detail::read_file_form_inventories(j, c);
  } else {
    try {
      c.inventory = inventory_from_json(field(j, "inventory", ""));
      const json& after = field(j, "inventory_after", "");
      if (!after.is_null())
        c.inventory_after = inventory_from_json(after);
    } catch (const InputError& e) {
      bad("inventory", e.what());
    }
  }
  if (compact) {
    c.checks = detail::file_form_checks(root);
  } else {
    JsonRef checks;
    if (!root.find("checks", checks))
      bad("checks", "missing");
    if (!checks.is_array())
      bad("checks", "expected an array");
    const std::vector<JsonRef> items = checks.elements();
    c.checks.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i)
      c.checks.push_back(detail::check_from(detail::CheckFields(items[i], i)));
  }
  // What the certificate states is kept as stated (the renderers compare it with what its checks
  // give); a certificate without a counts or scope object gets the derived ones.
  c.counts = count(c.checks);
  if (j.contains("counts")) {
    const json& n = j.at("counts");
    if (!n.is_object())
      bad("counts", "expected an object");
    const int most = 1 << 30;
    c.counts.total = integer(field(n, "total", "counts"), "counts.total", 0, most);
    c.counts.pass = integer(field(n, "pass", "counts"), "counts.pass", 0, most);
    c.counts.fail = integer(field(n, "fail", "counts"), "counts.fail", 0, most);
    c.counts.inconclusive =
        integer(field(n, "inconclusive", "counts"), "counts.inconclusive", 0, most);
    c.counts.error = integer(field(n, "error", "counts"), "counts.error", 0, most);
    c.counts.skipped = integer(field(n, "skipped", "counts"), "counts.skipped", 0, most);
  }
  std::vector<int> inventory_gpus;
  for (const auto& g : c.inventory.gpus)
    inventory_gpus.push_back(g.index);
  c.scope = run_scope(inventory_gpus, inventory_gpus);
  if (j.contains("scope")) {
    const json& s = j.at("scope");
    const json& gpus = field(s, "gpus", "scope");
    if (!gpus.is_array())
      bad("scope.gpus", "expected an array");
    c.scope.gpus.clear();
    for (std::size_t i = 0; i < gpus.size(); ++i)
      c.scope.gpus.push_back(integer(gpus[i], fmt::format("scope.gpus[{}]", i), 0, kMaxGpus - 1));
    c.scope.gpus_in_node =
        integer(field(s, "gpus_in_node", "scope"), "scope.gpus_in_node", 0, kMaxGpus);
    c.scope.complete_node = boolean(s, "complete_node", "scope");
  }
  if (j.contains("error_control")) {
    const json& e = j.at("error_control");
    c.error_control.method = str(e, "method", "error_control");
    c.error_control.family_size =
        integer(field(e, "family_size", "error_control"), "error_control.family_size", 0, 1 << 30);
    c.error_control.pass_level = number(e, "pass_level", "error_control");
    c.error_control.fail_level = number(e, "fail_level", "error_control");
  }
  return c;
}

} // namespace

Certificate certificate_from_json(const json& doc) {
  if (!doc.is_object())
    throw InputError("certificate: expected a JSON object");
  const JsonDocument d =
      parse_json_document(doc.dump(-1, ' ', false, json::error_handler_t::replace), "certificate");
  return certificate_from_document(d.root());
}

Certificate certificate_from_text(std::string_view text, const std::string& file) {
  const JsonDocument d = parse_json_document(text, file);
  return certificate_from_document(d.root());
}

} // namespace gpucert::report
