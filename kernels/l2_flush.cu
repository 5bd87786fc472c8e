// L2 flush: a grid-stride 16-byte load loop over a buffer twice the L2 size.
#include "kernels/l2_flush.cuh"

namespace gpucert::kernels {
namespace {

__global__ void l2_flush_kernel(const uint4* buf, std::size_t n, unsigned* sink) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  unsigned acc = 0;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    const uint4 v = buf[i];
    acc ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  if (acc == 0x5EEDF1u && sink != nullptr)
    *sink = acc;
}

} // namespace

cudaError_t launch_l2_flush(const void* buf, std::size_t bytes, unsigned* sink, unsigned blocks,
                            cudaStream_t stream) {
  l2_flush_kernel<<<blocks, 256, 0, stream>>>(static_cast<const uint4*>(buf), bytes / 16, sink);
  return cudaGetLastError();
}

} // namespace gpucert::kernels
