// --seed, --hostname, node:drift and node:autocorr end to end: `run` with one seed twice writes the
// same samples bit for bit and records the seed and hostname in results.json; without --seed a
// seed is drawn, recorded, and reproduces the run; the seed varies the noise, never the node's
// identity or silicon; --hostname renames the node; GPU 3 draws the same noise alone or after
// GPUs 0..2; drift and autocorrelation are measurable in the samples; gpucert-bench and
// `inventory` take the same options; bad values exit 2 naming the token.
#include "tests/support/cli.hpp"
#include "tests/support/series_stats.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <numeric>

namespace gpucert {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::run_cli;
using ::testing::HasSubstr;

const std::string kNode = "h100-sxm5-80gb-8x";
const std::string kQuick = "h100-sxm5-80gb-8x-quick";

struct SimRun {
  test::CliResult cli;
  json results;
};

SimRun run(const std::vector<std::string>& extra, const std::string& profile = kQuick) {
  const std::string dir = test::make_temp_dir("gpucert-seed");
  std::vector<std::string> args = {"run", "--profile", profile, "--simulate", kNode, "--out", dir};
  args.insert(args.end(), extra.begin(), extra.end());
  SimRun r;
  r.cli = run_cli(args);
  const fs::path results = fs::path(dir) / "results.json";
  if (fs::exists(results))
    r.results = json::parse(test::read_file(results.string()));
  fs::remove_all(dir);
  return r;
}

/// Every measurement's samples, by measurement key, as JSON text (bit-for-bit comparison).
std::map<std::string, std::string> samples(const json& results) {
  std::map<std::string, std::string> out;
  for (const auto& m : results.at("measurements"))
    out[m.at("key").get<std::string>()] = m.at("seconds").dump();
  return out;
}

std::vector<double> seconds_of(const json& results, const std::string& key_prefix) {
  for (const auto& m : results.at("measurements"))
    if (m.at("key").get<std::string>().rfind(key_prefix, 0) == 0)
      return m.at("seconds").get<std::vector<double>>();
  ADD_FAILURE() << "no measurement " << key_prefix;
  return {};
}

json gpus_of(const json& results) {
  json ids = json::array();
  for (const auto& g : results.at("inventory_before").at("gpus"))
    ids.push_back({g.at("uuid"), g.at("serial"), g.at("pci_bus_id")});
  return ids;
}

/// A profile of one GEMM clause held for exactly `samples` samples on each GPU.
std::string long_profile(const std::string& dir, int samples) {
  const std::string path = dir + "/long.yaml";
  std::ofstream(path) << "schema: gpucert/profile/v1\nname: sim-seed-long\ntier: quick\n"
                      << "method: {confidence: 0.95, target_rel_ci: 0.0001, min_samples: "
                      << samples << ", max_samples: " << samples
                      << ", max_seconds_per_clause: 10000}\n"
                      << "clauses:\n  - id: gemm-long\n    metric: gemm.tflops\n"
                      << "    params: {dtype: bf16, m: 8192, n: 8192, k: 8192}\n"
                      << "    each: gpu\n    min: 1\n";
  return path;
}

/// Four benchmarks per GPU, each a fixed 12 samples (min = max): the sample count must not depend
/// on the verdict rule, whose FAIL levels depend on how many GPUs the certificate covers.
std::string fixed_count_profile(const std::string& dir) {
  const std::string path = dir + "/fixed.yaml";
  std::ofstream(path) << "schema: gpucert/profile/v1\nname: sim-seed-fixed\ntier: quick\n"
                      << "method: {min_samples: 12, max_samples: 12}\nclauses:\n"
                      << "  - {id: gemm, metric: gemm.tflops, params: {dtype: bf16, m: 8192, n: "
                         "8192, k: 8192}, min: 1}\n"
                      << "  - {id: hbm, metric: hbm.triad.gbps, min: 1}\n"
                      << "  - {id: h2d, metric: pcie.h2d.gbps, min: 1}\n"
                      << "  - {id: launch, metric: launch.issue.us, max: 100}\n";
  return path;
}

using test::lag1;
using test::slope;

TEST(SimSeedCli, SameSeedSameSamplesBitForBitAndTheSeedIsRecorded) {
  const SimRun a = run({"--seed", "7"}), b = run({"--seed=7"});
  ASSERT_EQ(a.cli.rc, 0) << a.cli.err;
  ASSERT_EQ(b.cli.rc, 0) << b.cli.err;
  EXPECT_THAT(a.cli.err, HasSubstr("noise seed 7 (--seed 7 repeats this run)"));
  const json& sim = a.results.at("provenance").at("sim");
  EXPECT_EQ(sim.at("seed"), 7);
  EXPECT_EQ(sim.at("hostname"), "sim-hgx-h100-01");
  EXPECT_EQ(sim.at("node"), kNode);
  EXPECT_EQ(a.results.at("inventory_before").at("node").at("hostname"), "sim-hgx-h100-01");
  const auto sa = samples(a.results);
  EXPECT_GT(sa.size(), 20u);
  EXPECT_EQ(sa, samples(b.results));
}

TEST(SimSeedCli, OtherSeedOtherNoiseSameIdentityAndSilicon) {
  const SimRun a = run({"--seed", "7"}), c = run({"--seed", "8"});
  ASSERT_EQ(c.cli.rc, 0) << c.cli.err;
  const auto sa = samples(a.results), sc = samples(c.results);
  ASSERT_EQ(sa.size(), sc.size());
  for (const auto& [key, s] : sa)
    EXPECT_NE(s, sc.at(key)) << key;
  EXPECT_EQ(gpus_of(a.results), gpus_of(c.results));
  // Without noise a sample is the model over the silicon spread: the same for any seed.
  const SimRun q1 = run({"--seed", "1", "--fault", "node:noise=0"});
  const SimRun q2 = run({"--seed", "2", "--fault", "node:noise=0"});
  ASSERT_EQ(q1.cli.rc, 0) << q1.cli.err;
  EXPECT_EQ(samples(q1.results), samples(q2.results));
}

TEST(SimSeedCli, WithoutSeedOneIsDrawnRecordedAndReproducesTheRun) {
  const SimRun a = run({}), b = run({});
  ASSERT_EQ(a.cli.rc, 0) << a.cli.err;
  const json seed = a.results.at("provenance").at("sim").at("seed");
  ASSERT_TRUE(seed.is_number_unsigned()) << seed;
  EXPECT_NE(seed, b.results.at("provenance").at("sim").at("seed"));
  EXPECT_NE(samples(a.results), samples(b.results));
  const SimRun again = run({"--seed", std::to_string(seed.get<std::uint64_t>())});
  ASSERT_EQ(again.cli.rc, 0) << again.cli.err;
  EXPECT_EQ(samples(again.results), samples(a.results));
}

TEST(SimSeedCli, HostnameRenamesTheNodeItsIdentityAndSilicon) {
  const SimRun home = run({"--seed", "3", "--fault", "node:noise=0"});
  const SimRun b = run({"--seed", "3", "--fault", "node:noise=0", "--hostname", "node-b"});
  const SimRun b2 = run({"--seed", "4", "--fault", "node:noise=0", "--hostname", "node-b"});
  ASSERT_EQ(b.cli.rc, 0) << b.cli.err;
  EXPECT_EQ(b.results.at("provenance").at("sim").at("hostname"), "node-b");
  EXPECT_EQ(b.results.at("inventory_before").at("node").at("hostname"), "node-b");
  const json ids_home = gpus_of(home.results), ids_b = gpus_of(b.results);
  ASSERT_EQ(ids_home.size(), ids_b.size());
  for (size_t i = 0; i < ids_b.size(); ++i) {
    EXPECT_NE(ids_b[i][0], ids_home[i][0]) << "uuid of gpu" << i;
    EXPECT_NE(ids_b[i][1], ids_home[i][1]) << "serial of gpu" << i;
    EXPECT_EQ(ids_b[i][2], ids_home[i][2]) << "pci bus id of gpu" << i;
  }
  EXPECT_EQ(ids_b, gpus_of(b2.results)); // one hostname, one identity, whatever the seed
  EXPECT_EQ(samples(b.results), samples(b2.results)); // ... and one silicon
  // Another hostname, other silicon: the per-GPU figures move (spread), noise or not.
  const auto sh = samples(home.results), sb = samples(b.results);
  int moved = 0;
  for (const auto& [key, s] : sh)
    moved += key.find("gemm") == 0 && s != sb.at(key);
  EXPECT_GE(moved, 8);

  // inventory: the same identity as the run's.
  const auto inv = run_cli({"inventory", "--simulate", kNode, "--hostname", "node-b", "--json"});
  ASSERT_EQ(inv.rc, 0) << inv.err;
  EXPECT_EQ(inv.err, "");
  const json j = json::parse(inv.out);
  EXPECT_EQ(j.at("node").at("hostname"), "node-b");
  EXPECT_EQ(j.at("gpus").at(0).at("uuid"), ids_b[0][0]);
  EXPECT_EQ(j.at("gpus").at(7).at("serial"), ids_b[7][1]);
  const auto inv_seeded = run_cli({"inventory", "--simulate", kNode, "--seed", "9", "--json"});
  ASSERT_EQ(inv_seeded.rc, 0) << inv_seeded.err;
  EXPECT_EQ(json::parse(inv_seeded.out).at("gpus").at(0).at("uuid"), ids_home[0][0]);
}

TEST(SimSeedCli, Gpu3DrawsTheSameNoiseAloneOrAfterGpus0To2) {
  const std::string dir = test::make_temp_dir("gpucert-seed-fixed");
  const std::string profile = fixed_count_profile(dir);
  const SimRun alone = run({"--seed", "11", "--gpus", "3"}, profile);
  const SimRun after = run({"--seed", "11", "--gpus", "0-3"}, profile);
  fs::remove_all(dir);
  ASSERT_FALSE(alone.results.is_null()) << alone.cli.err;
  ASSERT_EQ(after.cli.rc, 0) << after.cli.err;
  int compared = 0;
  const auto sa = samples(after.results);
  for (const auto& m : alone.results.at("measurements")) {
    if (m.at("target").at("label") != "gpu3")
      continue;
    const std::string key = m.at("key");
    EXPECT_EQ(m.at("seconds").dump(), sa.at(key)) << key;
    ++compared;
  }
  EXPECT_GE(compared, 4);
}

TEST(SimSeedCli, DriftIsATrendAndAutocorrALag1CorrelationInTheSamples) {
  const std::string dir = test::make_temp_dir("gpucert-seed-profile");
  const std::string profile = long_profile(dir, 400);
  // node:drift=F: figure × (1 + F) per simulated minute of the GPU's load.
  for (double F : {0.5, -0.3}) {
    const SimRun r =
        run({"--seed", "5", "--gpus", "0", "--fault", "node:drift=" + std::to_string(F)}, profile);
    ASSERT_FALSE(r.results.is_null()) << r.cli.err;
    const auto s = seconds_of(r.results, "gemm");
    ASSERT_EQ(s.size(), 400u);
    std::vector<double> t, log_figure;
    double busy = 0;
    for (double x : s) {
      t.push_back(busy);
      log_figure.push_back(-std::log(x));
      busy += x;
    }
    EXPECT_NEAR(slope(t, log_figure) * 60, std::log1p(F), 0.05 * std::abs(std::log1p(F)))
        << "F=" << F;
  }
  // node:autocorr=RHO: lag-1 correlation of the noise, with node:noise=CV setting its size.
  for (double rho : {0.0, 0.8}) {
    const SimRun r = run({"--seed", "6", "--gpus", "0", "--fault", "node:noise=0.05", "--fault",
                          "node:autocorr=" + std::to_string(rho)},
                         profile);
    ASSERT_FALSE(r.results.is_null()) << r.cli.err;
    std::vector<double> logs;
    for (double x : seconds_of(r.results, "gemm"))
      logs.push_back(std::log(x));
    EXPECT_NEAR(lag1(logs), rho, 0.1) << "rho=" << rho;
  }
  fs::remove_all(dir);
}

TEST(SimSeedCli, BenchTakesSeedAndHostnameAndRepeatsItself) {
  auto bench = [](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--simulate", kNode,
                                     "--benchmark_filter=^gemm/dtype:bf16/.*/gpu:[03]/",
                                     "--benchmark_format=json", "--benchmark_min_time=0.05"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args, {}, 60, GPUCERT_BENCH_BIN);
  };
  auto times = [](const std::string& out) {
    json t = json::array();
    const json doc = json::parse(out);
    for (const auto& b : doc.at("benchmarks"))
      t.push_back({b.at("name"), b.at("iterations"), b.at("real_time")});
    return t;
  };
  const auto a = bench({"--seed", "5"}), b = bench({"--seed=5"}), c = bench({"--seed", "6"});
  ASSERT_EQ(a.rc, 0) << a.err;
  ASSERT_EQ(b.rc, 0) << b.err;
  ASSERT_EQ(c.rc, 0) << c.err;
  EXPECT_THAT(a.err, HasSubstr("noise seed 5"));
  const json ctx = json::parse(a.out).at("context");
  EXPECT_EQ(ctx.at("sim_seed"), "5");
  EXPECT_EQ(ctx.at("sim_hostname"), "sim-hgx-h100-01");
  EXPECT_GE(times(a.out).size(), 2u);
  EXPECT_EQ(times(a.out), times(b.out));
  EXPECT_NE(times(a.out), times(c.out));
  const auto drawn = bench({"--hostname", "node-b"});
  ASSERT_EQ(drawn.rc, 0) << drawn.err;
  const json dctx = json::parse(drawn.out).at("context");
  EXPECT_FALSE(dctx.at("sim_seed").get<std::string>().empty());
  EXPECT_EQ(dctx.at("sim_hostname"), "node-b");
}

