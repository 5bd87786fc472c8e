// `gpucert plan`: the schedule of a profile and the estimated time to certify, as a user runs it.
#include "tests/support/cli.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gpucert {
namespace {

TEST(PlanCli, TheStandardTierOnTheH100NodeFitsInTenMinutesAndTheQuickInOne) {
  for (const auto& [profile, limit] : std::vector<std::pair<std::string, double>>{
           {"h100-sxm5-80gb-8x-quick", 60}, {"h100-sxm5-80gb-8x-standard", 600}}) {
    const auto r = test::run_cli(
        {"plan", "--profile", profile, "--simulate", "h100-sxm5-80gb-8x", "--format", "json"});
    ASSERT_EQ(r.rc, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("node"), "h100-sxm5-80gb-8x");
    EXPECT_EQ(j.at("gpus"), 8);
    EXPECT_LE(j.at("estimate_s").get<double>(), limit) << profile;
    EXPECT_GT(j.at("estimate_s").get<double>(), 0) << profile;
    double sum = 0;
    int lanes = 0;
    for (const auto& round : j.at("rounds")) {
      sum += round.at("estimate_s").get<double>();
      lanes += round.at("lanes").get<int>();
    }
    EXPECT_NEAR(sum, j.at("estimate_s").get<double>(), 1e-6 * sum);
    EXPECT_EQ(lanes, j.at("measurements").get<int>()) << "every measurement in one round";
  }
}

TEST(PlanCli, TextShowsRoundsLanesAndTheTotal) {
  const auto r = test::run_cli(
      {"plan", "--profile", "h100-sxm5-80gb-8x-standard", "--simulate", "h100-sxm5-80gb-8x"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("(8 GPUs at once)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(round 7 of 7: 4 pairs at once)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Estimated wall time: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("setup "), std::string::npos) << r.out;
}

TEST(PlanCli, SameCallSameEstimate) {
  const std::vector<std::string> args = {
      "plan",     "--profile", "h100-sxm5-80gb-8x-quick", "--simulate", "h100-sxm5-80gb-8x",
      "--format", "json"};
  const auto a = test::run_cli(args), b = test::run_cli(args);
  ASSERT_EQ(a.rc, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(PlanCli, WithoutAGpuOrANodeItSaysWhatToName) {
  const std::string dir = test::make_temp_dir("plan-cli");
  const std::string path = dir + "/nomatch.yaml";
  std::ofstream(path) << "schema: gpucert/profile/v1\nname: nomatch\nclauses:\n"
                         "  - {id: g, metric: gemm.tflops, min: 1}\n";
  const auto r = test::run_cli({"plan", "--profile", path});
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.err.find("no time model for this node"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--simulate NODE"), std::string::npos) << r.err;
  // A profile that names its card finds the node file of that card.
  const auto shipped = test::run_cli({"plan", "--profile", "h100-pcie-80gb", "--format", "json"});
  ASSERT_EQ(shipped.rc, 0) << shipped.err;
  EXPECT_EQ(nlohmann::json::parse(shipped.out).at("node"), "h100-pcie-80gb-1x");
  const auto bad = test::run_cli({"plan", "--profile", path, "--simulate", "no-such-node"});
  EXPECT_EQ(bad.rc, 2);
  EXPECT_NE(bad.err.find("no-such-node"), std::string::npos) << bad.err;
}

TEST(PlanCli, AnHbmArrayTheNodesL2WouldHoldIsRefusedBeforeAnythingRuns) {
  const std::string dir = test::make_temp_dir("plan-cli-l2");
  const std::string path = dir + "/small.yaml";
  std::ofstream(path) << "schema: gpucert/profile/v1\nname: small\nclauses:\n"
                         "  - {id: copy, metric: hbm.copy.gbps, params: {bytes: 64MiB}, min: 1}\n";
  for (const char* verb : {"plan", "run"}) {
    std::vector<std::string> args = {verb, "--profile", path, "--simulate", "h100-sxm5-80gb-8x"};
    if (std::string(verb) == "run")
      args.insert(args.end(), {"--out", dir + "/out"});
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.rc, 2) << verb << ": " << r.out;
    EXPECT_NE(r.err.find("small.yaml:4:"), std::string::npos) << verb << ": " << r.err;
    EXPECT_NE(r.err.find("L2"), std::string::npos) << verb << ": " << r.err;
  }
}

} // namespace
} // namespace gpucert
