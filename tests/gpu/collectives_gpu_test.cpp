// GPU tier for the NCCL collectives. Multi-rank tests need two or more GPUs and skip saying so on
// one (a single GPU runs the single-rank path, which has a test of its own): the communicator has
// one rank per GPU (ncclCommCount, ncclCommUserRank, ncclCommCuDevice); every collective and
// type checks exactly on every rank; a corrupted element is caught naming rank and offset; CUDA-
// graph and in-place modes; the watchdog aborts a stalled rank and names it; work() is
// size x iterations over N ranks; busbw = algbw x the nccl-tests factor through the registry and
// runner, and lies within bounds from the node file's figures (sku_bounds.hpp); timed
// communicators are blocking (a small collective is not timed through NCCL's launch thread);
// non-power-of-two sizes run in place. Each test skips with the reason where CUDA sees too few
// GPUs or the build has no NCCL.
#include <gtest/gtest.h>

#if !defined(GPUCERT_HAVE_NCCL)
TEST(GpuCollectives, NeedNccl) {
  GTEST_SKIP() << "built without NCCL (GPUCERT_HAVE_NCCL unset)";
}
#else

#include "harness/backends/cuda/nccl_clique.hpp"
#include "harness/backends/cuda/nccl_collective.hpp"
#include "harness/backends/cuda/test_hooks.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/cli/commands.hpp"
#include "harness/collectives/collective.hpp"
#include "harness/core/error.hpp"
#include "harness/measure/backend.hpp"
#include "harness/measure/runner.hpp"
#include "harness/stats/interval.hpp"
#include "tests/gpu/gpu_support.hpp"
#include "tests/gpu/sku_bounds.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime_api.h>
#include <nccl.h>
#include <set>
#include <vector>

