// certificate.json: a full-field round trip (every field of Certificate/Check/Threshold/ProfileRef/
// ResultsRef set to a non-default value, read back and compared field by field; every property of
// reports/schema/certificate.schema.json present in the serialised fixture), and the certificates
// evaluate makes of an interrupted run, a run that lost a GPU and a run with a FAIL, checked
// against the embedded schema, with the outcome and summary they must state.
#include "harness/benchmarks/catalog.hpp"
#include "harness/evaluate/evaluate.hpp"
#include "harness/measure/benchmark.hpp"
#include "harness/model/certificate.hpp"
#include "harness/model/certificate_compact.hpp"
#include "harness/profile/profile.hpp"
#include "reports/render.hpp"
#include "tests/unit/full_fields.hpp"
#include "tests/unit/json_schema_check.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpucert::embedded {
const std::map<std::string, std::string>& schemas();
} // namespace gpucert::embedded

namespace gpucert::report {
namespace {

const test::SchemaCheck& schema() {
  static const test::SchemaCheck s(
      nlohmann::json::parse(embedded::schemas().at("certificate.schema.json")));
  return s;
}

void expect_valid(const nlohmann::json& j) {
  const auto errors = schema().errors(j);
  for (const auto& e : errors)
    ADD_FAILURE() << e;
}

// --- the full-field fixture --------------------------------------------------------------------

Check full_check(Verdict v, int i) {
  Check k;
  k.clause_id = "p2p-bidir-" + std::to_string(i);
  k.metric = "p2p.bidir.gbps";
  k.description = "NVLink peer copy, both directions";
  k.contract_ref = "MSA schedule B §4." + std::to_string(i);
  k.kind = "health";
  k.scope = Scope::gpu_pair;
  k.target = "gpu2-gpu7";
  k.gpus = {2, 7};
  k.verdict = v;
  k.stat = "p10";
  k.value = 715.5 + i;
  k.observed = "715.5";
  k.ci_lo = 700.25;
  k.ci_hi = 730.75;
  k.ci_method = "bootstrap-percentile";
  k.confidence = 0.9;
  k.threshold.min = 670;
  k.threshold.max = 900;
  k.threshold.equals = "true";
  k.threshold.unit = "GB/s";
  k.threshold.higher_is_better = false;
  k.margin = 45.5;
  k.margin_rel = 45.5 / 670;
  k.n = 33 + i;
  k.samples = {700.5, 715.5, 730.5};
  k.measurement = 40 + i;
  k.telemetry = {{2, test::full_telemetry(1980)}, {7, test::full_telemetry(1830)}};
  k.cause = "NVLink links down: 4 of 18";
  k.message = "95% interval straddles the threshold";
  k.stop_reason = "max_samples";
  k.started_at = "2026-01-31T10:01:00.000Z";
  k.finished_at = "2026-01-31T10:01:02.500Z";
  k.params = "bytes=268435456 engine=sm";
  k.simulated = true;
  k.pass_level = 0.025;
  k.fail_level = 0.025 / 129;
  k.mode = "batch";
  k.batches = 20;
  k.batch_size = 10 + i;
  k.diagnosis = Diagnosis{0.61, 8.7, -0.33, -4.6, true, true};
  k.relative = Relative{0.92, 795.5, 790.25, 801.75, {"gpu0", "gpu1"}};
  k.warmup_extensions = 2;
  k.samples_needed = 412;
  return k;
}

/// Every field set to something other than its default ("schema" has one value; counts are
/// derived from the checks, which hold one of every verdict so that every count is non-zero).
Certificate full_certificate() {
  Certificate c;
  c.tool_version = "0.9.1";
  c.git_revision = "0123456789ab";
  c.simulated = true;
  c.outcome = Outcome::inconclusive;
  c.summary = "1 of 5 checks could not be decided within their sampling budget";
  c.profile.name = "h200-sxm-141gb-8x";
  c.profile.description = "HGX H200, 8 GPUs";
  c.profile.tier = "soak";
  c.profile.sha256 = std::string(64, 'd');
  c.profile.files = {{"h200-sxm-141gb-8x.yaml", std::string(64, 'e')},
                     {"base.yaml", std::string(64, 'f')}};
  c.profile.confidence = 0.99;
  c.results.complete = true;
  c.results.incomplete_reason = "SIGINT"; // not consistent with complete, on purpose
  c.results.backend = "cuda";
  c.results.started_at = "2026-01-31T10:00:00.000Z";
  c.results.finished_at = "2026-01-31T10:07:00.000Z";
  c.results.tool_version = "0.9.0";
  c.results.git_revision = "fedcba987654";
  c.results.planned_profile_name = "h200-sxm-141gb-8x-quick";
  c.results.planned_profile_sha256 = std::string(64, '1');
  c.results.sha256 = std::string(64, '2');
  c.inventory = test::full_inventory(3);
  c.inventory_after = test::full_inventory(4);
  int i = 0;
  for (Verdict v :
       {Verdict::pass, Verdict::fail, Verdict::inconclusive, Verdict::error, Verdict::skipped})
    c.checks.push_back(full_check(v, ++i));
  c.counts = count(c.checks);
  c.scope.gpus = {0, 2, 5};
  c.scope.gpus_in_node = 8;
  c.scope.complete_node = true; // not consistent with the GPUs, on purpose: both must survive
  c.error_control.method = "bonferroni-fail-side-v0"; // not the default, on purpose
  c.error_control.family_size = 129;
  c.error_control.pass_level = 0.025;
  c.error_control.fail_level = 0.025 / 129;
  return c;
}

void expect_same(const Check& a, const Check& b, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(a.clause_id, b.clause_id);
  EXPECT_EQ(a.metric, b.metric);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.contract_ref, b.contract_ref);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.scope, b.scope);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.gpus, b.gpus);
  EXPECT_EQ(a.verdict, b.verdict);
  EXPECT_EQ(a.stat, b.stat);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.observed, b.observed);
  EXPECT_EQ(a.ci_lo, b.ci_lo);
  EXPECT_EQ(a.ci_hi, b.ci_hi);
  EXPECT_EQ(a.ci_method, b.ci_method);
  EXPECT_EQ(a.confidence, b.confidence);
  EXPECT_EQ(a.threshold.min, b.threshold.min);
  EXPECT_EQ(a.threshold.max, b.threshold.max);
  EXPECT_EQ(a.threshold.equals, b.threshold.equals);
  EXPECT_EQ(a.threshold.unit, b.threshold.unit);
  EXPECT_EQ(a.threshold.higher_is_better, b.threshold.higher_is_better);
  EXPECT_EQ(a.margin, b.margin);
  EXPECT_EQ(a.margin_rel, b.margin_rel);
  EXPECT_EQ(a.n, b.n);
  EXPECT_EQ(a.samples, b.samples);
  EXPECT_EQ(a.measurement, b.measurement);
  ASSERT_EQ(a.telemetry.size(), b.telemetry.size());
  for (const auto& [gpu, t] : a.telemetry) {
    ASSERT_TRUE(b.telemetry.count(gpu)) << "telemetry of GPU " << gpu;
    test::expect_same(t, b.telemetry.at(gpu), "telemetry " + std::to_string(gpu));
  }
  EXPECT_EQ(a.cause, b.cause);
  EXPECT_EQ(a.message, b.message);
  EXPECT_EQ(a.stop_reason, b.stop_reason);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.simulated, b.simulated);
  EXPECT_EQ(a.pass_level, b.pass_level);
  EXPECT_EQ(a.fail_level, b.fail_level);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.batches, b.batches);
  EXPECT_EQ(a.batch_size, b.batch_size);
  ASSERT_EQ(a.diagnosis.has_value(), b.diagnosis.has_value());
  if (a.diagnosis) {
    EXPECT_EQ(a.diagnosis->lag1, b.diagnosis->lag1);
    EXPECT_EQ(a.diagnosis->lag1_z, b.diagnosis->lag1_z);
    EXPECT_EQ(a.diagnosis->trend, b.diagnosis->trend);
    EXPECT_EQ(a.diagnosis->trend_z, b.diagnosis->trend_z);
    EXPECT_EQ(a.diagnosis->autocorrelated, b.diagnosis->autocorrelated);
    EXPECT_EQ(a.diagnosis->trending, b.diagnosis->trending);
  }
  ASSERT_EQ(a.relative.has_value(), b.relative.has_value());
  if (a.relative) {
    EXPECT_EQ(a.relative->min_ratio, b.relative->min_ratio);
    EXPECT_EQ(a.relative->reference, b.relative->reference);
    EXPECT_EQ(a.relative->reference_lo, b.relative->reference_lo);
    EXPECT_EQ(a.relative->reference_hi, b.relative->reference_hi);
    EXPECT_EQ(a.relative->siblings, b.relative->siblings);
  }
  EXPECT_EQ(a.warmup_extensions, b.warmup_extensions);
  EXPECT_EQ(a.samples_needed, b.samples_needed);
}

