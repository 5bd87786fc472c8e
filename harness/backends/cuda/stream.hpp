// Move-only CUDA stream and event owners, and the elapsed time between two events.
#pragma once

#include "harness/backends/cuda/cuda_check.hpp"
#include "harness/backends/cuda/device_scope.hpp"

#include <cuda_runtime_api.h>
#include <utility>

namespace gpucert::cuda {

/// A non-blocking stream on the device current at construction: it never synchronises with the
/// legacy default stream, so work elsewhere in the process cannot slip into a timed region.
class Stream {
public:
  Stream() {
    GPUCERT_CUDA_CHECK(cudaGetDevice(&device_));
    GPUCERT_CUDA_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking));
  }
  ~Stream() {
    if (s_ != nullptr) {
      const DeviceScope on(device_);
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaStreamDestroy(s_));
    }
  }
  Stream(Stream&& o) noexcept : s_(std::exchange(o.s_, nullptr)), device_(o.device_) {}
  Stream& operator=(Stream&& o) noexcept {
    std::swap(s_, o.s_);
    std::swap(device_, o.device_);
    return *this;
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  cudaStream_t get() const { return s_; }
  void synchronize() const { GPUCERT_CUDA_CHECK(cudaStreamSynchronize(s_)); }
  /// Work queued on this stream after the call waits for `event` (any device's).
  void wait(cudaEvent_t event) const { GPUCERT_CUDA_CHECK(cudaStreamWaitEvent(s_, event, 0)); }

private:
  cudaStream_t s_ = nullptr;
  int device_ = -1;
};

/// A timing event on the device current at construction.
class Event {
public:
  Event() {
    GPUCERT_CUDA_CHECK(cudaGetDevice(&device_));
    GPUCERT_CUDA_CHECK(cudaEventCreate(&e_));
  }
  ~Event() {
    if (e_ != nullptr) {
      const DeviceScope on(device_);
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaEventDestroy(e_));
    }
  }
  Event(Event&& o) noexcept : e_(std::exchange(o.e_, nullptr)), device_(o.device_) {}
  Event& operator=(Event&& o) noexcept {
    std::swap(e_, o.e_);
    std::swap(device_, o.device_);
    return *this;
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  cudaEvent_t get() const { return e_; }
  void record(const Stream& s) const { GPUCERT_CUDA_CHECK(cudaEventRecord(e_, s.get())); }
  void synchronize() const { GPUCERT_CUDA_CHECK(cudaEventSynchronize(e_)); }

private:
  cudaEvent_t e_ = nullptr;
  int device_ = -1;
};

/// Seconds between two completed events of one device (resolution about 0.5 us).
inline double elapsed_seconds(const Event& start, const Event& stop) {
  float ms = 0;
  GPUCERT_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return static_cast<double>(ms) * 1e-3;
}

} // namespace gpucert::cuda
