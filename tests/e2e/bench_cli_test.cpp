// gpucert-bench on the simulator: the benchmark list, the JSON a filtered run writes (FLOP/s
// near the simulated card's achievable figure, provenance in the context), and its errors.
#include "harness/backends/sim/sim_node.hpp"
#include "tests/support/cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gpucert {
namespace {

using ::testing::HasSubstr;

test::CliResult bench(const std::vector<std::string>& args) {
  return test::run_cli(args, {}, 60, GPUCERT_BENCH_BIN);
}

bool listed(const std::string& list, const std::string& pattern) {
  return std::regex_search(list, std::regex(pattern, std::regex::multiline));
}

TEST(BenchCli, ListsEveryFamilyOnTheSimulatedNode) {
  const auto r = bench({"--simulate", "h100-sxm5-80gb-8x", "--benchmark_list_tests"});
  ASSERT_EQ(r.rc, 0) << r.err;
  for (const char* dtype : {"fp64", "fp32", "tf32", "fp16", "bf16", "fp8"})
    EXPECT_TRUE(listed(r.out, std::string("^gemm/dtype:") + dtype +
                                  "/m:8192/n:8192/k:8192/layout:tn/algos:8/fast_accum:false/gpu:0/"
                                  "manual_time$"))
        << dtype;
  EXPECT_TRUE(listed(r.out, "^gemm/dtype:bf16/.*/gpu:7/manual_time$"));
  for (const char* op : {"copy", "scale", "add", "triad", "read", "write"})
    EXPECT_TRUE(listed(r.out, std::string("^hbm\\.") + op + "/bytes:1GiB/gpu:0/manual_time$"))
        << op;
  for (const char* dir : {"h2d", "d2h", "bidir"})
    for (const char* engine : {"ce", "sm"})
      EXPECT_TRUE(listed(r.out, std::string("^pcie\\.") + dir + "/bytes:256MiB/engine:" + engine +
                                    "/gpu:3/manual_time$"))
          << dir << " " << engine;
  EXPECT_TRUE(listed(r.out, "^p2p\\.uni/bytes:256MiB/engine:ce/gpu:0-1/manual_time$"));
  EXPECT_TRUE(listed(r.out, "^p2p\\.bidir/bytes:256MiB/engine:sm/gpu:6-7/manual_time$"));
  EXPECT_TRUE(listed(r.out, "^launch\\.issue/launches:1000/gpu:0/manual_time$"));
  EXPECT_TRUE(listed(r.out, "^launch\\.graph/launches:1000/gpu:0/manual_time$"));
  EXPECT_TRUE(listed(r.out, "^host/quantile_ci/n:200$"));
  EXPECT_TRUE(listed(r.out, "^host/runner_decision/max_samples:50$"));
}

TEST(BenchCli, SingleGpuPcieNodeHasNoPairs) {
  const auto r = bench({"--simulate=h100-pcie-80gb-1x", "--benchmark_list_tests"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(listed(r.out, "^gemm/dtype:bf16/.*/gpu:0/manual_time$"));
  EXPECT_FALSE(listed(r.out, "^p2p"));
  EXPECT_FALSE(listed(r.out, "gpu:1"));
}

TEST(BenchCli, JsonRunCarriesFlopsNearTheAchievableFigureAndProvenance) {
  const auto r = bench({"--simulate", "h100-sxm5-80gb-8x",
                        "--benchmark_filter=^gemm/dtype:bf16/.*/gpu:0/|^launch.issue/.*/gpu:1/",
                        "--benchmark_format=json", "--benchmark_min_time=0.05"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("context").at("simulated"), "true");
  EXPECT_EQ(j.at("context").at("node"), "h100-sxm5-80gb-8x");
  EXPECT_EQ(j.at("context").at("gpucert_backend"), "sim");
  EXPECT_TRUE(j.at("context").contains("gpucert_version"));
  EXPECT_TRUE(j.at("context").contains("gpucert_git_revision"));
  const double achievable = sim::load_builtin_node("h100-sxm5-80gb-8x").achievable.at("gemm.bf16");
  const double launch_us =
      sim::load_builtin_node("h100-sxm5-80gb-8x").achievable.at("launch.issue");
  int seen = 0;
  for (const auto& b : j.at("benchmarks")) {
    const std::string name = b.at("name");
    ASSERT_FALSE(b.contains("error_occurred") && b.at("error_occurred").get<bool>())
        << name << ": " << b.value("error_message", "");
    EXPECT_EQ(b.at("label"), "SIMULATED");
    if (name.rfind("gemm/", 0) == 0) {
      ++seen;
      EXPECT_NEAR(b.at("FLOP/s").get<double>() / 1e12 / achievable, 1.0, 0.03) << b.dump();
      EXPECT_EQ(b.at("time_unit"), "ms");
    } else {
      ++seen;
      EXPECT_NEAR(b.at("us/item").get<double>() / launch_us, 1.0, 0.03) << b.dump();
    }
  }
  EXPECT_EQ(seen, 2);
  EXPECT_NE(r.err.find("SIMULATED"), std::string::npos);
}

TEST(BenchCli, FaultsReachTheModelAndWrongResultsAreNotReported) {
  const auto r = bench({"--simulate", "h100-sxm5-80gb-8x", "--fault", "gpu2:gemm=0.5",
                        "--fault=gpu3:sdc", "--benchmark_filter=^gemm/dtype:bf16/.*/gpu:[23]/",
                        "--benchmark_format=json", "--benchmark_min_time=0.02"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("context").at("faults"), "gpu2:gemm=0.5 gpu3:sdc");
  const double achievable = sim::load_builtin_node("h100-sxm5-80gb-8x").achievable.at("gemm.bf16");
  ASSERT_EQ(j.at("benchmarks").size(), 2u);
  for (const auto& b : j.at("benchmarks")) {
    if (b.at("name").get<std::string>().ends_with("gpu:2/manual_time")) {
      EXPECT_NEAR(b.at("FLOP/s").get<double>() / 1e12 / achievable, 0.5, 0.02);
    } else {
      EXPECT_TRUE(b.value("error_occurred", false));
      EXPECT_NE(b.value("error_message", "").find("incorrect:"), std::string::npos);
    }
  }
}

// Each benchmark's instance (buffers, streams, NCCL communicators on a GPU) is released before
// the next one is set up, and the last one before exit: never two alive at once. The test hook
// GPUCERT_TEST_BENCH_INSTANCES has gpucert-bench log every set-up and release with the count.
TEST(BenchCli, ReleasesEachInstanceBeforeTheNextIsSetUp) {
  const auto r =
      bench({"--simulate", "h100-sxm5-80gb-8x",
             "--benchmark_filter=^gemm/dtype:bf16/.*/gpu:[0-2]/|^hbm.copy/.*/gpu:0/",
             "--benchmark_repetitions=2", "--benchmark_format=json", "--benchmark_min_time=0.01"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto traced = test::run_cli(
      {"--simulate", "h100-sxm5-80gb-8x",
       "--benchmark_filter=^gemm/dtype:bf16/.*/gpu:[0-2]/|^hbm.copy/.*/gpu:0/",
       "--benchmark_repetitions=2", "--benchmark_format=json", "--benchmark_min_time=0.01"},
      {"GPUCERT_TEST_BENCH_INSTANCES=1"}, 60, GPUCERT_BENCH_BIN);
  ASSERT_EQ(traced.rc, 0) << traced.err;
  EXPECT_EQ(r.err.find("gpucert-bench: test:"), std::string::npos) << "the hook is off by default";
  const std::regex line("gpucert-bench: test: instance (up|released) (\\S+) \\(live (\\d+)\\)");
  std::vector<std::pair<std::string, std::string>> events;
  for (auto it = std::sregex_iterator(traced.err.begin(), traced.err.end(), line);
       it != std::sregex_iterator(); ++it) {
    const int live = std::stoi((*it)[3]);
    EXPECT_LE(live, 1) << (*it)[0] << "\n" << traced.err;
    events.emplace_back((*it)[1], (*it)[2]);
  }
  // Every benchmark ran and reported, both repetitions.
  const auto j = nlohmann::json::parse(traced.out);
  std::set<std::string> names;
  int runs = 0;
  for (const auto& b : j.at("benchmarks")) {
    ASSERT_FALSE(b.value("error_occurred", false)) << b.dump();
    if (b.value("run_type", "") != "iteration")
      continue;
    ++runs;
    std::string name = b.at("run_name").get<std::string>(); // ".../gpu:0/manual_time"
    if (name.ends_with("/manual_time"))
      name.resize(name.size() - std::string("/manual_time").size());
    names.insert(name);
  }
  ASSERT_GE(names.size(), 4u) << traced.out;
  EXPECT_EQ(runs, 2 * static_cast<int>(names.size()));
  // One set-up per benchmark (its repetitions reuse it), released before the next set-up, the
  // last at exit.
  ASSERT_EQ(events.size(), 2 * names.size()) << traced.err;
  std::set<std::string> seen;
  for (size_t i = 0; i < events.size(); i += 2) {
    EXPECT_EQ(events[i].first, "up") << traced.err;
    EXPECT_EQ(events[i + 1].first, "released") << traced.err;
    EXPECT_EQ(events[i].second, events[i + 1].second) << traced.err;
    seen.insert(events[i].second);
  }
  EXPECT_EQ(seen, names);
}

TEST(BenchCli, BadInputAndNoGpu) {
  // Each refusal is one line naming the option or the token, and nothing is measured.
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--simulate"}, "gpucert-bench: --simulate needs a value\n"},
      {{"--simulate", "h100-sxm5-80gb-8x", "--fault"}, "gpucert-bench: --fault needs a value\n"},
      {{"--simulate", "no-such-node", "--benchmark_list_tests"},
       "gpucert-bench: --simulate no-such-node: no such simulator node (built-in nodes: "
       "h100-nvl-94gb-1x, h100-pcie-80gb-1x, h100-sxm5-80gb-8x, h200-sxm-141gb-8x)\n"},
      {{"--simulate", "h100-sxm5-80gb-8x", "--fault", "gpu9:sdc"},
       "gpucert-bench: --fault gpu9:sdc: GPU 9 does not exist (this node has 8 GPUs: "
       "gpu0..gpu7)\n"},
      {{"--simulate", "h100-sxm5-80gb-8x", "--gpus", "8"},
       "gpucert-bench: --gpus 8: GPU 8 does not exist on h100-sxm5-80gb-8x (8 GPUs: 0-7)\n"},
  };
  for (const auto& [args, err] : cases) {
    const auto r = bench(args);
    EXPECT_EQ(r.rc, 2) << args.back() << ": " << r.err;
    EXPECT_EQ(r.err, err);
    EXPECT_EQ(r.out, "") << args.back();
  }
  const auto flag = bench({"--simulate", "h100-sxm5-80gb-8x", "--no_such_flag"});
  EXPECT_EQ(flag.rc, 2);
  EXPECT_THAT(flag.err, HasSubstr("unrecognized command-line flag: --no_such_flag"));
  const auto help = bench({"--help"});
  EXPECT_NE(help.out.find("--simulate NODE"), std::string::npos);
  EXPECT_NE(help.out.find("benchmark_filter"), std::string::npos);
  // Without --simulate this machine's GPUs are used; where there are none, exit 3 and say why.
  const auto real = bench({"--benchmark_list_tests"});
  if (real.rc != 0) {
    EXPECT_EQ(real.rc, 3) << real.err;
    EXPECT_THAT(real.err, HasSubstr("gpucert-bench: cannot measure this machine: "));
    EXPECT_NE(real.err.find("--simulate"), std::string::npos) << real.err;
  }
}

} // namespace
} // namespace gpucert
