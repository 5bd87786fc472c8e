// L2 flush buffer and launch.
#include "harness/backends/cuda/l2_flusher.hpp"

#include "harness/backends/cuda/cuda_check.hpp"
#include "kernels/l2_flush.cuh"

#include <algorithm>

namespace gpucert::cuda {

L2Flusher::L2Flusher(const DeviceInfo& device) {
  constexpr std::size_t kMin = std::size_t{32} << 20;
  const std::size_t bytes = (std::max(2 * device.l2_bytes, kMin) + 15) / 16 * 16;
  buffer_ = DeviceBuffer(bytes);
  sink_ = DeviceBuffer(sizeof(unsigned));
  GPUCERT_CUDA_CHECK(cudaMemset(buffer_.get(), 0x5A, bytes));
  blocks_ = static_cast<unsigned>(std::max(device.sm_count, 1) * 8);
}

void L2Flusher::flush(const Stream& stream) {
  GPUCERT_CUDA_CHECK(kernels::launch_l2_flush(buffer_.get(), buffer_.size(), sink_.as<unsigned>(),
                                              blocks_, stream.get()));
}

} // namespace gpucert::cuda
