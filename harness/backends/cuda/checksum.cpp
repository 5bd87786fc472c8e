// Device-side checksum call.
#include "harness/backends/cuda/checksum.hpp"

#include "harness/backends/cuda/device_buffer.hpp"
#include "kernels/checksum_kernels.cuh"

namespace gpucert::cuda {

std::uint64_t device_checksum(const void* p, std::uint64_t n_words, const Stream& stream) {
  DeviceBuffer out(sizeof(std::uint64_t));
  GPUCERT_CUDA_CHECK(kernels::launch_weighted_checksum(
      static_cast<const std::uint32_t*>(p), n_words, out.as<std::uint64_t>(), stream.get()));
  std::uint64_t sum = 0;
  GPUCERT_CUDA_CHECK(
      cudaMemcpyAsync(&sum, out.get(), sizeof sum, cudaMemcpyDeviceToHost, stream.get()));
  stream.synchronize();
  return sum;
}

} // namespace gpucert::cuda
