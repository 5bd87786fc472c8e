// Holds a stream with a spinning kernel while a timed region is queued behind it, so the region
// runs back to back on the device and host launch overhead stays out of the measurement. Where
// launches are serialised (CUDA_LAUNCH_BLOCKING=1, a profiler replaying kernels) a held stream
// would wait for a release the host can only give after the hold ends: the hold detects that,
// once, and then times without it, saying so in the evidence.
#pragma once

#include "harness/backends/cuda/stream.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace gpucert::cuda {

/// Why launches are serialised according to CUDA_LAUNCH_BLOCKING's value (`value` as getenv
/// returns it, null when unset), or empty when they are not. Unset, empty and 0 (CUDA's
/// default) keep the hold; any other value is taken to serialise: a wrong guess costs the hold
/// (launch gaps in short samples, said in the evidence), never a stalled sample.
std::string launch_blocking_reason(const char* value);

class StreamHold {
public:
  /// Device time after which the spin kernel gives up on its own (the host must queue the timed
  /// region well within it; a timeout is reported by check()).
  static constexpr std::uint64_t kTimeoutNs = 10'000'000'000ull;
  /// The first hold's probe: a spin kernel that gives up after this long. A launch call that
  /// only returns once the probe has given up is a serialised launch.
  static constexpr std::uint64_t kProbeTimeoutNs = 200'000'000ull;

  class Release {
  public:
    explicit Release(int* flag) : flag_(flag) {}
    ~Release() { release(); }
    Release(Release&& o) noexcept : flag_(o.flag_) { o.flag_ = nullptr; }
    Release(const Release&) = delete;
    Release& operator=(const Release&) = delete;
    Release& operator=(Release&&) = delete;
    /// Lets the held stream go (idempotent; the destructor calls it too, also on exceptions).
    void release();

  private:
    int* flag_;
  };

  /// Mapped pinned flags, usable from any device.
  StreamHold();
  ~StreamHold();
  StreamHold(const StreamHold&) = delete;
  StreamHold& operator=(const StreamHold&) = delete;

  /// Queues the spin kernel on `stream` (whose device must be current). Work queued on the
  /// stream afterwards starts when the returned object releases it. The first call finds out
  /// whether launches are serialised (environment, then a bounded probe); if they are, no
  /// kernel is queued, now or later, and the returned object releases nothing.
  [[nodiscard]] Release hold(const Stream& stream);
  /// After the held stream has been synchronised: throws DeviceError if the spin kernel timed
  /// out, i.e. the region started before it was fully queued and its time is not trustworthy.
  void check() const;
  /// Whether samples are timed behind the hold (true before the first hold()).
  bool holding() const { return mode_ != Mode::unheld; }
  /// For an instance's evidence: {"used": bool, "why": ...}.
  nlohmann::json evidence() const;

private:
  enum class Mode { unknown, held, unheld };
  void decide(const Stream& stream);

  int* flags_ = nullptr; ///< [0] release, [1] timed out; host memory mapped into devices
  Mode mode_ = Mode::unknown;
  std::string unheld_reason_;
};

} // namespace gpucert::cuda
