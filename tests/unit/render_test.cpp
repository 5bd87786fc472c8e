// Renderers: XML escaping, JUnit structure (one testcase per check, unique names, failure vs
// error vs skipped), golden Markdown, console summary, Prometheus and HTML escaping, the
// certificate's JSON round trip and its JSON Schema.
#include "harness/core/error.hpp"
#include "harness/model/certificate.hpp"
#include "reports/render.hpp"
#include "reports/xml.hpp"
#include "tests/unit/json_schema_check.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <regex>
#include <sstream>

namespace gpucert::embedded {
const std::map<std::string, std::string>& schemas();
} // namespace gpucert::embedded

namespace gpucert::report {
namespace {

Check check(const std::string& id, const std::string& target, Verdict v) {
  Check k;
  k.clause_id = id;
  k.metric = "hbm.triad.gbps";
  k.kind = "benchmark";
  k.scope = Scope::gpu;
  k.target = target;
  k.gpus = {target.back() - '0'};
  k.verdict = v;
  k.stat = "median";
  k.confidence = 0.95;
  k.threshold.min = 2800;
  k.threshold.unit = "GB/s";
  k.params = "bytes=1073741824";
  k.started_at = "2026-01-31T10:00:00.000Z";
  k.finished_at = "2026-01-31T10:00:01.500Z";
  k.simulated = true;
  return k;
}

/// A small certificate with every verdict and text that needs escaping in every format.
Certificate sample() {
  Certificate c;
  c.tool_version = "0.1.0";
  c.git_revision = "abcdef123456";
  c.simulated = true;
  c.outcome = Outcome::not_certified;
  c.summary =
      "1 of 5 checks failed, 1 of 5 checks could not be measured (gpu5 hbm-triad, gpu3 hbm-triad)";
  const std::string profile_name = "h100-sxm5-80gb-8x-standard";
  c.profile = {profile_name,
               "HGX H100",
               "standard",
               std::string(64, 'a'),
               {{"p.yaml", std::string(64, 'a')}},
               0.95};
  c.results.complete = true;
  c.results.backend = "sim";
  c.results.started_at = "2026-01-31T10:00:00.000Z";
  c.results.finished_at = "2026-01-31T10:05:00.000Z";
  c.results.tool_version = "0.1.0";
  c.results.git_revision = "abcdef123456";
  c.results.planned_profile_name = profile_name;
  c.results.planned_profile_sha256 = std::string(64, 'a');
  c.results.sha256 = std::string(64, 'b');
  c.inventory.simulated = true;
  c.inventory.sim_node = "h100-sxm5-80gb-8x";
  c.inventory.sim_faults = {"gpu5:hbm=0.7"};
  c.inventory.collected_at = "2026-01-31T10:00:00Z";
  c.inventory.node.hostname = "node<017>";
  c.inventory.node.driver_version = "580.95.05";
  for (int i : {0, 3, 5}) {
    GpuInfo g;
    g.index = i;
    g.name = "NVIDIA H100 80GB HBM3";
    g.pcie_gen_current = 5;
    g.pcie_width_current = 16;
    g.nvlink_links_active = g.nvlink_links_total = 18;
    g.ecc_enabled = true;
    g.ecc_uncorrected_volatile = 0;
    g.serial = "16522230" + std::to_string(i);
    c.inventory.gpus.push_back(g);
  }

  Check pass = check("hbm-triad", "gpu0", Verdict::pass);
  pass.value = 2970.5;
  pass.ci_lo = 2961;
  pass.ci_hi = 2979;
  pass.ci_method = "order-statistic";
  pass.n = 12;
  pass.margin = 170.5;
  pass.margin_rel = 170.5 / 2800;
  pass.samples = {2961, 2965, 2970, 2971, 2979};
  TelemetrySummary t;
  t.available = true;
  t.samples = 10;
  t.sm_clock_mhz_mean = 1950;
  t.temperature_c_max = 61;
  t.throttle_fraction = {{"hw_slowdown", 0}};
  pass.telemetry[0] = t;

  Check fail = check("hbm-triad", "gpu5", Verdict::fail);
  fail.value = 2040;
  fail.ci_lo = 2030;
  fail.ci_hi = 2050;
  fail.ci_method = "order-statistic";
  fail.n = 10;
  fail.margin = -760;
  fail.margin_rel = -760.0 / 2800;
  fail.cause = "HW slowdown (thermal) 41% of window, 87 °C & <rising> | \"hot\"";

  Check error = check("hbm-triad", "gpu3", Verdict::error);
  error.message = "setup: GPU 3 fell off the bus\x01 (cudaErrorDevicesUnavailable)";

  Check undecided = check("launch", "gpu0", Verdict::inconclusive);
  undecided.metric = "launch.stream.us";
  undecided.threshold.min.reset();
  undecided.threshold.max = 3;
  undecided.threshold.unit = "us";
  undecided.threshold.higher_is_better = false;
  undecided.value = 2.98;
  undecided.ci_lo = 2.9;
  undecided.ci_hi = 3.1;
  undecided.ci_method = "order-statistic";
  undecided.n = 200;
  undecided.message =
      "95% interval 2.9–3.1 straddles the threshold ≤ 3 us after 200 samples (max_samples)";

  Check skipped = check("p2p", "gpu0-gpu3", Verdict::skipped);
  skipped.scope = Scope::gpu_pair;
  skipped.gpus = {0, 3};
  skipped.metric = "p2p.uni.gbps";
  skipped.message = "no peer access between GPU 0 and GPU 3";

  c.checks = {pass, fail, error, undecided, skipped};
  c.counts = count(c.checks);
  return c;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(XmlEscape, EscapesMarkupAndReplacesForbiddenControlCharacters) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
  EXPECT_EQ(xml_escape(std::string("x\x01y\x1f", 4)), "x\xEF\xBF\xBDy\xEF\xBF\xBD");
  EXPECT_EQ(xml_escape("87 °C"), "87 °C"); // UTF-8 passes through
  EXPECT_EQ(xml_escape(""), "");
  EXPECT_EQ(xml_escape("&amp;"), "&amp;amp;"); // no double-unescaping
}

TEST(Junit, OneTestcasePerCheckWithTheRightElement) {
  const std::string xml = render("junit", sample());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
  const std::regex testcase("<testcase ");
  EXPECT_EQ(
      std::distance(std::sregex_iterator(xml.begin(), xml.end(), testcase), std::sregex_iterator()),
      5);
  EXPECT_NE(xml.find("name=\"hbm-triad gpu5\""), std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"sla_violation\""), std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"inconclusive\""), std::string::npos);
  EXPECT_NE(xml.find("<error type=\"not_measured\""), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"no peer access between GPU 0 and GPU 3\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("tests=\"5\" failures=\"2\" errors=\"1\" skipped=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"simulated\" value=\"true\"/>"), std::string::npos);
  EXPECT_NE(xml.find("time=\"1.500\""), std::string::npos);
  // The cause's markup is escaped, never raw.
  EXPECT_EQ(xml.find("<rising>"), std::string::npos);
  EXPECT_NE(xml.find("&amp; &lt;rising&gt; | &quot;hot&quot;"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_NE(xml.find("hostname=\"node&lt;017&gt;\""), std::string::npos);
}

TEST(Junit, DuplicateNamesAreMadeUnique) {
  Certificate c = sample();
  c.checks.push_back(c.checks[0]);
  c.counts = count(c.checks);
  const std::string xml = render("junit", c);
  EXPECT_NE(xml.find("name=\"hbm-triad gpu0 #2\""), std::string::npos);
}

TEST(Junit, WrongResultsAreTheirOwnFailureType) {
  Certificate c = sample();
  c.checks[1].cause = "wrong results: result check failed";
  EXPECT_NE(render("junit", c).find("<failure type=\"wrong_results\""), std::string::npos);
}

TEST(Markdown, MatchesTheGoldenFile) {
  const std::string golden = std::string(GPUCERT_SOURCE_DIR) + "/tests/data/golden/report.md";
  const std::string md = render("md", sample());
  if (std::getenv("GPUCERT_UPDATE_GOLDEN")) {
    std::ofstream(golden, std::ios::binary) << md;
    GTEST_SKIP() << "golden file rewritten: " << golden;
  }
  EXPECT_EQ(md, slurp(golden))
      << "regenerate with GPUCERT_UPDATE_GOLDEN=1 after an intended change";
}

TEST(Markdown, FailuresComeFirstAndSimulatedIsStamped) {
  const std::string md = render("md", sample());
  EXPECT_NE(md.find("SIMULATED — not a certification"), std::string::npos);
  const auto failures = md.find("## Failures and errors");
  const auto passed = md.find("## Passed");
  ASSERT_NE(failures, std::string::npos);
  ASSERT_NE(passed, std::string::npos);
  EXPECT_LT(failures, passed);
  // FAIL before ERROR inside the section; table cells escape pipes.
  EXPECT_LT(md.find("| FAIL |"), md.find("| ERROR |"));
  EXPECT_NE(md.find("\\| \"hot\""), std::string::npos);
}

TEST(Console, SummaryNamesTheFailureAndTheOutcome) {
  ConsoleOptions o;
  o.evidence = {"out/certificate.json"};
  const std::string text = render_console(sample(), o);
  EXPECT_EQ(text.rfind("*** SIMULATED — not a certification (simulator node h100-sxm5-80gb-8x, "
                       "faults: gpu5:hbm=0.7) ***",
                       0),
            0u);
  EXPECT_TRUE(std::regex_search(text, std::regex("FAIL +hbm-triad +gpu5 +median 2.04 TB/s +≥ 2.80 "
                                                 "TB/s +\\(CI 2.03–2.05\\) +cause: HW slowdown")))
      << text;
  EXPECT_NE(text.find("NOT CERTIFIED (SIMULATED — not a certification): 1 of 5 checks failed"),
            std::string::npos);
  EXPECT_NE(text.find("Evidence: out/certificate.json"), std::string::npos);
  EXPECT_NE(text.find("INCONCLUSIVE"), std::string::npos);
  EXPECT_NE(text.find("SKIPPED"), std::string::npos);
}

TEST(Console, RealCertificateHasNoSimulationBanner) {
  Certificate c = sample();
  c.simulated = false;
  c.outcome = Outcome::certified;
  const std::string text = render_console(c);
  EXPECT_EQ(text.find("SIMULATED"), std::string::npos);
  EXPECT_NE(text.find("\nCERTIFIED: "), std::string::npos);
}

TEST(Prometheus, LabelsAreEscapedAndSimulationNeverCertifies) {
  Certificate c = sample();
  c.outcome = Outcome::certified;
  const std::string prom = render("prom", c);
  EXPECT_NE(prom.find("gpucert_certified{profile=\"h100-sxm5-80gb-8x-standard\",node=\"node<017>\","
                      "simulated=\"true\",outcome=\"CERTIFIED\"} 0"),
            std::string::npos)
      << prom;
  EXPECT_NE(prom.find("# TYPE gpucert_check_value gauge"), std::string::npos);
  EXPECT_NE(
      prom.find("gpucert_check_verdict{profile=\"h100-sxm5-80gb-8x-standard\",node=\"node<017>\","
                "simulated=\"true\",clause=\"hbm-triad\",target=\"gpu5\",metric=\"hbm.triad."
                "gbps\",verdict=\"FAIL\"} 1"),
      std::string::npos);
  c.checks[0].clause_id = "a\"b\\c\nd";
  EXPECT_NE(render("prom", c).find("clause=\"a\\\"b\\\\c\\nd\""), std::string::npos);
  c.simulated = false;
  EXPECT_NE(render("prom", c).find("outcome=\"CERTIFIED\"} 1"), std::string::npos);
}

TEST(Html, EscapesEverything) {
  const std::string html = render("html", sample());
  EXPECT_EQ(html.find("<rising>"), std::string::npos);
  EXPECT_NE(html.find("&lt;rising&gt;"), std::string::npos);
  EXPECT_NE(html.find("SIMULATED — not a certification"), std::string::npos);
}

TEST(Render, UnknownFormatIsBadInput) {
  EXPECT_THROW(render("pdf", sample()), InputError);
  for (const auto& f : formats())
    EXPECT_FALSE(render(f.name, sample()).empty()) << f.name;
}

TEST(CertificateJson, RoundTripsExactly) {
  const Certificate c = sample();
  const nlohmann::json j = to_json(c);
  const Certificate back = certificate_from_json(j);
  EXPECT_EQ(to_json(back), j);
  EXPECT_EQ(back.checks.size(), 5u);
  EXPECT_EQ(back.checks[1].verdict, Verdict::fail);
  EXPECT_EQ(back.checks[0].telemetry.at(0).temperature_c_max, 61);
}

TEST(CertificateJson, MalformedDocumentsAreBadInput) {
  nlohmann::json j = to_json(sample());
  j["checks"][0]["verdict"] = "MAYBE";
  EXPECT_THROW(certificate_from_json(j), InputError);
  j = to_json(sample());
  j.erase("profile");
  EXPECT_THROW(certificate_from_json(j), InputError);
  j = to_json(sample());
  j["schema"] = "gpucert/certificate/v0";
  EXPECT_THROW(certificate_from_json(j), InputError);
  EXPECT_THROW(certificate_from_json(nlohmann::json::array()), InputError);
}

TEST(CertificateSchema, EmbeddedSchemaAcceptsOurCertificateAndRejectsDrift) {
  const auto& schemas = embedded::schemas();
  ASSERT_TRUE(schemas.count("certificate.schema.json"));
  const test::SchemaCheck schema(nlohmann::json::parse(schemas.at("certificate.schema.json")));
  const nlohmann::json j = to_json(sample());
  const auto errors = schema.errors(j);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors.front());
  nlohmann::json bad = j;
  bad["checks"][0]["surprise"] = 1;
  EXPECT_FALSE(schema.errors(bad).empty());
  bad = j;
  bad["checks"][0]["verdict"] = "OK";
  EXPECT_FALSE(schema.errors(bad).empty());
  bad = j;
  bad.erase("simulated");
  EXPECT_FALSE(schema.errors(bad).empty());
}

} // namespace
} // namespace gpucert::report
