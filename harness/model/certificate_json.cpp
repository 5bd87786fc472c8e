// Certificate <-> JSON in the full form (schema gpucert/certificate/v1, described by
// reports/schema/certificate.schema.json); the file form v2 is read through its expansion
// (certificate_compact.cpp).
#include "harness/core/error.hpp"
#include "harness/core/input_limits.hpp"
#include "harness/model/certificate.hpp"
#include "harness/model/certificate_compact.hpp"

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

std::optional<double> opt_number(const json& j, const char* key, const std::string& path) {
  const json& v = field(j, key, path);
  if (v.is_null())
    return std::nullopt;
  if (!v.is_number())
    bad(path + "." + key, "expected a number or null");
  return v.get<double>();
}

std::optional<std::string> opt_str(const json& j, const char* key, const std::string& path) {
  const json& v = field(j, key, path);
  if (v.is_null())
    return std::nullopt;
  if (!v.is_string())
    bad(path + "." + key, "expected a string or null");
  return v.get<std::string>();
}

/// An integer in [lo, hi]; a cast from a double or get<int>() of 10^12 would silently wrap.
int integer(const json& v, const std::string& path, int lo, int hi) {
  if (!v.is_number_integer())
    bad(path, "expected an integer");
  const bool huge = v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(hi);
  const std::int64_t i = huge ? 0 : v.get<std::int64_t>();
  if (huge || i < lo || i > hi)
    bad(path, fmt::format("must be an integer from {} to {}", lo, hi));
  return static_cast<int>(i);
}

