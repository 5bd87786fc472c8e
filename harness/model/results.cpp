// Raw results as JSON (schema gpucert/results/v1): writing, and strict reading that names the
// field path of anything malformed, because `gpucert evaluate` re-reads files users hand it.
#include "harness/model/results.hpp"

#include "harness/core/error.hpp"
#include "harness/core/input_limits.hpp"
#include "harness/model/catalog.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fmt/core.h>
#include <functional>
#include <limits>

namespace gpucert {

std::string to_string(Scope s) {
  switch (s) {
  case Scope::gpu:
    return "gpu";
  case Scope::gpu_pair:
    return "gpu-pair";
  case Scope::node:
    return "node";
  }
  throw InternalError("unknown Scope value");
}

Scope scope_from_string(const std::string& s) {
  if (s == "gpu")
    return Scope::gpu;
  if (s == "gpu-pair" || s == "gpu_pair")
    return Scope::gpu_pair;
  if (s == "node")
    return Scope::node;
  throw InputError(fmt::format("unknown scope '{}' (expected gpu, gpu-pair or node)", s));
}

std::string to_string(Concurrency c) {
  return c == Concurrency::all ? "all" : "one";
}

Concurrency concurrency_from_string(const std::string& s) {
  if (s == "all")
    return Concurrency::all;
  if (s == "one")
    return Concurrency::one;
  throw InputError(fmt::format("unknown concurrency '{}' (expected all or one)", s));
}

std::string to_string(MeasurementStatus s) {
  switch (s) {
  case MeasurementStatus::ok:
    return "ok";
  case MeasurementStatus::incorrect:
    return "incorrect";
  case MeasurementStatus::error:
    return "error";
  case MeasurementStatus::skipped:
    return "skipped";
  }
  throw InternalError("unknown MeasurementStatus value");
}

MeasurementStatus measurement_status_from_string(const std::string& s) {
  if (s == "ok")
    return MeasurementStatus::ok;
  if (s == "incorrect")
    return MeasurementStatus::incorrect;
  if (s == "error")
    return MeasurementStatus::error;
  if (s == "skipped")
    return MeasurementStatus::skipped;
  throw InputError(
      fmt::format("unknown measurement status '{}' (expected ok, incorrect, error or skipped)", s));
}

std::string Target::label() const {
  switch (scope) {
  case Scope::gpu:
    return gpus.empty() ? "gpu?" : fmt::format("gpu{}", gpus[0]);
  case Scope::gpu_pair:
    return gpus.size() < 2 ? "gpu?-gpu?" : fmt::format("gpu{}-gpu{}", gpus[0], gpus[1]);
  case Scope::node:
    return "node";
  }
  throw InternalError("unknown Scope value");
}

std::string Measurement::key() const {
  std::string k = benchmark + "[";
  bool first = true;
  for (const auto& [name, value] : params) { // std::map: sorted, so the key is stable
    k += (first ? "" : ",") + name + "=" + value;
    first = false;
  }
  return k + "]@" + target.label();
}

namespace {

// JSON has no NaN/inf: write them as null, read null back as NaN.
nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}
nlohmann::json numbers(const std::vector<double>& vs) {
  nlohmann::json a = nlohmann::json::array();
  for (double v : vs)
    a.push_back(number(v));
  return a;
}

/// A JSON value with the path that reached it, so every complaint names the field.
struct Field {
  const nlohmann::json& j;
  std::string path;
  std::string doc = "results"; ///< names the document in errors

  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(fmt::format("{}: {}: {}", doc, path.empty() ? "(document)" : path, what));
  }
  static const char* type_name(const nlohmann::json& v) { return v.type_name(); }

  const Field& expect_object() const {
    if (!j.is_object())
      fail(fmt::format("expected an object, got {}", type_name(j)));
    return *this;
  }
  bool has(const char* key) const { return j.is_object() && j.contains(key); }
  Field at(const char* key) const {
    expect_object();
    if (!j.contains(key))
      fail(fmt::format("missing required field '{}'", key));
    return {j.at(key), path.empty() ? key : path + "." + key, doc};
  }
  Field at(size_t i) const { return {j.at(i), fmt::format("{}[{}]", path, i), doc}; }

