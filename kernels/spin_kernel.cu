// Blocking kernel polling a host-written flag (as nvbench's blocking_kernel does).
#include "kernels/spin_kernel.cuh"

namespace gpucert::kernels {
namespace {

__device__ inline std::uint64_t global_timer_ns() {
  std::uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// volatile loads from mapped host memory are system-scope relaxed loads (PTX ISA): each poll
// reads the host's current value.
__global__ void spin_kernel(const volatile int* release, volatile int* timed_out,
                            std::uint64_t timeout_ns) {
  const std::uint64_t start = global_timer_ns();
  while (*release == 0) {
    if (global_timer_ns() - start > timeout_ns) {
      *timed_out = 1;
      return;
    }
    __nanosleep(500);
  }
}

} // namespace

cudaError_t launch_spin(const int* release, int* timed_out, std::uint64_t timeout_ns,
                        cudaStream_t stream) {
  spin_kernel<<<1, 1, 0, stream>>>(release, timed_out, timeout_ns);
  return cudaGetLastError();
}

} // namespace gpucert::kernels
