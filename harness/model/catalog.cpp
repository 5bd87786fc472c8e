// The benchmark registry: lookup by name or metric, and parameter resolution (defaults filled,
// values checked against their axis and written in one canonical spelling).
#include "harness/model/catalog.hpp"

#include "harness/core/error.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fmt/core.h>
#include <fmt/format.h>

namespace gpucert {

void Registry::add(BenchmarkDef def) {
  if (def.name.empty())
    throw InternalError("registry: a benchmark without a name");
  if (find(def.name))
    throw InternalError(fmt::format("registry: duplicate benchmark '{}'", def.name));
  for (const auto& m : def.metrics) {
    if (!m.derive)
      throw InternalError(fmt::format("registry: metric '{}' has no derive", m.name));
    if (const BenchmarkDef* other = find_metric(m.name))
      throw InternalError(fmt::format("registry: metric '{}' of '{}' is already produced by '{}'",
                                      m.name, def.name, other->name));
  }
  for (const auto& a : def.axes) {
    if (std::count_if(def.axes.begin(), def.axes.end(),
                      [&](const Axis& b) { return b.name == a.name; }) > 1)
      throw InternalError(fmt::format("registry: '{}' declares axis '{}' twice", def.name, a.name));
  }
  defs_.push_back(std::move(def));
  // The declared defaults must themselves resolve, or every plan using them would fail later.
  try {
    resolve(defs_.back(), {});
  } catch (const InputError& e) {
    const std::string name = defs_.back().name;
    defs_.pop_back();
    throw InternalError(
        fmt::format("registry: defaults of '{}' do not resolve: {}", name, e.what()));
  }
}

const BenchmarkDef* Registry::find(const std::string& name) const {
  for (const auto& d : defs_)
    if (d.name == name)
      return &d;
  return nullptr;
}

const BenchmarkDef* Registry::find_metric(const std::string& metric) const {
  for (const auto& d : defs_)
    for (const auto& m : d.metrics)
      if (m.name == metric)
        return &d;
  return nullptr;
}

std::vector<const BenchmarkDef*> Registry::family(const std::string& family) const {
  std::vector<const BenchmarkDef*> out;
  for (const auto& d : defs_)
    if (d.name == family || d.name.starts_with(family + "."))
      out.push_back(&d);
  return out;
}

std::string variant_of(const std::string& benchmark) {
  const auto dot = benchmark.find('.');
  return dot == std::string::npos ? std::string() : benchmark.substr(dot + 1);
}

const MetricDef* Registry::metric(const std::string& metric) const {
  for (const auto& d : defs_)
    for (const auto& m : d.metrics)
      if (m.name == metric)
        return &m;
  return nullptr;
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos)
    return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Counts and sizes (m, n, k, launches, iters, algos): whole numbers of at least 1.
std::string canonical_integer(const std::string& text) {
  const std::string t = trim(text);
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size())
    throw InputError("expected a whole number");
  if (v < 1)
    throw InputError("expected a whole number of at least 1");
  return std::to_string(v);
}

std::string canonical_bytes(const std::string& text) {
  const double b = parse_bytes(text);
  if (b < 1)
    throw InputError("expected a size of at least 1 byte");
  if (b != std::floor(b))
    throw InputError("expected a whole number of bytes");
  if (b > 9.0e15)
    throw InputError("size is larger than any GPU memory");
  return std::to_string(static_cast<std::int64_t>(b));
}

std::string canonical_boolean(const std::string& text) {
  const std::string t = lower(trim(text));
  if (t == "true" || t == "1" || t == "yes" || t == "on")
    return "true";
  if (t == "false" || t == "0" || t == "no" || t == "off")
    return "false";
  throw InputError("expected true or false");
}

std::string canonical_choice(const Axis& axis, const std::string& text) {
  const std::string t = lower(trim(text));
  for (const auto& c : axis.choices)
    if (lower(c) == t)
      return c;
  throw InputError(fmt::format("expected one of {}", fmt::join(axis.choices, ", ")));
}

std::string canonical(const Axis& axis, const std::string& text) {
  switch (axis.kind) {
  case Axis::Kind::integer:
    return canonical_integer(text);
  case Axis::Kind::bytes:
    return canonical_bytes(text);
  case Axis::Kind::choice:
    return canonical_choice(axis, text);
  case Axis::Kind::boolean:
    return canonical_boolean(text);
  }
  throw InternalError("unknown axis kind");
}

} // namespace

Params Registry::resolve(const BenchmarkDef& def, const Params& given) {
  for (const auto& entry : given) {
    // Not a structured binding: clang before 16 cannot capture one in a lambda.
    const std::string& name = entry.first;
    const bool known = std::any_of(def.axes.begin(), def.axes.end(),
                                   [&](const Axis& a) { return a.name == name; });
    if (!known) {
      std::vector<std::string> names;
      for (const auto& a : def.axes)
        names.push_back(a.name);
      throw InputError(
          fmt::format("{}: unknown parameter '{}' (parameters: {})", def.name, name,
                      names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
    }
  }
  Params out;
  for (const auto& axis : def.axes) {
    const auto it = given.find(axis.name);
    const std::string& text = it != given.end() ? it->second : axis.default_value;
    try {
      out[axis.name] = canonical(axis, text);
    } catch (const InputError& e) {
      throw InputError(
          fmt::format("{}: parameter '{}' = '{}': {}", def.name, axis.name, text, e.what()));
    }
  }
  if (def.check)
    def.check(out);
  return out;
}

// Units: B; decimal kB/KB, MB, GB, TB (10^3 steps, as bandwidths are quoted); binary KiB, MiB,
// GiB, TiB (2^10 steps, as memory is sized). Case-insensitive; a bare number is bytes.
double parse_bytes(const std::string& text) {
  const std::string t = trim(text);
  size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(t, &pos);
  } catch (const std::exception&) {
    throw InputError(
        fmt::format("'{}' is not a byte size (e.g. 4096, 512MiB, 8GiB, 2GB, 1e9)", text));
  }
  const std::string unit = lower(trim(t.substr(pos)));
  double scale = 0;
  if (unit.empty() || unit == "b")
    scale = 1;
  else if (unit == "kb")
    scale = 1e3;
  else if (unit == "mb")
    scale = 1e6;
  else if (unit == "gb")
    scale = 1e9;
  else if (unit == "tb")
    scale = 1e12;
  else if (unit == "kib")
    scale = 1024.0;
  else if (unit == "mib")
    scale = 1024.0 * 1024;
  else if (unit == "gib")
    scale = 1024.0 * 1024 * 1024;
  else if (unit == "tib")
    scale = 1024.0 * 1024 * 1024 * 1024;
  else
    throw InputError(
        fmt::format("'{}': unknown size unit '{}' (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)", text,
                    t.substr(pos)));
  if (!std::isfinite(value) || value < 0)
    throw InputError(fmt::format("'{}' is not a byte size: must be a finite number >= 0", text));
  return std::round(value * scale * 1e6) / 1e6; // 1.5KiB is exact; keep 0.1GB from drifting
}

} // namespace gpucert
