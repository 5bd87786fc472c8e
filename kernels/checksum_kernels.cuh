// Position-weighted checksum of a device buffer (kernels/pattern.cuh: checksum_term).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cuda_runtime_api.h>

namespace gpucert::kernels {

/// *out = sum over i < n_words of checksum_term(p[i], i), mod 2^64. Zeroes *out first, on the
/// same stream. p and out are device memory of the current device.
cudaError_t launch_weighted_checksum(const std::uint32_t* p, std::size_t n_words,
                                     std::uint64_t* out, cudaStream_t stream);

} // namespace gpucert::kernels
