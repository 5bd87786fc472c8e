// GPU tier: every CUDA benchmark sets up, samples and verifies on random data; a corrupted output
// is caught by verify(); on H100/H200 the headline figures land in plausible ranges. Each test
// skips with the reason where CUDA sees no GPU (or the build has no CUDA).
#include <gtest/gtest.h>

#if !defined(GPUCERT_HAVE_CUDA)
TEST(GpuBenchmarks, NeedCuda) {
  GTEST_SKIP() << "built without CUDA (GPUCERT_WITH_CUDA=OFF)";
}
#else

#include "harness/backends/cuda/factories.hpp"
#include "harness/backends/cuda/test_hooks.hpp"
#include "harness/core/error.hpp"
#include "harness/measure/backend.hpp"

#include <algorithm>
#include <cstdio>
#include <cuda_runtime_api.h>
#include <string>
#include <vector>

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

#define GPUCERT_REQUIRE_GPUS(n)                                                                    \
  do {                                                                                             \
    const int have_ = gpu_count();                                                                 \
    if (have_ < (n))                                                                               \
      GTEST_SKIP() << "needs " << (n) << " CUDA GPU(s); cudaGetDeviceCount reports " << have_;     \
  } while (0)

std::string card_name(int device = 0) {
  cudaDeviceProp p{};
  if (cudaGetDeviceProperties(&p, device) != cudaSuccess)
    return "unknown";
  return p.name;
}

/// H100 / H200: the cards whose datasheets the plausibility floors below come from.
bool hopper_datacenter_card() {
  const std::string name = card_name();
  return name.find("H100") != std::string::npos || name.find("H200") != std::string::npos;
}

/// The instances never call their backend; the context still needs one.
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

struct Outcome {
  double median_seconds = 0;
  Work work;
  Verification verification;
  nlohmann::json evidence;
};

template <typename Factory>
std::unique_ptr<BenchmarkInstance> make(Factory factory, const Params& params,
                                        std::vector<int> gpus = {0}) {
  NoBackend backend;
  Target target;
  target.scope = gpus.size() == 2 ? Scope::gpu_pair : Scope::gpu;
  target.gpus = std::move(gpus);
  const BenchmarkContext ctx{params, target, backend};
  return factory(ctx);
}

/// setup, warm-up, `samples` timed samples, verify; then (when `corrupt`) damage the output
/// and expect verify() to fail.
Outcome exercise(BenchmarkInstance& inst, int samples = 5, bool corrupt = true) {
  Outcome o;
  inst.setup();
  o.work = inst.work();
  for (int i = 0; i < 2; ++i)
    inst.sample();
  std::vector<double> t;
  for (int i = 0; i < samples; ++i)
    t.push_back(inst.sample());
  for (double s : t)
    EXPECT_GT(s, 0.0);
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  o.median_seconds = t[t.size() / 2];
  o.verification = inst.verify();
  o.evidence = inst.evidence();
  EXPECT_TRUE(o.verification.checked);
  EXPECT_TRUE(o.verification.passed) << o.verification.detail;
  if (corrupt) {
    auto* hook = dynamic_cast<cuda::CorruptibleOutput*>(&inst);
    EXPECT_NE(hook, nullptr) << "CUDA instances implement CorruptibleOutput";
    if (hook != nullptr) {
      hook->corrupt_output_for_test();
      const Verification bad = inst.verify();
      EXPECT_TRUE(bad.checked);
      EXPECT_FALSE(bad.passed) << "a corrupted output passed verification: " << bad.detail;
    }
  }
  return o;
}

void report(const std::string& what, double value, const char* unit) {
  std::fprintf(stderr, "[ figure ] %s on %s: %.4g %s\n", what.c_str(), card_name().c_str(), value,
               unit);
}

Params gemm_params(const std::string& dtype, int m, int n, int k, const std::string& layout,
                   int algos = 1) {
  return {{"dtype", dtype},         {"m", std::to_string(m)}, {"n", std::to_string(n)},
          {"k", std::to_string(k)}, {"layout", layout},       {"algos", std::to_string(algos)}};
}