  std::string str() const {
    if (!j.is_string())
      fail(fmt::format("expected a string, got {}", type_name(j)));
    return j.get<std::string>();
  }
  bool boolean() const {
    if (!j.is_boolean())
      fail(fmt::format("expected true or false, got {}", type_name(j)));
    return j.get<bool>();
  }
  double num() const {
    if (j.is_null())
      return std::numeric_limits<double>::quiet_NaN();
    if (!j.is_number())
      fail(fmt::format("expected a number, got {}", type_name(j)));
    return j.get<double>();
  }
  /// An integer in [lo, hi]: get<int>() of 10^12 would silently wrap.
  int integer(int lo = 0, int hi = std::numeric_limits<int>::max()) const {
    if (!j.is_number_integer())
      fail(fmt::format("expected an integer, got {}", type_name(j)));
    const bool huge = j.is_number_unsigned() && j.get<std::uint64_t>() > std::uint64_t(hi);
    const std::int64_t v = huge ? 0 : j.get<std::int64_t>();
    if (huge || v < lo || v > hi)
      fail(fmt::format("must be an integer from {} to {}", lo, hi));
    return static_cast<int>(v);
  }
  const nlohmann::json& array() const {
    if (!j.is_array())
      fail(fmt::format("expected an array, got {}", type_name(j)));
    return j;
  }
  std::vector<double> nums() const {
    std::vector<double> out;
    for (size_t i = 0; i < array().size(); ++i)
      out.push_back(at(i).num());
    return out;
  }
  const nlohmann::json& object() const {
    expect_object();
    return j;
  }

  // Optional fields: absent keeps the default, present must have the right type. A value of the
  // right type is taken without making its path (a lot reads millions); any other goes through
  // at(), which names it.
  const nlohmann::json* present(const char* key) const {
    if (!j.is_object())
      return nullptr;
    const auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  }
  void opt(const char* key, std::string& out) const {
    if (const nlohmann::json* v = present(key))
      out = v->is_string() ? v->get<std::string>() : at(key).str();
  }
  void opt(const char* key, bool& out) const {
    if (const nlohmann::json* v = present(key))
      out = v->is_boolean() ? v->get<bool>() : at(key).boolean();
  }
  void opt(const char* key, double& out) const {
    if (const nlohmann::json* v = present(key))
      out = v->is_number() ? v->get<double>() : at(key).num();
  }
  void opt(const char* key, int& out) const {
    if (present(key))
      out = at(key).integer();
  }
  /// An object of name: number (a telemetry summary's throttle fractions).
  void fractions(const char* key, std::map<std::string, double>& out) const {
    if (!has(key))
      return;
    const Field f = at(key);
    for (const auto& [name, value] : f.object().items())
      out[name] = f.at(name.c_str()).num();
  }
};

/// A telemetry row of a certificate's file form, read in place: the cells of telemetry_columns.
/// It takes what Field takes and refuses what it refuses, with the same messages.
struct RowField {
  const std::vector<JsonRef>& columns;
  const std::vector<JsonRef>& cells;
  const std::string& doc;
  const std::string& path;

