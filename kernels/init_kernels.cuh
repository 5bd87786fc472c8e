// Fills device buffers with random values (kernels/pattern.cuh), converted to each element type.
#pragma once

#include "kernels/element_type.cuh"

#include <cstddef>
#include <cstdint>
#include <cuda_runtime_api.h>

namespace gpucert::kernels {

/// p[i] = random_unit_float(seed, i) (random_unit_double for f64), rounded to nearest in `type`.
cudaError_t launch_fill_random(ElementType type, void* p, std::size_t n, std::uint64_t seed,
                               cudaStream_t stream);

/// p[i] = random_word(seed, i).
cudaError_t launch_fill_random_words(std::uint32_t* p, std::size_t n_words, std::uint64_t seed,
                                     cudaStream_t stream);

} // namespace gpucert::kernels
