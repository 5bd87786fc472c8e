// Platform-independent hashing for the simulator: a node's identity and silicon derive from its
// hostname, and every noise stream's seed from the run seed and what the stream belongs to, the
// same on every machine and standard library.
#pragma once

#include <cstdint>
#include <string_view>

namespace gpucert::sim {

/// SplitMix64's finaliser: a bijective mix of 64 bits.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// FNV-1a over the bytes of `s`.
constexpr std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s)
    h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

/// 64 well-mixed bits for (text, a, b): e.g. (hostname, GPU index, which field).
constexpr std::uint64_t hash_of(std::string_view text, std::uint64_t a, std::uint64_t b = 0) {
  return splitmix64(splitmix64(fnv1a(text) ^ a) ^ splitmix64(b + 0x632be59bd9b4e019ULL));
}

/// The top 53 bits of `h` as a double in [0, 1).
constexpr double unit_interval(std::uint64_t h) {
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

} // namespace gpucert::sim