void expect_same(const Certificate& a, const Certificate& b) {
  EXPECT_EQ(a.schema, b.schema);
  EXPECT_EQ(a.tool_version, b.tool_version);
  EXPECT_EQ(a.git_revision, b.git_revision);
  EXPECT_EQ(a.simulated, b.simulated);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.summary, b.summary);
  EXPECT_EQ(a.profile.name, b.profile.name);
  EXPECT_EQ(a.profile.description, b.profile.description);
  EXPECT_EQ(a.profile.tier, b.profile.tier);
  EXPECT_EQ(a.profile.sha256, b.profile.sha256);
  EXPECT_EQ(a.profile.files, b.profile.files);
  EXPECT_EQ(a.profile.confidence, b.profile.confidence);
  EXPECT_EQ(a.results.complete, b.results.complete);
  EXPECT_EQ(a.results.incomplete_reason, b.results.incomplete_reason);
  EXPECT_EQ(a.results.backend, b.results.backend);
  EXPECT_EQ(a.results.started_at, b.results.started_at);
  EXPECT_EQ(a.results.finished_at, b.results.finished_at);
  EXPECT_EQ(a.results.tool_version, b.results.tool_version);
  EXPECT_EQ(a.results.git_revision, b.results.git_revision);
  EXPECT_EQ(a.results.planned_profile_name, b.results.planned_profile_name);
  EXPECT_EQ(a.results.planned_profile_sha256, b.results.planned_profile_sha256);
  EXPECT_EQ(a.results.sha256, b.results.sha256);
  test::expect_same(a.inventory, b.inventory, "inventory");
  ASSERT_EQ(a.inventory_after.has_value(), b.inventory_after.has_value());
  if (a.inventory_after)
    test::expect_same(*a.inventory_after, *b.inventory_after, "inventory_after");
  EXPECT_EQ(a.scope.gpus, b.scope.gpus);
  EXPECT_EQ(a.scope.gpus_in_node, b.scope.gpus_in_node);
  EXPECT_EQ(a.scope.complete_node, b.scope.complete_node);
  EXPECT_EQ(a.counts.total, b.counts.total);
  EXPECT_EQ(a.counts.pass, b.counts.pass);
  EXPECT_EQ(a.counts.fail, b.counts.fail);
  EXPECT_EQ(a.counts.inconclusive, b.counts.inconclusive);
  EXPECT_EQ(a.counts.error, b.counts.error);
  EXPECT_EQ(a.counts.skipped, b.counts.skipped);
  EXPECT_EQ(a.error_control.method, b.error_control.method);
  EXPECT_EQ(a.error_control.family_size, b.error_control.family_size);
  EXPECT_EQ(a.error_control.pass_level, b.error_control.pass_level);
  EXPECT_EQ(a.error_control.fail_level, b.error_control.fail_level);
  ASSERT_EQ(a.checks.size(), b.checks.size());
  for (std::size_t i = 0; i < a.checks.size(); ++i)
    expect_same(a.checks[i], b.checks[i], "checks[" + std::to_string(i) + "]");
}

