// A one-thread kernel that holds its stream until the host releases it, so the work queued
// behind it starts back to back and the time to queue it (launch overhead) is not measured.
#pragma once

#include <cstdint>
#include <cuda_runtime_api.h>

namespace gpucert::kernels {

/// Spins until *release != 0 (host-written, mapped pinned memory). Gives up after timeout_ns of
/// device time and sets *timed_out = 1, so a host that never releases cannot hang the GPU.
cudaError_t launch_spin(const int* release, int* timed_out, std::uint64_t timeout_ns,
                        cudaStream_t stream);

} // namespace gpucert::kernels