  [[noreturn]] void fail(std::string_view key, const std::string& what) const {
    throw InputError(fmt::format("{}: {}.{}: {}", doc, path, key, what));
  }
  void expect_object() const {} // a row: its shape is checked by the table's reader
  const JsonRef* present(const char* key) const {
    for (std::size_t i = 0; i < columns.size() && i < cells.size(); ++i)
      if (columns[i].get_string() == key)
        return &cells[i];
    return nullptr;
  }
  void opt(const char* key, std::string& out) const {
    if (const JsonRef* v = present(key)) {
      if (!v->is_string())
        fail(key, fmt::format("expected a string, got {}", v->type_name()));
      out = v->get_string();
    }
  }
  void opt(const char* key, bool& out) const {
    if (const JsonRef* v = present(key)) {
      if (!v->is_boolean())
        fail(key, fmt::format("expected true or false, got {}", v->type_name()));
      out = v->get_bool();
    }
  }
  static double number_of(const JsonRef& v, const std::function<void(const std::string&)>& bad) {
    if (v.is_null())
      return std::numeric_limits<double>::quiet_NaN();
    if (!v.is_number())
      bad(fmt::format("expected a number, got {}", v.type_name()));
    return v.get_double();
  }
  void opt(const char* key, double& out) const {
    if (const JsonRef* v = present(key))
      out = number_of(*v, [&](const std::string& what) { fail(key, what); });
  }
  void opt(const char* key, int& out) const {
    const JsonRef* v = present(key);
    if (!v)
      return;
    if (!v->is_number_integer())
      fail(key, fmt::format("expected an integer, got {}", v->type_name()));
    const int hi = std::numeric_limits<int>::max();
    const bool huge = v->is_number_unsigned() && v->get_uint64() > std::uint64_t(hi);
    const std::int64_t i = huge ? 0 : v->get_int64();
    if (huge || i < 0 || i > hi)
      fail(key, fmt::format("must be an integer from {} to {}", 0, hi));
    out = static_cast<int>(i);
  }
  void fractions(const char* key, std::map<std::string, double>& out) const {
    const JsonRef* v = present(key);
    if (!v)
      return;
    if (!v->is_object())
      fail(key, fmt::format("expected an object, got {}", v->type_name()));
    for (const auto& member : v->members()) {
      const std::string reason(member.first); // (clang 14 cannot capture a structured binding)
      out[reason] = number_of(member.second, [&](const std::string& what) {
        fail(fmt::format("{}.{}", key, reason), what);
      });
    }
  }
};

/// The fields of a telemetry summary, read from a Field (an object) or a RowField (a row).
template <typename F> TelemetrySummary telemetry_from(const F& f) {
  f.expect_object();
  TelemetrySummary t;
  f.opt("available", t.available);
  f.opt("unavailable_reason", t.unavailable_reason);
  f.opt("samples", t.samples);
  f.opt("sm_clock_mhz_min", t.sm_clock_mhz_min);
  f.opt("sm_clock_mhz_mean", t.sm_clock_mhz_mean);
  f.opt("sm_clock_mhz_max", t.sm_clock_mhz_max);
  f.opt("mem_clock_mhz_mean", t.mem_clock_mhz_mean);
  f.opt("power_w_mean", t.power_w_mean);
  f.opt("power_w_max", t.power_w_max);
  f.opt("temperature_c_max", t.temperature_c_max);
  f.fractions("throttle_fraction", t.throttle_fraction);
  return t;
}

Target target_from(const Field& f) {
  Target t;
  const Field scope = f.at("scope");
  try {
    t.scope = scope_from_string(scope.str());
  } catch (const InputError& e) {
    scope.fail(e.what());
  }
  const Field gpus = f.at("gpus");
  for (size_t i = 0; i < gpus.array().size(); ++i)
    t.gpus.push_back(gpus.at(i).integer(0, kMaxGpus - 1));
  const size_t want = t.scope == Scope::gpu ? 1 : t.scope == Scope::gpu_pair ? 2 : 0;
  if (want != 0 && t.gpus.size() != want)
    gpus.fail(fmt::format("a {} target names {} GPU(s), got {}", to_string(t.scope), want,
                          t.gpus.size()));
  return t;
}

/// Relative tolerance of a recorded metric value against its derivation from the sample's
/// seconds and work: JSON keeps doubles exactly, so only arithmetic rounding is allowed.
constexpr double kDerivationTolerance = 1e-6;

bool agrees(double value, double expected) {
  return std::fabs(value - expected) <=
         kDerivationTolerance * std::max({std::fabs(value), std::fabs(expected), 1e-300});
}

