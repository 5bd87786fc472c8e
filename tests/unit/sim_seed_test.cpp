// The seeded simulator: --seed sets the noise and reproduces a run bit for bit; a node's identity
// (UUIDs, serials) and silicon spread derive from its hostname, not the seed; one random stream
// per GPU (set), so what one GPU draws does not depend on what the others drew; node:drift and
// node:autocorr give the trend and the lag-1 correlation they promise (estimated here).
#include "harness/backends/make_backend.hpp"
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/core/seed.hpp"
#include "harness/measure/runner.hpp"
#include "tests/support/series_stats.hpp"

#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <numeric>
#include <regex>
#include <set>

namespace gpucert::sim {
namespace {

/// A hand-built 4-GPU node with round figures and a hostname of its own.
SimNode test_node(const std::string& hostname = "test-host-01") {
  SimNode n;
  n.name = "test-4x";
  n.gpu_count = 4;
  n.interconnect = "nvswitch";
  n.noise_cv = 0.004;
  n.gpu_spread = 0.02;
  n.inventory.simulated = true;
  n.inventory.node.hostname = hostname;
  for (int i = 0; i < 4; ++i) {
    GpuInfo g;
    g.index = i;
    g.name = "Test GPU";
    g.uuid = "GPU-00000000-0000-0000-0000-00000000000" + std::to_string(i);
    g.serial = "100000000000" + std::to_string(i);
    g.pci_bus_id = "00000000:1" + std::to_string(i) + ":00.0";
    g.memory_total_bytes = 80ull << 30;
    g.compute_capability = "9.0";
    g.sm_clock_max_mhz = 1980;
    g.pcie_gen_max = 5;
    g.pcie_width_max = 16;
    n.inventory.gpus.push_back(g);
  }
  n.achievable = {{"gemm.fp64", 57},     {"gemm.fp32", 51},    {"gemm.tf32", 400},
                  {"gemm.fp16", 795},    {"gemm.bf16", 800},   {"gemm.fp8", 1400},
                  {"hbm.copy", 2900},    {"hbm.triad", 3000},  {"hbm.read", 3100},
                  {"hbm.write", 2800},   {"pcie.h2d", 55},     {"pcie.d2h", 54},
                  {"pcie.bidir", 100},   {"p2p.uni", 400},     {"p2p.bidir", 780},
                  {"launch.issue", 2.5}, {"launch.graph", 1.3}};
  n.peak = n.achievable;
  return n;
}

FaultSet faults(const std::vector<std::string>& tokens) {
  return FaultSet(parse_faults(tokens, 4));
}

/// Every sample the budget allows, no early stop.
SamplingPolicy fixed(int samples) {
  SamplingPolicy p;
  p.target_rel_ci = 0;
  p.min_samples = samples;
  p.max_samples = samples;
  p.max_seconds = 1e6;
  p.warmup_min = 2;
  p.warmup_seconds = 0;
  return p;
}

std::vector<double> run(SimBackend& b, const std::string& bench, const Target& t,
                        int samples = 20) {
  const BenchmarkDef* d = builtin_registry().find(bench);
  if (!d)
    throw std::runtime_error("no benchmark " + bench);
  const Measurement m = measure(b, *d, {}, t, fixed(samples));
  EXPECT_EQ(m.status, MeasurementStatus::ok) << bench << " " << t.label() << ": " << m.message;
  return m.seconds;
}

Target gpu(int i) {
  return {Scope::gpu, {i}};
}
Target pair(int a, int b) {
  return {Scope::gpu_pair, {a, b}};
}

using test::lag1;
using test::slope;

std::vector<double> logs(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v)
    out.push_back(std::log(x));
  return out;
}

TEST(SimSeed, SameSeedSameSamplesBitForBitOtherSeedOtherSamples) {
  auto all = [](std::uint64_t seed) {
    SimBackend b(test_node(), {}, {}, seed);
    std::vector<std::vector<double>> out;
    for (int g = 0; g < 4; ++g) {
      out.push_back(run(b, "gemm", gpu(g)));
      out.push_back(run(b, "hbm.copy", gpu(g)));
    }
    out.push_back(run(b, "p2p.uni", pair(0, 1)));
    return out;
  };
  const auto a = all(7);
  const auto again = all(7);
  ASSERT_EQ(a.size(), again.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), again[i].size());
    for (size_t k = 0; k < a[i].size(); ++k) // bit for bit, not merely close
      EXPECT_EQ(std::memcmp(&a[i][k], &again[i][k], sizeof(double)), 0) << i << "/" << k;
  }
  const auto other = all(8);
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_NE(a[i], other[i]) << i;
}

