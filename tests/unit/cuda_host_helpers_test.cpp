// Host-side parts of the CUDA backend that need no GPU: check macros, NUMA discovery from sysfs,
// parameter parsing, the GEMM tolerance model, the fill pattern and checksums the
// verification relies on. Built only with CUDA (the code under test is).
#if defined(GPUCERT_HAVE_CUDA)

#include "harness/backends/cuda/checksum.hpp"
#include "harness/backends/cuda/cuda_check.hpp"
#include "harness/backends/cuda/gemm_dtype.hpp"
#include "harness/backends/cuda/numa.hpp"
#include "harness/backends/cuda/params.hpp"
#include "kernels/pattern.cuh"
#include "tests/support/cli.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <vector>

namespace gpucert {
namespace {

TEST(CudaCheck, FailureThrowsDeviceErrorNamingCallPlaceAndError) {
  try {
    GPUCERT_CUDA_CHECK(cudaErrorMemoryAllocation);
    FAIL() << "no throw";
  } catch (const DeviceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cudaErrorMemoryAllocation"), std::string::npos) << what;
    EXPECT_NE(what.find("out of memory"), std::string::npos) << what;
    EXPECT_NE(what.find("tests/unit/cuda_host_helpers_test.cpp:"), std::string::npos) << what;
    EXPECT_EQ(what.find("/work/"), std::string::npos) << "path not shortened: " << what;
  }
  EXPECT_NO_THROW(GPUCERT_CUDA_CHECK(cudaSuccess));
  EXPECT_NO_THROW(GPUCERT_CUDA_CHECK_NOEXCEPT(cudaErrorInvalidValue));
}

TEST(CudaCheck, CublasFailureNamesTheStatus) {
  try {
    GPUCERT_CUBLAS_CHECK(CUBLAS_STATUS_NOT_SUPPORTED);
    FAIL() << "no throw";
  } catch (const DeviceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("CUBLAS_STATUS_NOT_SUPPORTED"), std::string::npos) << what;
    EXPECT_NE(what.find("`CUBLAS_STATUS_NOT_SUPPORTED`"), std::string::npos) << what;
  }
  EXPECT_NO_THROW(GPUCERT_CUBLAS_CHECK_NOEXCEPT(CUBLAS_STATUS_INTERNAL_ERROR));
}

#if defined(GPUCERT_HAVE_NCCL)
TEST(CudaCheck, NcclFailureNamesTheResult) {
  try {
    GPUCERT_NCCL_CHECK(ncclInvalidArgument);
    FAIL() << "no throw";
  } catch (const DeviceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("NCCL error 4"), std::string::npos) << what;
    EXPECT_NE(what.find("invalid argument"), std::string::npos) << what;
  }
}
#endif

TEST(Numa, CpuListsParse) {
  EXPECT_EQ(cuda::parse_cpu_list("0-3,8,10-11\n"), (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(cuda::parse_cpu_list("5"), (std::vector<int>{5}));
  EXPECT_TRUE(cuda::parse_cpu_list("").empty());
  EXPECT_TRUE(cuda::parse_cpu_list("3-1").empty());
  EXPECT_TRUE(cuda::parse_cpu_list("a-b").empty());
}

TEST(Numa, BusIdsAreSpelledAsSysfsDoes) {
  EXPECT_EQ(cuda::sysfs_pci_id("00000000:1B:00.0"), "0000:1b:00.0");
  EXPECT_EQ(cuda::sysfs_pci_id("0000:1b:00.0"), "0000:1b:00.0");
  EXPECT_EQ(cuda::sysfs_pci_id("1b:00.0"), "0000:1b:00.0");
}

TEST(Numa, NodeAndCpusComeFromSysfs) {
  namespace fs = std::filesystem;
  const fs::path root = test::make_temp_dir("gpucert-sysfs");
  fs::create_directories(root / "bus/pci/devices/0000:1b:00.0");
  fs::create_directories(root / "bus/pci/devices/0000:2c:00.0");
  fs::create_directories(root / "devices/system/node/node1");
  std::ofstream(root / "bus/pci/devices/0000:1b:00.0/numa_node") << "1\n";
  std::ofstream(root / "bus/pci/devices/0000:2c:00.0/numa_node") << "-1\n";
  std::ofstream(root / "devices/system/node/node1/cpulist") << "16-19,48\n";

  const auto near = cuda::numa_node_of_pci("00000000:1B:00.0", root.string());
  EXPECT_EQ(near.node, 1);
  EXPECT_EQ(near.cpus, (std::vector<int>{16, 17, 18, 19, 48}));
  const auto none = cuda::numa_node_of_pci("0000:2c:00.0", root.string());
  EXPECT_EQ(none.node, -1);
  EXPECT_NE(none.reason.find("-1"), std::string::npos) << none.reason;
  const auto missing = cuda::numa_node_of_pci("0000:99:00.0", root.string());
  EXPECT_EQ(missing.node, -1);
  EXPECT_NE(missing.reason.find("cannot read"), std::string::npos) << missing.reason;
  fs::remove_all(root);
}

TEST(Params, ErrorsNameBenchmarkAndParameter) {
  const Params p{{"m", "12x"}, {"n", "0"}, {"bytes", "1073741824"}, {"engine", "dma"}};
  try {
    cuda::param_int(p, "gemm", "m", 1, 100);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("gemm: parameter 'm' = '12x'"), std::string::npos);
  }
  EXPECT_THROW(cuda::param_int(p, "gemm", "n", 1, 100), InputError);
  EXPECT_THROW(cuda::param_int(p, "gemm", "k", 1, 100), InputError); // missing
  EXPECT_EQ(cuda::param_bytes(p, "hbm.copy", "bytes", 16), 1073741824u);
  try {
    cuda::param_choice(p, "pcie.h2d", "engine", {"ce", "sm"});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("ce, sm"), std::string::npos) << e.what();
  }
  EXPECT_EQ(cuda::param_text_or(p, "fast_accum", "false"), "false");
  EXPECT_TRUE(cuda::parse_bool("True", "x"));
  EXPECT_THROW(cuda::parse_bool("maybe", "x"), InputError);
}

