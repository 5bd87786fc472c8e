// On a real GPU, the inventory agrees with what the CUDA runtime reports (name, memory, SM
// count) and NVML fills the health fields. Skips with the reason where there is no GPU.
#include <chrono>
#include <cmath>
#include <gtest/gtest.h>
#include <thread>

#if defined(GPUCERT_HAVE_CUDA)
#include "harness/backends/cuda/cuda_backend.hpp"
#include "harness/core/error.hpp"

#include <cuda_runtime_api.h>
#endif

namespace gpucert {
namespace {

#if defined(GPUCERT_HAVE_CUDA)
/// The number of CUDA GPUs, or skips the calling test saying why there are none.
#define GPUCERT_REQUIRE_GPU(count)                                                                 \
  int count = 0;                                                                                   \
  if (const cudaError_t rc = cudaGetDeviceCount(&count); rc != cudaSuccess || count == 0)          \
    GTEST_SKIP() << "no GPU: cudaGetDeviceCount: "                                                 \
                 << (rc != cudaSuccess ? cudaGetErrorString(rc) : "0 devices");

TEST(InventoryGpu, AgreesWithTheCudaRuntime) {
  GPUCERT_REQUIRE_GPU(count);
  cuda::CudaBackend backend;
  const Inventory inv = backend.inventory();
  EXPECT_FALSE(inv.simulated);
  ASSERT_EQ(static_cast<int>(inv.gpus.size()), count);
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    ASSERT_EQ(cudaGetDeviceProperties(&prop, i), cudaSuccess);
    const GpuInfo& g = inv.gpus[i];
    EXPECT_EQ(g.index, i);
    EXPECT_EQ(g.name, std::string(prop.name));
    EXPECT_EQ(g.sm_count, prop.multiProcessorCount);
    EXPECT_EQ(g.compute_capability, std::to_string(prop.major) + "." + std::to_string(prop.minor));
    ASSERT_TRUE(g.memory_total_bytes.has_value());
    // NVML counts all framebuffer memory; the runtime what it can allocate: within 1 GiB.
    const double diff =
        static_cast<double>(*g.memory_total_bytes) - static_cast<double>(prop.totalGlobalMem);
    EXPECT_LT(std::abs(diff), 1024.0 * 1024 * 1024) << *g.memory_total_bytes;
    EXPECT_TRUE(g.uuid.has_value()) << g.unavailable.count("uuid");
    EXPECT_TRUE(g.pci_bus_id.has_value());
    EXPECT_TRUE(g.temperature_c.has_value());
    EXPECT_TRUE(g.pcie_gen_max.has_value());
  }
  EXPECT_TRUE(inv.node.driver_version.has_value());
  EXPECT_TRUE(inv.node.cuda_runtime_version.has_value());
  EXPECT_TRUE(inv.node.cublas_version.has_value());
}

TEST(InventoryGpu, TelemetryReadsClocksWhileSampling) {
  GPUCERT_REQUIRE_GPU(count);
  cuda::CudaBackend backend;
  auto sampler = backend.telemetry(backend.gpus());
  sampler->start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto out = sampler->stop();
  ASSERT_EQ(static_cast<int>(out.size()), count);
  for (const auto& [gpu, s] : out) {
    EXPECT_TRUE(s.available) << "gpu" << gpu << ": " << s.unavailable_reason;
    EXPECT_GE(s.samples, 3) << "gpu" << gpu;
    EXPECT_GT(s.sm_clock_mhz_max, 0) << "gpu" << gpu;
    EXPECT_FALSE(s.throttle_fraction.empty()) << "gpu" << gpu;
  }
}

TEST(InventoryGpu, AGpuOutsideTheNodeIsBadInput) {
  GPUCERT_REQUIRE_GPU(count);
  EXPECT_THROW(cuda::CudaBackend({count}), InputError);
}
#else
TEST(InventoryGpu, AgreesWithTheCudaRuntime) {
  GTEST_SKIP() << "built without CUDA";
}
#endif

} // namespace
} // namespace gpucert