TEST(SimSeed, TheSeedVariesTheNoiseNotTheSilicon) {
  SimBackend a(test_node(), {}, {}, 1), b(test_node(), {}, {}, 99);
  EXPECT_EQ(a.seed(), 1u);
  EXPECT_EQ(b.seed(), 99u);
  for (int g = 0; g < 4; ++g)
    EXPECT_EQ(a.spread_factor(g), b.spread_factor(g)) << g;
  EXPECT_EQ(to_json(a.inventory()).at("gpus"), to_json(b.inventory()).at("gpus"));
  // Without noise a sample is the model's nominal time over the spread: the same for any seed.
  SimBackend quiet1(test_node(), faults({"node:noise=0"}), {}, 1);
  SimBackend quiet2(test_node(), faults({"node:noise=0"}), {}, 2);
  EXPECT_EQ(run(quiet1, "gemm", gpu(2)), run(quiet2, "gemm", gpu(2)));
}

TEST(SimSeed, OneStreamPerGpuWhateverRanBefore) {
  // GPU 3 alone, or after GPUs 0..2 and a pair: the same samples for GPU 3 with the same seed.
  SimBackend alone(test_node(), {}, {}, 5), after(test_node(), {}, {}, 5);
  for (int g = 0; g < 3; ++g)
    run(after, "gemm", gpu(g), 15 + g);
  run(after, "p2p.uni", pair(0, 3), 12);
  EXPECT_EQ(run(alone, "gemm", gpu(3)), run(after, "gemm", gpu(3)));
  EXPECT_EQ(run(alone, "hbm.copy", gpu(3)), run(after, "hbm.copy", gpu(3)));
  // A pair's stream is its own too, in either order of the pair.
  SimBackend p1(test_node(), {}, {}, 5), p2(test_node(), {}, {}, 5);
  run(p2, "gemm", gpu(1));
  EXPECT_EQ(run(p1, "p2p.uni", pair(1, 2)), run(p2, "p2p.uni", pair(1, 2)));
  // Streams are distinct: two GPUs of one run do not draw the same noise.
  SimBackend s(test_node(), {}, {}, 5);
  EXPECT_NE(s.noise(gpu(0)), s.noise(gpu(1)));
  EXPECT_NE(s.noise(pair(0, 1)), s.noise(gpu(0)));
  // A node target of one GPU (a collective on --gpus 3) is not that GPU's own stream.
  SimBackend n1(test_node(), {}, {}, 5), n2(test_node(), {}, {}, 5);
  n1.noise({Scope::node, {3}});
  EXPECT_EQ(n1.noise(gpu(3)), n2.noise(gpu(3)));
}

TEST(SimSeed, StreamsDependOnTheHostnameSoNodesOfALotDiffer) {
  SimBackend a(test_node("lot-node-1"), {}, {}, 3), b(test_node("lot-node-2"), {}, {}, 3);
  EXPECT_NE(a.noise(gpu(0)), b.noise(gpu(0)));
}

TEST(SimSeed, DefaultHostnameKeepsTheNodeFilesIdentity) {
  const SimNode file = load_builtin_node("h100-sxm5-80gb-8x");
  SimNode same = file;
  set_hostname(same, *file.inventory.node.hostname);
  EXPECT_EQ(identity_key(same), "sim-hgx-h100-01");
  EXPECT_EQ(to_json(same.inventory), to_json(file.inventory));
  EXPECT_EQ(file.inventory.gpus.at(0).uuid, "GPU-4283fefc-63f0-cd0e-873a-0000c6d07ef7");
}

