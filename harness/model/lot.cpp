// LotCertificate <-> JSON (schema gpucert/lot/v1, described by schema/lot.schema.json). The
// per-check rows are the lot's CSV, not part of this document.
#include "harness/model/lot.hpp"

#include "harness/core/error.hpp"

#include <cmath>
#include <fmt/core.h>

namespace gpucert::report {

using nlohmann::json;

namespace {

json num(double d) {
  return std::isfinite(d) ? json(d) : json(nullptr);
}
json opt(const std::optional<double>& d) {
  return d ? num(*d) : json(nullptr);
}

json counts_json(const Counts& c) {
  return {{"total", c.total}, {"pass", c.pass},
          {"fail", c.fail},   {"inconclusive", c.inconclusive},
          {"error", c.error}, {"skipped", c.skipped}};
}

json threshold_json(const Threshold& t) {
  return {{"min", opt(t.min)},
          {"max", opt(t.max)},
          {"equals", t.equals ? json(*t.equals) : json(nullptr)},
          {"unit", t.unit},
          {"higher_is_better", t.higher_is_better}};
}

const char* state_name(SignatureStatus::State s) {
  using S = SignatureStatus::State;
  switch (s) {
  case S::not_checked:
    return "not_checked";
  case S::unsigned_:
    return "unsigned";
  case S::valid:
    return "valid";
  case S::untrusted:
    return "untrusted";
  case S::invalid:
    return "invalid";
  }
  return "invalid";
}

json node_json(const LotNode& n) {
  json j = {{"dir", n.dir},
            {"hostname", n.hostname},
            {"readable", n.readable},
            {"load_error", n.load_error},
            {"signature",
             {{"state", state_name(n.signature.state)},
              {"key_id", n.signature.key_id},
              {"detail", n.signature.detail}}},
            {"verified", n.verified},
            {"simulated", n.simulated},
            {"outcome", to_string(n.outcome)},
            {"consistent", n.consistent},
            {"counts", counts_json(n.counts)},
            {"gpus", n.gpus},
            {"gpus_in_node", n.gpus_in_node},
            {"profile", {{"name", n.profile_name}, {"sha256", n.profile_sha256}}},
            {"certificate_sha256", n.certificate_sha256},
            {"gpu_uuids", n.gpu_uuids},
            {"causes", n.causes}};
  return j;
}

json clause_json(const LotClause& c) {
  json j = {{"id", c.id},
            {"metric", c.metric},
            {"kind", c.kind},
            {"unit", c.unit},
            {"stat", c.stat},
            {"scope", to_string(c.scope)},
            {"higher_is_better", c.higher_is_better},
            {"threshold", threshold_json(c.threshold)},
            {"counts", counts_json(c.counts)},
            {"distribution", nullptr}};
  if (c.distribution) {
    const Distribution& d = *c.distribution;
    j["distribution"] = {{"n", d.n},
                         {"median", num(d.median)},
                         {"mad", num(d.mad)},
                         {"p1", num(d.p1)},
                         {"p5", num(d.p5)},
                         {"min", num(d.min)},
                         {"max", num(d.max)},
                         {"worst", num(d.worst)},
                         {"worst_node", d.worst_node},
                         {"worst_target", d.worst_target},
                         {"worst_gpu_uuid", d.worst_gpu_uuid}};
  }
  return j;
}

// --- reading -------------------------------------------------------------------------------

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw InputError(fmt::format("lot certificate: field '{}': {}", path, what));
}

const json& at(const json& j, const char* key, const std::string& path) {
  if (!j.is_object())
    bad(path.empty() ? "(top)" : path, "expected an object");
  auto it = j.find(key);
  if (it == j.end())
    bad(path.empty() ? key : path + "." + key, "missing");
  return *it;
}
std::string sub(const std::string& path, const char* key) {
  return path.empty() ? key : path + "." + key;
}
std::string str(const json& j, const char* key, const std::string& path) {
  const json& v = at(j, key, path);
  if (!v.is_string())
    bad(sub(path, key), "expected a string");
  return v.get<std::string>();
}
bool boolean(const json& j, const char* key, const std::string& path) {
  const json& v = at(j, key, path);
  if (!v.is_boolean())
    bad(sub(path, key), "expected true or false");
  return v.get<bool>();
}
double number(const json& j, const char* key, const std::string& path) {
  const json& v = at(j, key, path);
  if (v.is_null())
    return NAN;
  if (!v.is_number())
    bad(sub(path, key), "expected a number");
  return v.get<double>();
}
std::optional<double> opt_number(const json& j, const char* key, const std::string& path) {
  const json& v = at(j, key, path);
  if (v.is_null())
    return std::nullopt;
  if (!v.is_number())
    bad(sub(path, key), "expected a number or null");
  return v.get<double>();
}
int integer(const json& j, const char* key, const std::string& path) {
  const json& v = at(j, key, path);
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > (1 << 30))
    bad(sub(path, key), "expected an integer from 0 to 2^30");
  return v.get<int>();
}
const json& array(const json& j, const char* key, const std::string& path) {
  const json& v = at(j, key, path);
  if (!v.is_array())
    bad(sub(path, key), "expected an array");
  return v;
}
std::vector<std::string> strings(const json& j, const char* key, const std::string& path) {
  std::vector<std::string> out;
  const json& a = array(j, key, path);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string())
      bad(fmt::format("{}[{}]", sub(path, key), i), "expected a string");
    out.push_back(a[i].get<std::string>());
  }
  return out;
}

