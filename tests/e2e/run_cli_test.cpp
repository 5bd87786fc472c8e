// `gpucert run / evaluate / report / profile validate` end to end on the simulator: a clean node
// certifies, each fault kind is caught by the clause a user would expect on the right GPU or link
// with the right cause, noise near a floor is inconclusive, evaluate reproduces a run's verdicts.
#include "harness/profile/sha256.hpp"
#include "tests/support/cli.hpp"
#include "tests/unit/json_schema_check.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

namespace gpucert {
namespace {

namespace fs = std::filesystem;
using test::run_cli;
using ::testing::HasSubstr;

const std::string kSrc = GPUCERT_SOURCE_DIR;
const std::string kStandard = kSrc + "/profiles/h100-sxm5-80gb-8x-standard.yaml";
const std::string kNode = "h100-sxm5-80gb-8x";
const std::string kBad = kSrc + "/tests/data/profiles/bad/";

int lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

struct RunOutcome {
  test::CliResult cli;
  std::string dir;
  nlohmann::json cert, results;
};

RunOutcome run(const std::vector<std::string>& extra, const std::string& profile = kStandard) {
  RunOutcome r;
  r.dir = test::make_temp_dir("gpucert-run");
  // A fixed noise seed: each verdict asserted here is the one this seed gives, every time (the
  // CLI draws a fresh seed when --seed is absent).
  std::vector<std::string> args = {"run",   "--profile", profile,  "--simulate", kNode,
                                   "--out", r.dir,       "--seed", "1"};
  args.insert(args.end(), extra.begin(), extra.end());
  r.cli = run_cli(args);
  if (fs::exists(r.dir + "/certificate.json"))
    r.cert = test::read_certificate(r.dir + "/certificate.json");
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

/// The start of report.md's row of GPU `g` in the GPUs table, measured or not.
std::string fmt_gpu_row(int g, bool measured) {
  return "| " + std::to_string(g) + " | " + (measured ? "yes" : "**not measured**") + " |";
}

/// A sibling clause on a run of fewer than 3 GPUs: nothing to compare with (SiblingsCli tests it).
bool no_siblings(const nlohmann::json& c) {
  return c.at("verdict") == "SKIPPED" &&
         c.at("message") == "needs at least 3 GPUs (or pairs) to compare";
}

/// A node-scope clause on a run of part of the node: ERROR, never judged (ScopeCli tests it).
bool node_scope_on_subset(const nlohmann::json& c) {
  return c.at("verdict") == "ERROR" && c.at("message").get<std::string>().rfind(
                                           "node-scope clause: the run measured GPUs ", 0) == 0;
}

/// The checks that are not PASS, as "clause@target=VERDICT" (sibling clauses without siblings
/// and node-scope clauses on a subset left out: the 2-GPU runs below would list every one).
std::set<std::string> not_passed(const nlohmann::json& cert) {
  std::set<std::string> out;
  for (const auto& c : cert.at("checks"))
    if (c.at("verdict") != "PASS" && !no_siblings(c) && !node_scope_on_subset(c))
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
  // The file is the compact form: within its own schema, and small enough for a lot of 10,000
  // nodes (the full form of this certificate is several hundred KB).
  const std::string text = test::read_file(r.dir + "/certificate.json");
  EXPECT_LE(text.size(), 100u * 1024) << "certificate.json grew past 100 KB";
  const nlohmann::json file = nlohmann::json::parse(text);
  EXPECT_EQ(file.at("schema"), "gpucert/certificate/v2");
  const test::SchemaCheck compact(
      nlohmann::json::parse(test::read_file(kSrc + "/reports/schema/certificate-v2.schema.json")));
  const auto compact_errors = compact.errors(file);
  EXPECT_TRUE(compact_errors.empty()) << compact_errors.front();
  // Benchmark samples live in results.json; the full form from `report` brings them back.
  int without = 0;
  for (const auto& c : r.cert.at("checks"))
    without += c.at("kind") == "benchmark" && c.at("samples").empty() && c.at("n") > 0;
  EXPECT_GT(without, 100);
  const std::string full = r.dir + "/full.json";
  const auto rep =
      run_cli({"report", r.dir + "/certificate.json", "--format", "json-full", "-o", full});
  ASSERT_EQ(rep.rc, 0) << rep.err;
  EXPECT_EQ(rep.err, "");
  const nlohmann::json expanded = nlohmann::json::parse(test::read_file(full));
  ASSERT_EQ(expanded.at("checks").size(), r.cert.at("checks").size());
  for (const auto& c : expanded.at("checks"))
    if (c.at("kind") == "benchmark")
      EXPECT_EQ(c.at("samples").size(), c.at("n").get<std::size_t>())
          << c.at("clause_id") << " " << c.at("target");
  EXPECT_TRUE(schema.errors(expanded).empty());
  fs::remove_all(r.dir);
}

TEST(RunCli, HbmFaultFailsTheHbmClauseOnThatGpuOnlyAndEvaluateReproducesIt) {
  const RunOutcome r = run({"--fault", "gpu5:hbm=0.7"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err << r.cli.out;
  EXPECT_EQ(r.cert.at("outcome"), "NOT CERTIFIED");
  EXPECT_EQ(not_passed(r.cert), (std::set<std::string>{"hbm-triad@gpu5=FAIL", "hbm-copy@gpu5=FAIL",
                                                       "hbm-triad-siblings@gpu5=FAIL"}));
  EXPECT_TRUE(
      std::regex_search(r.cli.out, std::regex("FAIL +hbm-triad +gpu5 +median 2\\.[01][0-9] TB/s")))
      << r.cli.out;

  // evaluate on the stored results reproduces every verdict of the run.
  const std::string again = test::make_temp_dir("gpucert-eval");
  const auto e =
      run_cli({"evaluate", "--profile", kStandard, r.dir + "/results.json", "--out", again});
  ASSERT_EQ(e.rc, 1) << e.err;
  const auto cert2 = test::read_certificate(again + "/certificate.json");
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

TEST(SiblingsCli, AGemmFaultFailsTheSiblingClauseNamingTheGpuAndTheSiblingsMedian) {
  const RunOutcome r = run({"--fault", "gpu3:gemm=0.9"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  const auto c = checks(r.cert);
  const auto& k = c.at({"gemm-bf16-siblings", "gpu3"});
  EXPECT_EQ(k.at("verdict"), "FAIL");
  EXPECT_TRUE(std::regex_search(
      k.at("cause").get<std::string>(),
      std::regex("^gpu3 median 7[0-2][0-9]\\.[0-9] TFLOP/s is 0\\.9[01][0-9] of its 7 siblings' "
                 "median 7[89][0-9]\\.[0-9] \\(interval [^,]+, floor 0\\.92\\)")))
      << k.at("cause");
  ASSERT_TRUE(k.at("interval").at("hi").is_number());
  EXPECT_LT(k.at("interval").at("hi").get<double>(), 0.92);
  EXPECT_EQ(k.at("relative").at("siblings").size(), 7u);
  EXPECT_EQ(k.at("interval").at("method"), "sibling-ratio");
  for (int g : {0, 1, 2, 4, 5, 6, 7})
    EXPECT_EQ(c.at({"gemm-bf16-siblings", "gpu" + std::to_string(g)}).at("verdict"), "PASS") << g;
  EXPECT_TRUE(std::regex_search(r.cli.out, std::regex("FAIL +gemm-bf16-siblings +gpu3 ")))
      << r.cli.out;
  fs::remove_all(r.dir);
}

TEST(SiblingsCli, AHealthyNodePassesEverySiblingClauseWhateverTheSeed) {
  for (const char* seed : {"2", "3", "4", "5", "6"}) {
    const std::string dir = test::make_temp_dir("gpucert-siblings");
    const auto cli =
        run_cli({"run", "--profile", kStandard, "--simulate", kNode, "--out", dir, "--seed", seed});
    ASSERT_EQ(cli.rc, 0) << seed << cli.err << cli.out;
    const auto cert = test::read_certificate(dir + "/certificate.json");
    int siblings = 0;
    for (const auto& c : cert.at("checks"))
      if (c.at("interval").at("mode") == "relative") {
        ++siblings;
        EXPECT_EQ(c.at("verdict"), "PASS") << seed << " " << c.at("clause_id") << c.at("target");
      }
    EXPECT_EQ(siblings, 4 * 8 + 28) << seed; // GEMM, HBM, PCIe both ways per GPU; P2P per pair
    fs::remove_all(dir);
  }
}

TEST(SiblingsCli, TwoGpusHaveNoSiblingsToCompareAndPassEverythingElse) {
  const RunOutcome r = run({"--gpus", "0,1"});
  // Not the node: its node-scope clauses are ERROR (ScopeCli); every other check passes.
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err << r.cli.out;
  EXPECT_TRUE(not_passed(r.cert).empty()) << r.cli.out;
  const auto c = checks(r.cert);
  for (const char* id : {"gemm-bf16-siblings", "pcie-h2d-siblings"})
    EXPECT_TRUE(no_siblings(c.at({id, "gpu0"}))) << id;
  EXPECT_TRUE(no_siblings(c.at({"p2p-uni-siblings", "gpu0-gpu1"})));
  fs::remove_all(r.dir);
}

TEST(RunCli, PcieTrainedDownFailsThePcieClausesWithTheLinkAsCause) {
  const RunOutcome r = run({"--fault", "gpu2:pcie=gen4x8", "--gpus", "2,3"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  EXPECT_EQ(not_passed(r.cert),
            (std::set<std::string>{"pcie-h2d@gpu2=FAIL", "pcie-d2h@gpu2=FAIL",
                                   "pcie-h2d-alone@gpu2=FAIL", "pcie-d2h-alone@gpu2=FAIL",
                                   "match.pcie_gen@gpu2=FAIL", "match.pcie_width@gpu2=FAIL"}));
  EXPECT_EQ(cause(r.cert, "pcie-h2d", "gpu2"),
            "PCIe link trained down to gen4 x8 (capable of gen5 x16)");
  EXPECT_EQ(cause(r.cert, "pcie-h2d-alone", "gpu2"),
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
  EXPECT_TRUE(bad.count("launch-issue@gpu3=ERROR"));
  for (const auto& b : bad) {
    // gpu2 is measured and passes; the node-wide collective includes gpu3.
    EXPECT_TRUE(b.find("gpu3") != std::string::npos || b.find("@node=") != std::string::npos) << b;
    EXPECT_EQ(b.substr(b.size() - 5), "ERROR") << b;
  }
  const auto c = checks(r.cert);
  EXPECT_EQ(c.at({"hbm-triad", "gpu2"}).at("verdict"), "PASS");
  EXPECT_NE(c.at({"hbm-triad", "gpu3"}).at("message").get<std::string>().find("fell off the bus"),
            std::string::npos);
  // Where a person reads it, the clause that could not be measured is an ERROR row with its
  // reason: the console summary, report.md and junit.xml.
  EXPECT_TRUE(std::regex_search(
      r.cli.out, std::regex("ERROR +hbm-triad +gpu3 .*GPU 3 fell off the bus \\(simulated fault "
                            "gpu3:lost@5")))
      << r.cli.out;
  EXPECT_TRUE(std::regex_search(r.cli.out,
                                std::regex("ERROR +launch-issue +gpu3 .*GPU 3 fell off the bus")))
      << r.cli.out;
  EXPECT_TRUE(
      std::regex_search(test::read_file(r.dir + "/report.md"),
                        std::regex("\\| ERROR \\| hbm-triad \\| gpu3 \\|.*fell off the bus")));
  EXPECT_TRUE(
      std::regex_search(test::read_file(r.dir + "/junit.xml"),
                        std::regex("name=\"hbm-triad gpu3\"[^>]*>\\s*<error type=\"not_measured\" "
                                   "message=\"[^\"]*GPU 3 fell off the bus")));
}

TEST(RunCli, HighNoiseNearTheFloorIsInconclusive) {
  const RunOutcome r = run({"--fault", "node:noise=0.2", "--gpus", "0"},
                           kSrc + "/tests/data/profiles/noise-near-threshold.yaml");
  ASSERT_EQ(r.cli.rc, 5) << r.cli.err << r.cli.out;
  EXPECT_EQ(r.cert.at("outcome"), "INCONCLUSIVE");
  EXPECT_EQ(not_passed(r.cert), (std::set<std::string>{"gemm-bf16-at-the-edge@gpu0=INCONCLUSIVE"}));
}

TEST(RunCli, BadInputExitsTwo) {
  // Usage: the missing option is named.
  const auto usage = run_cli({"run"});
  EXPECT_EQ(usage.rc, 2);
  EXPECT_THAT(usage.err, HasSubstr("--profile is required"));
  // A bad profile: its file, line:col of the value and the field, and nothing is written.
  const std::string none = test::make_temp_dir("gpucert-run-bad");
  const auto prof = run_cli({"run", "--profile", kBad + "03-unknown-metric.yaml", "--simulate",
                             kNode, "--out", none + "/out"});
  EXPECT_EQ(prof.rc, 2) << prof.err;
  EXPECT_THAT(prof.err, HasSubstr(kBad + "03-unknown-metric.yaml:6:13: key 'metric': unknown "
                                         "metric 'gemm.tflop'"));
  EXPECT_EQ(lines(prof.err), 1) << prof.err;
  EXPECT_FALSE(fs::exists(none + "/out"));
  // A fault token naming a GPU the node lacks: the token and why, one line; --out left empty.
  const auto bad_fault = run({"--fault", "gpu9:hbm=0.5"});
  EXPECT_EQ(bad_fault.cli.rc, 2) << bad_fault.cli.err;
  EXPECT_EQ(bad_fault.cli.err, "gpucert: --fault gpu9:hbm=0.5: GPU 9 does not exist (this node "
                               "has 8 GPUs: gpu0..gpu7)\n");
  EXPECT_EQ(bad_fault.cli.out, "");
  EXPECT_TRUE(fs::is_empty(bad_fault.dir)) << "a refused run wrote into --out";
  // An unknown simulated node: the name given and the nodes there are.
  const auto bad_node = run_cli(
      {"run", "--profile", kStandard, "--simulate", "no-such-node", "--out", none + "/out"});
  EXPECT_EQ(bad_node.rc, 2) << bad_node.err;
  EXPECT_THAT(bad_node.err, HasSubstr("--simulate no-such-node: no such simulator node (built-in "
                                      "nodes: h100-nvl-94gb-1x, h100-pcie-80gb-1x, "
                                      "h100-sxm5-80gb-8x, h200-sxm-141gb-8x)"));
  EXPECT_FALSE(fs::exists(none + "/out"));
  fs::remove_all(bad_fault.dir);
  fs::remove_all(none);
}

TEST(RunCli, BadOptionValuesNameTheOptionAndTheToken) {
  const std::string none = test::make_temp_dir("gpucert-run-bad");
  const auto run_with = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"run", "--profile", kStandard,    "--simulate",
                                     kNode, "--out",     none + "/out"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  };
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--gpus", "9"}, "--gpus 9: GPU 9 does not exist on h100-sxm5-80gb-8x (8 GPUs: 0-7)"},
      {{"--gpus", "3-1"}, "--gpus 3-1: range '3-1' runs backwards"},
      {{"--gpus", "0,x"}, "--gpus 0,x: 'x' is not a GPU index or range"},
      {{"--fault", "gpu0:hbm=fast"}, "--fault gpu0:hbm=fast: 'fast' is not a factor > 0"},
      {{"--fault", "gpu0:frobnicate"}, "--fault gpu0:frobnicate: unknown fault 'frobnicate'"},
      {{"--fault", "gpu1-gpu1:nvlink=0.5"},
       "--fault gpu1-gpu1:nvlink=0.5: an NVLink fault needs two distinct GPUs"},
      {{"--fault", "node:noise=2"}, "--fault node:noise=2: '2' is not a coefficient of variation"},
  };
  for (const auto& [extra, message] : cases) {
    const auto r = run_with(extra);
    EXPECT_EQ(r.rc, 2) << extra.back() << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("gpucert: " + message)) << extra.back();
    EXPECT_EQ(lines(r.err), 1) << r.err;
    EXPECT_EQ(r.out, "") << extra.back();
  }
  EXPECT_FALSE(fs::exists(none + "/out")) << "a refused run created --out";
  fs::remove_all(none);
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
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err; // a subset: node-scope clauses are ERROR
  ASSERT_TRUE(not_passed(r.cert).empty()) << r.cli.out;
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
  const auto strict_cert = test::read_certificate(strict_dir + "/certificate.json");
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
  const auto missing = run_cli({"evaluate", "--profile", kStandard, dir + "/missing.json"});
  EXPECT_EQ(missing.rc, 2);
  EXPECT_EQ(missing.err,
            "gpucert: " + dir + "/missing.json: cannot open the results file: no such file\n");
  { std::ofstream(dir + "/garbage.json") << "{not json"; }
  const auto g = run_cli({"evaluate", "--profile", kStandard, dir + "/garbage.json"});
  EXPECT_EQ(g.rc, 2);
  // The file and the first byte that is not JSON ('n', line 1 column 2, or just after it).
  EXPECT_TRUE(std::regex_search(g.err, std::regex(dir + "/garbage\\.json:1:[23]: not JSON")))
      << g.err;
  { std::ofstream(dir + "/wrong.json") << R"({"schema": "something/else"})"; }
  const auto w = run_cli({"evaluate", "--profile", kStandard, dir + "/wrong.json"});
  EXPECT_EQ(w.rc, 2);
  EXPECT_THAT(w.err, HasSubstr(dir + "/wrong.json: "));
  EXPECT_THAT(w.err, HasSubstr("schema"));
  EXPECT_THAT(w.err, HasSubstr("'something/else'"));
  EXPECT_THAT(w.err, HasSubstr("gpucert/results/v1")) << "says what it reads";
  for (const auto* r : {&missing, &g, &w}) {
    EXPECT_EQ(lines(r->err), 1) << r->err;
    EXPECT_EQ(r->out, "");
  }
  fs::remove_all(dir);
}

TEST(EvaluateCli, BadProfileOrUsageExitTwoNamingIt) {
  const RunOutcome r = run({"--gpus", "0,1"}, kSrc + "/profiles/h100-sxm5-80gb-8x-quick.yaml");
  ASSERT_FALSE(r.results.is_null()) << r.cli.err;
  const std::string results = r.dir + "/results.json";
  // A bad profile: file:line:col of the value, the field, the offending text.
  const auto prof = run_cli({"evaluate", "--profile", kBad + "06-quoted-number.yaml", results,
                             "--out", r.dir + "/again"});
  EXPECT_EQ(prof.rc, 2);
  EXPECT_THAT(prof.err,
              HasSubstr(kBad + "06-quoted-number.yaml:7:10: key 'min': expected a number"));
  EXPECT_THAT(prof.err, HasSubstr("'720'"));
  EXPECT_FALSE(fs::exists(r.dir + "/again")) << "a refused evaluate created --out";
  // An unknown profile name: where it looked and what it found.
  const auto name = run_cli({"evaluate", "--profile", "no-such-contract", results});
  EXPECT_EQ(name.rc, 2);
  EXPECT_THAT(name.err, HasSubstr("'no-such-contract'"));
  EXPECT_THAT(name.err, HasSubstr(kSrc + "/profiles"));
  EXPECT_THAT(name.err, HasSubstr("h100-sxm5-80gb-8x-standard"));
  // Usage: the missing argument is named.
  const auto usage = run_cli({"evaluate", "--profile", kStandard});
  EXPECT_EQ(usage.rc, 2);
  EXPECT_THAT(usage.err, HasSubstr("results is required"));
  fs::remove_all(r.dir);
}

TEST(ReportCli, RendersEveryFormat) {
  const RunOutcome r = run({"--gpus", "0,1"}, kSrc + "/profiles/h100-sxm5-80gb-8x-quick.yaml");
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err << r.cli.out; // a subset never certifies the node
  ASSERT_TRUE(not_passed(r.cert).empty()) << r.cli.out;
  const std::string cert = r.dir + "/certificate.json";
  const std::map<std::string, std::string> expect = {
      {"json", "\"schema\": \"gpucert/certificate/v2\""},
      {"json-full", "\"schema\": \"gpucert/certificate/v1\""},
      {"junit", "<testsuites"},
      {"md", "# gpucert: NOT CERTIFIED for GPUs 0–1 of 8 (SIMULATED)"},
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
  // Refusals name the token, the file and what is wrong with it.
  const auto pdf = run_cli({"report", cert, "--format", "pdf"});
  EXPECT_EQ(pdf.rc, 2);
  EXPECT_THAT(pdf.err,
              HasSubstr("--format: pdf not in {json,json-full,junit,md,html,prom,prom-full}"));
  EXPECT_EQ(pdf.out, "");
  const auto no_format = run_cli({"report", cert});
  EXPECT_EQ(no_format.rc, 2);
  EXPECT_THAT(no_format.err, HasSubstr("--format is required"));
  const auto nope = run_cli({"report", r.dir + "/nope.json", "--format", "md"});
  EXPECT_EQ(nope.rc, 2);
  EXPECT_EQ(nope.err,
            "gpucert: " + r.dir + "/nope.json: cannot open the certificate file: no such file\n");
  const auto results = run_cli({"report", r.dir + "/results.json", "--format", "md"});
  EXPECT_EQ(results.rc, 2); // not a certificate
  EXPECT_THAT(results.err, HasSubstr(r.dir + "/results.json: "));
  EXPECT_THAT(results.err, HasSubstr("'gpucert/results/v1' is not supported (expected "
                                     "'gpucert/certificate/v2', or its full form "
                                     "'gpucert/certificate/v1')"));
  EXPECT_EQ(lines(results.err), 1) << results.err;
  EXPECT_EQ(results.out, "");
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
  // The good one is still reported ok; each bad one is one line naming it.
  EXPECT_THAT(bad.out, HasSubstr("ok  " + kStandard + ": h100-sxm5-80gb-8x-standard"));
  EXPECT_EQ(lines(bad.err), 3) << bad.err;
  // Files that cannot be read: the path and why.
  const auto missing = run_cli({"profile", "validate", kSrc + "/no-such-dir/x.yaml"});
  EXPECT_EQ(missing.rc, 2);
  EXPECT_THAT(missing.err, HasSubstr(kSrc + "/no-such-dir/x.yaml: cannot open the profile file: "
                                            "no such file"));
  EXPECT_THAT(missing.err, HasSubstr("1 of 1 profiles invalid"));
  const auto dir = run_cli({"profile", "validate", kSrc + "/profiles"});
  EXPECT_EQ(dir.rc, 2);
  EXPECT_THAT(dir.err, HasSubstr(kSrc + "/profiles: not a regular file"));
  EXPECT_THAT(dir.err, HasSubstr("not a directory"));
  // Usage errors name what is missing.
  const auto no_files = run_cli({"profile", "validate"});
  EXPECT_EQ(no_files.rc, 2);
  EXPECT_THAT(no_files.err, HasSubstr("profiles is required"));
  const auto no_sub = run_cli({"profile"});
  EXPECT_EQ(no_sub.rc, 2);
  EXPECT_THAT(no_sub.err, HasSubstr("A subcommand is required"));
}

TEST(ProfileCli, EveryBadProfileExitsTwoWithoutCrashing) {
  // Each file's first line says what its error must say ("# expect: ..."); the message names the
  // file itself with line:col. (29 extends ../good/base.yaml, so the data folder is allowed.)
  for (const auto& e : fs::directory_iterator(kSrc + "/tests/data/profiles/bad")) {
    const std::string name = e.path().filename().string();
    const auto r = run_cli(
        {"profile", "validate", "--extends-from", kSrc + "/tests/data/profiles", e.path().string()},
        {}, 20);
    EXPECT_EQ(r.rc, 2) << e.path() << r.err;
    EXPECT_EQ(r.out, "") << name;
    EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(\.yaml:[0-9]+:[0-9]+: )"))) << r.err;
    // An extends cycle is reported at the extends line of the file that closes it, naming both.
    const bool cycle = name.find("extends-cycle") != std::string::npos;
    if (cycle)
      EXPECT_THAT(r.err, HasSubstr(name)) << name;
    else
      EXPECT_TRUE(std::regex_search(
          r.err, std::regex("gpucert: " + e.path().string() + ":[1-9][0-9]*:[1-9][0-9]*: ")))
          << r.err;
    std::string first;
    std::getline(std::ifstream(e.path()), first);
    if (first.rfind("# expect: ", 0) == 0)
      EXPECT_THAT(r.err, HasSubstr(first.substr(10))) << name;
    EXPECT_THAT(r.err, HasSubstr("gpucert: 1 of 1 profiles invalid\n")) << name;
    EXPECT_EQ(lines(r.err), 2) << "one line for the error, one for the count: " << r.err;
  }
}

TEST(ProfileCli, ProfileErrorsPointAtTheValueAndNameTheField) {
  // Positions counted by hand from the files: line:col of the offending value (or key).
  const std::vector<std::pair<std::string, std::string>> expect = {
      {"03-unknown-metric.yaml", ":6:13: key 'metric': unknown metric 'gemm.tflop'"},
      {"06-quoted-number.yaml", ":7:10: key 'min': expected a number, got '720'"},
      {"09-confidence-out-of-range.yaml", ":4:22: key 'method.confidence': 1.5 is impossible"},
      {"10-negative-threshold.yaml", ":5:42: key 'min': -5 is impossible"},
      {"11-min-above-max.yaml", ":5:49: key 'max': min (900) is above max (800)"},
      {"13-each-does-not-fit.yaml", ":5:40: key 'each': 'node' does not fit metric 'gemm.tflops'"},
      {"21-binary.yaml", ":3:7: binary content (byte 0x00)"},
      {"30-duplicate-key.yaml", ":4:1: key 'name': duplicate key"},
      {"32-invalid-utf8.yaml", ":3:10: invalid UTF-8 (byte 0xe9)"},
      {"39-pcie-width.yaml", ":4:31: key 'match.pcie.width': 12 lanes is not a PCIe width"},
  };
  for (const auto& [file, message] : expect) {
    const auto r = run_cli({"profile", "validate", kBad + file});
    EXPECT_EQ(r.rc, 2) << file;
    EXPECT_THAT(r.err, HasSubstr("gpucert: " + kBad + file + message)) << file;
  }
  // The same message from run, one line, and --out is not created.
  const std::string dir = test::make_temp_dir("gpucert-run-bad");
  const auto run_bad = run_cli({"run", "--profile", kBad + "11-min-above-max.yaml", "--simulate",
                                kNode, "--out", dir + "/o"});
  EXPECT_EQ(run_bad.rc, 2);
  EXPECT_THAT(run_bad.err,
              HasSubstr(kBad + "11-min-above-max.yaml:5:49: key 'max': min (900) is above max"));
  EXPECT_EQ(lines(run_bad.err), 1) << run_bad.err;
  EXPECT_FALSE(fs::exists(dir + "/o"));
  fs::remove_all(dir);
}

// --- reports derive, never trust; scope; physical range (issue 11) -----------------------------

TEST(EvaluateCli, MetricScaledInResultsJsonIsBadInputNotACertificate) {
  const RunOutcome r = run({"--fault", "gpu2:gemm=0.8", "--gpus", "1,2"});
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  // The attack: scale the failing GPU's GEMM samples by 1.42 (times and work left as they were).
  nlohmann::json doc = r.results;
  int scaled = 0;
  for (auto& m : doc.at("measurements"))
    if (m.at("benchmark") == "gemm" && m.at("target").at("gpus") == nlohmann::json::array({2}))
      for (auto& [name, values] : m.at("metrics").items())
        for (auto& v : values) {
          v = v.get<double>() * 1.42;
          ++scaled;
        }
  ASSERT_GT(scaled, 0);
  const std::string forged = r.dir + "/forged/results.json";
  fs::create_directories(r.dir + "/forged");
  std::ofstream(forged) << doc.dump(1);
  const auto e = run_cli({"evaluate", "--profile", kStandard, forged});
  EXPECT_EQ(e.rc, 2) << e.out << e.err;
  EXPECT_EQ(e.out, "");
  EXPECT_TRUE(std::regex_search(
      e.err, std::regex(forged + ": results: measurements\\[[0-9]+\\]\\.metrics\\.gemm\\.tflops\\["
                                 "0\\]: value .* is inconsistent with the sample's recorded time "
                                 "and work")))
      << e.err;
  // simulated:false edited into simulated results is refused as well.
  nlohmann::json real = r.results;
  real["simulated"] = false;
  std::ofstream(forged) << real.dump(1);
  const auto s = run_cli({"evaluate", "--profile", kStandard, forged});
  EXPECT_EQ(s.rc, 2) << s.err;
  EXPECT_THAT(s.err, HasSubstr("results: simulated: false, but the backend is \"sim\""));
  fs::remove_all(r.dir);
}

TEST(EvaluateCli, ResultsDigestIsOfTheExactBytesAndAnUnsignedDirectoryIsNoted) {
  const RunOutcome r = run({"--gpus", "0,1"}, kSrc + "/profiles/h100-sxm5-80gb-8x-quick.yaml");
  ASSERT_FALSE(r.results.is_null()) << r.cli.err;
  const std::string bytes = test::read_file(r.dir + "/results.json");
  EXPECT_EQ(r.cert.at("results").at("sha256"), sha256_hex(bytes)) << "run";
  // Re-indented: the same document, other bytes, another digest.
  const std::string other = r.dir + "/other/results.json";
  fs::create_directories(r.dir + "/other");
  std::ofstream(other) << r.results.dump(4) << "\n";
  const std::string out = test::make_temp_dir("gpucert-digest");
  const auto e = run_cli({"evaluate", "--profile", kSrc + "/profiles/h100-sxm5-80gb-8x-quick.yaml",
                          other, "--out", out});
  const auto cert = test::read_certificate(out + "/certificate.json");
  EXPECT_EQ(cert.at("results").at("sha256"), sha256_hex(test::read_file(other)));
  EXPECT_NE(cert.at("results").at("sha256"), r.cert.at("results").at("sha256"));
  EXPECT_THAT(e.out, HasSubstr("\nsignature UNSIGNED — the run directory holds no signature\n"));
  EXPECT_EQ(e.err.find("WARNING"), std::string::npos) << e.err;
  fs::remove_all(out);
  fs::remove_all(r.dir);
}

TEST(ScopeCli, SubsetOfAnEightGpuProfileCertifiesOnlyTheSubsetAndSaysSoEverywhere) {
  const RunOutcome r = run({"--gpus", "0-3"}, kSrc + "/profiles/h100-sxm5-80gb-8x-quick.yaml");
  // A node profile on a subset never certifies the node: its node-scope clauses are ERROR.
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err << r.cli.out;
  EXPECT_EQ(r.cert.at("outcome"), "NOT CERTIFIED");
  EXPECT_EQ(
      r.cert.at("scope"),
      nlohmann::json({{"gpus", {0, 1, 2, 3}}, {"gpus_in_node", 8}, {"complete_node", false}}));
  int node_checks = 0;
  for (const auto& c : r.cert.at("checks")) {
    if (c.at("scope") == "node") {
      ++node_checks;
      EXPECT_EQ(c.at("verdict"), "ERROR") << c.at("clause_id");
      EXPECT_EQ(c.at("message"), "node-scope clause: the run measured GPUs 0–3 of 8");
    } else {
      EXPECT_NE(c.at("verdict"), "ERROR") << c.at("clause_id") << " " << c.at("message");
      for (const auto& g : c.at("gpus"))
        EXPECT_LT(g.get<int>(), 4) << c.at("clause_id");
    }
  }
  EXPECT_GE(node_checks, 1) << "match.gpu_count at least";
  EXPECT_EQ(checks(r.cert).at({"match.gpu_count", "node"}).at("verdict"), "ERROR");
  const test::SchemaCheck schema(
      nlohmann::json::parse(test::read_file(kSrc + "/reports/schema/certificate.schema.json")));
  const auto errors = schema.errors(r.cert);
  EXPECT_TRUE(errors.empty()) << errors.front();
  // Every output states the subset.
  EXPECT_THAT(r.cli.out, HasSubstr("\nscope GPUs 0–3 of 8 (a subset"));
  EXPECT_THAT(r.cli.out, HasSubstr("\nNOT CERTIFIED (SIMULATED — not a certification) for GPUs "
                                   "0–3 of 8: "));
  const std::string md = test::read_file(r.dir + "/report.md");
  EXPECT_EQ(md.rfind("# gpucert: NOT CERTIFIED for GPUs 0–3 of 8 (SIMULATED)\n", 0), 0u) << md;
  EXPECT_THAT(md, HasSubstr("| scope | GPUs 0–3 of 8 (a subset"));
  for (int g = 0; g < 8; ++g)
    EXPECT_THAT(md, HasSubstr(fmt_gpu_row(g, g < 4))) << g;
  EXPECT_THAT(test::read_file(r.dir + "/junit.xml"),
              HasSubstr("<property name=\"scope_gpus\" value=\"0,1,2,3\"/>"));
  const std::string cert = r.dir + "/certificate.json";
  const auto html = run_cli({"report", cert, "--format", "html"});
  EXPECT_THAT(html.out, HasSubstr("<title>gpucert NOT CERTIFIED for GPUs 0–3 of 8 (SIMULATED)"));
  const auto prom = run_cli({"report", cert, "--format", "prom"});
  EXPECT_THAT(prom.out, HasSubstr("scope=\"GPUs 0–3 of 8\"} 0\n"));
  EXPECT_THAT(prom.out,
              HasSubstr("gpus=\"0,1,2,3\",gpus_in_node=\"8\",complete_node=\"false\"} 4"));
  fs::remove_all(r.dir);
}

TEST(ReportCli, ForgedOutcomeAndSimulatedFlagAreShownAsTheChecksGive) {
  const RunOutcome r = run({"--fault", "gpu2:gemm=0.8", "--gpus", "1,2"},
                           kSrc + "/profiles/h100-sxm5-80gb-8x-quick.yaml");
  ASSERT_EQ(r.cli.rc, 1) << r.cli.err;
  nlohmann::json forged = r.cert;
  forged["outcome"] = "CERTIFIED"; // jq '.outcome="CERTIFIED"'
  forged["simulated"] = false;     // jq '.simulated=false'
  const std::string path = r.dir + "/forged.json";
  std::ofstream(path) << forged.dump(2);
  const auto html = run_cli({"report", path, "--format", "html"});
  ASSERT_EQ(html.rc, 0) << html.err;
  EXPECT_THAT(html.out, HasSubstr("<h1>NOT CERTIFIED"));
  EXPECT_THAT(html.out, HasSubstr("INCONSISTENT: the certificate states CERTIFIED but its checks "
                                  "give NOT CERTIFIED"));
  EXPECT_THAT(html.out, HasSubstr("SIMULATED — not a certification"));
  const auto prom = run_cli({"report", path, "--format", "prom"});
  EXPECT_THAT(prom.out, HasSubstr("simulated=\"true\",outcome=\"NOT CERTIFIED\""));
  EXPECT_THAT(prom.out, HasSubstr("stated_outcome=\"CERTIFIED\"} 0\n"));
  EXPECT_EQ(prom.out.find(",outcome=\"CERTIFIED\""), std::string::npos);
  // The signature line: this directory is unsigned; --pubkey is accepted.
  const auto md = run_cli({"report", path, "--format", "md"});
  EXPECT_THAT(md.out, HasSubstr("| signature | UNSIGNED"));
  EXPECT_THAT(md.out, HasSubstr("INCONSISTENT: "));
  fs::remove_all(r.dir);
}

// A fleet holds the default exposition: at most 100 series per node for the standard profile,
// labelled with the node and (per GPU) the GPU UUID, with the run's time as a gauge; prom-full
// keeps a series per check.
TEST(ReportCli, PrometheusDefaultFitsAFleetAndFullHasEveryCheck) {
  const RunOutcome r = run({}, kStandard);
  const std::string cert = r.dir + "/certificate.json";
  const auto prom = run_cli({"report", cert, "--format", "prom"});
  ASSERT_EQ(prom.rc, 0) << prom.err;
  int series = 0;
  std::istringstream in(prom.out);
  for (std::string line; std::getline(in, line);)
    series += !line.empty() && line[0] != '#';
  EXPECT_LE(series, 100);
  EXPECT_GT(series, 10);
  EXPECT_THAT(prom.out, HasSubstr("gpucert_run_timestamp_seconds{"));
  EXPECT_THAT(prom.out, HasSubstr("gpu_uuid=\""));
  EXPECT_THAT(prom.out, HasSubstr("gpucert_clause_worst_margin{"));
  EXPECT_EQ(prom.out.find("gpucert_check_verdict{"), std::string::npos);
  const auto full = run_cli({"report", cert, "--format", "prom-full"});
  ASSERT_EQ(full.rc, 0) << full.err;
  EXPECT_EQ(std::count(full.out.begin(), full.out.end(), '\n') >
                std::count(prom.out.begin(), prom.out.end(), '\n') * 5,
            true);
  EXPECT_THAT(full.out, HasSubstr("gpucert_check_verdict{"));
  fs::remove_all(r.dir);
}

} // namespace
} // namespace gpucert