TEST(CertificateJsonFull, FixtureHasNoFieldAtItsDefault) {
  const Certificate c = full_certificate();
  const nlohmann::json defaults = to_json(Certificate{});
  // tool.name is the constant "gpucert"; the inventories' own schema is constant too.
  test::expect_no_defaults(to_json(c), &defaults, "certificate",
                           {"schema", "certificate.tool.name"});
  // Checks are array elements: compare each with a default Check's serialisation (verdict is
  // exempt: one of the five is ERROR, the default, and the five differ from one another).
  Certificate one;
  one.checks = {Check{}};
  const nlohmann::json check_defaults = to_json(one).at("checks").at(0);
  const nlohmann::json j = to_json(c);
  for (std::size_t i = 0; i < c.checks.size(); ++i)
    test::expect_no_defaults(j.at("checks").at(i), &check_defaults,
                             "checks[" + std::to_string(i) + "]", {"verdict"});
  EXPECT_GT(
      c.counts.pass * c.counts.fail * c.counts.inconclusive * c.counts.error * c.counts.skipped, 0);
}

TEST(CertificateJsonFull, RoundTripKeepsEveryFieldFieldByField) {
  const Certificate c = full_certificate();
  const nlohmann::json j = to_json(c);
  expect_valid(j);
  const Certificate back = certificate_from_json(nlohmann::json::parse(j.dump()));
  expect_same(c, back);
  EXPECT_EQ(to_json(back), j);
  EXPECT_EQ(back.results.incomplete_reason, "SIGINT");
  EXPECT_EQ(back.checks.at(0).threshold.higher_is_better, false);
  // render("json-full") is the same document; render("json") its file form.
  EXPECT_EQ(nlohmann::json::parse(render("json-full", c)), j);
  EXPECT_EQ(render("json", c), certificate_text(c));
}