Counts counts_from(const json& j, const std::string& p) {
  Counts c;
  c.total = integer(j, "total", p);
  c.pass = integer(j, "pass", p);
  c.fail = integer(j, "fail", p);
  c.inconclusive = integer(j, "inconclusive", p);
  c.error = integer(j, "error", p);
  c.skipped = integer(j, "skipped", p);
  return c;
}

Threshold threshold_from(const json& j, const std::string& p) {
  Threshold t;
  t.min = opt_number(j, "min", p);
  t.max = opt_number(j, "max", p);
  const json& e = at(j, "equals", p);
  if (e.is_string())
    t.equals = e.get<std::string>();
  else if (!e.is_null())
    bad(p + ".equals", "expected a string or null");
  t.unit = str(j, "unit", p);
  t.higher_is_better = boolean(j, "higher_is_better", p);
  return t;
}

template <class T, class F> T parsed(const std::string& path, F&& f) {
  try {
    return f();
  } catch (const InputError& e) {
    bad(path, e.what());
  }
}

} // namespace

json to_json(const LotCertificate& lot) {
  json clauses = json::array(), outliers = json::array(), failures = json::array(),
       lot_clauses = json::array(), nodes = json::array();
  for (const auto& c : lot.clauses)
    clauses.push_back(clause_json(c));
  for (const auto& o : lot.outliers)
    outliers.push_back({{"clause_id", o.clause_id},
                        {"node", o.node},
                        {"target", o.target},
                        {"gpu", o.gpu},
                        {"gpu_uuid", o.gpu_uuid},
                        {"value", num(o.value)},
                        {"lot_median", num(o.lot_median)},
                        {"rel_to_median", num(o.rel_to_median)},
                        {"robust_z", num(o.robust_z)},
                        {"verdict", to_string(o.verdict)}});
  for (const auto& f : lot.failures)
    failures.push_back({{"cause", f.cause}, {"nodes", f.nodes}});
  for (const auto& c : lot.lot_clauses)
    lot_clauses.push_back({{"id", c.id},
                           {"description", c.description},
                           {"verdict", to_string(c.verdict)},
                           {"value", opt(c.value)},
                           {"threshold", threshold_json(c.threshold)},
                           {"message", c.message}});
  for (const auto& n : lot.nodes)
    nodes.push_back(node_json(n));
  const Proportion& p = lot.certified_fraction;
  json sample = nullptr;
  if (lot.sample) {
    const SampleBound& s = *lot.sample;
    sample = {{"lot_size", s.lot_size},
              {"sampled", s.sampled},
              {"defective", s.defective},
              {"confidence", num(s.confidence)},
              {"max_defective_fraction", num(s.max_defective_fraction)},
              {"max_defective_nodes", s.max_defective_nodes},
              {"method", s.method},
              {"detail", s.detail}};
  }
  return {{"schema", lot.schema},
          {"tool", {{"version", lot.tool_version}, {"git_revision", lot.git_revision}}},
          {"created_at", lot.created_at},
          {"simulated", lot.simulated},
          {"outcome", to_string(lot.outcome)},
          {"summary", lot.summary},
          {"profile", {{"name", lot.profile_name}, {"sha256", lot.profile_sha256}}},
          {"lot_sha256", lot.lot_sha256},
          {"options",
           {{"outlier_z", num(lot.options.outlier_z)},
            {"outlier_rel", num(lot.options.outlier_rel)},
            {"confidence", num(lot.options.confidence)}}},
          {"nodes_offered", lot.nodes_offered},
          {"nodes_read", lot.nodes_read},
          {"nodes_unreadable", lot.nodes_unreadable},
          {"nodes_certified", lot.nodes_certified},
          {"nodes_not_certified", lot.nodes_not_certified},
          {"nodes_inconclusive", lot.nodes_inconclusive},
          {"nodes_unverified", lot.nodes_unverified},
          {"gpus_offered", lot.gpus_offered},
          {"gpus_certified", lot.gpus_certified},
          {"certified_fraction",
           {{"k", p.k},
            {"n", p.n},
            {"estimate", num(p.estimate)},
            {"lo", num(p.lo)},
            {"hi", num(p.hi)},
            {"confidence", num(p.confidence)},
            {"method", p.method}}},
          {"capacity", lot.capacity},
          {"notes", lot.notes},
          {"lot_clauses", lot_clauses},
          {"sample", sample},
          {"failures", failures},
          {"outliers", outliers},
          {"clauses", clauses},
          {"nodes", nodes}};
}