/// Samples out of physical range are bad input, never figures: a null (NaN) or infinite value, a
/// sample time that is not > 0, a negative metric (every metric is a rate or a time per unit of
/// work), and metric values that are not one quantity of work over (or per) each sample's time:
/// value x seconds constant (a rate) or value / seconds constant (a time per item) over the
/// samples. Scaling a metric's samples without their times breaks the derivation the registry
/// checks (check_derivations); editing single samples breaks the constancy checked here.
void check_physical_range(const Field& f, const Measurement& m) {
  if (!m.seconds.empty()) {
    const Field secs = f.at("seconds");
    for (std::size_t i = 0; i < m.seconds.size(); ++i) {
      const double s = m.seconds[i];
      if (!std::isfinite(s))
        secs.at(i).fail("a sample time must be a finite number (null, NaN or infinite here)");
      if (!(s > 0))
        secs.at(i).fail(fmt::format("a sample time must be > 0 seconds, got {}", s));
    }
  }
  if (m.metrics.empty())
    return;
  const Field ms = f.at("metrics");
  for (const auto& metric : m.metrics) {
    // A named reference, not a structured binding: clang 14 cannot capture bindings in lambdas.
    const std::vector<double>& values = metric.second;
    const Field mf = ms.at(metric.first.c_str());
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i]))
        mf.at(i).fail("a sample must be a finite number (null, NaN or infinite here)");
      if (values[i] < 0)
        mf.at(i).fail(fmt::format("a sample cannot be negative, got {}", values[i]));
    }
    if (values.size() < 2)
      continue;
    auto constant = [&](auto&& of) {
      const double ref = of(0);
      for (std::size_t i = 1; i < values.size(); ++i)
        if (!agrees(of(i), ref))
          return i;
      return values.size();
    };
    const std::size_t as_rate = constant([&](std::size_t i) { return values[i] * m.seconds[i]; });
    if (as_rate == values.size())
      continue;
    const std::size_t as_time = constant([&](std::size_t i) { return values[i] / m.seconds[i]; });
    if (as_time == values.size())
      continue;
    const std::size_t i = std::max(as_rate, as_time);
    mf.at(i).fail(fmt::format(
        "value {} is inconsistent with its recorded time ({} s): the samples of a metric are one "
        "quantity of work over (or per) each sample's time, and sample 0 ({} in {} s) is not",
        values[i], m.seconds[i], values[0], m.seconds[0]));
  }
}

Measurement measurement_from(const Field& f) {
  f.expect_object();
  Measurement m;
  m.benchmark = f.at("benchmark").str();
  if (f.has("params")) {
    const Field p = f.at("params");
    for (const auto& [name, value] : p.object().items())
      m.params[name] = p.at(name.c_str()).str();
  }
  m.target = target_from(f.at("target"));
  const Field status = f.at("status");
  try {
    m.status = measurement_status_from_string(status.str());
  } catch (const InputError& e) {
    status.fail(e.what());
  }
  f.opt("message", m.message);
  if (f.has("verification")) {
    const Field v = f.at("verification");
    v.expect_object();
    v.opt("checked", m.verification.checked);
    v.opt("passed", m.verification.passed);
    v.opt("detail", m.verification.detail);
  }
  f.opt("bytes_per_sample", m.bytes_per_sample);
  f.opt("flops_per_sample", m.flops_per_sample);
  f.opt("items_per_sample", m.items_per_sample);
  f.opt("warmup_samples", m.warmup_samples);
  f.opt("warmup_extensions", m.warmup_extensions);
  f.opt("dependent", m.dependent);
  m.concurrency = Concurrency::one; // written before measurements ran concurrently
  if (f.has("concurrency")) {
    const Field c = f.at("concurrency");
    try {
      m.concurrency = concurrency_from_string(c.str());
    } catch (const InputError& e) {
      c.fail(e.what());
    }
  }
  f.opt("lanes", m.lanes);
  if (m.lanes < 1 || m.lanes > 4096)
    f.at("lanes").fail(fmt::format("{} is not a count of measurements (1 to 4096)", m.lanes));
  if (f.has("phase_seconds")) {
    const Field ps = f.at("phase_seconds");
    for (const auto& [phase, value] : ps.object().items()) {
      const double v = ps.at(phase.c_str()).num();
      if (!(v >= 0))
        ps.at(phase.c_str()).fail("a duration cannot be negative");
      m.phase_seconds[phase] = v;
    }
  }
  if (f.has("seconds"))
    m.seconds = f.at("seconds").nums();
  if (f.has("metrics")) {
    const Field ms = f.at("metrics");
    for (const auto& [name, values] : ms.object().items()) {
      const Field mf = ms.at(name.c_str());
      m.metrics[name] = mf.nums();
      if (m.metrics[name].size() != m.seconds.size())
        mf.fail(fmt::format("has {} values but there are {} samples", m.metrics[name].size(),
                            m.seconds.size()));
    }
  }
  if (f.has("telemetry")) {
    const Field tel = f.at("telemetry");
    for (const auto& [gpu, summary] : tel.object().items()) {
      const int index = gpu_index_from_key(gpu);
      if (index < 0)
        tel.fail(fmt::format("key '{}' is not a GPU index", gpu));
      m.telemetry[index] = telemetry_from(tel.at(gpu.c_str()));
    }
  }
  f.opt("stop_reason", m.stop_reason);
  f.opt("started_at", m.started_at);
  f.opt("finished_at", m.finished_at);
  if (f.has("extra"))
    m.extra = f.at("extra").object();
  return m;
}

