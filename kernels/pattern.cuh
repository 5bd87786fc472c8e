// The values buffers are filled with and the checksum they are checked by: plain functions the
// device kernels and the host-side verification both compute, so expected values come from the
// seed alone and never from the device.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__CUDACC__)
#define GPUCERT_HD __host__ __device__
#else
#define GPUCERT_HD
#endif

namespace gpucert::kernels {

/// splitmix64 finaliser: a cheap, well-mixed 64-bit hash (Steele et al., used by Java's
/// SplittableRandom). Element i of stream `seed` is mix(seed + (i + 1) * golden).
GPUCERT_HD inline std::uint64_t splitmix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

GPUCERT_HD inline std::uint64_t random_bits(std::uint64_t seed, std::uint64_t i) {
  return splitmix64(seed + (i + 1) * 0x9E3779B97F4A7C15ull);
}

/// Uniform in [-1, 1) on a grid of 2^-23: exactly representable in float and double, so host
/// and device agree bit for bit, and arithmetic on it (x + y, s * x, fma) never meets denormals.
GPUCERT_HD inline float random_unit_float(std::uint64_t seed, std::uint64_t i) {
  const auto r = static_cast<std::int32_t>(random_bits(seed, i) >> 40); // 24 bits
  return static_cast<float>(r - (1 << 23)) * (1.0f / (1 << 23));
}

/// Uniform in [-1, 1) with 53 random bits, for fp64 inputs.
GPUCERT_HD inline double random_unit_double(std::uint64_t seed, std::uint64_t i) {
  const auto r = static_cast<std::int64_t>(random_bits(seed, i) >> 11); // 53 bits
  return static_cast<double>(r - (std::int64_t{1} << 52)) * (1.0 / (std::int64_t{1} << 52));
}

/// A random 32-bit word, for buffers whose bytes are only moved (PCIe, P2P).
GPUCERT_HD inline std::uint32_t random_word(std::uint64_t seed, std::uint64_t i) {
  return static_cast<std::uint32_t>(random_bits(seed, i) >> 32);
}

/// What the HBM write benchmark stores in word i: cheap enough (one multiply, one xor) not to
/// slow a bandwidth-bound kernel, different in every word, so no value pattern is special.
GPUCERT_HD inline std::uint32_t write_word(std::uint32_t seed, std::uint64_t i) {
  return static_cast<std::uint32_t>(i) * 0x9E3779B1u ^ seed;
}

/// Term of the position-weighted checksum: sum over words of word * (2i + 1), mod 2^64. Unlike a
/// plain sum it changes when words move to other positions (a copy with wrong indexing).
GPUCERT_HD inline std::uint64_t checksum_term(std::uint32_t word, std::uint64_t i) {
  return static_cast<std::uint64_t>(word) * (2 * i + 1);
}

} // namespace gpucert::kernels
