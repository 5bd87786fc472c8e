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
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime_api.h>
#include <fmt/core.h>
#include <optional>
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

/// Resolved GEMM parameters (every catalogue axis present, as the runner hands them over).
Params gemm_params(const std::string& dtype, int m, int n, int k, const std::string& layout,
                   int algos = 1) {
  return {{"dtype", dtype},         {"m", std::to_string(m)}, {"n", std::to_string(n)},
          {"k", std::to_string(k)}, {"layout", layout},       {"algos", std::to_string(algos)},
          {"fast_accum", "false"}};
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
    Params p = gemm_params("fp8", 8192, 8192, 8192, "tn", 8);
    p["fast_accum"] = fast;
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

TEST(GpuGemm, FastAccumulationOnAnotherDtypeIsRefused) {
  GPUCERT_REQUIRE_GPUS(1);
  Params p = gemm_params("bf16", 1024, 1024, 1024, "tn");
  p["fast_accum"] = "true"; // the catalogue refuses it first; the instance must too
  EXPECT_THROW(make(cuda::make_gemm, p), InputError);
}

TEST(GpuGemm, TopAlgorithmsAreTriedAndTheFastestIsRecorded) {
  GPUCERT_REQUIRE_GPUS(1);
  // The catalogue default: the heuristic's top 8, each timed at set-up, the fastest measured.
  auto inst = make(cuda::make_gemm, gemm_params("bf16", 4096, 4096, 4096, "tn", 8));
  const Outcome o = exercise(*inst, 3, false);
  const auto& e = o.evidence;
  ASSERT_TRUE(e.contains("candidates") && e.contains("algorithm_choice")) << e.dump();
  EXPECT_EQ(e.value("algos_requested", 0), 8);
  const auto& candidates = e["candidates"];
  ASSERT_GE(candidates.size(), 1u);
  EXPECT_LE(candidates.size(), 8u);
  EXPECT_EQ(candidates.size(), e.value("algos_returned", 0u));
  const int chosen = e["algorithm_choice"].value("index", -1);
  ASSERT_GE(chosen, 0) << e.dump();
  ASSERT_LT(chosen, static_cast<int>(candidates.size()));
  EXPECT_EQ(e["algorithm"], candidates[static_cast<std::size_t>(chosen)]);
  // Every candidate that ran has its time and configuration; the chosen one is the fastest.
  const double best = candidates[static_cast<std::size_t>(chosen)].value("seconds_per_gemm", 0.0);
  EXPECT_GT(best, 0.0) << e.dump();
  for (const auto& c : candidates) {
    EXPECT_TRUE(c.contains("rank"));
    if (c.contains("error"))
      continue;
    EXPECT_TRUE(c.contains("algo_id") && c.contains("tile_id") && c.contains("stages_id"))
        << c.dump();
    EXPECT_GE(c.value("seconds_per_gemm", 0.0), best) << c.dump();
  }
  if (candidates[0].contains("seconds_per_gemm"))
    EXPECT_GE(e["algorithm_choice"].value("speedup_over_first_pick", 0.0), 1.0);
  std::fprintf(stderr, "[ figure ] gemm bf16 4096^3: algorithm %d of %zu chosen, %.3gx the first\n",
               chosen, candidates.size(),
               e["algorithm_choice"].value("speedup_over_first_pick", 0.0));
  expect_gemm_work(o, 4096, 4096, 4096);
}

TEST(GpuGemm, EveryDtypeAt8192IsWithinItsSkuBounds) {
  GPUCERT_REQUIRE_GPUS(1);
  // 8192^3, layout tn, the fastest of the top 8 algorithms (the catalogue default), fast_accum
  // off: the configuration of the node files' gemm.* figures (and of the profiles' GEMM
  // clauses, but for fp8, which the profiles run with fast accumulation).
  for (const char* dtype : kGemmDtypes) {
    SCOPED_TRACE(dtype);
    auto inst = make(cuda::make_gemm, gemm_params(dtype, 8192, 8192, 8192, "tn", 8));
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

/// HBM work: bytes per array x arrays x passes, as many passes as move about 8 GB (1..64); the
/// arrays are at least 4 x L2 (smaller ones are refused), so no pass is served from L2.
void expect_hbm_work(const Outcome& o, const HbmOpSpec& op, double bytes) {
  cudaDeviceProp p{};
  ASSERT_EQ(cudaGetDeviceProperties(&p, 0), cudaSuccess);
  const double moved = bytes * op.arrays;
  const double passes = std::clamp(std::ceil(8e9 / moved), 1.0, 64.0);
  EXPECT_EQ(o.evidence.value("arrays", -1), op.arrays) << o.evidence.dump();
  EXPECT_EQ(static_cast<double>(o.evidence.value("passes_per_sample", -1)), passes);
  EXPECT_EQ(o.evidence.value("l2_bytes", 0.0), static_cast<double>(p.l2CacheSize));
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

TEST(GpuHbm, ArraysAnL2CouldHoldAreRefusedNamingItsSize) {
  GPUCERT_REQUIRE_GPUS(1);
  // Below 4 x L2 the figure would be L2's (cudaDevAttrL2CacheSize: 50 MiB on H100, 60 on H200).
  int l2 = 0;
  ASSERT_EQ(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, 0), cudaSuccess);
  ASSERT_GT(l2, 0);
  const double too_small = 4.0 * l2 - (1 << 20);
  try {
    make_hbm("triad", too_small);
    FAIL() << "arrays of " << too_small << " bytes were accepted with " << l2 << " bytes of L2";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(fmt::format("{:.4g} MiB L2 cache of GPU 0", l2 / 1048576.0)),
              std::string::npos)
        << msg;
  }
  auto inst = make_hbm("triad", 4.0 * l2); // exactly 4 x: measured and verified
  const Outcome o = exercise(*inst, 3, false);
  expect_hbm_work(o, kHbmOps[3], 4.0 * l2);
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

/// Sets an environment variable for one scope (the stream hold reads CUDA_LAUNCH_BLOCKING at an
/// instance's first sample).
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name))
      old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(GpuStreamHold, HoldsByDefaultAndStandsAsideWhenLaunchesAreSerialised) {
  GPUCERT_REQUIRE_GPUS(1);
  const HbmOpSpec& copy = kHbmOps[0];
  const double bytes = 256u << 20;
  {
    auto inst = make_hbm(copy.op, bytes);
    const Outcome o = exercise(*inst, 3, false);
    ASSERT_TRUE(o.evidence.contains("stream_hold")) << o.evidence.dump();
    EXPECT_EQ(o.evidence["stream_hold"].value("used", false), true) << o.evidence.dump();
  }
  // Serialised launches: a held stream would wait for a release the host can only give once
  // the hold has timed out (10 s per sample, then an error). The hold stands aside instead, the
  // samples are timed without it, verify, and the evidence says why.
  const ScopedEnv blocking("CUDA_LAUNCH_BLOCKING", "1");
  const auto t0 = std::chrono::steady_clock::now();
  auto inst = make_hbm(copy.op, bytes);
  const Outcome o = exercise(*inst, 3, false);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(took, 5.0) << "a sample waited for the hold's timeout";
  ASSERT_TRUE(o.evidence.contains("stream_hold")) << o.evidence.dump();
  EXPECT_EQ(o.evidence["stream_hold"].value("used", true), false) << o.evidence.dump();
  EXPECT_NE(o.evidence["stream_hold"].value("why", "").find("CUDA_LAUNCH_BLOCKING=1"),
            std::string::npos)
      << o.evidence.dump();
  expect_hbm_work(o, copy, bytes);
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
