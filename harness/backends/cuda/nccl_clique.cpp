// Communicator set-up, deadline-bounded waits, abort and the watchdog thread (nccl_clique.hpp).
#if defined(GPUCERT_HAVE_NCCL)

#include "harness/backends/cuda/nccl_clique.hpp"

#include "harness/backends/cuda/cuda_check.hpp"

#include <cstdio>
#include <cstring>
#include <fmt/core.h>
#include <fmt/format.h>
#include <unistd.h>

namespace gpucert::cuda {

namespace {

/// Extra time the watchdog thread gives the measuring thread's own deadline handling before it
/// aborts from outside (the measuring thread is then stuck in a blocking call).
constexpr double kWatchdogGraceS = 10;
/// Between two polls: short against any collective worth timing, long enough not to spin a core.
constexpr auto kPollInterval = std::chrono::microseconds(50);

std::string this_host() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0)
    return "unknown-host";
  return name;
}

std::string nccl_text(ncclResult_t rc) {
  std::string s = ncclGetErrorString(rc);
  const char* last = ncclGetLastError(nullptr);
  if (last != nullptr && *last != '\0')
    s += std::string(": ") + last;
  return s;
}

} // namespace

NcclUniqueId nccl_unique_id() {
  ncclUniqueId id;
  GPUCERT_NCCL_CHECK(ncclGetUniqueId(&id));
  NcclUniqueId out{};
  static_assert(sizeof(id) == sizeof(out));
  std::memcpy(out.data(), &id, sizeof id);
  return out;
}

NcclClique::NcclClique(int nranks, std::string host)
    : nranks_(nranks), host_(std::move(host)), wd_thread_([this] { watchdog_loop(); }) {}

NcclClique::~NcclClique() {
  {
    std::lock_guard<std::mutex> lock(wd_mu_);
    wd_stop_ = true;
  }
  wd_cv_.notify_all();
  wd_thread_.join();
  if (!aborted_) {
    // Orderly teardown: finalize every communicator together (nonblocking), then destroy. A
    // communicator that does not quiesce in time is aborted instead of hanging the process.
    bool any = false;
    for (auto& r : ranks_)
      any = any || r.comm != nullptr;
    if (any) {
      try {
        GPUCERT_NCCL_CHECK(ncclGroupStart());
        for (auto& r : ranks_)
          if (r.comm)
            GPUCERT_NCCL_CHECK_NOEXCEPT(ncclCommFinalize(r.comm));
        group_end(Deadline(30), "ncclCommFinalize");
        for (auto& r : ranks_) {
          if (r.comm)
            GPUCERT_NCCL_CHECK_NOEXCEPT(ncclCommDestroy(r.comm));
          r.comm = nullptr;
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "gpucert: warning: NCCL teardown: %s\n", e.what());
        abort("teardown failed");
      }
    }
  }
  for (auto& r : ranks_) {
    if (r.stream) {
      (void)cudaSetDevice(r.device);
      r.stream.reset();
    }
  }
}

std::string NcclClique::who(const Rank& r) const {
  return fmt::format("rank {} (gpu {} on {})", r.rank, r.device, host_);
}

void NcclClique::on_abort(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  abort_hooks_.push_back(std::move(hook));
}

void NcclClique::abort(const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  abort_locked(why);
}

void NcclClique::abort_locked(const std::string& why) {
  if (aborted_.exchange(true))
    return;
  abort_reason_ = why;
  for (auto& hook : abort_hooks_)
    hook();
  for (auto& r : ranks_) {
    if (r.comm == nullptr)
      continue;
    (void)cudaSetDevice(r.device);
    GPUCERT_NCCL_CHECK_NOEXCEPT(ncclCommAbort(r.comm)); // frees the communicator
    r.comm = nullptr;
  }
}

void NcclClique::require_alive(const std::string& what) const {
  if (aborted_)
    throw DeviceError(
        fmt::format("{}: the NCCL communicator was aborted earlier ({})", what, abort_reason_));
}

void NcclClique::fail(const std::string& what, const std::string& why) {
  abort_locked(fmt::format("{}: {}", what, why));
  throw DeviceError(fmt::format("{}: {}; communicators aborted (ncclCommAbort)", what, why));
}