TEST(GpuGemm, EveryDtypeVerifiesAndCatchesCorruption) {
  GPUCERT_REQUIRE_GPUS(1);
  for (const char* dtype : {"fp64", "fp32", "tf32", "fp16", "bf16", "fp8"}) {
    SCOPED_TRACE(dtype);
    auto inst = make(cuda::make_gemm, gemm_params(dtype, 2048, 2048, 2048, "tn"));
    if (!inst->skip_reason().empty()) {
      std::fprintf(stderr, "[ skipped ] gemm %s: %s\n", dtype, inst->skip_reason().c_str());
      continue;
    }
    const Outcome o = exercise(*inst);
    report(std::string("gemm ") + dtype + " 2048^3", o.work.flops / o.median_seconds / 1e12,
           "TFLOP/s");
  }
}

TEST(GpuGemm, NonSquareShapesVerifyInEveryLayout) {
  GPUCERT_REQUIRE_GPUS(1);
  // Distinct m, n, k: a swapped leading dimension or transpose cannot go unnoticed.
  for (const char* layout : {"tn", "nn", "nt", "tt"}) {
    for (const char* dtype : {"bf16", "fp32"}) {
      SCOPED_TRACE(std::string(dtype) + " " + layout);
      auto inst = make(cuda::make_gemm, gemm_params(dtype, 1536, 1024, 768, layout));
      exercise(*inst, 3, false);
    }
  }
}

TEST(GpuGemm, Fp8WithAndWithoutFastAccumulationVerifiesAt8192) {
  GPUCERT_REQUIRE_GPUS(1);
  for (const char* fast : {"false", "true"}) {
    SCOPED_TRACE(std::string("fast_accum ") + fast);
    Params p = gemm_params("fp8", 8192, 8192, 8192, "tn");
    p["fast_accum"] = fast; // not a catalogue axis; the instance honours it when given
    auto inst = make(cuda::make_gemm, p);
    if (!inst->skip_reason().empty())
      GTEST_SKIP() << inst->skip_reason();
    const Outcome o = exercise(*inst, 5, false);
    ASSERT_TRUE(o.evidence.contains("fast_accum")) << o.evidence.dump();
    EXPECT_EQ(o.evidence["fast_accum"].get<bool>(), std::string(fast) == "true");
    report(std::string("gemm fp8 8192^3 fast_accum=") + fast,
           o.work.flops / o.median_seconds / 1e12, "TFLOP/s");
  }
}

TEST(GpuGemm, Fp8RejectsLayoutsOtherThanTn) {
  GPUCERT_REQUIRE_GPUS(1);
  EXPECT_THROW(make(cuda::make_gemm, gemm_params("fp8", 1024, 1024, 1024, "nn")), InputError);
}

TEST(GpuGemm, TopAlgorithmsAreTriedAndRecorded) {
  GPUCERT_REQUIRE_GPUS(1);
  auto inst = make(cuda::make_gemm, gemm_params("bf16", 4096, 4096, 4096, "tn", 4));
  const Outcome o = exercise(*inst, 3, false);
  ASSERT_TRUE(o.evidence.contains("candidates")) << o.evidence.dump();
  EXPECT_GE(o.evidence["candidates"].size(), 1u);
  EXPECT_TRUE(o.evidence["algorithm"].contains("seconds_per_gemm")) << o.evidence.dump();
}

TEST(GpuGemm, Bf16At8192IsPlausible) {
  GPUCERT_REQUIRE_GPUS(1);
  auto inst = make(cuda::make_gemm, gemm_params("bf16", 8192, 8192, 8192, "tn"));
  const Outcome o = exercise(*inst, 10, false);
  const double tflops = o.work.flops / o.median_seconds / 1e12;
  report("gemm bf16 8192^3", tflops, "TFLOP/s");
  if (hopper_datacenter_card())
    EXPECT_GT(tflops, 500.0);
}

TEST(GpuHbm, EveryOpVerifiesAndCatchesCorruption) {
  GPUCERT_REQUIRE_GPUS(1);
  for (const char* op : {"copy", "scale", "add", "triad", "read", "write"}) {
    SCOPED_TRACE(op);
    auto inst = make([op](const BenchmarkContext& c) { return cuda::make_hbm(c, op); },
                     {{"bytes", std::to_string(256u << 20)}});
    const Outcome o = exercise(*inst);
    report(std::string("hbm.") + op + " 256 MiB", o.work.bytes / o.median_seconds / 1e9, "GB/s");
  }
}