TEST(SimSeedCli, BadValuesExit2NamingTheToken) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--fault", "node:autocorr=1"}, "--fault node:autocorr=1:"},
      {{"--fault", "node:drift=abc"}, "--fault node:drift=abc:"},
      {{"--seed", "-1"}, "--seed -1:"},
      {{"--seed=-1"}, "--seed -1:"},
      {{"--seed", "x"}, "--seed x:"},
      {{"--seed", "18446744073709551616"}, "--seed 18446744073709551616:"},
      {{"--hostname", "bad_host"}, "--hostname bad_host:"},
  };
  for (const auto& [extra, token] : cases) {
    const SimRun r = run(extra);
    EXPECT_EQ(r.cli.rc, 2) << token << ": " << r.cli.err;
    EXPECT_THAT(r.cli.err, HasSubstr(token));
    EXPECT_TRUE(r.results.is_null()) << token << ": nothing may be measured";
    std::vector<std::string> inv = {"inventory", "--simulate", kNode};
    inv.insert(inv.end(), extra.begin(), extra.end());
    const auto i = run_cli(inv);
    EXPECT_EQ(i.rc, 2) << token << ": " << i.err;
    EXPECT_THAT(i.err, HasSubstr(token));
    EXPECT_EQ(i.out, "");
    std::vector<std::string> bench = {"--simulate", kNode, "--benchmark_list_tests"};
    bench.insert(bench.end(), extra.begin(), extra.end());
    const auto b = run_cli(bench, {}, 60, GPUCERT_BENCH_BIN);
    EXPECT_EQ(b.rc, 2) << token << ": " << b.err;
    EXPECT_THAT(b.err, HasSubstr(token));
  }
  // Only a simulated node has a seed or a hostname to set.
  for (const auto& [opt, value] : {std::pair{"--seed", "3"}, std::pair{"--hostname", "h"}}) {
    const auto r = run_cli({"inventory", opt, value});
    EXPECT_EQ(r.rc, 2) << opt << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(std::string(opt) + " " + value + ":"));
  }
}

} // namespace
} // namespace gpucert