TEST(SimSeed, HostnameDerivesUuidsSerialsAndSpread) {
  const SimNode file = load_builtin_node("h100-sxm5-80gb-8x");
  SimNode b = file, b2 = file, c = file;
  set_hostname(b, "node-b");
  set_hostname(b2, "node-b");
  set_hostname(c, "node-c.example.com");
  EXPECT_EQ(b.inventory.node.hostname, "node-b");
  EXPECT_EQ(identity_key(b), "node-b");
  EXPECT_EQ(to_json(b.inventory), to_json(b2.inventory)); // deterministic
  const std::regex uuid("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  const std::regex serial("[1-9][0-9]{12}");
  std::set<std::string> uuids, serials;
  for (size_t i = 0; i < file.inventory.gpus.size(); ++i) {
    const GpuInfo &f = file.inventory.gpus[i], &g = b.inventory.gpus[i];
    EXPECT_TRUE(std::regex_match(*g.uuid, uuid)) << *g.uuid;
    EXPECT_TRUE(std::regex_match(*g.serial, serial)) << *g.serial;
    EXPECT_NE(g.uuid, f.uuid);
    EXPECT_NE(g.serial, f.serial);
    EXPECT_NE(g.uuid, c.inventory.gpus[i].uuid);
    EXPECT_EQ(g.pci_bus_id, f.pci_bus_id); // the chassis's layout stays
    EXPECT_EQ(g.name, f.name);
    uuids.insert(*g.uuid);
    serials.insert(*g.serial);
  }
  EXPECT_EQ(uuids.size(), file.inventory.gpus.size());
  EXPECT_EQ(serials.size(), file.inventory.gpus.size());

  // Spread: from the hostname, bounded, the same for every seed, another for another host.
  SimBackend on_file(file, {}), on_b(b, {}, {}, 1), on_b_other_seed(b, {}, {}, 2);
  int differ = 0;
  for (int g = 0; g < file.gpu_count; ++g) {
    EXPECT_EQ(on_b.spread_factor(g), on_b_other_seed.spread_factor(g));
    EXPECT_NEAR(on_b.spread_factor(g), 1, file.gpu_spread / 2);
    differ += on_b.spread_factor(g) != on_file.spread_factor(g);
  }
  EXPECT_EQ(differ, file.gpu_count);
  EXPECT_EQ(on_b.inventory().node.hostname, "node-b");
}

TEST(SimSeed, BadHostnamesAreRefusedNamingThem) {
  for (const std::string& bad :
       std::vector<std::string>{"", "bad_host", "-lead", "a b", "x/y", std::string(254, 'a')}) {
    SimNode n = test_node();
    try {
      set_hostname(n, bad);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--hostname " + bad + ":"), std::string::npos)
          << e.what();
    }
  }
}

TEST(SimSeed, DriftIsARelativeChangePerMinuteOfTheGpusOwnLoad) {
  SimBackend b(test_node(), faults({"node:drift=-0.1"}));
  EXPECT_EQ(b.drift_factor(0), 1);
  b.run_load({0}, 60);
  EXPECT_DOUBLE_EQ(b.drift_factor(0), 0.9);
  EXPECT_EQ(b.drift_factor(1), 1); // GPU 1 carried no load
  b.run_load({0}, 120);
  EXPECT_NEAR(b.drift_factor(0), 0.9 * 0.9 * 0.9, 1e-12);
  SimBackend none(test_node(), {});
  none.run_load({0}, 600);
  EXPECT_EQ(none.drift_factor(0), 1);
}

TEST(SimSeed, DriftShowsAsATrendInTheSamples) {
  // figure(t) = figure(0) · (1 + F)^(t / 60 s): log(figure) has slope log(1 + F) / 60 per second.
  for (double F : {0.5, -0.3, 0.0}) {
    SimBackend b(test_node(), F == 0 ? FaultSet() : faults({fmt::format("node:drift={}", F)}), {},
                 21);
    const auto s = run(b, "gemm", gpu(1), 600);
    std::vector<double> t, log_figure;
    double busy = 0;
    for (double x : s) {
      t.push_back(busy);
      log_figure.push_back(-std::log(x));
      busy += x;
    }
    const double want = std::log1p(F) / 60;
    EXPECT_NEAR(slope(t, log_figure), want, 0.05 * std::abs(want) + 2e-4) << "F=" << F;
  }
}

TEST(SimSeed, AutocorrIsTheLag1CorrelationOfTheNoiseWithItsCvUnchanged) {
  const double cv = 0.05;
  for (double rho : {0.0, 0.5, 0.9}) {
    SimBackend b(test_node(), faults({"node:noise=0.05", fmt::format("node:autocorr={}", rho)}), {},
                 4);
    std::vector<double> draws;
    for (int i = 0; i < 40000; ++i)
      draws.push_back(b.noise(gpu(2)));
    EXPECT_NEAR(lag1(logs(draws)), rho, 0.03) << "rho=" << rho;
    double mean = 0, ss = 0;
    for (double x : draws)
      mean += x / draws.size();
    for (double x : draws)
      ss += (x - mean) * (x - mean);
    // The marginal is the same lognormal: its CV stays noise_cv (AR(1) makes the estimate of a
    // strongly correlated series less precise, hence the looser bound at 0.9).
    EXPECT_NEAR(std::sqrt(ss / (draws.size() - 1)) / mean, cv, rho > 0.8 ? 0.006 : 0.002)
        << "rho=" << rho;
  }
  // Through a measurement: the samples carry it.
  SimBackend b(test_node(), faults({"node:noise=0.05", "node:autocorr=0.8"}), {}, 9);
  EXPECT_NEAR(lag1(logs(run(b, "hbm.copy", gpu(0), 800))), 0.8, 0.08);
  SimBackend ind(test_node(), faults({"node:noise=0.05"}), {}, 9);
  EXPECT_NEAR(lag1(logs(run(ind, "hbm.copy", gpu(0), 800))), 0, 0.1);
}

TEST(SimSeed, AutocorrZeroIsTheIndependentNoiseDrawForDraw) {
  SimBackend a(test_node(), {}, {}, 6), b(test_node(), faults({"node:autocorr=0"}), {}, 6);
  EXPECT_EQ(run(a, "gemm", gpu(0)), run(b, "gemm", gpu(0)));
}

TEST(SimSeed, DriftAndAutocorrTokens) {
  const auto all = parse_faults({"node:drift=-0.01", "node:autocorr=0.7"}, 4);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, Fault::Kind::drift);
  EXPECT_DOUBLE_EQ(all[0].drift, -0.01);
  EXPECT_EQ(all[1].kind, Fault::Kind::autocorr);
  EXPECT_DOUBLE_EQ(all[1].autocorr, 0.7);
  const FaultSet set(all);
  EXPECT_DOUBLE_EQ(set.drift_per_minute(), -0.01);
  EXPECT_DOUBLE_EQ(set.autocorr(), 0.7);
  EXPECT_EQ(FaultSet().drift_per_minute(), 0);
  EXPECT_EQ(FaultSet().autocorr(), 0);
  EXPECT_NO_THROW(parse_faults({"node:drift=2", "node:autocorr=0"}, 4));
  for (const char* bad :
       {"node:drift=abc", "node:drift=-1", "node:drift=-1.5", "node:drift",
        "node:drift=", "node:drift=--0.1", "node:drift=+0.1", "node:drift=inf", "node:drift@1",
        "node:autocorr=1", "node:autocorr=1.5", "node:autocorr=-0.1", "node:autocorr=x",
        "node:autocorr", "gpu0:drift=0.1", "gpu1:autocorr=0.5", "node:wobble=1"}) {
    try {
      parse_faults({bad}, 4);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("--fault ") + bad + ":"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(parse_faults({"node:drift=0.1", "node:drift=0.2"}, 4), InputError);
  EXPECT_THROW(parse_faults({"node:autocorr=0.1", "node:autocorr=0.2"}, 4), InputError);
}

TEST(SimSeed, SeedText) {
  using gpucert::parse_seed;
  EXPECT_EQ(parse_seed("0"), 0u);
  EXPECT_EQ(parse_seed("42"), 42u);
  EXPECT_EQ(parse_seed("18446744073709551615"), 18446744073709551615ull);
  for (const char* bad :
       {"", "-1", "x", "1.5", "+1", " 1", "1 ", "0x10", "18446744073709551616", "1e3"}) {
    try {
      parse_seed(bad);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("--seed ") + bad + ":"), std::string::npos)
          << e.what();
    }
  }
  const std::uint64_t a = backends::random_seed(), b = backends::random_seed();
  EXPECT_LT(a, 1ull << 53);
  EXPECT_LT(b, 1ull << 53);
  EXPECT_NE(a, b); // 2^-53 chance of a false alarm
}

