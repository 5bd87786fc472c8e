// Device allocations.
#include "harness/backends/cuda/device_buffer.hpp"

#include "harness/backends/cuda/cuda_check.hpp"
#include "harness/backends/cuda/device_scope.hpp"

#include <cuda_runtime_api.h>
#include <fmt/core.h>

namespace gpucert::cuda {

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  int device = -1;
  GPUCERT_CUDA_CHECK(cudaGetDevice(&device));
  device_ = device;
  if (const cudaError_t rc = cudaMalloc(&ptr_, bytes); rc != cudaSuccess) {
    ptr_ = nullptr;
    std::size_t free_bytes = 0, total_bytes = 0;
    (void)cudaGetLastError();
    (void)cudaMemGetInfo(&free_bytes, &total_bytes);
    throw DeviceError(fmt::format("cannot allocate {} bytes on GPU {} ({} bytes free of {}): {}",
                                  bytes, device, free_bytes, total_bytes,
                                  detail::cuda_message(rc, "cudaMalloc", __FILE__, __LINE__)));
  }
}

DeviceBuffer::~DeviceBuffer() {
  reset();
}

void DeviceBuffer::reset() noexcept {
  if (ptr_ != nullptr) {
    const DeviceScope on(device_);
    GPUCERT_CUDA_CHECK_NOEXCEPT(cudaFree(ptr_));
  }
  ptr_ = nullptr;
  bytes_ = 0;
}

} // namespace gpucert::cuda