Inventory inventory_from(const Field& f) {
  try {
    return inventory_from_json(f.j);
  } catch (const InputError& e) {
    f.fail(e.what());
  }
}

} // namespace

int gpu_index_from_key(const std::string& key) {
  int index = -1;
  const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
  if (key.empty() || ec != std::errc() || end != key.data() + key.size() || index < 0 ||
      index >= kMaxGpus)
    return -1;
  return index;
}

TelemetrySummary telemetry_from_json(const nlohmann::json& j, const std::string& doc,
                                     const std::string& path) {
  return telemetry_from(Field{j, path, doc});
}

TelemetrySummary telemetry_from_row(const std::vector<JsonRef>& columns,
                                    const std::vector<JsonRef>& cells, const std::string& doc,
                                    const std::string& path) {
  return telemetry_from(RowField{columns, cells, doc, path});
}

nlohmann::json to_json(const TelemetrySummary& t) {
  nlohmann::json throttle = nlohmann::json::object();
  for (const auto& [reason, fraction] : t.throttle_fraction)
    throttle[reason] = number(fraction);
  return {{"available", t.available},
          {"unavailable_reason", t.unavailable_reason},
          {"samples", t.samples},
          {"sm_clock_mhz_min", number(t.sm_clock_mhz_min)},
          {"sm_clock_mhz_mean", number(t.sm_clock_mhz_mean)},
          {"sm_clock_mhz_max", number(t.sm_clock_mhz_max)},
          {"mem_clock_mhz_mean", number(t.mem_clock_mhz_mean)},
          {"power_w_mean", number(t.power_w_mean)},
          {"power_w_max", number(t.power_w_max)},
          {"temperature_c_max", number(t.temperature_c_max)},
          {"throttle_fraction", throttle}};
}

nlohmann::json to_json(const Measurement& m) {
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [name, values] : m.metrics)
    metrics[name] = numbers(values);
  nlohmann::json telemetry = nlohmann::json::object();
  for (const auto& [gpu, summary] : m.telemetry)
    telemetry[std::to_string(gpu)] = to_json(summary);
  return {{"key", m.key()},
          {"benchmark", m.benchmark},
          {"params", m.params},
          {"target",
           {{"scope", to_string(m.target.scope)},
            {"gpus", m.target.gpus},
            {"label", m.target.label()}}},
          {"status", to_string(m.status)},
          {"message", m.message},
          {"verification",
           {{"checked", m.verification.checked},
            {"passed", m.verification.passed},
            {"detail", m.verification.detail}}},
          {"bytes_per_sample", number(m.bytes_per_sample)},
          {"flops_per_sample", number(m.flops_per_sample)},
          {"items_per_sample", number(m.items_per_sample)},
          {"warmup_samples", m.warmup_samples},
          {"warmup_extensions", m.warmup_extensions},
          {"dependent", m.dependent},
          {"concurrency", to_string(m.concurrency)},
          {"lanes", m.lanes},
          {"phase_seconds", m.phase_seconds},
          {"seconds", numbers(m.seconds)},
          {"metrics", metrics},
          {"telemetry", telemetry},
          {"stop_reason", m.stop_reason},
          {"started_at", m.started_at},
          {"finished_at", m.finished_at},
          {"extra", m.extra}};
}

