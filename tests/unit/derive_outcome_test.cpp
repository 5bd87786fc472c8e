// Reports derive, never trust: the one outcome rule (report::derive_outcome), every renderer's
// headline from the checks with a loud INCONSISTENT banner when the stored outcome, counts or
// summary disagree, the SIMULATED stamp from every evidence of simulation, the signature status
// per state in every format, and the run's scope (a subset of the node) in every format.
#include "harness/model/certificate.hpp"
#include "reports/format.hpp"
#include "reports/render.hpp"
#include "tests/unit/report_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gpucert::report {
namespace {

using S = SignatureStatus::State;

Check verdict_check(Verdict v, int gpu) {
  Check k = test::fixture_check("c" + std::to_string(gpu), "gpu" + std::to_string(gpu), v);
  k.gpus = {gpu};
  k.simulated = false;
  return k;
}

/// A real (not simulated) certificate whose checks all passed, stated consistently.
Certificate passing() {
  Certificate c = test::real_certificate();
  c.checks.clear();
  for (int g : {0, 3, 5})
    c.checks.push_back(verdict_check(Verdict::pass, g));
  c.counts = count(c.checks);
  c.outcome = derive_outcome(c.checks, c.results.complete);
  c.summary = derive_summary(c);
  return c;
}

/// `jq '.outcome="CERTIFIED"'` on a failed certificate.
Certificate forged() {
  Certificate c = test::real_certificate();
  c.outcome = Outcome::certified;
  return c;
}

std::string all(const Certificate& c, const SignatureStatus& sig = {}) {
  std::string s;
  for (const Format& f : formats())
    if (f.name != "json")
      s += f.render(c, sig);
  ConsoleOptions o;
  o.signature = sig;
  return s + render_console(c, o);
}

TEST(DeriveOutcome, TheOneRule) {
  const auto checks = [](std::initializer_list<Verdict> vs) {
    std::vector<Check> out;
    int g = 0;
    for (Verdict v : vs)
      out.push_back(verdict_check(v, g++));
    return out;
  };
  EXPECT_EQ(derive_outcome({}, true), Outcome::not_certified) << "no check: nothing verified";
  EXPECT_EQ(derive_outcome(checks({Verdict::skipped}), true), Outcome::not_certified);
  EXPECT_EQ(derive_outcome(checks({Verdict::pass, Verdict::skipped}), true), Outcome::certified);
  EXPECT_EQ(derive_outcome(checks({Verdict::pass}), false), Outcome::not_certified)
      << "complete:false never certifies";
  EXPECT_EQ(derive_outcome(checks({Verdict::pass, Verdict::inconclusive}), true),
            Outcome::inconclusive);
  EXPECT_EQ(derive_outcome(checks({Verdict::inconclusive, Verdict::error}), true),
            Outcome::not_certified);
  EXPECT_EQ(derive_outcome(checks({Verdict::pass, Verdict::fail}), true), Outcome::not_certified);
  EXPECT_EQ(derive_outcome(checks({Verdict::pass, Verdict::pass}), true), Outcome::certified);
}

TEST(DeriveOutcome, ConsistentCertificateHasNoBanner) {
  const Derived d = derive(passing());
  EXPECT_TRUE(d.consistent) << d.inconsistency;
  EXPECT_EQ(d.outcome, Outcome::certified);
  EXPECT_FALSE(d.simulated);
  const std::string text = all(passing());
  EXPECT_EQ(text.find("INCONSISTENT"), std::string::npos);
  EXPECT_NE(text.find("gpucert_certificate_consistent{"), std::string::npos);
  EXPECT_NE(render("prom", passing()).find("} 1\n# HELP gpucert_certificate_consistent"),
            std::string::npos)
      << "gpucert_certified 1 on a consistent real certificate";
  EXPECT_NE(render("prom", passing()).find("stated_outcome=\"CERTIFIED\"} 1\n"), std::string::npos);
}

TEST(DeriveOutcome, StoredCertifiedOverFailingChecksIsShownAsItsChecksGive) {
  const Certificate c = forged();
  const Derived d = derive(c);
  EXPECT_FALSE(d.consistent);
  EXPECT_EQ(d.outcome, Outcome::not_certified);
  const std::string banner =
      "INCONSISTENT: the certificate states CERTIFIED but its checks give NOT CERTIFIED";
  const std::string md = render("md", c);
  EXPECT_EQ(md.rfind("# gpucert: NOT CERTIFIED\n", 0), 0u) << md;
  EXPECT_NE(md.find("> **" + banner), std::string::npos) << md;
  const std::string html = render("html", c);
  EXPECT_NE(html.find("<title>gpucert NOT CERTIFIED — "), std::string::npos);
  EXPECT_NE(html.find("<h1>NOT CERTIFIED</h1>"), std::string::npos);
  EXPECT_EQ(html.find("<h1>CERTIFIED</h1>"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"alarm\">" + banner), std::string::npos);
  const std::string junit = render("junit", c);
  EXPECT_NE(junit.find("<property name=\"outcome\" value=\"NOT CERTIFIED\"/>"), std::string::npos);
  EXPECT_NE(junit.find("<property name=\"consistent\" value=\"false\"/>"), std::string::npos);
  EXPECT_NE(junit.find("<property name=\"stated_outcome\" value=\"CERTIFIED\"/>"),
            std::string::npos);
  EXPECT_NE(junit.find("<failure type=\"inconsistent\" message=\"" + banner), std::string::npos);
  const std::string prom = render("prom", c);
  EXPECT_NE(prom.find("outcome=\"NOT CERTIFIED\""), std::string::npos);
  EXPECT_EQ(prom.find(",outcome=\"CERTIFIED\""), std::string::npos);
  EXPECT_NE(prom.find("stated_outcome=\"CERTIFIED\"} 0\n"), std::string::npos) << prom;
  const std::string con = render_console(c);
  EXPECT_NE(con.find("*** " + banner), std::string::npos);
  EXPECT_NE(con.find("\nNOT CERTIFIED: "), std::string::npos);
  // JSON is the certificate itself: it states what it states.
  EXPECT_EQ(nlohmann::json::parse(render("json", c)).at("outcome"), "CERTIFIED");
}

TEST(DeriveOutcome, ForgedOutcomeReadBackFromJsonIsCaught) {
  nlohmann::json j = to_json(test::real_certificate());
  j["outcome"] = "CERTIFIED";
  const Certificate c = certificate_from_json(j);
  EXPECT_EQ(c.outcome, Outcome::certified) << "read as stated";
  EXPECT_EQ(render("md", c).rfind("# gpucert: NOT CERTIFIED\n", 0), 0u);
  // Forged counts and summary are caught too, with the outcome left alone.
  nlohmann::json k = to_json(test::real_certificate());
  k["counts"]["fail"] = 0;
  k["counts"]["pass"] = 2;
  EXPECT_NE(render("md", certificate_from_json(k)).find("INCONSISTENT: its counts"),
            std::string::npos);
  nlohmann::json s = to_json(test::real_certificate());
  s["summary"] = "all good";
  EXPECT_NE(render("md", certificate_from_json(s)).find("INCONSISTENT: its summary"),
            std::string::npos);
}

TEST(DeriveOutcome, IncompleteOrEmptyNeverDerivesCertified) {
  Certificate incomplete = passing();
  incomplete.results.complete = false;
  incomplete.results.incomplete_reason = "SIGTERM";
  EXPECT_EQ(derive(incomplete).outcome, Outcome::not_certified);
  EXPECT_NE(render("md", incomplete).find("INCONSISTENT: the certificate states CERTIFIED"),
            std::string::npos);
  EXPECT_NE(render("prom", incomplete).find("gpucert_certified{"), std::string::npos);
  EXPECT_NE(render("prom", incomplete).find("outcome=\"NOT CERTIFIED\",scope=\"all 3 GPUs\"} 0"),
            std::string::npos)
      << render("prom", incomplete);
  Certificate empty = passing();
  empty.checks.clear();
  EXPECT_EQ(derive(empty).outcome, Outcome::not_certified);
  EXPECT_EQ(render("md", empty).rfind("# gpucert: NOT CERTIFIED\n", 0), 0u);
  EXPECT_NE(render("md", empty).find("no checks: nothing was verified"), std::string::npos);
  EXPECT_NE(render("junit", empty).find("<property name=\"outcome\" value=\"NOT CERTIFIED\"/>"),
            std::string::npos);
}

TEST(DeriveSimulated, StampSurvivesSimulatedFalseEditedIn) {
  Certificate c = test::sample_certificate();
  c.simulated = false; // jq '.simulated=false'
  EXPECT_TRUE(derive(c).simulated);
  const std::string md = render("md", c);
  EXPECT_NE(md.find("(SIMULATED)"), std::string::npos);
  EXPECT_NE(md.find(kSimulatedStamp), std::string::npos);
  EXPECT_NE(md.find("INCONSISTENT: "), std::string::npos);
  EXPECT_NE(render("html", c).find("(SIMULATED) — "), std::string::npos) << "in <title>";
  EXPECT_NE(render("junit", c).find("<property name=\"simulated\" value=\"true\"/>"),
            std::string::npos);
  EXPECT_NE(render_console(c).find(kSimulatedStamp), std::string::npos);
  // Each piece of evidence alone keeps the stamp and the gauge at 0.
  for (int which = 0; which < 4; ++which) {
    Certificate p = passing();
    if (which == 0)
      p.results.backend = "sim";
    if (which == 1)
      p.checks[1].simulated = true;
    if (which == 2)
      p.inventory.simulated = true;
    if (which == 3)
      p.inventory.sim_node = "h100-sxm5-80gb-8x";
    SCOPED_TRACE(which);
    EXPECT_TRUE(derive(p).simulated);
    const std::string prom = render("prom", p);
    EXPECT_NE(prom.find("simulated=\"true\",outcome=\"CERTIFIED\",scope=\"all 3 GPUs\"} 0\n"),
              std::string::npos)
        << prom;
    EXPECT_NE(render("html", p).find("<title>gpucert CERTIFIED (SIMULATED) — "), std::string::npos);
  }
}

TEST(SignatureDisplay, EveryStateInEveryFormat) {
  const Certificate c = passing();
  struct Case {
    SignatureStatus sig;
    std::string text;
  };
  SignatureStatus valid{S::valid, "k1d2e3", "SHA256:abcd", "checked 3 subjects"};
  SignatureStatus untrusted{S::untrusted, "k1d2e3", "SHA256:abcd", ""};
  SignatureStatus unsig{S::unsigned_, "", "", ""};
  SignatureStatus invalid{S::invalid, "k1d2e3", "", "results.json: digest mismatch"};
  const std::vector<Case> cases = {
      {valid, "VALID — signed by trusted key k1d2e3 (fingerprint SHA256:abcd)"},
      {untrusted, "UNTRUSTED — intact, signed by key k1d2e3 (fingerprint SHA256:abcd), which is "
                  "not among the trusted keys given"},
      {unsig, "UNSIGNED — the run directory holds no signature"},
      {invalid, "INVALID — results.json: digest mismatch: do not rely on these files"},
      {SignatureStatus{}, "NOT CHECKED — rendered from a certificate alone"}};
  for (const auto& [sig, text] : cases) {
    SCOPED_TRACE(to_string(sig.state));
    EXPECT_EQ(signature_text(sig).rfind(text, 0), 0u) << signature_text(sig);
    EXPECT_NE(render("md", c, sig).find("| signature | " + text), std::string::npos);
    EXPECT_NE(render("html", c, sig).find("signature " + text), std::string::npos);
    ConsoleOptions o;
    o.signature = sig;
    EXPECT_NE(render_console(c, o).find("\nsignature " + text), std::string::npos);
    const std::string junit = render("junit", c, sig);
    EXPECT_NE(junit.find(std::string("<property name=\"signature\" value=\"") +
                         to_string(sig.state) + "\"/>"),
              std::string::npos);
    EXPECT_NE(render("prom", c, sig)
                  .find(std::string("gpucert_signature{") +
                        "profile=\"h100-sxm5-80gb-8x-standard\",node=\"node<017>"
                        "\",simulated=\"false\",state=\"" +
                        to_string(sig.state) + "\""),
              std::string::npos)
        << render("prom", c, sig);
    // The json format is the certificate itself: never a status.
    EXPECT_EQ(render("json", c, sig), render("json", c));
  }
  // INVALID is loud: its own banner (md, html) and a failing JUnit test case.
  EXPECT_NE(render("md", c, invalid).find("> **SIGNATURE INVALID: results.json: digest mismatch"),
            std::string::npos);
  EXPECT_NE(render("html", c, invalid).find("<p class=\"alarm\">SIGNATURE INVALID"),
            std::string::npos);
  EXPECT_NE(render("junit", c, invalid).find("<failure type=\"signature_invalid\""),
            std::string::npos);
  EXPECT_EQ(render("junit", c, valid).find("signature_invalid"), std::string::npos);
  EXPECT_NE(render("junit", c, valid).find("signature_fingerprint\" value=\"SHA256:abcd\""),
            std::string::npos);
}

TEST(RunScopeDisplay, SubsetIsStatedEverywhereAndUnmeasuredGpusAreMarked) {
  Certificate c = passing();
  for (int i : {1, 2, 4, 6, 7}) { // a node of 8; the run measured 0, 3 and 5
    GpuInfo g;
    g.index = i;
    g.name = "NVIDIA H100 80GB HBM3";
    c.inventory.gpus.push_back(g);
  }
  c.scope = run_scope({0, 3, 5}, {0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_FALSE(c.scope.complete_node);
  EXPECT_EQ(c.scope.str(), "GPUs 0,3,5 of 8");
  EXPECT_EQ(run_scope({0, 1, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7}).str(), "GPUs 0–3 of 8");
  EXPECT_EQ(run_scope({0, 1}, {0, 1}).str(), "all 2 GPUs");
  const std::string md = render("md", c);
  EXPECT_EQ(md.rfind("# gpucert: CERTIFIED for GPUs 0,3,5 of 8\n", 0), 0u) << md;
  EXPECT_NE(md.find("| 1 | **not measured** |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 0 | yes |"), std::string::npos);
  EXPECT_NE(render("html", c).find("<title>gpucert CERTIFIED for GPUs 0,3,5 of 8 — "),
            std::string::npos);
  EXPECT_NE(render("junit", c).find("<property name=\"scope_complete_node\" value=\"false\"/>"),
            std::string::npos);
  EXPECT_NE(render("prom", c).find("gpus=\"0,3,5\",gpus_in_node=\"8\",complete_node=\"false\"} 3"),
            std::string::npos);
  EXPECT_NE(render_console(c).find("\nscope GPUs 0,3,5 of 8 (a subset"), std::string::npos);
  EXPECT_NE(render_console(c).find("\nCERTIFIED for GPUs 0,3,5 of 8: "), std::string::npos);
  // A scope claiming the whole node over checks of three GPUs is not believed.
  Certificate widened = c;
  widened.scope = run_scope({0, 1, 2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_FALSE(derive(widened).scope.complete_node);
  EXPECT_NE(render("md", widened).find("INCONSISTENT: it states the whole node was measured"),
            std::string::npos);
  // The scope round-trips through the certificate's JSON.
  const Certificate back = certificate_from_json(to_json(c));
  EXPECT_EQ(back.scope.gpus, c.scope.gpus);
  EXPECT_EQ(back.scope.gpus_in_node, 8);
  EXPECT_FALSE(back.scope.complete_node);
}

} // namespace
} // namespace gpucert::report
