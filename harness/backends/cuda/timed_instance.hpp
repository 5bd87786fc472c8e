// Common base of the CUDA benchmark instances: the target GPU, its stream, the two events a
// sample is timed with, and the stream hold that keeps launch overhead out of the timing.
#pragma once

#include "harness/backends/cuda/device_info.hpp"
#include "harness/backends/cuda/stream.hpp"
#include "harness/backends/cuda/stream_hold.hpp"
#include "harness/backends/cuda/test_hooks.hpp"
#include "harness/measure/benchmark.hpp"

#include <optional>
#include <utility>

namespace gpucert::cuda {

class TimedInstance : public BenchmarkInstance, public CorruptibleOutput {
protected:
  /// Reads the device's properties (throws DeviceError when it does not exist).
  explicit TimedInstance(int gpu) : gpu_(gpu), device_(device_info(gpu)) {}
  ~TimedInstance() override { drain(); }

  /// Waits for the stream. Derived destructors call it first: their buffers are freed before
  /// this base's destructor runs, and no queued work may outlive them.
  void drain() noexcept {
    if (stream_) {
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaSetDevice(gpu_));
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaStreamSynchronize(stream_->get()));
    }
  }

  /// Creates stream, events and hold on gpu_ (made current). Called first in setup().
  void create_timing() {
    set_device(gpu_);
    stream_.emplace();
    start_.emplace();
    stop_.emplace();
    hold_.emplace();
  }

  /// Queues `queue()` on the held stream between the start and stop events, releases the hold,
  /// waits, and returns the device time between the events in seconds. Work that `queue` puts
  /// on other streams must be joined back to stream_ (event wait) before it returns.
  template <typename Queue> double time_held(Queue&& queue) {
    {
      StreamHold::Release release = hold_->hold(*stream_);
      start_->record(*stream_);
      std::forward<Queue>(queue)();
      stop_->record(*stream_);
    } // released here, also when queuing threw
    stop_->synchronize();
    hold_->check();
    return elapsed_seconds(*start_, *stop_);
  }

  int gpu_;
  DeviceInfo device_;
  std::optional<Stream> stream_;
  std::optional<Event> start_, stop_;
  std::optional<StreamHold> hold_;
};

} // namespace gpucert::cuda