LotCertificate lot_from_json(const json& j) {
  LotCertificate lot;
  lot.schema = str(j, "schema", "");
  if (lot.schema != kLotSchema)
    bad("schema", fmt::format("'{}' is not {} (is this a lot certificate written by gpucert "
                              "fleet?)",
                              lot.schema, kLotSchema));
  const json& tool = at(j, "tool", "");
  lot.tool_version = str(tool, "version", "tool");
  lot.git_revision = str(tool, "git_revision", "tool");
  lot.created_at = str(j, "created_at", "");
  lot.simulated = boolean(j, "simulated", "");
  lot.outcome =
      parsed<Outcome>("outcome", [&] { return outcome_from_string(str(j, "outcome", "")); });
  lot.summary = str(j, "summary", "");
  const json& prof = at(j, "profile", "");
  lot.profile_name = str(prof, "name", "profile");
  lot.profile_sha256 = str(prof, "sha256", "profile");
  lot.lot_sha256 = str(j, "lot_sha256", "");
  const json& o = at(j, "options", "");
  lot.options.outlier_z = number(o, "outlier_z", "options");
  lot.options.outlier_rel = number(o, "outlier_rel", "options");
  lot.options.confidence = number(o, "confidence", "options");
  lot.nodes_offered = integer(j, "nodes_offered", "");
  lot.nodes_read = integer(j, "nodes_read", "");
  lot.nodes_unreadable = integer(j, "nodes_unreadable", "");
  lot.nodes_certified = integer(j, "nodes_certified", "");
  lot.nodes_not_certified = integer(j, "nodes_not_certified", "");
  lot.nodes_inconclusive = integer(j, "nodes_inconclusive", "");
  lot.nodes_unverified = integer(j, "nodes_unverified", "");
  lot.gpus_offered = integer(j, "gpus_offered", "");
  lot.gpus_certified = integer(j, "gpus_certified", "");
  const json& cf = at(j, "certified_fraction", "");
  lot.certified_fraction.k = integer(cf, "k", "certified_fraction");
  lot.certified_fraction.n = integer(cf, "n", "certified_fraction");
  lot.certified_fraction.estimate = number(cf, "estimate", "certified_fraction");
  lot.certified_fraction.lo = number(cf, "lo", "certified_fraction");
  lot.certified_fraction.hi = number(cf, "hi", "certified_fraction");
  lot.certified_fraction.confidence = number(cf, "confidence", "certified_fraction");
  lot.certified_fraction.method = str(cf, "method", "certified_fraction");
  lot.capacity = str(j, "capacity", "");
  lot.notes = strings(j, "notes", "");

  const json& lcs = array(j, "lot_clauses", "");
  for (std::size_t i = 0; i < lcs.size(); ++i) {
    const std::string p = fmt::format("lot_clauses[{}]", i);
    LotClauseResult r;
    r.id = str(lcs[i], "id", p);
    r.description = str(lcs[i], "description", p);
    r.verdict = parsed<Verdict>(p + ".verdict",
                                [&] { return verdict_from_string(str(lcs[i], "verdict", p)); });
    r.value = opt_number(lcs[i], "value", p);
    r.threshold = threshold_from(at(lcs[i], "threshold", p), p + ".threshold");
    r.message = str(lcs[i], "message", p);
    lot.lot_clauses.push_back(r);
  }
  if (const json& s = at(j, "sample", ""); !s.is_null()) {
    SampleBound b;
    b.lot_size = integer(s, "lot_size", "sample");
    b.sampled = integer(s, "sampled", "sample");
    b.defective = integer(s, "defective", "sample");
    b.confidence = number(s, "confidence", "sample");
    b.max_defective_fraction = number(s, "max_defective_fraction", "sample");
    b.max_defective_nodes = integer(s, "max_defective_nodes", "sample");
    b.method = str(s, "method", "sample");
    b.detail = str(s, "detail", "sample");
    lot.sample = b;
  }
  const json& fs = array(j, "failures", "");
  for (std::size_t i = 0; i < fs.size(); ++i) {
    const std::string p = fmt::format("failures[{}]", i);
    lot.failures.push_back({str(fs[i], "cause", p), strings(fs[i], "nodes", p)});
  }
  const json& os = array(j, "outliers", "");
  for (std::size_t i = 0; i < os.size(); ++i) {
    const std::string p = fmt::format("outliers[{}]", i);
    const json& x = os[i];
    Outlier out;
    out.clause_id = str(x, "clause_id", p);
    out.node = str(x, "node", p);
    out.target = str(x, "target", p);
    const json& g = at(x, "gpu", p);
    if (!g.is_number_integer())
      bad(p + ".gpu", "expected an integer");
    out.gpu = g.get<int>();
    out.gpu_uuid = str(x, "gpu_uuid", p);
    out.value = number(x, "value", p);
    out.lot_median = number(x, "lot_median", p);
    out.rel_to_median = number(x, "rel_to_median", p);
    out.robust_z = number(x, "robust_z", p);
    out.verdict =
        parsed<Verdict>(p + ".verdict", [&] { return verdict_from_string(str(x, "verdict", p)); });
    lot.outliers.push_back(out);
  }
  const json& cs = array(j, "clauses", "");
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const std::string p = fmt::format("clauses[{}]", i);
    const json& x = cs[i];
    LotClause c;
    c.id = str(x, "id", p);
    c.metric = str(x, "metric", p);
    c.kind = str(x, "kind", p);
    c.unit = str(x, "unit", p);
    c.stat = str(x, "stat", p);
    c.scope = parsed<Scope>(p + ".scope", [&] { return scope_from_string(str(x, "scope", p)); });
    c.higher_is_better = boolean(x, "higher_is_better", p);
    c.threshold = threshold_from(at(x, "threshold", p), p + ".threshold");
    c.counts = counts_from(at(x, "counts", p), p + ".counts");
    if (const json& d = at(x, "distribution", p); !d.is_null()) {
      const std::string dp = p + ".distribution";
      Distribution dist;
      dist.n = integer(d, "n", dp);
      dist.median = number(d, "median", dp);
      dist.mad = number(d, "mad", dp);
      dist.p1 = number(d, "p1", dp);
      dist.p5 = number(d, "p5", dp);
      dist.min = number(d, "min", dp);
      dist.max = number(d, "max", dp);
      dist.worst = number(d, "worst", dp);
      dist.worst_node = str(d, "worst_node", dp);
      dist.worst_target = str(d, "worst_target", dp);
      dist.worst_gpu_uuid = str(d, "worst_gpu_uuid", dp);
      c.distribution = dist;
    }
    lot.clauses.push_back(c);
  }
  const json& ns = array(j, "nodes", "");
  for (std::size_t i = 0; i < ns.size(); ++i) {
    const std::string p = fmt::format("nodes[{}]", i);
    const json& x = ns[i];
    LotNode n;
    n.dir = str(x, "dir", p);
    n.hostname = str(x, "hostname", p);
    n.readable = boolean(x, "readable", p);
    n.load_error = str(x, "load_error", p);
    const json& sig = at(x, "signature", p);
    const std::string state = str(sig, "state", p + ".signature");
    using S = SignatureStatus::State;
    bool known = false;
    for (S s : {S::not_checked, S::unsigned_, S::valid, S::untrusted, S::invalid})
      if (state == state_name(s)) {
        n.signature.state = s;
        known = true;
      }
    if (!known)
      bad(p + ".signature.state", "'" + state + "' is not a signature state");
    n.signature.key_id = str(sig, "key_id", p + ".signature");
    n.signature.detail = str(sig, "detail", p + ".signature");
    n.verified = boolean(x, "verified", p);
    n.simulated = boolean(x, "simulated", p);
    n.outcome =
        parsed<Outcome>(p + ".outcome", [&] { return outcome_from_string(str(x, "outcome", p)); });
    n.consistent = boolean(x, "consistent", p);
    n.counts = counts_from(at(x, "counts", p), p + ".counts");
    n.gpus = integer(x, "gpus", p);
    n.gpus_in_node = integer(x, "gpus_in_node", p);
    const json& np = at(x, "profile", p);
    n.profile_name = str(np, "name", p + ".profile");
    n.profile_sha256 = str(np, "sha256", p + ".profile");
    n.certificate_sha256 = str(x, "certificate_sha256", p);
    n.gpu_uuids = strings(x, "gpu_uuids", p);
    n.causes = strings(x, "causes", p);
    lot.nodes.push_back(n);
  }
  return lot;
}

int exit_code(const LotCertificate& lot) {
  switch (lot.outcome) {
  case Outcome::certified:
    return 0;
  case Outcome::inconclusive:
    return 5;
  case Outcome::not_certified:
    return 1;
  }
  return 1;
}

} // namespace gpucert::report
