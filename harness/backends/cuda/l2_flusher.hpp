// Evicts a device's L2 between samples (kernels/l2_flush): reads a buffer twice the L2 size.
#pragma once

#include "harness/backends/cuda/device_buffer.hpp"
#include "harness/backends/cuda/device_info.hpp"
#include "harness/backends/cuda/stream.hpp"

#include <cstddef>

namespace gpucert::cuda {

class L2Flusher {
public:
  /// Allocates the buffer on `device` (which must be current).
  explicit L2Flusher(const DeviceInfo& device);
  /// Queues the flush on `stream`, outside any timed region.
  void flush(const Stream& stream);
  std::size_t bytes() const { return buffer_.size(); }

private:
  DeviceBuffer buffer_;
  DeviceBuffer sink_;
  unsigned blocks_ = 0;
};

} // namespace gpucert::cuda