TEST(GpuHbm, SmallWorkingSetIsFlushedAndVerified) {
  GPUCERT_REQUIRE_GPUS(1);
  auto inst = make([](const BenchmarkContext& c) { return cuda::make_hbm(c, "triad"); },
                   {{"bytes", std::to_string(1u << 20)}});
  const Outcome o = exercise(*inst);
  EXPECT_EQ(o.evidence.value("l2_flushed_per_sample", false), true) << o.evidence.dump();
}

TEST(GpuHbm, CopyAtDefaultSizeIsPlausible) {
  GPUCERT_REQUIRE_GPUS(1);
  auto inst = make([](const BenchmarkContext& c) { return cuda::make_hbm(c, "copy"); },
                   {{"bytes", std::to_string(1ull << 30)}});
  const Outcome o = exercise(*inst, 10, false);
  const double gbps = o.work.bytes / o.median_seconds / 1e9;
  report("hbm.copy 1 GiB", gbps, "GB/s");
  if (hopper_datacenter_card())
    EXPECT_GT(gbps, 2000.0);
}

TEST(GpuPcie, EveryDirectionAndEngineVerifies) {
  GPUCERT_REQUIRE_GPUS(1);
  for (const char* dir : {"h2d", "d2h", "bidir"}) {
    for (const char* engine : {"ce", "sm"}) {
      SCOPED_TRACE(std::string(dir) + " " + engine);
      auto inst = make([dir](const BenchmarkContext& c) { return cuda::make_pcie(c, dir); },
                       {{"bytes", std::to_string(64u << 20)}, {"engine", engine}});
      const Outcome o = exercise(*inst);
      report(std::string("pcie.") + dir + " " + engine + " 64 MiB",
             o.work.bytes / o.median_seconds / 1e9, "GB/s");
      EXPECT_TRUE(
          o.evidence.contains(std::string(dir) == "d2h" ? "host_destination" : "host_source"));
    }
  }
}

TEST(GpuP2p, EveryDirectionAndEngineVerifiesOrSkipsWithReason) {
  GPUCERT_REQUIRE_GPUS(2);
  for (const char* dir : {"uni", "bidir"}) {
    for (const char* engine : {"ce", "sm"}) {
      SCOPED_TRACE(std::string(dir) + " " + engine);
      auto inst = make([dir](const BenchmarkContext& c) { return cuda::make_p2p(c, dir); },
                       {{"bytes", std::to_string(64u << 20)}, {"engine", engine}}, {0, 1});
      if (!inst->skip_reason().empty()) {
        EXPECT_NE(inst->skip_reason().find("no P2P access"), std::string::npos);
        GTEST_SKIP() << inst->skip_reason();
      }
      const Outcome o = exercise(*inst);
      report(std::string("p2p.") + dir + " " + engine + " 64 MiB",
             o.work.bytes / o.median_seconds / 1e9, "GB/s");
    }
  }
}

TEST(GpuLaunch, StreamAndGraphCountEveryLaunch) {
  GPUCERT_REQUIRE_GPUS(1);
  for (const char* mode : {"stream", "graph"}) {
    SCOPED_TRACE(mode);
    auto inst = make([mode](const BenchmarkContext& c) { return cuda::make_launch(c, mode); },
                     {{"launches", "1000"}});
    const Outcome o = exercise(*inst);
    const double us = o.median_seconds / o.work.items * 1e6;
    report(std::string("launch.") + mode, us, "us per launch");
    if (hopper_datacenter_card())
      EXPECT_LT(us, 10.0);
  }
}

TEST(GpuErrors, MissingGpuIsADeviceErrorNamingIt) {
  GPUCERT_REQUIRE_GPUS(1);
  try {
    make(cuda::make_gemm, gemm_params("bf16", 256, 256, 256, "tn"), {gpu_count() + 3});
    FAIL() << "no error for a GPU that does not exist";
  } catch (const DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(gpu_count() + 3)), std::string::npos)
        << e.what();
  }
}

} // namespace
} // namespace gpucert

#endif // GPUCERT_HAVE_CUDA
