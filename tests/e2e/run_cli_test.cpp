// `gpucert run / evaluate / report / profile validate` end to end on the simulator: a clean node
// certifies, each fault kind is caught by the clause a user would expect on the right GPU or link
// with the right cause, noise near a floor is inconclusive, evaluate reproduces a run's verdicts.
#include "tests/support/cli.hpp"
#include "tests/unit/json_schema_check.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace gpucert {
namespace {

namespace fs = std::filesystem;
using test::run_cli;

const std::string kSrc = GPUCERT_SOURCE_DIR;
const std::string kStandard = kSrc + "/profiles/h100-sxm5-80gb-8x-standard.yaml";
const std::string kNode = "h100-sxm5-80gb-8x";

struct RunOutcome {
  test::CliResult cli;
  std::string dir;
  nlohmann::json cert, results;
};

RunOutcome run(const std::vector<std::string>& extra, const std::string& profile = kStandard) {
  RunOutcome r;
  r.dir = test::make_temp_dir("gpucert-run");
  std::vector<std::string> args = {"run", "--profile", profile, "--simulate",
                                   kNode, "--out",     r.dir};
  args.insert(args.end(), extra.begin(), extra.end());
  r.cli = run_cli(args);
  if (fs::exists(r.dir + "/certificate.json"))
    r.cert = nlohmann::json::parse(test::read_file(r.dir + "/certificate.json"));
  if (fs::exists(r.dir + "/results.json"))
    r.results = nlohmann::json::parse(test::read_file(r.dir + "/results.json"));
  return r;
}

/// (clause id, target) → check.
std::map<std::pair<std::string, std::string>, nlohmann::json> checks(const nlohmann::json& cert) {
  std::map<std::pair<std::string, std::string>, nlohmann::json> out;
  for (const auto& c : cert.at("checks"))
    out[{c.at("clause_id"), c.at("target")}] = c;
  return out;
}

/// The checks that are not PASS, as "clause@target=VERDICT".
std::set<std::string> not_passed(const nlohmann::json& cert) {
  std::set<std::string> out;
  for (const auto& c : cert.at("checks"))
    if (c.at("verdict") != "PASS")
      out.insert(c.at("clause_id").get<std::string>() + "@" + c.at("target").get<std::string>() +
                 "=" + c.at("verdict").get<std::string>());
  return out;
}

std::string cause(const nlohmann::json& cert, const std::string& id, const std::string& target) {
  return checks(cert).at({id, target}).at("cause");
}

TEST(RunCli, CleanNodeCertifiesAndWritesTheFourFiles) {
  const RunOutcome r = run({});
  ASSERT_EQ(r.cli.rc, 0) << r.cli.err << r.cli.out;
  for (const char* f : {"results.json", "certificate.json", "junit.xml", "report.md"})
    EXPECT_TRUE(fs::exists(r.dir + "/" + f)) << f;
  EXPECT_FALSE(fs::exists(r.dir + "/results.json.tmp"));
  EXPECT_EQ(r.cert.at("outcome"), "CERTIFIED");
  EXPECT_TRUE(r.cert.at("simulated").get<bool>());
  EXPECT_TRUE(r.results.at("simulated").get<bool>());
  EXPECT_TRUE(r.results.at("complete").get<bool>());
  EXPECT_TRUE(not_passed(r.cert).empty());
  // Stamped SIMULATED wherever a person reads it.
  EXPECT_NE(r.cli.out.find("CERTIFIED (SIMULATED — not a certification)"), std::string::npos)
      << r.cli.out;
  EXPECT_NE(r.cli.err.find("SIMULATED"), std::string::npos);
  EXPECT_NE(test::read_file(r.dir + "/report.md").find("SIMULATED — not a certification"),
            std::string::npos);
  EXPECT_NE(
      test::read_file(r.dir + "/junit.xml").find("<property name=\"simulated\" value=\"true\"/>"),
      std::string::npos);
  // The certificate follows its published schema.
  const test::SchemaCheck schema(
      nlohmann::json::parse(test::read_file(kSrc + "/reports/schema/certificate.schema.json")));
  const auto errors = schema.errors(r.cert);
  EXPECT_TRUE(errors.empty()) << errors.front();
  // Every GPU, every pair measured: 8 GEMM checks, 28 P2P pairs.
  int gemm = 0, p2p = 0;
  for (const auto& c : r.cert.at("checks")) {
    gemm += c.at("clause_id") == "gemm-bf16";
    p2p += c.at("clause_id") == "p2p-uni";
  }
  EXPECT_EQ(gemm, 8);
  EXPECT_EQ(p2p, 28);
  fs::remove_all(r.dir);
}

TEST(RunCli, HbmFaultFailsTheHbmClauseOnThatGpuOnlyAndEvaluateReproducesIt) {
  const RunOutcome r = run({"--fault", "gpu5:hbm=0.7"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err << r.cli.out;
  EXPECT_EQ(r.cert.at("outcome"), "NOT CERTIFIED");
  EXPECT_EQ(not_passed(r.cert),
            (std::set<std::string>{"hbm-triad@gpu5=FAIL", "hbm-copy@gpu5=FAIL"}));
  EXPECT_TRUE(
      std::regex_search(r.cli.out, std::regex("FAIL +hbm-triad +gpu5 +median 2\\.[01][0-9] TB/s")))
      << r.cli.out;

  // evaluate on the stored results reproduces every verdict of the run.
  const std::string again = test::make_temp_dir("gpucert-eval");
  const auto e =
      run_cli({"evaluate", "--profile", kStandard, r.dir + "/results.json", "--out", again});
  ASSERT_EQ(e.rc, 1) << e.err;
  const auto cert2 = nlohmann::json::parse(test::read_file(again + "/certificate.json"));
  ASSERT_EQ(cert2.at("checks").size(), r.cert.at("checks").size());
  for (std::size_t i = 0; i < cert2.at("checks").size(); ++i) {
    const auto& a = r.cert["checks"][i];
    const auto& b = cert2["checks"][i];
    EXPECT_EQ(a.at("clause_id"), b.at("clause_id"));
    EXPECT_EQ(a.at("target"), b.at("target"));
    EXPECT_EQ(a.at("verdict"), b.at("verdict")) << a.at("clause_id") << " " << a.at("target");
    EXPECT_EQ(a.at("value"), b.at("value"));
    EXPECT_EQ(a.at("interval"), b.at("interval"));
  }
  // Same tool, same inputs: the whole certificate is the same.
  EXPECT_EQ(cert2, r.cert);
  fs::remove_all(again);
  fs::remove_all(r.dir);
}

TEST(RunCli, GemmFaultFailsGemmOnThatGpu) {
  const RunOutcome r = run({"--fault", "gpu2:gemm=0.8", "--gpus", "1,2"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  EXPECT_EQ(not_passed(r.cert), (std::set<std::string>{"gemm-bf16@gpu2=FAIL", "gemm-fp8@gpu2=FAIL",
                                                       "gemm-bf16-sustained@gpu2=FAIL"}));
}

TEST(RunCli, PcieTrainedDownFailsThePcieClausesWithTheLinkAsCause) {
  const RunOutcome r = run({"--fault", "gpu2:pcie=gen4x8", "--gpus", "2,3"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  EXPECT_EQ(not_passed(r.cert),
            (std::set<std::string>{"pcie-h2d@gpu2=FAIL", "pcie-d2h@gpu2=FAIL",
                                   "match.pcie_gen@gpu2=FAIL", "match.pcie_width@gpu2=FAIL"}));
  EXPECT_EQ(cause(r.cert, "pcie-h2d", "gpu2"),
            "PCIe link trained down to gen4 x8 (capable of gen5 x16)");
}

TEST(RunCli, NvlinkFaultFailsThatPairWithLinksDownAsCause) {
  const RunOutcome r = run({"--fault", "gpu1-gpu3:nvlink=0.5", "--gpus", "1-3"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  const auto bad = not_passed(r.cert);
  EXPECT_TRUE(bad.count("p2p-uni@gpu1-gpu3=FAIL")) << r.cli.out;
  EXPECT_TRUE(bad.count("p2p-bidir@gpu1-gpu3=FAIL"));
  EXPECT_FALSE(bad.count("p2p-uni@gpu1-gpu2=FAIL"));
  EXPECT_FALSE(bad.count("p2p-uni@gpu2-gpu3=FAIL"));
  for (const auto& b : bad)
    EXPECT_TRUE(b.find("gpu2") == std::string::npos || b.find("gpu1-gpu3") != std::string::npos)
        << b;
  EXPECT_NE(cause(r.cert, "p2p-uni", "gpu1-gpu3").find("NVLink"), std::string::npos);
}

TEST(RunCli, ThermalFaultIsCaughtByTheThrottleClausesWithTheCause) {
  const RunOutcome r = run({"--fault", "gpu3:thermal", "--gpus", "3,4"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  const auto bad = not_passed(r.cert);
  EXPECT_TRUE(bad.count("no-thermal-slowdown@gpu3=FAIL")) << r.cli.out;
  EXPECT_TRUE(bad.count("no-hw-slowdown@gpu3=FAIL"));
  EXPECT_TRUE(bad.count("gemm-bf16-sustained@gpu3=FAIL")); // its slowest tenth ran throttled
  EXPECT_NE(cause(r.cert, "gemm-bf16-sustained", "gpu3").find("thermal"), std::string::npos);
  for (const auto& b : bad)
    EXPECT_NE(b.find("@gpu3="), std::string::npos) << b; // gpu4 is fine
  EXPECT_NE(cause(r.cert, "no-thermal-slowdown", "gpu3").find("HW slowdown (thermal)"),
            std::string::npos);
  EXPECT_NE(cause(r.cert, "no-thermal-slowdown", "gpu3").find("°C"), std::string::npos);
}

TEST(RunCli, UncorrectableEccFailsTheEccClause) {
  const RunOutcome r = run({"--fault", "gpu4:ecc_uncorrectable=3", "--gpus", "4,5"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  const auto bad = not_passed(r.cert);
  EXPECT_TRUE(bad.count("ecc-uncorrected@gpu4=FAIL")) << r.cli.out;
  for (const auto& b : bad)
    EXPECT_NE(b.find("@gpu4="), std::string::npos) << b;
  EXPECT_NE(cause(r.cert, "ecc-uncorrected", "gpu4").find("reads 3"), std::string::npos);
}

TEST(RunCli, SilentDataCorruptionFailsAsWrongResults) {
  const RunOutcome r = run({"--fault", "gpu6:sdc", "--gpus", "6,7"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  const auto c = checks(r.cert);
  EXPECT_EQ(c.at({"gemm-bf16", "gpu6"}).at("verdict"), "FAIL");
  EXPECT_EQ(cause(r.cert, "gemm-bf16", "gpu6").rfind("wrong results", 0), 0u);
  EXPECT_EQ(c.at({"gemm-bf16", "gpu7"}).at("verdict"), "PASS");
  EXPECT_NE(test::read_file(r.dir + "/junit.xml").find("type=\"wrong_results\""),
            std::string::npos);
}

TEST(RunCli, LostGpuIsErrorForThatGpuWhileTheOthersAreMeasured) {
  const RunOutcome r = run({"--fault", "gpu3:lost@5", "--gpus", "2,3"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  EXPECT_TRUE(fs::exists(r.dir + "/report.md"));
  EXPECT_TRUE(r.results.at("complete").get<bool>()); // the run itself finished
  const auto bad = not_passed(r.cert);
  EXPECT_TRUE(bad.count("hbm-triad@gpu3=ERROR")) << r.cli.out;
  EXPECT_TRUE(bad.count("launch-stream@gpu3=ERROR"));
  for (const auto& b : bad) {
    // gpu2 is measured and passes; the node-wide collective includes gpu3.
    EXPECT_TRUE(b.find("gpu3") != std::string::npos || b.find("@node=") != std::string::npos) << b;
    EXPECT_EQ(b.substr(b.size() - 5), "ERROR") << b;
  }
  const auto c = checks(r.cert);
  EXPECT_EQ(c.at({"hbm-triad", "gpu2"}).at("verdict"), "PASS");
  EXPECT_NE(c.at({"hbm-triad", "gpu3"}).at("message").get<std::string>().find("fell off the bus"),
            std::string::npos);
}

TEST(RunCli, HighNoiseNearTheFloorIsInconclusive) {
  const RunOutcome r = run({"--fault", "node:noise=0.2", "--gpus", "0"},
                           kSrc + "/tests/data/profiles/noise-near-threshold.yaml");
  ASSERT_EQ(r.cli.rc, 5) << r.cli.err << r.cli.out;
  EXPECT_EQ(r.cert.at("outcome"), "INCONCLUSIVE");
  EXPECT_EQ(not_passed(r.cert), (std::set<std::string>{"gemm-bf16-at-the-edge@gpu0=INCONCLUSIVE"}));
}

TEST(RunCli, BadInputExitsTwo) {
  EXPECT_EQ(run_cli({"run"}).rc, 2);
  EXPECT_EQ(run_cli({"run", "--profile", kSrc + "/tests/data/profiles/bad/03-unknown-metric.yaml",
                     "--simulate", kNode})
                .rc,
            2);
  const auto bad_fault = run({"--fault", "gpu9:hbm=0.5"});
  EXPECT_EQ(bad_fault.cli.rc, 2) << bad_fault.cli.err;
  const auto bad_node = run_cli({"run", "--profile", kStandard, "--simulate", "no-such-node"});
  EXPECT_EQ(bad_node.rc, 2) << bad_node.err;
}

TEST(RunCli, NoGpuHereIsAnEnvironmentError) {
  // Without --simulate, run measures this machine. Where gpucert sees a GPU (its inventory
  // reads), that is a full certification of the real node (minutes), not the no-GPU path this
  // test is about: skip, as InventoryCli.ThisMachine does. The GPU tier covers real GPUs.
  if (const auto inv = run_cli({"inventory"}, {}, 60); inv.rc == 0)
    GTEST_SKIP() << "this machine has a GPU (`gpucert inventory` exits 0): a run without "
                    "--simulate would certify it rather than exit 3";
  const auto r =
      run_cli({"run", "--profile", kStandard, "--out", test::make_temp_dir("gpucert-nogpu")});
  EXPECT_EQ(r.rc, 3) << r.err;
}

TEST(EvaluateCli, AnotherProfileOnStoredResults) {
  const RunOutcome r = run({"--gpus", "0,1"});
  ASSERT_EQ(r.cli.rc, 0) << r.cli.err;
  // A contract with a clause the run never measured: ERROR "not measured", exit 1, never PASS.
  const auto extra =
      run_cli({"evaluate", "--profile", kSrc + "/tests/data/profiles/unmeasured-extra.yaml",
               "--extends-from", kSrc + "/profiles", r.dir + "/results.json"});
  EXPECT_EQ(extra.rc, 1) << extra.err;
  EXPECT_TRUE(std::regex_search(extra.out, std::regex("ERROR +gemm-fp16 +gpu0 .*not measured")))
      << extra.out;
  EXPECT_NE(extra.err.find("measured for profile 'h100-sxm5-80gb-8x-standard'"), std::string::npos);
  // A buyer's stricter contract re-judges the same figures: same values, other verdicts.
  const std::string strict_dir = test::make_temp_dir("gpucert-strict");
  const auto strict =
      run_cli({"evaluate", "--profile", kSrc + "/tests/data/profiles/stricter-hbm.yaml",
               "--extends-from", kSrc + "/profiles", r.dir + "/results.json", "--out", strict_dir});
  EXPECT_EQ(strict.rc, 1) << strict.out << strict.err;
  const auto strict_cert = nlohmann::json::parse(test::read_file(strict_dir + "/certificate.json"));
  EXPECT_EQ(not_passed(strict_cert),
            (std::set<std::string>{"hbm-triad@gpu0=FAIL", "hbm-triad@gpu1=FAIL"}));
  EXPECT_EQ(checks(strict_cert).at({"hbm-triad", "gpu0"}).at("value"),
            checks(r.cert).at({"hbm-triad", "gpu0"}).at("value"));
  EXPECT_EQ(checks(strict_cert).at({"hbm-triad", "gpu0"}).at("contract_ref"),
            "buyer contract §4.2");
  fs::remove_all(strict_dir);
  fs::remove_all(r.dir);
}

TEST(EvaluateCli, BadResultsFilesExitTwo) {
  const std::string dir = test::make_temp_dir("gpucert-badresults");
  EXPECT_EQ(run_cli({"evaluate", "--profile", kStandard, dir + "/missing.json"}).rc, 2);
  { std::ofstream(dir + "/garbage.json") << "{not json"; }
  const auto g = run_cli({"evaluate", "--profile", kStandard, dir + "/garbage.json"});
  EXPECT_EQ(g.rc, 2);
  EXPECT_NE(g.err.find("garbage.json"), std::string::npos) << g.err;
  { std::ofstream(dir + "/wrong.json") << R"({"schema": "something/else"})"; }
  EXPECT_EQ(run_cli({"evaluate", "--profile", kStandard, dir + "/wrong.json"}).rc, 2);
  fs::remove_all(dir);
}

TEST(ReportCli, RendersEveryFormat) {
  const RunOutcome r = run({"--gpus", "0,1"}, kSrc + "/profiles/h100-sxm5-80gb-8x-quick.yaml");
  ASSERT_EQ(r.cli.rc, 0) << r.cli.err << r.cli.out;
  const std::string cert = r.dir + "/certificate.json";
  const std::map<std::string, std::string> expect = {
      {"json", "\"schema\": \"gpucert/certificate/v1\""},
      {"junit", "<testsuites"},
      {"md", "# gpucert: CERTIFIED (SIMULATED)"},
      {"html", "<!DOCTYPE html>"},
      {"prom", "gpucert_certified{"}};
  for (const auto& [format, needle] : expect) {
    const auto out = run_cli({"report", cert, "--format", format});
    EXPECT_EQ(out.rc, 0) << format << out.err;
    EXPECT_NE(out.out.find(needle), std::string::npos) << format;
  }
  const auto to_file = run_cli({"report", cert, "--format", "md", "-o", r.dir + "/again.md"});
  EXPECT_EQ(to_file.rc, 0);
  EXPECT_TRUE(to_file.out.empty());
  EXPECT_EQ(test::read_file(r.dir + "/again.md"), test::read_file(r.dir + "/report.md"));
  EXPECT_EQ(run_cli({"report", cert, "--format", "pdf"}).rc, 2);
  EXPECT_EQ(run_cli({"report", r.dir + "/nope.json", "--format", "md"}).rc, 2);
  EXPECT_EQ(run_cli({"report", r.dir + "/results.json", "--format", "md"}).rc,
            2); // not a certificate
  fs::remove_all(r.dir);
}

TEST(ProfileCli, ValidateReportsEveryBadFileWithItsLocation) {
  const auto ok =
      run_cli({"profile", "validate", kStandard, kSrc + "/profiles/h100-sxm5-80gb-8x-quick.yaml"});
  EXPECT_EQ(ok.rc, 0) << ok.err;
  EXPECT_NE(ok.out.find("ok  "), std::string::npos);
  const auto bad = run_cli({"profile", "validate", kStandard,
                            kSrc + "/tests/data/profiles/bad/22-alias-bomb.yaml",
                            kSrc + "/tests/data/profiles/bad/21-binary.yaml"});
  EXPECT_EQ(bad.rc, 2);
  EXPECT_NE(bad.err.find("22-alias-bomb.yaml:4:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("21-binary.yaml:3:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("2 of 3 profiles invalid"), std::string::npos);
  EXPECT_EQ(run_cli({"profile", "validate"}).rc, 2);
  EXPECT_EQ(run_cli({"profile"}).rc, 2);
}

TEST(ProfileCli, EveryBadProfileExitsTwoWithoutCrashing) {
  for (const auto& e : fs::directory_iterator(kSrc + "/tests/data/profiles/bad")) {
    const auto r = run_cli({"profile", "validate", e.path().string()}, {}, 20);
    EXPECT_EQ(r.rc, 2) << e.path() << r.err;
    EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(\.yaml:[0-9]+:[0-9]+: )"))) << r.err;
  }
}

} // namespace
} // namespace gpucert