TEST(GemmTolerance, FollowsTheDocumentedModel) {
  const auto& bf16 = cuda::gemm_dtype("bf16");
  const auto& fp32 = cuda::gemm_dtype("fp32");
  const auto& tf32 = cuda::gemm_dtype("tf32");
  const auto& fp8 = cuda::gemm_dtype("fp8");
  // bf16 output rounding dominates: 8 * 2^-8 plus a little accumulation.
  EXPECT_NEAR(cuda::gemm_tolerance(bf16, 8192), 8 * 0x1p-8 + 4 * 0x1p-24 * std::sqrt(8192.0),
              1e-12);
  EXPECT_LT(cuda::gemm_tolerance(fp32, 8192), 1e-4);
  EXPECT_GT(cuda::gemm_tolerance(tf32, 8192), cuda::gemm_tolerance(fp32, 8192));
  EXPECT_GT(cuda::gemm_tolerance(fp8, 8192), cuda::gemm_tolerance(bf16, 8192));
  // Fast accumulation's error grows linearly in k; only fp8 has it.
  EXPECT_NEAR(cuda::gemm_tolerance(fp8, 8192, true) - cuda::gemm_tolerance(fp8, 8192),
              5 * 0x1p-14 * 256, 1e-12);
  EXPECT_EQ(cuda::gemm_tolerance(bf16, 8192, true), cuda::gemm_tolerance(bf16, 8192));
  EXPECT_GT(cuda::gemm_tolerance(fp32, 65536), cuda::gemm_tolerance(fp32, 1024));
  EXPECT_DOUBLE_EQ(cuda::gemm_tolerance(cuda::gemm_dtype("fp64"), 1), 1e-12);
  // A wrong element of random data is off by about one scale unit: far above every tolerance.
  for (const char* d : {"fp64", "fp32", "tf32", "fp16", "bf16", "fp8"})
    EXPECT_LT(cuda::gemm_tolerance(cuda::gemm_dtype(d), 65536), 0.15) << d;
  EXPECT_LT(cuda::gemm_tolerance(fp8, 8192, true), 0.15);
  EXPECT_THROW(cuda::gemm_dtype("int8"), InputError);
}

TEST(Pattern, RandomValuesAreExactAndSpread) {
  std::set<float> seen;
  for (std::uint64_t i = 0; i < 10000; ++i) {
    const float f = kernels::random_unit_float(7, i);
    ASSERT_GE(f, -1.0f);
    ASSERT_LT(f, 1.0f);
    ASSERT_EQ(f * 0x1p23f, std::round(f * 0x1p23f)); // on the 2^-23 grid
    seen.insert(f);
    const double d = kernels::random_unit_double(7, i);
    ASSERT_GE(d, -1.0);
    ASSERT_LT(d, 1.0);
  }
  EXPECT_GT(seen.size(), 9900u);
  EXPECT_NE(kernels::random_unit_float(7, 0), kernels::random_unit_float(8, 0));
}

TEST(Checksum, ParallelExpectedMatchesMemoryAndSeesMovedWords) {
  const std::uint64_t n = 1'000'003; // not a multiple of the thread count
  std::vector<std::uint32_t> words(n);
  for (std::uint64_t i = 0; i < n; ++i)
    words[i] = kernels::random_word(42, i);
  const std::uint64_t want =
      cuda::expected_checksum(n, [](std::uint64_t i) { return kernels::random_word(42, i); });
  EXPECT_EQ(cuda::host_checksum(words.data(), n), want);
  std::swap(words[10], words[20]); // same words, wrong places: a plain sum would not notice
  EXPECT_NE(cuda::host_checksum(words.data(), n), want);
  std::swap(words[10], words[20]);
  words[n - 1] ^= 1;
  EXPECT_NE(cuda::host_checksum(words.data(), n), want);
}

} // namespace
} // namespace gpucert

#endif // GPUCERT_HAVE_CUDA