/// Every property path the schema declares ("checks[].interval.lo", "checks[].telemetry.*"),
/// following $ref, items, additionalProperties schemas and the non-null branch of oneOf.
void schema_paths(const nlohmann::json& root, const nlohmann::json& node, const std::string& path,
                  std::vector<std::string>& out, int depth = 0) {
  ASSERT_LT(depth, 20) << "schema nests too deep at " << path;
  const nlohmann::json* s = &node;
  while (s->contains("$ref")) {
    const std::string ref = s->at("$ref");
    s = &root.at("definitions").at(ref.substr(std::string("#/definitions/").size()));
  }
  if (s->contains("oneOf"))
    for (const auto& alt : s->at("oneOf"))
      if (!(alt.contains("type") && alt.at("type") == "null"))
        schema_paths(root, alt, path, out, depth + 1);
  if (s->contains("properties"))
    for (const auto& [key, sub] : s->at("properties").items()) {
      const std::string p = path.empty() ? key : path + "." + key;
      out.push_back(p);
      schema_paths(root, sub, p, out, depth + 1);
    }
  if (s->contains("items"))
    schema_paths(root, s->at("items"), path + "[]", out, depth + 1);
  if (s->contains("additionalProperties") && s->at("additionalProperties").is_object())
    schema_paths(root, s->at("additionalProperties"), path + ".*", out, depth + 1);
}

/// Whether `path` reaches a non-null value in `j`; "[]" and ".*" require at least one element and
/// the rest of the path in every element.
bool present(const nlohmann::json& j, const std::string& path) {
  if (path.empty())
    return !j.is_null();
  if (path.rfind("[]", 0) == 0) {
    if (!j.is_array() || j.empty())
      return false;
    const std::string rest = path.substr(2);
    for (const auto& e : j)
      if (!present(e, rest.empty() || rest[0] != '.' ? rest : rest.substr(1)))
        return false;
    return true;
  }
  std::string p = path[0] == '.' ? path.substr(1) : path;
  const auto end = p.find_first_of(".[");
  const std::string key = p.substr(0, end);
  const std::string rest = end == std::string::npos ? "" : p.substr(end);
  if (!j.is_object())
    return false;
  if (key == "*") {
    if (j.empty())
      return false;
    for (const auto& [k, v] : j.items())
      if (!present(v, rest))
        return false;
    return true;
  }
  return j.contains(key) && present(j.at(key), rest);
}

