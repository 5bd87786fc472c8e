// The NcclClique behind nccl_collective.hpp: communicators and streams of this process's ranks,
// the deadline-bounded waits (poll cudaEventQuery / ncclCommGetAsyncError, never a blocking
// sync) and the abort. A watchdog thread is the backstop when the measuring thread is stuck
// inside a blocking CUDA or NCCL call and cannot poll.
#pragma once

#include "harness/backends/cuda/nccl_collective.hpp"
#include "harness/backends/cuda/stream.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nccl.h>
#include <string>
#include <thread>
#include <vector>

namespace gpucert::cuda {

/// Seconds allowed from a start point; polled, never slept through.
class Deadline {
public:
  explicit Deadline(double seconds) : seconds_(seconds), start_(std::chrono::steady_clock::now()) {}
  double seconds() const { return seconds_; }
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  bool passed() const { return elapsed() > seconds_; }

private:
  double seconds_;
  std::chrono::steady_clock::time_point start_;
};

class NcclClique {
public:
  struct Rank {
    int rank = 0;   ///< rank in the communicator
    int device = 0; ///< CUDA device ordinal
    ncclComm_t comm = nullptr;
    std::unique_ptr<Stream> stream;
  };

  NcclClique(int nranks, std::string host);
  ~NcclClique();
  NcclClique(const NcclClique&) = delete;
  NcclClique& operator=(const NcclClique&) = delete;

  int nranks() const { return nranks_; }
  std::vector<Rank>& ranks() { return ranks_; }
  const std::string& host() const { return host_; }
  /// "rank 3 (gpu 3 on node-17)".
  std::string who(const Rank& r) const;

  bool aborted() const { return aborted_.load(); }
  const std::string& abort_reason() const { return abort_reason_; }
  /// ncclCommAbort on every communicator, once; runs the abort hooks (a test stall is released).
  void abort(const std::string& why);
  /// Runs `hook` when the clique is aborted (from whichever thread aborts it).
  void on_abort(std::function<void()> hook);

  /// Waits until no communicator is in ncclInProgress (after a nonblocking init, ncclGroupEnd or
  /// finalize). Throws DeviceError naming the ranks still in progress once `d` passes (after
  /// aborting), or the rank whose state is an error.
  void await_ready(const Deadline& d, const std::string& what);
  /// ncclGroupEnd, then await_ready when it returns ncclInProgress.
  void group_end(const Deadline& d, const std::string& what);
  /// Polls until every event (one per local rank, same order) has completed, watching NCCL's
  /// asynchronous errors. Past the deadline: abort, then DeviceError naming the ranks whose
  /// work did not complete.
  void wait(const std::vector<cudaEvent_t>& events, const Deadline& d, const std::string& what);

  /// Arms the watchdog thread: if the measuring thread has not disarmed it `d.seconds()` + grace
  /// after now, the thread aborts the clique itself.
  void arm_watchdog(double seconds, const std::string& what);
  void disarm_watchdog();

  /// Throws DeviceError when the clique was aborted earlier: its communicators are gone.
  void require_alive(const std::string& what) const;

private:
  void abort_locked(const std::string& why);
  void watchdog_loop();
  [[noreturn]] void fail(const std::string& what, const std::string& why);

  int nranks_;
  std::string host_;
  std::vector<Rank> ranks_;
  // Serialises NCCL state queries of the measuring thread with an abort from the watchdog
  // thread; never held across a call that can block.
  mutable std::mutex mu_;
  std::atomic<bool> aborted_{false};
  std::string abort_reason_;
  std::vector<std::function<void()>> abort_hooks_;

  std::mutex wd_mu_;
  std::condition_variable wd_cv_;
  bool wd_stop_ = false;
  bool wd_armed_ = false;
  std::chrono::steady_clock::time_point wd_deadline_;
  std::string wd_what_;
  std::thread wd_thread_;
};

} // namespace gpucert::cuda
