// Writes a Profile as YAML. Numbers go out in their shortest exact form (0.95, not
// 0.94999999999999996), so the text reads like a hand-written profile.
#include "harness/profile/profile_yaml.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

namespace gpucert::profile {

namespace {

std::string number(double d) {
  return fmt::format("{}", d);
}

void text(YAML::Emitter& y, const std::string& s) {
  y << YAML::DoubleQuoted << s; // quoted: "8" or "true" stays text when read back
}

void emit_match(YAML::Emitter& y, const Match& m) {
  y << YAML::Key << "match" << YAML::Value << YAML::BeginMap;
  if (m.gpu_name) {
    y << YAML::Key << "gpu_name" << YAML::Value;
    text(y, *m.gpu_name);
  }
  if (m.gpu_count)
    y << YAML::Key << "gpu_count" << YAML::Value << *m.gpu_count;
  if (m.memory_gib_min)
    y << YAML::Key << "memory_gib" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
      << "min" << YAML::Value << number(*m.memory_gib_min) << YAML::EndMap;
  if (m.pcie_gen || m.pcie_width) {
    y << YAML::Key << "pcie" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (m.pcie_gen)
      y << YAML::Key << "gen" << YAML::Value << *m.pcie_gen;
    if (m.pcie_width)
      y << YAML::Key << "width" << YAML::Value << *m.pcie_width;
    y << YAML::EndMap;
  }
  if (m.nvlink_links_per_gpu)
    y << YAML::Key << "nvlink_links_per_gpu" << YAML::Value << *m.nvlink_links_per_gpu;
  if (m.ecc)
    y << YAML::Key << "ecc" << YAML::Value << (*m.ecc ? "enabled" : "disabled");
  y << YAML::EndMap;
}

void emit_method(YAML::Emitter& y, const Method& m) {
  y << YAML::Key << "method" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "confidence" << YAML::Value << number(m.confidence);
  y << YAML::Key << "target_rel_ci" << YAML::Value << number(m.target_rel_ci);
  y << YAML::Key << "min_samples" << YAML::Value << m.min_samples;
  y << YAML::Key << "max_samples" << YAML::Value << m.max_samples;
  y << YAML::Key << "max_seconds_per_clause" << YAML::Value << number(m.max_seconds_per_clause);
  y << YAML::EndMap;
}

void emit_fleet(YAML::Emitter& y, const FleetPolicy& f) {
  y << YAML::Key << "fleet" << YAML::Value << YAML::BeginMap;
  if (f.min_certified_fraction)
    y << YAML::Key << "min_certified_fraction" << YAML::Value << number(*f.min_certified_fraction);
  if (!f.median_floors.empty()) {
    y << YAML::Key << "median_floors" << YAML::Value << YAML::BeginMap;
    for (const auto& [id, floor] : f.median_floors)
      y << YAML::Key << id << YAML::Value << number(floor);
    y << YAML::EndMap;
  }
  if (f.max_outlier_fraction)
    y << YAML::Key << "max_outlier_fraction" << YAML::Value << number(*f.max_outlier_fraction);
  if (f.outlier_z)
    y << YAML::Key << "outlier_z" << YAML::Value << number(*f.outlier_z);
  if (f.outlier_rel)
    y << YAML::Key << "outlier_rel" << YAML::Value << number(*f.outlier_rel);
  y << YAML::EndMap;
}

void emit_clause(YAML::Emitter& y, const Clause& c, const std::string& note) {
  y << YAML::BeginMap;
  y << YAML::Key << "id" << YAML::Value << c.id;
  y << YAML::Key << "metric" << YAML::Value << c.metric;
  if (!c.params.empty()) {
    y << YAML::Key << "params" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [k, v] : c.params)
      y << YAML::Key << k << YAML::Value << v;
    y << YAML::EndMap;
  }
  y << YAML::Key << "each" << YAML::Value << to_string(c.each);
  if (!c.is_health())
    y << YAML::Key << "stat" << YAML::Value << c.stat;
  if (c.min) {
    y << YAML::Key << "min" << YAML::Value << number(*c.min);
    if (!note.empty() && c.higher_is_better)
      y << YAML::Comment(note);
  }
  if (c.max) {
    y << YAML::Key << "max" << YAML::Value << number(*c.max);
    if (!note.empty() && !c.higher_is_better)
      y << YAML::Comment(note);
  }
  if (c.equals) {
    y << YAML::Key << "equals" << YAML::Value;
    switch (c.equals->kind) {
    case Expected::Kind::number:
      y << number(c.equals->number);
      break;
    case Expected::Kind::boolean:
      y << YAML::TrueFalseBool << YAML::LowerCase << c.equals->boolean;
      break;
    case Expected::Kind::text:
      text(y, c.equals->text);
      break;
    }
  }
  if (c.relative_to_siblings()) {
    y << YAML::Key << "relative" << YAML::Value << c.relative;
    y << YAML::Key << "min_ratio" << YAML::Value << number(c.min_ratio.value_or(1));
  }
  if (c.duration)
    y << YAML::Key << "duration" << YAML::Value << number(*c.duration);
  if (!c.is_health() && c.each != Scope::node)
    y << YAML::Key << "concurrency" << YAML::Value << to_string(c.concurrency);
  if (!c.description.empty()) {
    y << YAML::Key << "description" << YAML::Value;
    text(y, c.description);
  }
  if (!c.contract_ref.empty()) {
    y << YAML::Key << "contract_ref" << YAML::Value;
    text(y, c.contract_ref);
  }
  y << YAML::EndMap;
}

} // namespace

std::string to_yaml(const Profile& p, const std::map<std::string, std::string>& threshold_notes) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "schema" << YAML::Value << p.schema;
  y << YAML::Key << "name" << YAML::Value << p.name;
  if (!p.description.empty()) {
    y << YAML::Key << "description" << YAML::Value;
    text(y, p.description);
  }
  y << YAML::Key << "tier" << YAML::Value << to_string(p.tier);
  emit_match(y, p.match);
  emit_method(y, p.method);
  y << YAML::Key << "clauses" << YAML::Value << YAML::BeginSeq;
  for (const auto& c : p.clauses) {
    const auto note = threshold_notes.find(c.id);
    emit_clause(y, c, note == threshold_notes.end() ? std::string() : note->second);
  }
  y << YAML::EndSeq;
  if (!p.fleet.empty())
    emit_fleet(y, p.fleet);
  y << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

} // namespace gpucert::profile
