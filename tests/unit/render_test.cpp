// Renderers: XML escaping, JUnit structure (one testcase per check, unique names, failure vs
// error vs skipped), golden Markdown, JUnit and HTML (update mode rewrites and fails, and never
// runs in CI), console summary, Prometheus and HTML escaping, the certificate's JSON round trip and
// its JSON Schema. Row-by-row content of every format: report_content_test.cpp.
#include "harness/core/error.hpp"
#include "harness/model/certificate.hpp"
#include "reports/render.hpp"
#include "reports/xml.hpp"
#include "tests/unit/json_schema_check.hpp"
#include "tests/unit/report_fixture.hpp"

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

/// A small certificate with every verdict and text that needs escaping in every format
/// (tests/unit/report_fixture.hpp; tests/data/golden/README.md says what each row must show).
Certificate sample() {
  return test::sample_certificate();
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

/// CI=true (GitHub Actions, GitLab and ci/test.sh's callers set it): a golden is never rewritten.
bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && *ci && std::string(ci) != "false" && std::string(ci) != "0";
}

/// Compares `actual` with tests/data/golden/NAME. GPUCERT_UPDATE_GOLDEN=1 rewrites the file and
/// FAILS (a rewritten golden is not a pass: read it against tests/data/golden/README.md, then
/// commit it); with CI=true update mode fails without writing anything.
void expect_golden(const std::string& name, const std::string& actual) {
  const std::string golden = std::string(GPUCERT_SOURCE_DIR) + "/tests/data/golden/" + name;
  if (const char* update = std::getenv("GPUCERT_UPDATE_GOLDEN"); update && *update) {
    if (in_ci()) {
      ADD_FAILURE() << "GPUCERT_UPDATE_GOLDEN is set with CI=true: goldens are never rewritten in "
                       "CI; "
                    << golden << " is unchanged";
      return;
    }
    const bool changed = slurp(golden) != actual;
    std::ofstream(golden, std::ios::binary) << actual;
    ADD_FAILURE() << "golden file " << (changed ? "rewritten" : "rewritten (unchanged)") << ": "
                  << golden
                  << "\nThis run is not a pass: review the file line by line against "
                     "tests/data/golden/README.md, commit it, and rerun without "
                     "GPUCERT_UPDATE_GOLDEN.";
    return;
  }
  const std::string expected = slurp(golden);
  ASSERT_FALSE(expected.empty()) << "missing golden file " << golden;
  if (actual == expected)
    return;
  // Name the first line that differs: a whole-document EXPECT_EQ of a report is hard to read.
  std::istringstream a(actual), e(expected);
  std::string la, le;
  int line = 0;
  while (true) {
    ++line;
    const bool ha = static_cast<bool>(std::getline(a, la));
    const bool he = static_cast<bool>(std::getline(e, le));
    if (!ha && !he)
      break;
    if (!ha || !he || la != le) {
      ADD_FAILURE() << golden << ":" << line << " differs\n  golden:   " << (he ? le : "(end)")
                    << "\n  rendered: " << (ha ? la : "(end)")
                    << "\nAfter an intended change: GPUCERT_UPDATE_GOLDEN=1 (never in CI), "
                       "review the file against tests/data/golden/README.md, commit it.";
      return;
    }
  }
  ADD_FAILURE() << golden << " differs from the rendered output (line endings?)";
}

TEST(Markdown, MatchesTheGoldenFile) {
  expect_golden("report.md", render("md", sample()));
}

TEST(Junit, MatchesTheGoldenFile) {
  expect_golden("report.junit.xml", render("junit", sample()));
}

TEST(Html, MatchesTheGoldenFile) {
  expect_golden("report.html", render("html", sample()));
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
                       "faults: gpu5:thermal) ***",
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

/// The fixture as measured on real hardware with every check passed, stated consistently.
Certificate real_and_passing() {
  Certificate c = test::real_certificate();
  for (auto& k : c.checks)
    k.verdict = Verdict::pass;
  c.counts = count(c.checks);
  c.outcome = Outcome::certified;
  c.summary = derive_summary(c);
  return c;
}

TEST(Console, RealCertificateHasNoSimulationBanner) {
  const Certificate c = real_and_passing();
  const std::string text = render_console(c);
  EXPECT_EQ(text.find("SIMULATED"), std::string::npos);
  EXPECT_NE(text.find("\nCERTIFIED: "), std::string::npos);
}

TEST(Prometheus, LabelsAreEscapedAndSimulationNeverCertifies) {
  Certificate c = sample();
  c.outcome = Outcome::certified; // stated, but its checks give NOT CERTIFIED: never trusted
  const std::string prom = render("prom-full", c);
  EXPECT_NE(prom.find("gpucert_certified{profile=\"h100-sxm5-80gb-8x-standard\",node=\"node<017>\","
                      "simulated=\"true\",outcome=\"NOT CERTIFIED\",scope=\"all 3 GPUs\"} 0"),
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
  // Simulated by its checks and inventory even with the flag cleared: still 0.
  c.simulated = false;
  EXPECT_EQ(render("prom", c).find("} 1\n# HELP gpucert_certificate_consistent"),
            std::string::npos);
  EXPECT_NE(
      render("prom", real_and_passing()).find("outcome=\"CERTIFIED\",scope=\"all 3 GPUs\"} 1"),
      std::string::npos);
  // Every check passed on the simulator: CERTIFIED, and still never 1.
  Certificate sim = real_and_passing();
  sim.results.backend = "sim";
  EXPECT_NE(render("prom", sim).find("outcome=\"CERTIFIED\",scope=\"all 3 GPUs\"} 0"),
            std::string::npos);
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
