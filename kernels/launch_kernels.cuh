// The empty kernel whose launch cost the launch benchmarks time.
#pragma once

#include <cuda_runtime_api.h>

namespace gpucert::kernels {

/// Launches one block of one thread that does nothing when counter is null, and atomically
/// increments *counter otherwise (verification runs count that every launch executed).
cudaError_t launch_empty(unsigned* counter, cudaStream_t stream);

} // namespace gpucert::kernels
