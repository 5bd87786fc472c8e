// GPU tier: every CUDA benchmark sets up, samples and verifies on random data; a corrupted output
// is caught by verify(); work() is exactly the work the shape defines (GEMM 2*m*n*k per GEMM,
// HBM bytes x arrays x passes, ...); and the figures lie within two-sided bounds taken from the
// card's node file (harness/backends/sim/nodes/*.yaml, the SKU table the simulator reads; the
// factors are explained in sku_bounds.hpp). A card without a node-file entry runs every
// correctness check and skips the number checks, saying so. Each test skips with the reason where
// CUDA sees no GPU (or the build has no CUDA).
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
#include "tests/gpu/gpu_support.hpp"
#include "tests/gpu/sku_bounds.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cuda_runtime_api.h>
#include <string>
#include <vector>

namespace gpucert {
namespace {

using gputest::Bounds;
using gputest::card_name;
using gputest::gpu_count;
using gputest::NoBackend;
using gputest::this_sku;

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

/// The number check of one figure: within the bounds, or a line saying why it is not checked.
void check_figure(const std::string& what, double value, const std::optional<Bounds>& bounds,
                  const std::string& why_not) {
  if (bounds)
    EXPECT_TRUE(gputest::within(value, *bounds)) << what << " on " << card_name();
  else
    std::fprintf(stderr, "[ no check ] %s: %s\n", what.c_str(), why_not.c_str());
}

/// Bounds for a throughput figure of GPU 0's card; `reference`: the node figure's configuration.
std::optional<Bounds> throughput(const std::string& key, const char* unit, bool reference,
                                 std::string* why) {
  if (!this_sku().node) {
    *why = this_sku().skip_reason;
    return std::nullopt;
  }
  return gputest::throughput_bounds(*this_sku().node, key, unit, reference, why);
}

/// Ends a test whose correctness checks have run when the card has no node-file entry.
#define GPUCERT_REQUIRE_SKU()                                                                      \
  do {                                                                                             \
    if (!this_sku().node)                                                                          \
      GTEST_SKIP() << this_sku().skip_reason;                                                      \
  } while (0)

/// GEMM work: 2*m*n*k flops per GEMM times the GEMMs a sample runs (1..256, chosen in setup to
/// fill about 20 ms), nothing else.
void expect_gemm_work(const Outcome& o, double m, double n, double k) {
  ASSERT_TRUE(o.evidence.contains("gemms_per_sample")) << o.evidence.dump();
  const double gemms = o.evidence["gemms_per_sample"].get<double>();
  EXPECT_GE(gemms, 1.0);
  EXPECT_LE(gemms, 256.0);
  EXPECT_EQ(gemms, std::floor(gemms));
  EXPECT_EQ(o.work.flops, 2.0 * m * n * k * gemms) << "gemms per sample " << gemms;
  EXPECT_EQ(o.work.bytes, 0.0);
}

Params gemm_params(const std::string& dtype, int m, int n, int k, const std::string& layout,
                   int algos = 1) {
  return {{"dtype", dtype},         {"m", std::to_string(m)}, {"n", std::to_string(n)},
          {"k", std::to_string(k)}, {"layout", layout},       {"algos", std::to_string(algos)}};
}

constexpr const char* kGemmDtypes[] = {"fp64", "fp32", "tf32", "fp16", "bf16", "fp8"};

TEST(GpuGemm, EveryDtypeVerifiesAndCatchesCorruption) {
  GPUCERT_REQUIRE_GPUS(1);
  for (const char* dtype : kGemmDtypes) {
    SCOPED_TRACE(dtype);
    auto inst = make(cuda::make_gemm, gemm_params(dtype, 2048, 2048, 2048, "tn"));
    if (!inst->skip_reason().empty()) {
      std::fprintf(stderr, "[ skipped ] gemm %s: %s\n", dtype, inst->skip_reason().c_str());
      continue;
    }
    const Outcome o = exercise(*inst);
    expect_gemm_work(o, 2048, 2048, 2048);
    const double tflops = o.work.flops / o.median_seconds / 1e12;
    report(std::string("gemm ") + dtype + " 2048^3", tflops, "TFLOP/s");
    // Not the node figure's shape: the peak still bounds it, no floor.
    std::string why;
    check_figure(std::string("gemm ") + dtype + " 2048^3", tflops,
                 throughput(std::string("gemm.") + dtype, "TFLOP/s", false, &why), why);
  }
}

TEST(GpuGemm, NonSquareShapesVerifyInEveryLayout) {
  GPUCERT_REQUIRE_GPUS(1);
  // Distinct m, n, k: a swapped leading dimension or transpose cannot go unnoticed, nor can a
  // flop count that swaps them (2*m*n*k is symmetric, but a count from the wrong operand is not).
  for (const char* layout : {"tn", "nn", "nt", "tt"}) {
    for (const char* dtype : {"bf16", "fp32"}) {
      SCOPED_TRACE(std::string(dtype) + " " + layout);
      auto inst = make(cuda::make_gemm, gemm_params(dtype, 1536, 1024, 768, layout));
      const Outcome o = exercise(*inst, 3, false);
      expect_gemm_work(o, 1536, 1024, 768);
      std::string why;
      check_figure(std::string("gemm ") + dtype + " 1536x1024x768 " + layout,
                   o.work.flops / o.median_seconds / 1e12,
                   throughput(std::string("gemm.") + dtype, "TFLOP/s", false, &why), why);
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
    expect_gemm_work(o, 8192, 8192, 8192);
    const double tflops = o.work.flops / o.median_seconds / 1e12;
    report(std::string("gemm fp8 8192^3 fast_accum=") + fast, tflops, "TFLOP/s");
    // The node figure is for the default (fast_accum false); fast accumulation only speeds the
    // GEMM up, so the same floor holds, and nothing passes the peak.
    std::string why;
    check_figure(std::string("gemm fp8 8192^3 fast_accum=") + fast, tflops,
                 throughput("gemm.fp8", "TFLOP/s", true, &why), why);
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
  expect_gemm_work(o, 4096, 4096, 4096);
}

TEST(GpuGemm, EveryDtypeAt8192IsWithinItsSkuBounds) {
  GPUCERT_REQUIRE_GPUS(1);
  // 8192^3, layout tn, one algorithm, fast_accum off: the configuration of the node files'
  // gemm.* figures (and of the profiles' GEMM clauses).
  for (const char* dtype : kGemmDtypes) {
    SCOPED_TRACE(dtype);
    auto inst = make(cuda::make_gemm, gemm_params(dtype, 8192, 8192, 8192, "tn"));
    if (!inst->skip_reason().empty()) {
      std::fprintf(stderr, "[ skipped ] gemm %s: %s\n", dtype, inst->skip_reason().c_str());
      continue;
    }
    const Outcome o = exercise(*inst, 10, false);
    expect_gemm_work(o, 8192, 8192, 8192);
    const double tflops = o.work.flops / o.median_seconds / 1e12;
    report(std::string("gemm ") + dtype + " 8192^3", tflops, "TFLOP/s");
    std::string why;
    check_figure(std::string("gemm ") + dtype + " 8192^3", tflops,
                 throughput(std::string("gemm.") + dtype, "TFLOP/s", true, &why), why);
  }
  GPUCERT_REQUIRE_SKU();
}

struct HbmOpSpec {
  const char* op;
  int arrays;         ///< arrays counted per pass (harness/benchmarks/hbm.cpp: copy 2 x bytes...)
  const char* figure; ///< the node-file figure with the same read/write mix (as the simulator)
};

constexpr HbmOpSpec kHbmOps[] = {{"copy", 2, "hbm.copy"}, {"scale", 2, "hbm.copy"},
                                 {"add", 3, "hbm.triad"}, {"triad", 3, "hbm.triad"},
                                 {"read", 1, "hbm.read"}, {"write", 1, "hbm.write"}};

std::unique_ptr<BenchmarkInstance> make_hbm(const char* op, double bytes) {
  return make([op](const BenchmarkContext& c) { return cuda::make_hbm(c, op); },
              {{"bytes", std::to_string(static_cast<unsigned long long>(bytes))}});
}

/// HBM work: bytes per array x arrays x passes, with the passes METHOD.md section 4 defines: one,
/// L2 flushed first, when the arrays total under 4 x L2, else as many as move about 8 GB (1..64).
void expect_hbm_work(const Outcome& o, const HbmOpSpec& op, double bytes) {
  cudaDeviceProp p{};
  ASSERT_EQ(cudaGetDeviceProperties(&p, 0), cudaSuccess);
  const double moved = bytes * op.arrays;
  const bool cold = moved < 4.0 * static_cast<double>(p.l2CacheSize);
  const double passes = cold ? 1.0 : std::clamp(std::ceil(8e9 / moved), 1.0, 64.0);
  EXPECT_EQ(o.evidence.value("arrays", -1), op.arrays) << o.evidence.dump();
  EXPECT_EQ(static_cast<double>(o.evidence.value("passes_per_sample", -1)), passes);
  EXPECT_EQ(o.evidence.value("l2_flushed_per_sample", !cold), cold);
  EXPECT_EQ(o.work.bytes, bytes * op.arrays * passes) << "passes per sample " << passes;
  EXPECT_EQ(o.work.flops, 0.0);
}

TEST(GpuHbm, EveryOpVerifiesAndCatchesCorruption) {
  GPUCERT_REQUIRE_GPUS(1);
  const double bytes = 256u << 20;
  for (const HbmOpSpec& op : kHbmOps) {
    SCOPED_TRACE(op.op);
    auto inst = make_hbm(op.op, bytes);
    const Outcome o = exercise(*inst);
    expect_hbm_work(o, op, bytes);
    const double gbps = o.work.bytes / o.median_seconds / 1e9;
    report(std::string("hbm.") + op.op + " 256 MiB", gbps, "GB/s");
    std::string why;
    check_figure(std::string("hbm.") + op.op + " 256 MiB", gbps,
                 throughput(op.figure, "GB/s", false, &why), why);
  }
}

TEST(GpuHbm, SmallWorkingSetIsFlushedAndVerified) {
  GPUCERT_REQUIRE_GPUS(1);
  const HbmOpSpec& triad = kHbmOps[3];
  auto inst = make_hbm(triad.op, 1u << 20);
  const Outcome o = exercise(*inst);
  EXPECT_EQ(o.evidence.value("l2_flushed_per_sample", false), true) << o.evidence.dump();
  expect_hbm_work(o, triad, 1u << 20); // one pass: 3 MiB counted
}

TEST(GpuHbm, EveryOpAt1GiBIsWithinItsSkuBounds) {
  GPUCERT_REQUIRE_GPUS(1);
  // 1 GiB per array (the catalogue default, >= 8 x L2): the size the node files' hbm.* figures
  // are for. The H100 PCIe's HBM2e is at 1750 GB/s copy, not the SXM's 2900: one floor per SKU.
  const double bytes = 1ull << 30;
  for (const HbmOpSpec& op : kHbmOps) {
    SCOPED_TRACE(op.op);
    auto inst = make_hbm(op.op, bytes);
    const Outcome o = exercise(*inst, 10, false);
    expect_hbm_work(o, op, bytes);
    const double gbps = o.work.bytes / o.median_seconds / 1e9;
    report(std::string("hbm.") + op.op + " 1 GiB", gbps, "GB/s");
    std::string why;
    check_figure(std::string("hbm.") + op.op + " 1 GiB", gbps,
                 throughput(op.figure, "GB/s", true, &why), why);
  }
  GPUCERT_REQUIRE_SKU();
}

constexpr const char* kPcieDirs[] = {"h2d", "d2h", "bidir"};

/// PCIe and P2P work: the bytes of one transfer per direction, both directions summed for bidir.
void expect_transfer_work(const Outcome& o, const std::string& dir, double bytes) {
  EXPECT_EQ(o.work.bytes, bytes * (dir == "bidir" ? 2 : 1)) << dir;
  EXPECT_EQ(o.work.flops, 0.0);
}

TEST(GpuPcie, EveryDirectionAndEngineVerifies) {
  GPUCERT_REQUIRE_GPUS(1);
  const double bytes = 64u << 20;
  for (const char* dir : kPcieDirs) {
    for (const char* engine : {"ce", "sm"}) {
      SCOPED_TRACE(std::string(dir) + " " + engine);
      auto inst = make([dir](const BenchmarkContext& c) { return cuda::make_pcie(c, dir); },
                       {{"bytes", std::to_string(64u << 20)}, {"engine", engine}});
      const Outcome o = exercise(*inst);
      expect_transfer_work(o, dir, bytes);
      const std::string what = std::string("pcie.") + dir + " " + engine + " 64 MiB";
      const double gbps = o.work.bytes / o.median_seconds / 1e9;
      report(what, gbps, "GB/s");
      EXPECT_TRUE(
          o.evidence.contains(std::string(dir) == "d2h" ? "host_destination" : "host_source"));
      // Either engine, any size: the wire rate bounds it.
      std::string why;
      check_figure(what, gbps, throughput(std::string("pcie.") + dir, "GB/s", false, &why), why);
    }
  }
}

TEST(GpuPcie, CopyEngineAt256MiBIsWithinItsSkuBounds) {
  GPUCERT_REQUIRE_GPUS(1);
  // 256 MiB per direction on the copy engines: what the node files' pcie.* figures are for. They
  // assume the node file's link (Gen5 x16); on a host whose slot is slower only the ceiling holds.
  std::string link;
  if (this_sku().node)
    link = gputest::pcie_link_mismatch(*this_sku().node, 0);
  const double bytes = 256u << 20;
  for (const char* dir : kPcieDirs) {
    SCOPED_TRACE(dir);
    auto inst = make([dir](const BenchmarkContext& c) { return cuda::make_pcie(c, dir); },
                     {{"bytes", std::to_string(256u << 20)}, {"engine", "ce"}});
    const Outcome o = exercise(*inst, 10, false);
    expect_transfer_work(o, dir, bytes);
    const std::string what = std::string("pcie.") + dir + " ce 256 MiB";
    const double gbps = o.work.bytes / o.median_seconds / 1e9;
    report(what, gbps, "GB/s");
    std::string why;
    check_figure(what, gbps, throughput(std::string("pcie.") + dir, "GB/s", link.empty(), &why),
                 why);
  }
  GPUCERT_REQUIRE_SKU();
  if (!link.empty())
    GTEST_SKIP() << "PCIe floors not checked (ceilings were): " << link;
}

TEST(GpuP2p, EveryDirectionAndEngineVerifiesOrSkipsWithReason) {
  GPUCERT_REQUIRE_GPUS(2);
  // The node file's p2p figures bound these GPUs only where they are its topology (an NVLink
  // bridge on a PCIe card goes far past the PCIe peak).
  std::string topology = this_sku().skip_reason;
  if (this_sku().node)
    topology = gputest::topology_mismatch(*this_sku().node, {0, 1});
  const double bytes = 64u << 20;
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
      expect_transfer_work(o, dir, bytes);
      const std::string what = std::string("p2p.") + dir + " " + engine + " 64 MiB";
      const double gbps = o.work.bytes / o.median_seconds / 1e9;
      report(what, gbps, "GB/s");
      std::string why = topology;
      check_figure(what, gbps,
                   topology.empty() ? throughput(std::string("p2p.") + dir, "GB/s", false, &why)
                                    : std::nullopt,
                   why);
    }
  }
}

TEST(GpuP2p, CopyEngineAt256MiBIsWithinItsSkuBounds) {
  GPUCERT_REQUIRE_GPUS(2);
  // GPU 0 -> GPU 1, 256 MiB per direction, copy engines: the node files' p2p.* configuration.
  const double bytes = 256u << 20;
  std::string topology = this_sku().skip_reason;
  if (this_sku().node)
    topology = gputest::topology_mismatch(*this_sku().node, {0, 1});
  for (const char* dir : {"uni", "bidir"}) {
    SCOPED_TRACE(dir);
    auto inst = make([dir](const BenchmarkContext& c) { return cuda::make_p2p(c, dir); },
                     {{"bytes", std::to_string(256u << 20)}, {"engine", "ce"}}, {0, 1});
    if (!inst->skip_reason().empty())
      GTEST_SKIP() << inst->skip_reason();
    const Outcome o = exercise(*inst, 10, false);
    expect_transfer_work(o, dir, bytes);
    const std::string what = std::string("p2p.") + dir + " ce 256 MiB";
    const double gbps = o.work.bytes / o.median_seconds / 1e9;
    report(what, gbps, "GB/s");
    std::string why = topology;
    check_figure(what, gbps,
                 topology.empty() ? throughput(std::string("p2p.") + dir, "GB/s", true, &why)
                                  : std::nullopt,
                 why);
  }
  if (!topology.empty())
    GTEST_SKIP() << "P2P number checks skipped: " << topology;
}

TEST(GpuLaunch, StreamAndGraphCountEveryLaunchWithinItsSkuBounds) {
  GPUCERT_REQUIRE_GPUS(1);
  // 1000 launches per sample (the catalogue default): what the node files' launch.* figures are
  // for. A latency has a floor too: below it the launches were not waited for.
  for (const char* mode : {"stream", "graph"}) {
    SCOPED_TRACE(mode);
    auto inst = make([mode](const BenchmarkContext& c) { return cuda::make_launch(c, mode); },
                     {{"launches", "1000"}});
    const Outcome o = exercise(*inst);
    EXPECT_EQ(o.work.items, 1000.0);
    EXPECT_EQ(o.work.bytes, 0.0);
    EXPECT_EQ(o.work.flops, 0.0);
    EXPECT_EQ(o.evidence.value("launches_per_sample", -1), 1000) << o.evidence.dump();
    const double us = o.median_seconds / o.work.items * 1e6;
    const std::string what = std::string("launch.") + mode;
    report(what, us, "us per launch");
    std::string why = this_sku().skip_reason;
    check_figure(what, us,
                 this_sku().node ? gputest::latency_bounds(*this_sku().node, what, &why)
                                 : std::nullopt,
                 why);
  }
  GPUCERT_REQUIRE_SKU();
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