TEST(CertificateJsonFull, EverySchemaPropertyIsInTheSerialisedFixture) {
  const nlohmann::json root =
      nlohmann::json::parse(embedded::schemas().at("certificate.schema.json"));
  std::vector<std::string> paths;
  schema_paths(root, root, "", paths);
  ASSERT_GT(paths.size(), 60u) << "the schema walk found too little";
  const nlohmann::json j = to_json(full_certificate());
  for (const auto& p : paths)
    EXPECT_TRUE(present(j, p)) << p
                               << " is declared by the schema but absent or null in the "
                                  "full fixture: set it in full_certificate()";
}

void round_all(nlohmann::json& j, int digits = 7) {
  if (j.is_number_float())
    j = round_for_file(j.get<double>(), digits);
  else if (j.is_structured())
    for (auto& v : j)
      round_all(v, digits);
}

/// The full form as the file form keeps it (certificate_compact.hpp): numbers rounded (7
/// significant digits, 4 in telemetry and diagnostics), zero throttle fractions omitted, and a
/// benchmark check's samples left to results.json.
nlohmann::json as_kept(nlohmann::json j) {
  round_all(j);
  for (auto& k : j.at("checks")) {
    if (k.at("kind") == "benchmark" && !k.at("measurement").is_null())
      k["samples"] = nlohmann::json::array();
    round_all(k.at("diagnosis"), 4);
    for (auto& t : k.at("telemetry")) {
      round_all(t, 4);
      auto& th = t.at("throttle_fraction");
      for (auto it = th.begin(); it != th.end();)
        it = *it == 0 ? th.erase(it) : std::next(it);
    }
  }
  return j;
}

// The file form keeps every field of the full fixture (whose values all differ from their
// defaults and whose checks are health checks, so their samples stay): expanding it gives the
// full form back, numbers rounded to 9 significant digits.
TEST(CertificateFileForm, ExpandsToTheFullFormOfEveryField) {
  const Certificate c = full_certificate();
  const nlohmann::json want = as_kept(to_json(c));
  const nlohmann::json file = nlohmann::json::parse(certificate_text(c));
  EXPECT_EQ(file.at("schema"), kCompactCertificateSchema);
  EXPECT_EQ(expand_certificate_json(file), want);
  EXPECT_EQ(to_json(certificate_from_json(file)), want);
  const test::SchemaCheck v2(
      nlohmann::json::parse(embedded::schemas().at("certificate-v2.schema.json")));
  const auto errors = v2.errors(file);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors.front());
}

/// Fails when a field is added to (or removed from) one of these structs: add it to
/// full_certificate()/full_check() and to expect_same, then update the size here. Sizes are those
/// of x86-64 libstdc++ (GCC and Clang alike); elsewhere the check is skipped.
TEST(CertificateJsonFull, FixtureCoversEveryStructField) {
#if defined(__x86_64__) && defined(__GLIBCXX__) && !defined(_GLIBCXX_DEBUG)
  EXPECT_EQ(sizeof(Threshold), 112u) << "Threshold changed";
  EXPECT_EQ(sizeof(Check), 1048u) << "Check changed";
  EXPECT_EQ(sizeof(Counts), 24u) << "Counts changed";
  EXPECT_EQ(sizeof(ProfileRef), 160u) << "ProfileRef changed";
  EXPECT_EQ(sizeof(ResultsRef), 296u) << "ResultsRef changed";
  EXPECT_EQ(sizeof(RunScope), 32u) << "RunScope changed";
  EXPECT_EQ(sizeof(Certificate), 1728u) << "Certificate changed";
#else
  GTEST_SKIP() << "struct sizes are recorded for x86-64 libstdc++ only";
#endif
}

// --- certificates of failing, interrupted and lost-GPU runs ------------------------------------

constexpr const char* kProfile = R"(schema: gpucert/profile/v1
name: schema-unit
tier: quick
match: {gpu_count: 2}
method: {confidence: 0.95, min_samples: 10}
clauses:
  - {id: hbm-triad, metric: hbm.triad.gbps, min: 2800}
  - {id: launch, metric: launch.issue.us, max: 3}
  - {id: p2p, metric: p2p.uni.gbps, each: gpu-pair, min: 335}
  - {id: ecc, metric: inventory.ecc_uncorrected, max: 0}
)";