namespace gpucert {
namespace {

using gputest::gpu_count;
using gputest::NoBackend;
using gputest::this_sku;

std::vector<int> all_gpus() {
  std::vector<int> g;
  for (int i = 0; i < gpu_count(); ++i)
    g.push_back(i);
  return g;
}

std::unique_ptr<BenchmarkInstance> make(const std::string& coll, const Params& given,
                                        std::vector<int> gpus = all_gpus()) {
  static NoBackend backend;
  static Target target;
  static Params params;
  target = Target{Scope::node, std::move(gpus)};
  const BenchmarkDef* def = builtin_registry().find("nccl." + coll);
  params = Registry::resolve(*def, given);
  const BenchmarkContext ctx{params, target, backend};
  return cuda::make_nccl_collective(ctx, coll::collective_by_name(coll));
}

/// After setup: the instance runs on `n` ranks, one per GPU of `gpus`, and one sample's work is
/// the nccl-tests size times the iterations.
void expect_ranks_and_work(const BenchmarkInstance& inst, const std::vector<int>& gpus) {
  const int n = static_cast<int>(gpus.size());
  const nlohmann::json e = inst.evidence();
  EXPECT_EQ(e.value("ranks", -1), n) << e.dump();
  ASSERT_TRUE(e.contains("local_ranks")) << e.dump();
  ASSERT_EQ(e["local_ranks"].size(), gpus.size()) << e.dump();
  std::set<int> ranks, devices;
  for (const auto& r : e["local_ranks"]) {
    ranks.insert(r.at("rank").get<int>());
    devices.insert(r.at("gpu").get<int>());
  }
  EXPECT_EQ(ranks.size(), gpus.size()) << "ranks are distinct: " << e["local_ranks"].dump();
  EXPECT_EQ(devices, std::set<int>(gpus.begin(), gpus.end())) << e["local_ranks"].dump();
  const Work w = inst.work();
  EXPECT_EQ(w.ranks, n);
  const double iters = e.value("iters_per_sample", 0);
  EXPECT_GE(iters, 1.0);
  EXPECT_EQ(w.items, iters);
  EXPECT_EQ(w.bytes, e.value("size_bytes", 0.0) * iters) << e.dump();
  EXPECT_EQ(w.flops, 0.0);
}

class ScopedEnv {
public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { unsetenv(name_); }

private:
  const char* name_;
};

TEST(GpuCollectives, CommunicatorHasOneRankPerGpu) {
  GPUCERT_REQUIRE_GPUS(2);
  const std::vector<int> gpus = all_gpus();
  const int n = static_cast<int>(gpus.size());
  auto clique = cuda::make_local_clique(gpus, 120);
  ASSERT_EQ(clique->nranks(), n);
  ASSERT_EQ(clique->ranks().size(), gpus.size());
  for (size_t i = 0; i < gpus.size(); ++i) {
    const auto& r = clique->ranks()[i];
    int count = -1, user_rank = -1, device = -1;
    ASSERT_EQ(ncclCommCount(r.comm, &count), ncclSuccess);
    ASSERT_EQ(ncclCommUserRank(r.comm, &user_rank), ncclSuccess);
    ASSERT_EQ(ncclCommCuDevice(r.comm, &device), ncclSuccess);
    EXPECT_EQ(count, n) << "rank " << i << "'s communicator";
    EXPECT_EQ(user_rank, static_cast<int>(i));
    EXPECT_EQ(r.rank, static_cast<int>(i));
    EXPECT_EQ(device, gpus[i]);
    EXPECT_EQ(r.device, gpus[i]);
  }
  // An instance on that communicator runs, checks and reports the same N ranks.
  const BenchmarkDef* def = builtin_registry().find("nccl.all_reduce");
  const Params params = Registry::resolve(*def, {{"bytes", "4MiB"}, {"iters", "2"}});
  auto inst = cuda::make_nccl_collective(clique, params, coll::collective_by_name("all_reduce"), 0);
  inst->setup();
  EXPECT_GT(inst->sample(), 0.0);
  const Verification v = inst->verify();
  EXPECT_TRUE(v.checked && v.passed) << v.detail;
  expect_ranks_and_work(*inst, gpus);
}

TEST(GpuCollectives, EveryCollectiveAndTypeChecksExactlyOnEveryGpu) {
  GPUCERT_REQUIRE_GPUS(2);
  for (const auto& c : coll::collectives()) {
    for (const char* dtype : {"float", "half", "bfloat16", "int8"}) {
      SCOPED_TRACE(std::string(c.name) + " " + dtype);
      auto inst = make(std::string(c.name), {{"bytes", "4MiB"}, {"dtype", dtype}, {"iters", "3"}});
      ASSERT_TRUE(inst->skip_reason().empty()) << inst->skip_reason();
      inst->setup();
      for (int i = 0; i < 3; ++i)
        EXPECT_GT(inst->sample(), 0.0);
      const Verification v = inst->verify();
      EXPECT_TRUE(v.checked && v.passed) << c.name << " " << dtype << ": " << v.detail;
      expect_ranks_and_work(*inst, all_gpus());
    }
  }
}

TEST(GpuCollectives, SingleRankPathChecksExactlyOnOneGpu) {
  GPUCERT_REQUIRE_GPUS(1);
  // One GPU (a 1-GPU node, or --gpus N): every collective is a local copy through a one-rank
  // communicator. This is the single-rank path, tested as such; the multi-rank tests need 2 GPUs.
  for (const auto& c : coll::collectives()) {
    SCOPED_TRACE(c.name);
    auto inst = make(std::string(c.name), {{"bytes", "4MiB"}, {"iters", "3"}}, {0});
    ASSERT_TRUE(inst->skip_reason().empty()) << inst->skip_reason();
    inst->setup();
    EXPECT_GT(inst->sample(), 0.0);
    const Verification v = inst->verify();
    EXPECT_TRUE(v.checked && v.passed) << c.name << ": " << v.detail;
    expect_ranks_and_work(*inst, {0});
    EXPECT_TRUE(inst->evidence().contains("note")) << "the one-rank busbw note";
  }
}

TEST(GpuCollectives, ACorruptedElementIsCaughtNamingRankAndOffset) {
  GPUCERT_REQUIRE_GPUS(2);
  for (const char* inplace : {"false", "true"}) {
    auto inst =
        make("all_reduce", {{"bytes", "8MiB"}, {"dtype", "bfloat16"}, {"inplace", inplace}});
    inst->setup();
    inst->sample();
    ASSERT_TRUE(inst->verify().passed);
    auto* hook = dynamic_cast<cuda::CorruptibleOutput*>(inst.get());
    ASSERT_NE(hook, nullptr);
    hook->corrupt_output_for_test();
    const Verification bad = inst->verify();
    EXPECT_TRUE(bad.checked);
    EXPECT_FALSE(bad.passed) << "inplace=" << inplace;
    EXPECT_NE(bad.detail.find("rank "), std::string::npos) << bad.detail;
    EXPECT_NE(bad.detail.find("1 of "), std::string::npos) << bad.detail;
    EXPECT_NE(bad.detail.find("offset"), std::string::npos) << bad.detail;
  }
}

TEST(GpuCollectives, GraphAndInPlaceModesRunAndCheck) {
  GPUCERT_REQUIRE_GPUS(2);
  for (const char* coll : {"all_reduce", "all_gather", "reduce_scatter", "broadcast"}) {
    auto inst =
        make(coll, {{"bytes", "16MiB"}, {"graph", "true"}, {"inplace", "true"}, {"iters", "5"}});
    inst->setup();
    for (int i = 0; i < 3; ++i)
      EXPECT_GT(inst->sample(), 0.0);
    const Verification v = inst->verify();
    EXPECT_TRUE(v.passed) << coll << ": " << v.detail;
    EXPECT_EQ(inst->evidence().at("graph"), true);
    expect_ranks_and_work(*inst, all_gpus());
  }
}

TEST(GpuCollectives, WatchdogAbortsAStalledRankAndNamesIt) {
  GPUCERT_REQUIRE_GPUS(2);
  const ScopedEnv stall("GPUCERT_TEST_STALL_RANK", "0");
  const ScopedEnv deadline("GPUCERT_NCCL_TIMEOUT_S", "2");
  auto inst = make("all_reduce", {{"bytes", "1MiB"}, {"iters", "2"}});
  inst->setup();
  const auto t0 = std::chrono::steady_clock::now();
  try {
    inst->sample();
    ADD_FAILURE() << "a stalled sample returned";
  } catch (const DeviceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("watchdog"), std::string::npos) << what;
    EXPECT_NE(what.find("rank 0 (gpu 0"), std::string::npos) << what;
    EXPECT_NE(what.find("ncclCommAbort"), std::string::npos) << what;
  }
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(took, 20.0) << "the watchdog must fire near its 2 s deadline";
  EXPECT_THROW(inst->sample(), DeviceError) << "an aborted communicator is not used again";
  inst.reset(); // teardown after an abort must not hang either
}

// Every collective runs on a blocking communicator (split from the nonblocking one that was
// initialised under a deadline, which is gone by then). On a nonblocking one NCCL >= 2.23 starts
// a thread per ncclGroupEnd and we poll in 50 us steps: each small collective then costs
// >= 60 us of host time inside the timed region, instead of the few us a launch takes.
TEST(GpuCollectives, TimedCommunicatorsAreBlockingAndSmallCollectivesAreNotPolled) {
  GPUCERT_REQUIRE_GPUS(1);
  {
    auto clique = cuda::make_local_clique(all_gpus(), 120);
    for (const auto& r : clique->ranks()) {
      EXPECT_NE(r.comm, nullptr) << "rank " << r.rank;
      EXPECT_EQ(r.init_comm, nullptr) << "the init communicator is finalized once split";
      int count = -1;
      ASSERT_EQ(ncclCommCount(r.comm, &count), ncclSuccess);
      EXPECT_EQ(count, gpu_count());
    }
  }
  // One rank: a one-process launch over several GPUs costs more host time per group than one
  // GPU's copy takes, which would measure the host instead of the question asked here.
  auto inst = make("all_reduce", {{"bytes", "8"}, {"iters", "200"}}, {0});
  inst->setup();
  std::vector<double> per_collective_us;
  for (int i = 0; i < 7; ++i)
    per_collective_us.push_back(inst->sample() / 200 * 1e6);
  const double median = stats::statistic(per_collective_us, "median");
  std::printf("[ figure   ] nccl.all_reduce 8 B x1: %.1f us per collective\n", median);
  EXPECT_LT(median, 45.0) << "8-byte all_reduce timed through NCCL's launch thread and polling?";
  ASSERT_TRUE(inst->verify().passed);
  const nlohmann::json e = inst->evidence();
  EXPECT_NE(e.at("communicator").get<std::string>().find("blocking for every collective"),
            std::string::npos)
      << e.dump();
  EXPECT_TRUE(e.contains("start_sync")) << e.dump();
}

// Non-power-of-two sizes on the split collectives: each rank's share rounded down to 16 bytes
// (nccl-tests), so in place every rank's pointer stays aligned and the output checks exactly.
TEST(GpuCollectives, NonPowerOfTwoSizesRunInPlaceAndMatchNcclTests) {
  GPUCERT_REQUIRE_GPUS(1);
  const std::size_t n = static_cast<std::size_t>(gpu_count());
  for (const char* coll : {"all_gather", "reduce_scatter", "alltoall"}) {
    for (const char* dtype : {"half", "int8"}) {
      SCOPED_TRACE(std::string(coll) + " " + dtype);
      const bool inplace = std::string(coll) != "alltoall";
      auto inst = make(coll, {{"bytes", "1000003"},
                              {"dtype", dtype},
                              {"inplace", inplace ? "true" : "false"},
                              {"iters", "3"}});
      ASSERT_TRUE(inst->skip_reason().empty()) << inst->skip_reason();
      inst->setup();
      EXPECT_GT(inst->sample(), 0.0);
      const Verification v = inst->verify();
      EXPECT_TRUE(v.checked && v.passed) << v.detail;
      const std::size_t es = std::string(dtype) == "half" ? 2 : 1;
      const std::size_t base = (1000003 / es / n) & ~(16 / es - 1); // nccl-tests
      EXPECT_EQ(inst->evidence().at("count").get<std::size_t>(), base);
      EXPECT_EQ(inst->evidence().at("size_bytes").get<std::size_t>(), base * n * es);
    }
  }
}

/// One measurement through the CUDA backend's registry and runner, as `gpucert run` makes it.
Measurement measure_on_all_gpus(Backend& backend, const std::string& coll, const Params& params) {
  const BenchmarkDef* def = builtin_registry().find("nccl." + coll);
  SamplingPolicy p;
  p.min_samples = 5;
  p.max_samples = 10;
  p.max_seconds = 20;
  const Target t{Scope::node, backend.gpus()};
  return measure(backend, *def, params, t, p);
}

TEST(GpuCollectives, BusbwThroughTheRunnerOnTheCudaBackend) {
  GPUCERT_REQUIRE_GPUS(2);
  auto backend = backends::make_backend({});
  const Measurement m = measure_on_all_gpus(*backend, "all_reduce", {{"bytes", "256MiB"}});
  ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
  const int n = static_cast<int>(backend->gpus().size());
  ASSERT_EQ(n, gpu_count());
  EXPECT_EQ(m.extra.value("ranks", -1), n) << m.extra.dump();
  EXPECT_EQ(m.extra.at("local_ranks").size(), static_cast<size_t>(n));
  const auto& bus = m.metrics.at("nccl.all_reduce.busbw_gbps");
  const auto& alg = m.metrics.at("nccl.all_reduce.algbw_gbps");
  ASSERT_EQ(bus.size(), m.seconds.size());
  for (size_t i = 0; i < bus.size(); ++i) {
    EXPECT_NEAR(alg[i], m.bytes_per_sample / m.seconds[i] / 1e9, 1e-9 * alg[i]);
    EXPECT_NEAR(bus[i], alg[i] * 2.0 * (n - 1) / n, 1e-9 * bus[i]);
  }
  EXPECT_GT(stats::statistic(bus, "median"), 0.0) << "two or more ranks cross a link";
  EXPECT_TRUE(m.extra.at("nccl").at("version").is_string());
  std::printf("[ figure   ] nccl.all_reduce 256MiB x%d: algbw %.1f GB/s, busbw %.1f GB/s\n", n,
              stats::statistic(alg, "median"), stats::statistic(bus, "median"));
}

TEST(GpuCollectives, BusbwAt1GiBIsWithinTheNodeFigures) {
  GPUCERT_REQUIRE_GPUS(2);
  const int n = gpu_count();
  // The node file's figure must describe these GPUs: same card, same NVLink links.
  std::string topology = this_sku().skip_reason;
  if (this_sku().node)
    topology = gputest::topology_mismatch(*this_sku().node, all_gpus());
  auto backend = backends::make_backend({});
  // 1 GiB: near the bandwidth plateau (per-collective latency is ~0.2 % of its time there).
  for (const char* name : {"all_reduce", "all_gather", "reduce_scatter"}) {
    SCOPED_TRACE(name);
    const coll::Collective& c = coll::collective_by_name(name);
    const Measurement m = measure_on_all_gpus(*backend, name, {{"bytes", "1GiB"}});
    ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
    EXPECT_EQ(m.extra.value("ranks", -1), n) << m.extra.dump();
    const double busbw =
        stats::statistic(m.metrics.at(std::string("nccl.") + name + ".busbw_gbps"), "median");
    std::printf("[ figure   ] nccl.%s 1GiB x%d: busbw %.1f GB/s on %s\n", name, n, busbw,
                gputest::card_name().c_str());
    std::string why = topology;
    const auto bounds =
        topology.empty() ? gputest::busbw_bounds(*this_sku().node, c, n, &why) : std::nullopt;
    if (bounds)
      EXPECT_TRUE(gputest::within(busbw, *bounds)) << name << " x" << n;
    else
      std::printf("[ no check ] nccl.%s: %s\n", name, why.c_str());
  }
  if (!topology.empty())
    GTEST_SKIP() << "busbw number checks skipped: " << topology;
}

} // namespace
} // namespace gpucert

#endif
