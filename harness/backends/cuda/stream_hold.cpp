// StreamHold: host side of kernels/spin_kernel.
#include "harness/backends/cuda/stream_hold.hpp"

#include "kernels/spin_kernel.cuh"

#include <atomic>
#include <fmt/core.h>

namespace gpucert::cuda {

void StreamHold::Release::release() {
  if (flag_ != nullptr)
    std::atomic_ref<int>(*flag_).store(1, std::memory_order_release);
  flag_ = nullptr;
}

StreamHold::StreamHold() {
  GPUCERT_CUDA_CHECK(cudaHostAlloc(reinterpret_cast<void**>(&flags_), 2 * sizeof(int),
                                   cudaHostAllocPortable | cudaHostAllocMapped));
  flags_[0] = 0;
  flags_[1] = 0;
}

StreamHold::~StreamHold() {
  if (flags_ != nullptr) {
    flags_[0] = 1; // a spin kernel still queued must not wait for its timeout
    GPUCERT_CUDA_CHECK_NOEXCEPT(cudaFreeHost(flags_));
  }
}

StreamHold::Release StreamHold::hold(const Stream& stream) {
  std::atomic_ref<int>(flags_[0]).store(0, std::memory_order_release);
  std::atomic_ref<int>(flags_[1]).store(0, std::memory_order_release);
  int* device_flags = nullptr;
  GPUCERT_CUDA_CHECK(cudaHostGetDevicePointer(reinterpret_cast<void**>(&device_flags), flags_, 0));
  Release release(flags_);
  GPUCERT_CUDA_CHECK(
      kernels::launch_spin(device_flags, device_flags + 1, kTimeoutNs, stream.get()));
  return release;
}

void StreamHold::check() const {
  if (std::atomic_ref<int>(flags_[1]).load(std::memory_order_acquire) != 0)
    throw DeviceError(fmt::format(
        "the blocking kernel timed out after {} s before the timed work was queued; the "
        "sample would include launch gaps",
        kTimeoutNs / 1'000'000'000ull));
}

} // namespace gpucert::cuda