profile::Profile unit_profile() {
  return profile::parse_profile(builtin_registry(), kProfile, "schema-unit.yaml");
}

GpuInfo gpu(int index) {
  GpuInfo g;
  g.index = index;
  g.name = "NVIDIA H100 80GB HBM3";
  g.ecc_enabled = true;
  g.ecc_uncorrected_volatile = g.ecc_uncorrected_aggregate = 0;
  return g;
}

Measurement measurement(const std::string& benchmark, const std::string& metric, Target t,
                        double center) {
  Measurement m;
  m.benchmark = benchmark;
  m.params = Registry::resolve(*builtin_registry().find(benchmark), {});
  m.target = t;
  for (int i = 0; i < 20; ++i)
    m.metrics[metric].push_back(center * (1 - 0.005 + 0.01 * i / 19));
  m.seconds.assign(20, 1e-3);
  m.verification = {true, true, "ok"};
  m.stop_reason = "target_ci_reached";
  m.started_at = "2026-01-31T10:00:00.000Z";
  m.finished_at = "2026-01-31T10:00:01.000Z";
  return m;
}

/// A complete, healthy, simulated run on 2 GPUs.
Results healthy() {
  Results r;
  r.backend = "sim";
  r.simulated = true;
  r.complete = true;
  r.started_at = "2026-01-31T10:00:00.000Z";
  r.finished_at = "2026-01-31T10:05:00.000Z";
  r.inventory_before.simulated = true;
  r.inventory_before.sim_node = "h100-sxm5-80gb-8x";
  r.inventory_before.gpus = {gpu(0), gpu(1)};
  r.inventory_after = r.inventory_before;
  for (int g : {0, 1}) {
    r.measurements.push_back(measurement("hbm.triad", "hbm.triad.gbps", {Scope::gpu, {g}}, 2950));
    r.measurements.push_back(
        measurement("launch.issue", "launch.issue.us", {Scope::gpu, {g}}, 2.5));
  }
  r.measurements.push_back(measurement("p2p.uni", "p2p.uni.gbps", {Scope::gpu_pair, {0, 1}}, 390));
  return r;
}

const Check& find(const Certificate& c, const std::string& clause, const std::string& target) {
  for (const auto& k : c.checks)
    if (k.clause_id == clause && k.target == target)
      return k;
  throw std::runtime_error("no check " + clause + " on " + target);
}

/// What every certificate must satisfy: valid against the schema, counts that agree with the
/// checks, a JSON round trip that changes nothing, and every report format rendering.
void expect_well_formed(const Certificate& c) {
  const nlohmann::json j = to_json(c);
  expect_valid(j);
  int pass = 0, fail = 0, inconclusive = 0, error = 0, skipped = 0;
  for (const auto& k : j.at("checks")) {
    const std::string v = k.at("verdict");
    pass += v == "PASS";
    fail += v == "FAIL";
    inconclusive += v == "INCONCLUSIVE";
    error += v == "ERROR";
    skipped += v == "SKIPPED";
  }
  const auto& n = j.at("counts");
  EXPECT_EQ(n.at("total"), j.at("checks").size());
  EXPECT_EQ(n.at("pass"), pass);
  EXPECT_EQ(n.at("fail"), fail);
  EXPECT_EQ(n.at("inconclusive"), inconclusive);
  EXPECT_EQ(n.at("error"), error);
  EXPECT_EQ(n.at("skipped"), skipped);
  EXPECT_EQ(to_json(certificate_from_json(nlohmann::json::parse(j.dump()))), j);
  // The file form reads back as the full form, but for what it leaves to results.json.
  EXPECT_EQ(to_json(certificate_from_json(nlohmann::json::parse(certificate_text(c)))), as_kept(j));
  for (const auto& f : formats())
    EXPECT_FALSE(render(f.name, c).empty()) << f.name;
}