void NcclClique::await_ready(const Deadline& d, const std::string& what) {
  while (true) {
    std::vector<std::string> pending;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (aborted_)
        throw DeviceError(fmt::format("{}: aborted ({})", what, abort_reason_));
      for (const auto& r : ranks_) {
        if (r.comm == nullptr)
          continue;
        ncclResult_t state = ncclSuccess;
        const ncclResult_t rc = ncclCommGetAsyncError(r.comm, &state);
        if (rc != ncclSuccess)
          fail(what, fmt::format("{}: ncclCommGetAsyncError: {}", who(r), nccl_text(rc)));
        if (state == ncclInProgress)
          pending.push_back(who(r));
        else if (state != ncclSuccess)
          fail(what, fmt::format("{}: {}", who(r), nccl_text(state)));
      }
      if (pending.empty())
        return;
      if (d.passed())
        fail(what,
             fmt::format("watchdog: still in progress after {:.1f} s (deadline {:.1f} s) on {}",
                         d.elapsed(), d.seconds(), fmt::join(pending, ", ")));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void NcclClique::group_end(const Deadline& d, const std::string& what) {
  const ncclResult_t rc = ncclGroupEnd();
  if (rc == ncclSuccess)
    return;
  if (rc != ncclInProgress) {
    std::lock_guard<std::mutex> lock(mu_);
    fail(what, fmt::format("ncclGroupEnd: {}", nccl_text(rc)));
  }
  await_ready(d, what);
}

void NcclClique::wait(const std::vector<cudaEvent_t>& events, const Deadline& d,
                      const std::string& what) {
  std::vector<bool> done(events.size(), false);
  while (true) {
    std::vector<std::string> pending;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (aborted_)
        throw DeviceError(fmt::format("{}: aborted ({})", what, abort_reason_));
      for (size_t i = 0; i < events.size(); ++i) {
        if (done[i])
          continue;
        const cudaError_t q = cudaEventQuery(events[i]);
        if (q == cudaSuccess) {
          done[i] = true;
        } else if (q == cudaErrorNotReady) {
          pending.push_back(who(ranks_[i]));
        } else {
          (void)cudaGetLastError();
          fail(what, fmt::format("{}: {}", who(ranks_[i]),
                                 detail::cuda_message(q, "cudaEventQuery", __FILE__, __LINE__)));
        }
      }
      for (const auto& r : ranks_) {
        if (r.comm == nullptr)
          continue;
        ncclResult_t state = ncclSuccess;
        if (ncclCommGetAsyncError(r.comm, &state) == ncclSuccess && state != ncclSuccess &&
            state != ncclInProgress)
          fail(what, fmt::format("{}: NCCL asynchronous error: {}", who(r), nccl_text(state)));
      }
      if (pending.empty())
        return;
      if (d.passed())
        fail(what, fmt::format("watchdog: not complete after {:.1f} s (deadline {:.1f} s); did not "
                               "complete: {}",
                               d.elapsed(), d.seconds(), fmt::join(pending, ", ")));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void NcclClique::arm_watchdog(double seconds, const std::string& what) {
  {
    std::lock_guard<std::mutex> lock(wd_mu_);
    wd_armed_ = true;
    wd_deadline_ = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(seconds + kWatchdogGraceS));
    wd_what_ = fmt::format("{} (deadline {:.1f} s)", what, seconds);
  }
  wd_cv_.notify_all();
}

void NcclClique::disarm_watchdog() {
  std::lock_guard<std::mutex> lock(wd_mu_);
  wd_armed_ = false;
}

void NcclClique::watchdog_loop() {
  std::unique_lock<std::mutex> lock(wd_mu_);
  while (!wd_stop_) {
    if (!wd_armed_) {
      wd_cv_.wait(lock);
      continue;
    }
    if (wd_cv_.wait_until(lock, wd_deadline_) == std::cv_status::timeout && wd_armed_ &&
        std::chrono::steady_clock::now() >= wd_deadline_ && !wd_stop_) {
      wd_armed_ = false;
      const std::string why =
          fmt::format("watchdog thread: {} was still blocked {:.0f} s past its deadline on {}; "
                      "aborting from outside",
                      wd_what_, kWatchdogGraceS, host_);
      std::fprintf(stderr, "gpucert: %s\n", why.c_str());
      lock.unlock();
      abort(why);
      lock.lock();
    }
  }
}

bool clique_aborted(const NcclClique& clique) {
  return clique.aborted();
}

std::shared_ptr<NcclClique> make_local_clique(const std::vector<int>& devices,
                                              double init_timeout_s) {
  if (devices.empty())
    throw InternalError("an NCCL clique needs at least one GPU");
  auto q = std::make_shared<NcclClique>(static_cast<int>(devices.size()), this_host());
  ncclUniqueId id;
  GPUCERT_NCCL_CHECK(ncclGetUniqueId(&id));
  for (size_t i = 0; i < devices.size(); ++i) {
    GPUCERT_CUDA_CHECK(cudaSetDevice(devices[i]));
    NcclClique::Rank r;
    r.rank = static_cast<int>(i);
    r.device = devices[i];
    r.stream = std::make_unique<Stream>();
    q->ranks().push_back(std::move(r));
  }
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 0; // init and every later call return instead of blocking: we poll
  GPUCERT_NCCL_CHECK(ncclGroupStart());
  for (auto& r : q->ranks()) {
    GPUCERT_CUDA_CHECK(cudaSetDevice(r.device));
    const ncclResult_t rc = ncclCommInitRankConfig(&r.comm, q->nranks(), id, r.rank, &config);
    if (rc != ncclSuccess && rc != ncclInProgress) {
      (void)ncclGroupEnd();
      q->abort("initialisation failed");
      throw DeviceError(fmt::format("ncclCommInitRankConfig for {}: {}", q->who(r), nccl_text(rc)));
    }
  }
  q->group_end(Deadline(init_timeout_s), "NCCL communicator initialisation");
  return q;
}

std::shared_ptr<NcclClique> make_rank_clique(const NcclUniqueId& id_bytes, int nranks, int rank,
                                             int device, double init_timeout_s) {
  auto q = std::make_shared<NcclClique>(nranks, this_host());
  ncclUniqueId id;
  std::memcpy(&id, id_bytes.data(), sizeof id);
  GPUCERT_CUDA_CHECK(cudaSetDevice(device));
  NcclClique::Rank r;
  r.rank = rank;
  r.device = device;
  r.stream = std::make_unique<Stream>();
  q->ranks().push_back(std::move(r));
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 0;
  auto& me = q->ranks().front();
  const ncclResult_t rc = ncclCommInitRankConfig(&me.comm, nranks, id, rank, &config);
  if (rc != ncclSuccess && rc != ncclInProgress) {
    q->abort("initialisation failed");
    throw DeviceError(fmt::format("ncclCommInitRankConfig for {}: {}", q->who(me), nccl_text(rc)));
  }
  q->await_ready(Deadline(init_timeout_s), "NCCL communicator initialisation");
  return q;
}

} // namespace gpucert::cuda

#endif // GPUCERT_HAVE_NCCL
