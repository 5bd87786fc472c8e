// Holds a stream with a spinning kernel while a timed region is queued behind it, so the region
// runs back to back on the device and host launch overhead stays out of the measurement.
#pragma once

#include "harness/backends/cuda/stream.hpp"

#include <cstdint>

namespace gpucert::cuda {

class StreamHold {
public:
  /// Device time after which the spin kernel gives up on its own (the host must queue the timed
  /// region well within it; a timeout is reported by check()).
  static constexpr std::uint64_t kTimeoutNs = 10'000'000'000ull;

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
  /// stream afterwards starts when the returned object releases it.
  [[nodiscard]] Release hold(const Stream& stream);
  /// After the held stream has been synchronised: throws DeviceError if the spin kernel timed
  /// out, i.e. the region started before it was fully queued and its time is not trustworthy.
  void check() const;

private:
  int* flags_ = nullptr; ///< [0] release, [1] timed out; host memory mapped into devices
};

} // namespace gpucert::cuda