TEST(EvaluatedCertificateSchema, HealthyRunCertifiesAndIsValid) {
  const Certificate c = evaluate::evaluate(unit_profile(), healthy());
  expect_well_formed(c);
  EXPECT_EQ(c.outcome, Outcome::certified);
  EXPECT_EQ(c.counts.pass, c.counts.total);
  EXPECT_EQ(c.summary, std::to_string(c.counts.total) + " of " + std::to_string(c.counts.total) +
                           " checks passed");
  EXPECT_TRUE(c.simulated);
  EXPECT_EQ(to_json(c).at("outcome"), "CERTIFIED");
}

TEST(EvaluatedCertificateSchema, InterruptedRunIsValidAndSaysSo) {
  Results r = healthy();
  r.complete = false;
  r.incomplete_reason = "SIGTERM";
  std::erase_if(r.measurements, [](const Measurement& m) { return m.benchmark == "p2p.uni"; });
  r.inventory_after.reset(); // the run was stopped before the closing inventory
  const Certificate c = evaluate::evaluate(unit_profile(), r);
  expect_well_formed(c);
  const nlohmann::json j = to_json(c);
  EXPECT_EQ(j.at("outcome"), "NOT CERTIFIED");
  EXPECT_EQ(j.at("results").at("complete"), false);
  EXPECT_EQ(j.at("results").at("incomplete_reason"), "SIGTERM");
  EXPECT_TRUE(j.at("inventory_after").is_null());
  EXPECT_EQ(c.summary, "run incomplete (SIGTERM), 1 of " + std::to_string(c.counts.total) +
                           " checks could not be measured (gpu0-gpu1 p2p)");
  const Check& p2p = find(c, "p2p", "gpu0-gpu1");
  EXPECT_EQ(p2p.verdict, Verdict::error);
  EXPECT_EQ(p2p.message, "not reached: run interrupted (SIGTERM)");
  EXPECT_EQ(c.counts.error, 1);
  EXPECT_EQ(c.counts.fail, 0);
  EXPECT_NE(render("md", c).find("> **Run incomplete (SIGTERM).**"), std::string::npos);
  EXPECT_NE(render("junit", c).find("<property name=\"results_complete\" value=\"false\"/>"),
            std::string::npos);
}

TEST(EvaluatedCertificateSchema, InterruptedRunWithEverythingMeasuredStillSaysIncomplete) {
  Results r = healthy();
  r.complete = false;
  r.incomplete_reason = "SIGINT";
  const Certificate c = evaluate::evaluate(unit_profile(), r);
  expect_well_formed(c);
  EXPECT_EQ(c.outcome, Outcome::not_certified);
  EXPECT_EQ(c.counts.error, 0);
  EXPECT_EQ(c.summary, "run incomplete (SIGINT)");
}

