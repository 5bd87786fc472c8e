// Communicator set-up (nonblocking init, split into blocking communicators), deadline-bounded
// waits, abort and the watchdog thread (nccl_clique.hpp).
#if defined(GPUCERT_HAVE_NCCL)

#include "harness/backends/cuda/nccl_clique.hpp"

#include "harness/backends/cuda/cuda_check.hpp"
#include "harness/collectives/nccl_env.hpp"
#include "harness/core/error.hpp"

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
/// Polls never run between a sample's start and stop events: only after the stop events are
/// enqueued, or while communicators are made or torn down.
constexpr auto kPollInterval = std::chrono::microseconds(50);
/// ncclCommFinalize of the blocking communicators at teardown; the watchdog thread guards it.
constexpr double kTeardownS = 30;

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

/// Refuses an environment that would make the timed communicators nonblocking, before any
/// communicator exists.
void require_blocking_possible() {
  const std::string why = coll::comm_blocking_problem(coll::read_nccl_environment());
  if (!why.empty())
    throw EnvironmentError(why);
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

ncclConfig_t comm_config(CommRole role) {
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  // init: calls return ncclInProgress and we poll, so initialisation has a deadline. timed:
  // ncclGroupEnd enqueues on the calling thread and returns; a nonblocking one would start a
  // thread per group and leave us polling (NCCL >= 2.23), inside the timed region.
  config.blocking = role == CommRole::init ? 0 : 1;
  return config;
}

NcclClique::NcclClique(int nranks, std::string host)
    : nranks_(nranks), host_(std::move(host)), wd_thread_([this] { watchdog_loop(); }) {}

NcclClique::~NcclClique() {
  if (!aborted_)
    teardown(); // the watchdog thread still runs: it guards the blocking finalize
  {
    std::lock_guard<std::mutex> lock(wd_mu_);
    wd_stop_ = true;
  }
  wd_cv_.notify_all();
  wd_thread_.join();
  for (auto& r : ranks_) {
    if (r.stream) {
      (void)cudaSetDevice(r.device);
      r.stream.reset();
    }
  }
}

void NcclClique::teardown() {
  // Orderly: finalize every communicator together, then destroy. A clique that never got its
  // blocking communicators (construction failed half way) is aborted instead: its init ones are
  // nonblocking and may not share a group with blocking ones.
  std::vector<ncclComm_t> comms;
  bool half_made = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& r : ranks_) {
      half_made = half_made || r.init_comm != nullptr;
      if (r.comm)
        comms.push_back(r.comm);
    }
  }
  if (half_made) {
    abort("torn down before its blocking communicators were made");
    return;
  }
  if (comms.empty())
    return;
  ncclResult_t rc = ncclSuccess;
  {
    // r.comm stays set meanwhile, so a watchdog abort reaches these communicators.
    Watch watch(*this, kTeardownS, "ncclCommFinalize at teardown");
    rc = ncclGroupStart();
    for (ncclComm_t c : comms)
      if (rc == ncclSuccess)
        rc = ncclCommFinalize(c);
    const ncclResult_t end = ncclGroupEnd();
    if (rc == ncclSuccess)
      rc = end;
  }
  if (aborted_)
    return; // the watchdog thread aborted (and freed) them
  if (rc != ncclSuccess) {
    std::fprintf(stderr, "gpucert: warning: NCCL teardown: ncclCommFinalize: %s\n",
                 nccl_text(rc).c_str());
    abort("teardown failed");
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& r : ranks_) {
    if (r.comm == nullptr)
      continue;
    (void)cudaSetDevice(r.device);
    GPUCERT_NCCL_CHECK_NOEXCEPT(ncclCommDestroy(r.comm));
    r.comm = nullptr;
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
  // Init communicators first: aborting one also stops (and joins) a split still under way, so
  // the blocking communicator it was making is settled before it is read below.
  for (ncclComm_t Rank::*which : {&Rank::init_comm, &Rank::comm}) {
    for (auto& r : ranks_) {
      if (r.*which == nullptr)
        continue;
      (void)cudaSetDevice(r.device);
      GPUCERT_NCCL_CHECK_NOEXCEPT(ncclCommAbort(r.*which)); // frees the communicator
      r.*which = nullptr;
    }
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
        // While the init communicators exist they carry the state (a split in progress writes
        // the blocking one from NCCL's thread): poll them, else the blocking ones.
        ncclComm_t c = r.init_comm ? r.init_comm : r.comm;
        if (c == nullptr)
          continue;
        ncclResult_t state = ncclSuccess;
        const ncclResult_t rc = ncclCommGetAsyncError(c, &state);
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

void NcclClique::launch_end(const std::string& what) {
  const ncclResult_t rc = ncclGroupEnd();
  if (rc == ncclSuccess)
    return;
  std::lock_guard<std::mutex> lock(mu_);
  if (rc == ncclInProgress)
    fail(what, "ncclGroupEnd returned ncclInProgress on a blocking communicator (is "
               "NCCL_COMM_BLOCKING=0 set?): a nonblocking launch would be timed with NCCL's "
               "launch thread and our polling in it");
  fail(what, fmt::format("ncclGroupEnd: {}", nccl_text(rc)));
}

void NcclClique::make_blocking(const Deadline& d) {
  const std::string what = "ncclCommSplit into blocking communicators";
  ncclConfig_t config = comm_config(CommRole::timed);
  GPUCERT_NCCL_CHECK(ncclGroupStart());
  for (auto& r : ranks_) {
    (void)cudaSetDevice(r.device);
    // Same ranks, same order: color 0 for all, key = rank.
    const ncclResult_t rc = ncclCommSplit(r.init_comm, 0, r.rank, &r.comm, &config);
    if (rc != ncclSuccess && rc != ncclInProgress) {
      (void)ncclGroupEnd();
      std::lock_guard<std::mutex> lock(mu_);
      fail(what, fmt::format("{}: {}", who(r), nccl_text(rc)));
    }
  }
  group_end(d, what);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& r : ranks_) {
      if (r.comm == nullptr)
        fail(what, fmt::format("{}: no communicator came back", who(r)));
      ncclResult_t state = ncclSuccess;
      const ncclResult_t rc = ncclCommGetAsyncError(r.comm, &state);
      if (rc != ncclSuccess || state != ncclSuccess)
        fail(what, fmt::format("{}: {}", who(r), nccl_text(rc != ncclSuccess ? rc : state)));
    }
  }
  // The init communicators have done their job; their resources go now (polled, nonblocking).
  const std::string fin = "ncclCommFinalize of the initialising communicators";
  GPUCERT_NCCL_CHECK(ncclGroupStart());
  for (auto& r : ranks_) {
    const ncclResult_t rc = ncclCommFinalize(r.init_comm);
    if (rc != ncclSuccess && rc != ncclInProgress) {
      (void)ncclGroupEnd();
      std::lock_guard<std::mutex> lock(mu_);
      fail(fin, fmt::format("{}: {}", who(r), nccl_text(rc)));
    }
  }
  group_end(d, fin);
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& r : ranks_) {
    (void)cudaSetDevice(r.device);
    GPUCERT_NCCL_CHECK_NOEXCEPT(ncclCommDestroy(r.init_comm));
    r.init_comm = nullptr;
  }
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
  require_blocking_possible();
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
  ncclConfig_t config = comm_config(CommRole::init);
  GPUCERT_NCCL_CHECK(ncclGroupStart());
  for (auto& r : q->ranks()) {
    GPUCERT_CUDA_CHECK(cudaSetDevice(r.device));
    const ncclResult_t rc = ncclCommInitRankConfig(&r.init_comm, q->nranks(), id, r.rank, &config);
    if (rc != ncclSuccess && rc != ncclInProgress) {
      (void)ncclGroupEnd();
      q->abort("initialisation failed");
      throw DeviceError(fmt::format("ncclCommInitRankConfig for {}: {}", q->who(r), nccl_text(rc)));
    }
  }
  const Deadline d(init_timeout_s);
  q->group_end(d, "NCCL communicator initialisation");
  q->make_blocking(d);
  return q;
}

