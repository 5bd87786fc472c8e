// Checksums for verification: the position-weighted sum of kernels/pattern.cuh, of a device
// buffer (on the device), of host memory, and the value expected from a buffer's seed (computed
// on the host, on several threads: a GiB of words takes well under a second).
#pragma once

#include "harness/backends/cuda/stream.hpp"
#include "kernels/pattern.cuh"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace gpucert::cuda {

/// Sum over i in [0, n) of term(i), mod 2^64, split over up to 32 threads.
template <typename Term> std::uint64_t parallel_sum(std::uint64_t n, const Term& term) {
  const std::uint64_t threads = std::clamp<std::uint64_t>(
      std::min<std::uint64_t>(std::thread::hardware_concurrency(), 32), 1, n / 65536 + 1);
  std::vector<std::uint64_t> partial(threads, 0);
  std::vector<std::thread> pool;
  for (std::uint64_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      const std::uint64_t begin = n * t / threads, end = n * (t + 1) / threads;
      std::uint64_t acc = 0;
      for (std::uint64_t i = begin; i < end; ++i)
        acc += term(i);
      partial[t] = acc;
    });
  for (auto& th : pool)
    th.join();
  std::uint64_t sum = 0;
  for (std::uint64_t p : partial)
    sum += p;
  return sum;
}

/// Checksum expected of n words whose i-th is word(i).
template <typename Word> std::uint64_t expected_checksum(std::uint64_t n_words, const Word& word) {
  return parallel_sum(n_words, [&](std::uint64_t i) { return kernels::checksum_term(word(i), i); });
}

/// Checksum of words in host memory.
inline std::uint64_t host_checksum(const void* p, std::uint64_t n_words) {
  const auto* w = static_cast<const std::uint32_t*>(p);
  return parallel_sum(n_words, [w](std::uint64_t i) { return kernels::checksum_term(w[i], i); });
}

/// Checksum of n_words words of device memory of the current device, computed there and
/// synchronised on `stream`.
std::uint64_t device_checksum(const void* p, std::uint64_t n_words, const Stream& stream);

} // namespace gpucert::cuda
