// Fill and exact check of collective buffers on the GPU, from the patterns in
// kernels/collective_patterns.hpp (the host computes the same values for its tests).
#pragma once

#include "kernels/collective_patterns.hpp"

#include <cstdint>
#include <cuda_runtime_api.h>

namespace gpucert::kernels {

/// data[j] = input_value(p, rank, j) for j < count, encoded in p.dtype.
cudaError_t launch_collective_fill(void* data, std::uint64_t count, const coll::Pattern& p,
                                   int rank, cudaStream_t stream);

/// Compares data[k] (k < count) bit for bit with expected_value(p, rank, k).
/// result[0] = number of wrong elements, result[1] = lowest wrong offset (UINT64_MAX if none);
/// `result` is device memory, reset by the launch.
cudaError_t launch_collective_check(const void* data, std::uint64_t count, const coll::Pattern& p,
                                    int rank, unsigned long long* result, cudaStream_t stream);

} // namespace gpucert::kernels
