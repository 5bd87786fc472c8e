// GPU tier for the NCCL collectives: every collective runs on every visible GPU (one GPU runs the
// single-rank path) and checks exactly; a corrupted element is caught; CUDA-graph and in-place
// modes; the watchdog aborts a stalled rank and names it; busbw through the registry and runner.
// Each test skips with the reason where CUDA sees no GPU or the build has no NCCL.
#include <gtest/gtest.h>

#if !defined(GPUCERT_HAVE_NCCL)
TEST(GpuCollectives, NeedNccl) {
  GTEST_SKIP() << "built without NCCL (GPUCERT_HAVE_NCCL unset)";
}
#else

#include "harness/backends/cuda/nccl_collective.hpp"
#include "harness/backends/cuda/test_hooks.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/cli/commands.hpp"
#include "harness/collectives/collective.hpp"
#include "harness/core/error.hpp"
#include "harness/measure/backend.hpp"
#include "harness/measure/runner.hpp"
#include "harness/stats/interval.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime_api.h>

namespace gpucert {
namespace {

int gpu_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return n;
}

#define GPUCERT_REQUIRE_GPU()                                                                      \
  do {                                                                                             \
    if (gpu_count() < 1)                                                                           \
      GTEST_SKIP() << "needs a CUDA GPU; cudaGetDeviceCount reports none";                         \
  } while (0)

/// The NCCL instances never call their backend; the context still needs one.
class NoBackend final : public Backend {
public:
  std::string name() const override { return "none"; }
  bool simulated() const override { return false; }
  Inventory inventory() override { throw InternalError("NoBackend::inventory"); }
  const InstanceTable& instances() const override {
    static const InstanceTable none;
    return none;
  }
  std::unique_ptr<BenchmarkInstance> create(const BenchmarkDef&, const Params&,
                                            const Target&) override {
    throw InternalError("NoBackend::create");
  }
  std::unique_ptr<TelemetrySampler> telemetry(const std::vector<int>&) override {
    throw InternalError("NoBackend::telemetry");
  }
  double now_seconds() override { return 0; }
  std::vector<int> gpus() const override { return {0}; }
};

std::vector<int> all_gpus() {
  std::vector<int> g;
  for (int i = 0; i < gpu_count(); ++i)
    g.push_back(i);
  return g;
}

std::unique_ptr<BenchmarkInstance> make(const std::string& coll, const Params& given) {
  static NoBackend backend;
  static Target target;
  static Params params;
  target = Target{Scope::node, all_gpus()};
  const BenchmarkDef* def = builtin_registry().find("nccl." + coll);
  params = Registry::resolve(*def, given);
  const BenchmarkContext ctx{params, target, backend};
  return cuda::make_nccl_collective(ctx, coll::collective_by_name(coll));
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

TEST(GpuCollectives, EveryCollectiveAndTypeChecksExactlyOnEveryGpu) {
  GPUCERT_REQUIRE_GPU();
  for (const auto& c : coll::collectives()) {
    for (const char* dtype : {"float", "half", "bfloat16", "int8"}) {
      auto inst = make(std::string(c.name), {{"bytes", "4MiB"}, {"dtype", dtype}, {"iters", "3"}});
      ASSERT_TRUE(inst->skip_reason().empty()) << inst->skip_reason();
      inst->setup();
      for (int i = 0; i < 3; ++i)
        EXPECT_GT(inst->sample(), 0.0);
      const Verification v = inst->verify();
      EXPECT_TRUE(v.checked && v.passed) << c.name << " " << dtype << ": " << v.detail;
    }
  }
}

TEST(GpuCollectives, ACorruptedElementIsCaughtNamingRankAndOffset) {
  GPUCERT_REQUIRE_GPU();
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
  GPUCERT_REQUIRE_GPU();
  for (const char* coll : {"all_reduce", "all_gather", "reduce_scatter", "broadcast"}) {
    auto inst =
        make(coll, {{"bytes", "16MiB"}, {"graph", "true"}, {"inplace", "true"}, {"iters", "5"}});
    inst->setup();
    for (int i = 0; i < 3; ++i)
      EXPECT_GT(inst->sample(), 0.0);
    const Verification v = inst->verify();
    EXPECT_TRUE(v.passed) << coll << ": " << v.detail;
    EXPECT_EQ(inst->evidence().at("graph"), true);
  }
}

TEST(GpuCollectives, WatchdogAbortsAStalledRankAndNamesIt) {
  GPUCERT_REQUIRE_GPU();
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

TEST(GpuCollectives, BusbwThroughTheRunnerOnTheCudaBackend) {
  GPUCERT_REQUIRE_GPU();
  auto backend = backends::make_backend({});
  const BenchmarkDef* def = builtin_registry().find("nccl.all_reduce");
  SamplingPolicy p;
  p.min_samples = 5;
  p.max_samples = 10;
  p.max_seconds = 20;
  const Target t{Scope::node, backend->gpus()};
  const Measurement m = measure(*backend, *def, {{"bytes", "256MiB"}}, t, p);
  ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
  const int n = static_cast<int>(t.gpus.size());
  const auto& bus = m.metrics.at("nccl.all_reduce.busbw_gbps");
  const auto& alg = m.metrics.at("nccl.all_reduce.algbw_gbps");
  for (size_t i = 0; i < bus.size(); ++i)
    EXPECT_NEAR(bus[i], alg[i] * 2.0 * (n - 1) / n, 1e-9);
  EXPECT_TRUE(m.extra.at("nccl").at("version").is_string());
  std::printf("[ figure   ] nccl.all_reduce 256MiB x%d: algbw %.1f GB/s, busbw %.1f GB/s (%s)\n", n,
              stats::statistic(alg, "median"), stats::statistic(bus, "median"),
              n == 1 ? "one GPU: busbw is 0 by definition, single-rank path only" : "measured");
}

} // namespace
} // namespace gpucert

#endif