nlohmann::json to_json(const Results& r) {
  nlohmann::json measurements = nlohmann::json::array();
  for (const auto& m : r.measurements)
    measurements.push_back(to_json(m));
  return {{"schema", r.schema},
          {"tool_version", r.tool_version},
          {"git_revision", r.git_revision},
          {"backend", r.backend},
          {"simulated", r.simulated},
          {"complete", r.complete},
          {"incomplete_reason", r.incomplete_reason},
          {"started_at", r.started_at},
          {"finished_at", r.finished_at},
          {"profile_name", r.profile_name},
          {"profile_sha256", r.profile_sha256},
          {"method", r.method},
          {"provenance", r.provenance},
          {"inventory_before", to_json(r.inventory_before)},
          {"inventory_after", r.inventory_after ? to_json(*r.inventory_after) : nullptr},
          {"measurements", measurements}};
}

Measurement measurement_from_json(const nlohmann::json& j) {
  return measurement_from({j, ""});
}

Results results_from_json(const nlohmann::json& j) {
  const Field doc{j, ""};
  doc.expect_object();
  Results r;
  const Field schema = doc.at("schema");
  r.schema = schema.str();
  if (r.schema != kResultsSchema)
    schema.fail(
        fmt::format("unsupported schema '{}' (this gpucert reads {})", r.schema, kResultsSchema));
  doc.opt("tool_version", r.tool_version);
  doc.opt("git_revision", r.git_revision);
  r.backend = doc.at("backend").str();
  r.simulated = doc.at("simulated").boolean();
  if (r.backend == "sim" && !r.simulated)
    doc.at("simulated").fail("false, but the backend is \"sim\": simulated results are simulated");
  doc.opt("complete", r.complete);
  doc.opt("incomplete_reason", r.incomplete_reason);
  doc.opt("started_at", r.started_at);
  doc.opt("finished_at", r.finished_at);
  doc.opt("profile_name", r.profile_name);
  doc.opt("profile_sha256", r.profile_sha256);
  if (doc.has("method"))
    r.method = doc.at("method").object();
  if (doc.has("provenance"))
    r.provenance = doc.at("provenance").object();
  r.inventory_before = inventory_from(doc.at("inventory_before"));
  if (doc.has("inventory_after") && !j.at("inventory_after").is_null())
    r.inventory_after = inventory_from(doc.at("inventory_after"));
  const Field ms = doc.at("measurements");
  for (size_t i = 0; i < ms.array().size(); ++i) {
    const Field mf = ms.at(i);
    r.measurements.push_back(measurement_from(mf));
    check_physical_range(mf, r.measurements.back());
  }
  return r;
}

void check_derivations(const Results& r, const Registry& registry) {
  for (std::size_t mi = 0; mi < r.measurements.size(); ++mi) {
    const Measurement& m = r.measurements[mi];
    const BenchmarkDef* def = registry.find(m.benchmark);
    if (!def)
      continue; // evaluate says "not measured" for a clause that needs it
    Work w;
    w.bytes = m.bytes_per_sample;
    w.flops = m.flops_per_sample;
    w.items = m.items_per_sample;
    w.ranks = static_cast<int>(m.target.gpus.size());
    if (auto it = m.extra.find("ranks"); it != m.extra.end() && it->is_number_integer())
      w.ranks = std::clamp<std::int64_t>(it->get<std::int64_t>(), 0, 1 << 20);
    for (const MetricDef& metric : def->metrics) {
      auto it = m.metrics.find(metric.name);
      if (it == m.metrics.end() || !metric.derive)
        continue;
      for (std::size_t i = 0; i < it->second.size() && i < m.seconds.size(); ++i) {
        double expected = 0;
        try {
          expected = metric.derive(m.seconds[i], w);
        } catch (const std::exception&) {
          break; // the work cannot derive it (no rank count): the constancy check still held
        }
        if (!std::isfinite(expected) || agrees(it->second[i], expected))
          continue;
        throw InputError(fmt::format(
            "results: measurements[{}].metrics.{}[{}]: value {} is inconsistent with the "
            "sample's recorded time and work ({} s, bytes_per_sample {}, flops_per_sample {}, "
            "items_per_sample {} give {})",
            mi, metric.name, i, it->second[i], m.seconds[i], m.bytes_per_sample, m.flops_per_sample,
            m.items_per_sample, expected));
      }
    }
  }
}

Results results_from_json(const nlohmann::json& j, const Registry& registry) {
  Results r = results_from_json(j);
  check_derivations(r, registry);
  return r;
}

} // namespace gpucert
