// Ranges for counts and indices read from files. A results file or node file is data someone
// handed us: a GPU index of 10^12 or a link count of 2^31 must be an InputError, not a huge
// allocation or a loop that never ends. The limits sit far above any real machine.
#pragma once

namespace gpucert {

inline constexpr int kMaxGpus = 1024;        ///< GPU indices are 0 .. kMaxGpus-1
inline constexpr int kMaxNvLinksPerGpu = 64; ///< NVLink 5 has 18
inline constexpr double kMaxBytes = 1e18;    ///< a memory or buffer size (1 EB)

} // namespace gpucert