std::shared_ptr<NcclClique> make_rank_clique(const NcclUniqueId& id_bytes, int nranks, int rank,
                                             int device, double init_timeout_s) {
  require_blocking_possible();
  auto q = std::make_shared<NcclClique>(nranks, this_host());
  ncclUniqueId id;
  std::memcpy(&id, id_bytes.data(), sizeof id);
  GPUCERT_CUDA_CHECK(cudaSetDevice(device));
  NcclClique::Rank r;
  r.rank = rank;
  r.device = device;
  r.stream = std::make_unique<Stream>();
  q->ranks().push_back(std::move(r));
  ncclConfig_t config = comm_config(CommRole::init);
  auto& me = q->ranks().front();
  const ncclResult_t rc = ncclCommInitRankConfig(&me.init_comm, nranks, id, rank, &config);
  if (rc != ncclSuccess && rc != ncclInProgress) {
    q->abort("initialisation failed");
    throw DeviceError(fmt::format("ncclCommInitRankConfig for {}: {}", q->who(me), nccl_text(rc)));
  }
  const Deadline d(init_timeout_s);
  q->await_ready(d, "NCCL communicator initialisation");
  q->make_blocking(d); // every rank of the job splits: ncclCommSplit is collective
  return q;
}

} // namespace gpucert::cuda

#endif // GPUCERT_HAVE_NCCL