TEST(EvaluatedCertificateSchema, LostGpuIsErrorOnEveryCheckOfItAndValid) {
  Results r = healthy();
  for (auto& m : r.measurements) {
    if (std::find(m.target.gpus.begin(), m.target.gpus.end(), 1) == m.target.gpus.end())
      continue;
    m.status = MeasurementStatus::error;
    m.message = "GPU 1 fell off the bus (cudaErrorDevicesUnavailable)";
    m.stop_reason = "error";
    for (auto& [name, values] : m.metrics)
      values.resize(3); // a few samples before the GPU was lost: still never PASS
    m.seconds.resize(3);
  }
  r.inventory_after->gpus.pop_back(); // GPU 1 is gone from the closing inventory
  const Certificate c = evaluate::evaluate(unit_profile(), r);
  expect_well_formed(c);
  EXPECT_EQ(c.outcome, Outcome::not_certified);
  for (const auto& [clause, target] : std::vector<std::pair<std::string, std::string>>{
           {"hbm-triad", "gpu1"}, {"launch", "gpu1"}, {"p2p", "gpu0-gpu1"}}) {
    const Check& k = find(c, clause, target);
    EXPECT_EQ(k.verdict, Verdict::error) << clause << " " << target;
    EXPECT_EQ(k.message, "GPU 1 fell off the bus (cudaErrorDevicesUnavailable)");
    EXPECT_FALSE(k.value.has_value()) << "a lost GPU's partial samples are no statistic";
  }
  EXPECT_EQ(find(c, "hbm-triad", "gpu0").verdict, Verdict::pass);
  // The closing inventory lacks GPU 1: the node no longer has the contracted GPU count (a FAIL
  // with the readings as its cause) and GPU 1's health cannot be read after the run (ERROR).
  const Check& count = find(c, "match.gpu_count", "node");
  EXPECT_EQ(count.verdict, Verdict::fail);
  EXPECT_EQ(count.cause, "reads 1 after the run, expected = 2");
  EXPECT_EQ(count.observed, "2 → 1");
  const Check& ecc = find(c, "ecc", "gpu1");
  EXPECT_EQ(ecc.verdict, Verdict::error);
  EXPECT_EQ(ecc.message, "inventory.ecc_uncorrected after the run: gpu1 is not in the inventory");
  EXPECT_EQ(find(c, "ecc", "gpu0").verdict, Verdict::pass);
  EXPECT_EQ(c.counts.fail, 1);
  EXPECT_EQ(c.counts.error, 4);
  EXPECT_EQ(c.counts.pass, 3);
  const std::string total = std::to_string(c.counts.total);
  EXPECT_EQ(c.summary, "1 of " + total + " checks failed, 4 of " + total +
                           " checks could not be measured (node match.gpu_count, gpu1 hbm-triad, "
                           "gpu1 launch, gpu0-gpu1 p2p, gpu1 ecc)");
  const nlohmann::json j = to_json(c);
  EXPECT_EQ(j.at("inventory_after").at("gpus").size(), 1u);
}

TEST(EvaluatedCertificateSchema, FailIsValidAndNamedInTheSummary) {
  Results r = healthy();
  for (auto& m : r.measurements)
    if (m.benchmark == "hbm.triad" && m.target.gpus == std::vector<int>{1})
      m = measurement("hbm.triad", "hbm.triad.gbps", {Scope::gpu, {1}}, 2040);
  const Certificate c = evaluate::evaluate(unit_profile(), r);
  expect_well_formed(c);
  EXPECT_EQ(c.outcome, Outcome::not_certified);
  const Check& k = find(c, "hbm-triad", "gpu1");
  EXPECT_EQ(k.verdict, Verdict::fail);
  ASSERT_TRUE(k.value && k.ci_hi && k.margin);
  EXPECT_LT(*k.ci_hi, 2800);
  EXPECT_LT(*k.margin, 0);
  EXPECT_EQ(c.counts.fail, 1);
  EXPECT_EQ(c.counts.error, 0);
  EXPECT_EQ(c.summary,
            "1 of " + std::to_string(c.counts.total) + " checks failed (gpu1 hbm-triad)");
  EXPECT_EQ(to_json(c).at("outcome"), "NOT CERTIFIED");
}

TEST(EvaluatedCertificateSchema, FailAndLostGpuAndInterruptionTogether) {
  Results r = healthy();
  r.complete = false;
  r.incomplete_reason = "crash";
  for (auto& m : r.measurements) {
    if (m.benchmark == "hbm.triad" && m.target.gpus == std::vector<int>{0})
      m = measurement("hbm.triad", "hbm.triad.gbps", {Scope::gpu, {0}}, 2040);
    if (m.benchmark == "launch.issue" && m.target.gpus == std::vector<int>{1}) {
      m.status = MeasurementStatus::error;
      m.message = "GPU 1 lost";
    }
  }
  std::erase_if(r.measurements, [](const Measurement& m) { return m.benchmark == "p2p.uni"; });
  const Certificate c = evaluate::evaluate(unit_profile(), r);
  expect_well_formed(c);
  EXPECT_EQ(c.outcome, Outcome::not_certified);
  EXPECT_EQ(c.summary, "run incomplete (crash), 1 of " + std::to_string(c.counts.total) +
                           " checks failed, 2 of " + std::to_string(c.counts.total) +
                           " checks could not be measured (gpu0 hbm-triad, gpu1 launch, "
                           "gpu0-gpu1 p2p)");
}

} // namespace
} // namespace gpucert::report
