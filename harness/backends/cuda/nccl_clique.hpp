// The NcclClique behind nccl_collective.hpp: communicators and streams of this process's ranks,
// the deadline-bounded waits (poll cudaEventQuery / ncclCommGetAsyncError, never a blocking
// sync) and the abort. Communicators are made in two steps: a nonblocking one, whose
// initialisation is polled under a deadline, then ncclCommSplit into a blocking one that every
// collective uses (a nonblocking group would be launched from a new thread and polled: NCCL >=
// 2.23). A watchdog thread is the backstop when the measuring thread is stuck inside a blocking
// CUDA or NCCL call and cannot poll.
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

/// The two communicators a rank has: `init` (nonblocking, so its initialisation is polled under
/// a deadline) and `timed` (blocking, split from it, for every collective).
enum class CommRole { init, timed };

/// The ncclConfig_t for a role: blocking = 0 for init, 1 for timed; nothing else is set, so
/// NCCL's own tuning applies.
ncclConfig_t comm_config(CommRole role);

class NcclClique {
public:
  struct Rank {
    int rank = 0;   ///< rank in the communicator
    int device = 0; ///< CUDA device ordinal
    /// Blocking (comm_config(CommRole::timed)): every collective, timed or not, runs on it.
    ncclComm_t comm = nullptr;
    /// Nonblocking (CommRole::init): only while the clique is made; split into `comm`, then
    /// finalized and destroyed.
    ncclComm_t init_comm = nullptr;
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

  /// Waits until no communicator is in ncclInProgress (after a nonblocking init, split or
  /// finalize; the init communicators while they exist, else the blocking ones). Throws
  /// DeviceError naming the ranks still in progress once `d` passes (after aborting), or the
  /// rank whose state is an error.
  void await_ready(const Deadline& d, const std::string& what);
  /// ncclGroupEnd, then await_ready when it returns ncclInProgress: for the init communicators.
  void group_end(const Deadline& d, const std::string& what);
  /// ncclGroupEnd of collectives on the blocking communicators: returns once they are enqueued.
  /// ncclInProgress here (NCCL_COMM_BLOCKING=0 overrides the config) is an error, never polled:
  /// the wait would be timed.
  void launch_end(const std::string& what);

  /// Splits every init communicator into a blocking one (polled under `d`), then finalizes and
  /// destroys the init communicators. Called once, by make_local_clique / make_rank_clique.
  void make_blocking(const Deadline& d);
  /// Polls until every event (one per local rank, same order) has completed, watching NCCL's
  /// asynchronous errors. Past the deadline: abort, then DeviceError naming the ranks whose
  /// work did not complete.
  void wait(const std::vector<cudaEvent_t>& events, const Deadline& d, const std::string& what);

  /// Arms the watchdog thread: if the measuring thread has not disarmed it `d.seconds()` + grace
  /// after now, the thread aborts the clique itself.
  void arm_watchdog(double seconds, const std::string& what);
  void disarm_watchdog();

  /// arm_watchdog for a scope: around every stretch of blocking NCCL calls.
  class Watch {
  public:
    Watch(NcclClique& q, double seconds, const std::string& what) : q_(q) {
      q_.arm_watchdog(seconds, what);
    }
    ~Watch() { q_.disarm_watchdog(); }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

  private:
    NcclClique& q_;
  };

  /// Throws DeviceError when the clique was aborted earlier: its communicators are gone.
  void require_alive(const std::string& what) const;

private:
  void abort_locked(const std::string& why);
  void teardown();
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