TEST(SimSeed, MakeBackendTakesSeedAndHostnameAndRecordsThem) {
  backends::NodeOptions o;
  o.simulate = "h100-sxm5-80gb-8x";
  o.seed = "123";
  o.hostname = "node-b";
  const auto backend = backends::make_backend(o);
  const auto& sim = dynamic_cast<const SimBackend&>(*backend);
  EXPECT_EQ(sim.seed(), 123u);
  EXPECT_EQ(backends::sim_provenance(*backend),
            (nlohmann::json{{"seed", 123}, {"hostname", "node-b"}, {"node", "h100-sxm5-80gb-8x"}}));
  EXPECT_EQ(backend->inventory().node.hostname, "node-b");

  o.seed.clear();
  o.hostname.clear();
  const auto drawn = backends::make_backend(o);
  const auto prov = backends::sim_provenance(*drawn);
  EXPECT_EQ(prov.at("seed").get<std::uint64_t>(), dynamic_cast<const SimBackend&>(*drawn).seed());
  EXPECT_EQ(prov.at("hostname"), "sim-hgx-h100-01");

  for (auto [seed, hostname, token] :
       {std::tuple{"5", "", "--seed 5:"}, std::tuple{"", "h", "--hostname h:"}}) {
    backends::NodeOptions real; // no --simulate
    real.seed = seed;
    real.hostname = hostname;
    try {
      backends::make_backend(real);
      ADD_FAILURE() << token << " was accepted without --simulate";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(token), std::string::npos) << e.what();
    }
  }
}

} // namespace
} // namespace gpucert::sim