Check check_from(const json& j, const std::string& path) {
  Check c;
  c.clause_id = str(j, "clause_id", path);
  c.metric = str(j, "metric", path);
  c.kind = str(j, "kind", path);
  c.description = str(j, "description", path);
  c.contract_ref = str(j, "contract_ref", path);
  const std::string scope = str(j, "scope", path);
  if (scope == "gpu")
    c.scope = Scope::gpu;
  else if (scope == "gpu-pair")
    c.scope = Scope::gpu_pair;
  else if (scope == "node")
    c.scope = Scope::node;
  else
    bad(path + ".scope", "'" + scope + "' is not a scope");
  c.target = str(j, "target", path);
  const json& gpus = field(j, "gpus", path);
  if (!gpus.is_array())
    bad(path + ".gpus", "expected an array");
  for (std::size_t i = 0; i < gpus.size(); ++i)
    c.gpus.push_back(integer(gpus[i], fmt::format("{}.gpus[{}]", path, i), 0, kMaxGpus - 1));
  c.params = str(j, "params", path);
  try {
    c.verdict = verdict_from_string(str(j, "verdict", path));
  } catch (const InputError& e) {
    bad(path + ".verdict", e.what());
  }
  c.stat = str(j, "stat", path);
  c.value = opt_number(j, "value", path);
  c.observed = opt_str(j, "observed", path);
  const json& in = field(j, "interval", path);
  c.ci_lo = opt_number(in, "lo", path + ".interval");
  c.ci_hi = opt_number(in, "hi", path + ".interval");
  c.ci_method = str(in, "method", path + ".interval");
  c.confidence = number(in, "confidence", path + ".interval");
  // Fields added within v1: a certificate written before them reads with their defaults.
  if (in.contains("pass_level"))
    c.pass_level = opt_number(in, "pass_level", path + ".interval");
  if (in.contains("fail_level"))
    c.fail_level = opt_number(in, "fail_level", path + ".interval");
  if (in.contains("mode"))
    c.mode = str(in, "mode", path + ".interval");
  if (in.contains("batches"))
    c.batches = integer(in.at("batches"), path + ".interval.batches", 0, 1 << 30);
  if (in.contains("batch_size"))
    c.batch_size = integer(in.at("batch_size"), path + ".interval.batch_size", 0, 1 << 30);
  if (j.contains("diagnosis") && !j.at("diagnosis").is_null()) {
    const json& d = j.at("diagnosis");
    const std::string dp = path + ".diagnosis";
    Diagnosis g;
    g.lag1 = number(d, "lag1", dp);
    g.lag1_z = number(d, "lag1_z", dp);
    g.trend = number(d, "trend", dp);
    g.trend_z = number(d, "trend_z", dp);
    g.autocorrelated = boolean(d, "autocorrelated", dp);
    g.trending = boolean(d, "trending", dp);
    c.diagnosis = g;
  }
  if (j.contains("relative") && !j.at("relative").is_null()) {
    const json& r = j.at("relative");
    const std::string rp = path + ".relative";
    Relative rel;
    rel.min_ratio = number(r, "min_ratio", rp);
    rel.reference = number(r, "reference", rp);
    rel.reference_lo = opt_number(r, "reference_lo", rp);
    rel.reference_hi = opt_number(r, "reference_hi", rp);
    const json& sib = field(r, "siblings", rp);
    if (!sib.is_array())
      bad(rp + ".siblings", "expected an array");
    for (const auto& t : sib) {
      if (!t.is_string())
        bad(rp + ".siblings", "expected strings");
      rel.siblings.push_back(t.get<std::string>());
    }
    c.relative = rel;
  }
  if (j.contains("warmup_extensions"))
    c.warmup_extensions =
        integer(j.at("warmup_extensions"), path + ".warmup_extensions", 0, 1 << 30);
  if (j.contains("samples_needed"))
    c.samples_needed = opt_number(j, "samples_needed", path);
  const json& th = field(j, "threshold", path);
  c.threshold.min = opt_number(th, "min", path + ".threshold");
  c.threshold.max = opt_number(th, "max", path + ".threshold");
  c.threshold.equals = opt_str(th, "equals", path + ".threshold");
  c.threshold.unit = str(th, "unit", path + ".threshold");
  c.threshold.higher_is_better = boolean(th, "higher_is_better", path + ".threshold");
  c.margin = opt_number(j, "margin", path);
  c.margin_rel = opt_number(j, "margin_rel", path);
  c.n = integer(field(j, "n", path), path + ".n", 0, std::numeric_limits<int>::max());
  const json& samples = field(j, "samples", path);
  if (!samples.is_array())
    bad(path + ".samples", "expected an array");
  for (const auto& s : samples)
    c.samples.push_back(s.is_number() ? s.get<double>() : NAN);
  if (j.contains("measurement") && !j.at("measurement").is_null())
    c.measurement = integer(j.at("measurement"), path + ".measurement", 0, 1 << 30);
  const json& tel = field(j, "telemetry", path);
  if (!tel.is_object())
    bad(path + ".telemetry", "expected an object");
  for (auto it = tel.begin(); it != tel.end(); ++it) {
    const int gpu = gpu_index_from_key(it.key());
    if (gpu < 0)
      bad(path + ".telemetry." + it.key(),
          fmt::format("keys are GPU indices 0 to {}", kMaxGpus - 1));
    c.telemetry[gpu] =
        telemetry_from_json(it.value(), "certificate", path + ".telemetry." + it.key());
  }
  c.cause = str(j, "cause", path);
  c.message = str(j, "message", path);
  c.stop_reason = str(j, "stop_reason", path);
  c.started_at = str(j, "started_at", path);
  c.finished_at = str(j, "finished_at", path);
  c.simulated = boolean(j, "simulated", path);
  return c;
}

} // namespace

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

Certificate certificate_from_json(const json& doc) {
  Certificate c;
  if (!doc.is_object())
    throw InputError("certificate: expected a JSON object");
  // The file form is read as the full form it compacts (field paths in errors are those of the
  // full form, with the check's index).
  const auto schema = doc.find("schema");
  const bool compact = schema != doc.end() && *schema == kCompactCertificateSchema;
  const json expanded = compact ? expand_certificate_json(doc) : json();
  const json& j = compact ? expanded : doc;
  c.schema = str(j, "schema", "");
  if (c.schema != kCertificateSchema)
    bad("schema", fmt::format("'{}' is not supported (expected '{}', or its full form '{}')",
                              c.schema, kCompactCertificateSchema, kCertificateSchema));
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
  try {
    c.inventory = inventory_from_json(field(j, "inventory", ""));
    const json& after = field(j, "inventory_after", "");
    if (!after.is_null())
      c.inventory_after = inventory_from_json(after);
  } catch (const InputError& e) {
    bad("inventory", e.what());
  }
  const json& checks = field(j, "checks", "");
  if (!checks.is_array())
    bad("checks", "expected an array");
  for (std::size_t i = 0; i < checks.size(); ++i)
    c.checks.push_back(check_from(checks[i], fmt::format("checks[{}]", i)));
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

} // namespace gpucert::report
