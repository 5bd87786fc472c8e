// StreamHold: host side of kernels/spin_kernel, and the detection of serialised launches.
#include "harness/backends/cuda/stream_hold.hpp"

#include "kernels/spin_kernel.cuh"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fmt/core.h>

namespace gpucert::cuda {

std::string launch_blocking_reason(const char* value) {
  if (value == nullptr || *value == '\0')
    return {};
  char* end = nullptr;
  const long v = std::strtol(value, &end, 10);
  if (end != value && *end == '\0' && v == 0)
    return {};
  return fmt::format("CUDA_LAUNCH_BLOCKING={} makes every launch wait for the kernel to finish",
                     value);
}

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

void StreamHold::decide(const Stream& stream) {
  if (std::string why = launch_blocking_reason(std::getenv("CUDA_LAUNCH_BLOCKING")); !why.empty()) {
    mode_ = Mode::unheld;
    unheld_reason_ = why;
    return;
  }
  // The probe: a spin kernel with a short timeout, released as soon as its launch returns. An
  // asynchronous launch returns at once and the kernel sees the release; a serialised one
  // returns only after the kernel ran, which it could only end by timing out. Both the flag and
  // the host's wait must say so: a host descheduled after an asynchronous launch sees the flag
  // set but did not wait in the call.
  std::atomic_ref<int>(flags_[0]).store(0, std::memory_order_release);
  std::atomic_ref<int>(flags_[1]).store(0, std::memory_order_release);
  int* device_flags = nullptr;
  GPUCERT_CUDA_CHECK(cudaHostGetDevicePointer(reinterpret_cast<void**>(&device_flags), flags_, 0));
  const auto t0 = std::chrono::steady_clock::now();
  GPUCERT_CUDA_CHECK(
      kernels::launch_spin(device_flags, device_flags + 1, kProbeTimeoutNs, stream.get()));
  const auto waited = std::chrono::steady_clock::now() - t0;
  const bool gave_up = std::atomic_ref<int>(flags_[1]).load(std::memory_order_acquire) != 0;
  std::atomic_ref<int>(flags_[0]).store(1, std::memory_order_release);
  stream.synchronize();
  const auto probe = std::chrono::nanoseconds(kProbeTimeoutNs);
  if (gave_up && waited >= probe) {
    mode_ = Mode::unheld;
    unheld_reason_ = fmt::format(
        "a kernel launch returned only after the kernel had finished ({:.0f} ms: launches are "
        "serialised, e.g. by a profiler replaying kernels)",
        std::chrono::duration<double, std::milli>(waited).count());
    return;
  }
  mode_ = Mode::held;
}

StreamHold::Release StreamHold::hold(const Stream& stream) {
  if (mode_ == Mode::unknown)
    decide(stream);
  if (mode_ == Mode::unheld)
    return Release(nullptr); // queued work starts as it is launched
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
  if (mode_ != Mode::held)
    return;
  if (std::atomic_ref<int>(flags_[1]).load(std::memory_order_acquire) != 0)
    throw DeviceError(fmt::format(
        "the blocking kernel timed out after {} s before the timed work was queued; the "
        "sample would include launch gaps",
        kTimeoutNs / 1'000'000'000ull));
}

nlohmann::json StreamHold::evidence() const {
  switch (mode_) {
  case Mode::held:
    return {{"used", true},
            {"why", "samples queued behind a spin kernel: launch overhead is not timed"}};
  case Mode::unheld:
    return {{"used", false},
            {"why", fmt::format("{}; a held stream would wait for a release that cannot come, so "
                                "samples are timed without the hold and include launch and "
                                "queuing gaps: figures of short samples read low",
                                unheld_reason_)}};
  case Mode::unknown:
    break;
  }
  return {{"used", nullptr}, {"why", "no sample timed yet"}};
}

} // namespace gpucert::cuda
