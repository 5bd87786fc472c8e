// The nccl.<collective> instance on real GPUs (see nccl_collective.hpp): nccl-tests' buffer
// layout, one group call per iteration across the local ranks (or one CUDA graph per rank) on
// blocking communicators, a 1-element all_reduce before the start events so every rank's clock
// starts together, CUDA events per rank (sample time = the slowest rank), the exact check on the
// GPU afterwards.
#if defined(GPUCERT_HAVE_NCCL)

#include "harness/backends/cuda/nccl_collective.hpp"

#include "harness/backends/cuda/cuda_check.hpp"
#include "harness/backends/cuda/device_buffer.hpp"
#include "harness/backends/cuda/nccl_clique.hpp"
#include "harness/backends/cuda/stream.hpp"
#include "harness/backends/cuda/test_hooks.hpp"
#include "harness/collectives/check.hpp"
#include "harness/collectives/collective_plan.hpp"
#include "harness/collectives/nccl_env.hpp"
#include "kernels/nccl_check_kernels.cuh"
#include "kernels/spin_kernel.cuh"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <cuda_runtime_api.h>
#include <fmt/core.h>
#include <nccl.h>

namespace gpucert::cuda {

namespace {

/// Communicator creation and the first (connecting) collective: NCCL sets up its transports
/// lazily, which takes seconds on a large node and more across nodes.
constexpr double kInitTimeoutS = 300;
/// NCCL's own buffers and the CUDA context want room beside ours.
constexpr std::uint64_t kMemoryMarginBytes = 512ull << 20;
/// The start-aligning all_reduce's buffer: one float (16 bytes keep it aligned like the rest).
constexpr std::size_t kSyncBytes = 16;
/// The test stall (GPUCERT_TEST_STALL_RANK) holds a stream at most this long on its own.
constexpr std::uint64_t kStallLimitNs = 600ull * 1000 * 1000 * 1000;

ncclDataType_t nccl_type(coll::DType t) {
  switch (t) {
  case coll::DType::f32:
    return ncclFloat32;
  case coll::DType::f16:
    return ncclFloat16;
  case coll::DType::bf16:
    return ncclBfloat16;
  case coll::DType::i8:
    return ncclInt8;
  }
  throw InternalError("collective dtype without an NCCL type");
}

/// GPUCERT_TEST_STALL_RANK=R: rank R's stream is held by a spinning kernel before each sample,
/// so the watchdog's abort path can be exercised on any GPU (tests/gpu). -1 when unset.
int stall_rank() {
  const char* env = std::getenv("GPUCERT_TEST_STALL_RANK");
  if (env == nullptr || *env == '\0')
    return -1;
  char* end = nullptr;
  const long v = std::strtol(env, &end, 10);
  return (end != env && *end == '\0' && v >= 0) ? static_cast<int>(v) : -1;
}

struct RankBuffers {
  DeviceBuffer send_buf, recv_buf; ///< recv_buf unused in place
  char* send = nullptr;            ///< where NCCL reads (may point into recv_buf in place)
  char* recv = nullptr;            ///< where NCCL writes
  std::unique_ptr<Event> start, stop, done;
  DeviceBuffer check_result; ///< 2 x u64: mismatches, lowest wrong offset
  DeviceBuffer sync;         ///< one float: the start-aligning all_reduce, in place
  cudaGraphExec_t graph = nullptr;
};

class NcclCollective : public BenchmarkInstance, public CorruptibleOutput {
public:
  NcclCollective(std::shared_ptr<NcclClique> clique, std::vector<int> devices, const Params& params,
                 const coll::Collective& c, double deadline_override_s)
      : clique_(std::move(clique)), devices_(std::move(devices)), coll_(c),
        plan_(coll::plan_collective(
            c, params, clique_ ? clique_->nranks() : static_cast<int>(devices_.size()))),
        deadline_override_s_(deadline_override_s) {}

  ~NcclCollective() override {
    if (stall_flags_ != nullptr)
      stall_flags_[0] = 1; // a stalled stream may go on
    for (size_t i = 0; i < bufs_.size(); ++i) {
      if (clique_ && i < clique_->ranks().size())
        (void)cudaSetDevice(clique_->ranks()[i].device);
      if (bufs_[i].graph)
        GPUCERT_CUDA_CHECK_NOEXCEPT(cudaGraphExecDestroy(bufs_[i].graph));
    }
    if (clique_ && !clique_->aborted()) {
      // Let our work drain before the buffers go; bounded, so teardown cannot hang either.
      try {
        record_all_done();
        clique_->wait(done_events(), Deadline(30), "teardown");
      } catch (const std::exception& e) {
        std::fprintf(stderr, "gpucert: warning: %s\n", e.what());
      }
    }
    bufs_.clear();
    if (stall_flags_ != nullptr)
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaFreeHost(stall_flags_));
  }

  std::string skip_reason() const override { return plan_.skip; }

  void setup() override {
    if (!clique_)
      clique_ = make_local_clique(devices_, kInitTimeoutS);
    clique_->require_alive(name());
    deadline_s_ = deadline_override_s_ > 0 ? deadline_override_s_ : coll::sample_deadline_s(plan_);
    env_ = coll::read_nccl_environment();
    coll::warn_forced_tuning(env_);

    const std::uint64_t ts = static_cast<std::uint64_t>(coll::dtype_size(plan_.dtype));
    const coll::Layout& l = plan_.layout;
    const std::uint64_t need = coll::device_bytes_per_rank(plan_);
    for (auto& r : clique_->ranks()) {
      GPUCERT_CUDA_CHECK(cudaSetDevice(r.device));
      std::size_t free_b = 0, total_b = 0;
      GPUCERT_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
      if (need + kMemoryMarginBytes > free_b)
        throw DeviceError(fmt::format("{}: {} needs {:.2f} GiB of buffers (+{} MiB for NCCL), "
                                      "{:.2f} GiB free",
                                      clique_->who(r), name(), need / 1073741824.0,
                                      kMemoryMarginBytes >> 20, free_b / 1073741824.0));
      RankBuffers b;
      if (plan_.inplace) {
        b.send_buf = DeviceBuffer(std::max(l.send_count, l.recv_count) * ts);
        char* base = b.send_buf.as<char>();
        b.send = base + l.send_inplace_offset * static_cast<std::uint64_t>(r.rank) * ts;
        b.recv = base + l.recv_inplace_offset * static_cast<std::uint64_t>(r.rank) * ts;
      } else {
        b.send_buf = DeviceBuffer(l.send_count * ts);
        b.recv_buf = DeviceBuffer(l.recv_count * ts);
        b.send = b.send_buf.as<char>();
        b.recv = b.recv_buf.as<char>();
      }
      b.start = std::make_unique<Event>();
      b.stop = std::make_unique<Event>();
      b.done = std::make_unique<Event>();
      b.check_result = DeviceBuffer(2 * sizeof(unsigned long long));
      b.sync = DeviceBuffer(kSyncBytes);
      GPUCERT_CUDA_CHECK(cudaMemset(b.sync.get(), 0, kSyncBytes));
      bufs_.push_back(std::move(b));
    }
    fill_inputs(/*clear_outputs=*/true);

    const int stalled = stall_rank();
    for (size_t i = 0; i < clique_->ranks().size(); ++i)
      if (clique_->ranks()[i].rank == stalled)
        stall_index_ = static_cast<int>(i);
    if (stall_index_ >= 0) {
      GPUCERT_CUDA_CHECK(cudaHostAlloc(reinterpret_cast<void**>(&stall_flags_), 2 * sizeof(int),
                                       cudaHostAllocMapped | cudaHostAllocPortable));
      stall_flags_[0] = stall_flags_[1] = 0;
      int* flags = stall_flags_;
      clique_->on_abort([flags] { flags[0] = 1; });
    }

    // One untimed collective and one start-aligning all_reduce: NCCL connects the transports of
    // each (algorithm, protocol) on first use, blocking in ncclGroupEnd meanwhile (the watchdog
    // thread guards it).
    {
      const std::string what = "first (connecting) " + name();
      Deadline d(kInitTimeoutS);
      NcclClique::Watch watch(*clique_, kInitTimeoutS, what);
      enqueue_round(what);
      enqueue_start_sync(what);
      record_all_done();
      clique_->wait(done_events(), d, what);
    }
    if (plan_.graph)
      capture_graphs();
  }

  Work work() const override { return coll::collective_work(plan_); }

  double sample() override {
    clique_->require_alive(name());
    const std::string what = fmt::format("{} sample ({} iterations)", name(), plan_.iters);
    Deadline d(deadline_s_);
    // Disarmed on every way out, an exception included: an armed watchdog would abort later.
    NcclClique::Watch watch(*clique_, deadline_s_, what);
    auto& ranks = clique_->ranks();
    for (size_t i = 0; i < ranks.size(); ++i) {
      GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
      if (static_cast<int>(i) == stall_index_) {
        stall_flags_[0] = 0;
        int* dev_flags = nullptr;
        GPUCERT_CUDA_CHECK(
            cudaHostGetDevicePointer(reinterpret_cast<void**>(&dev_flags), stall_flags_, 0));
        GPUCERT_CUDA_CHECK(
            kernels::launch_spin(dev_flags, dev_flags + 1, kStallLimitNs, ranks[i].stream->get()));
      }
    }
    // Ranks arrive at different times (gpucert-mpi's ranks leave the previous exchange up to a
    // poll interval apart; one process launches rank by rank): each rank's start event follows
    // an all_reduce that completes only once every rank has reached it, as nccl-tests puts a
    // barrier before its timed loop. Without it the earliest rank's time includes the wait.
    enqueue_start_sync(what);
    for (size_t i = 0; i < ranks.size(); ++i) {
      GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
      bufs_[i].start->record(*ranks[i].stream);
    }
    if (plan_.graph) {
      for (size_t i = 0; i < ranks.size(); ++i) {
        GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
        GPUCERT_CUDA_CHECK(cudaGraphLaunch(bufs_[i].graph, ranks[i].stream->get()));
      }
    } else {
      for (int it = 0; it < plan_.iters; ++it)
        enqueue_round(what); // blocking communicators: enqueues and returns, never polls
    }
    std::vector<cudaEvent_t> stops;
    for (size_t i = 0; i < ranks.size(); ++i) {
      GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
      bufs_[i].stop->record(*ranks[i].stream);
      stops.push_back(bufs_[i].stop->get());
    }
    clique_->wait(stops, d, what);
    double slowest = 0;
    for (size_t i = 0; i < ranks.size(); ++i)
      slowest = std::max(slowest, elapsed_seconds(*bufs_[i].start, *bufs_[i].stop));
    return slowest;
  }

  Verification verify() override {
    clique_->require_alive(name() + " check");
    const std::string what = name() + " result check";
    Deadline d(deadline_s_);
    NcclClique::Watch watch(*clique_, deadline_s_, what);
    auto& ranks = clique_->ranks();
    if (plan_.inplace) {
      // The timed iterations reduced the buffer into itself again and again: start over from
      // the pattern and check one collective, as nccl-tests does.
      fill_inputs(/*clear_outputs=*/false);
      enqueue_round(what);
    }
    // Out of place, the receive buffers hold the result of the last timed iteration: that
    // very output is checked.
    if (corrupt_pending_)
      flip_one_element();
    for (size_t i = 0; i < ranks.size(); ++i) {
      GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
      const std::uint64_t n = coll::check_count(plan_.pattern, ranks[i].rank);
      GPUCERT_CUDA_CHECK(kernels::launch_collective_check(
          bufs_[i].recv, n, plan_.pattern, ranks[i].rank,
          bufs_[i].check_result.as<unsigned long long>(), ranks[i].stream->get()));
    }
    record_all_done();
    clique_->wait(done_events(), d, what);

    Verification v;
    v.checked = true;
    v.passed = true;
    std::vector<std::string> wrong;
    std::uint64_t elements = 0;
    for (size_t i = 0; i < ranks.size(); ++i) {
      GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
      unsigned long long res[2] = {0, 0};
      GPUCERT_CUDA_CHECK(
          cudaMemcpy(res, bufs_[i].check_result.get(), sizeof res, cudaMemcpyDeviceToHost));
      const std::uint64_t n = coll::check_count(plan_.pattern, ranks[i].rank);
      elements += n;
      if (res[0] == 0)
        continue;
      std::uint32_t bits = 0;
      const std::uint64_t ts = static_cast<std::uint64_t>(coll::dtype_size(plan_.dtype));
      GPUCERT_CUDA_CHECK(
          cudaMemcpy(&bits, bufs_[i].recv + res[1] * ts, ts, cudaMemcpyDeviceToHost));
      const auto m =
          coll::mismatch_from_counts(plan_.pattern, ranks[i].rank, n, res[0], res[1], bits);
      wrong.push_back(coll::describe(plan_.pattern, ranks[i].rank, clique_->who(ranks[i]), m));
    }
    if (!wrong.empty()) {
      v.passed = false;
      v.detail = wrong.front();
      if (wrong.size() > 1)
        v.detail += fmt::format(" (and {} more local ranks wrong)", wrong.size() - 1);
    } else {
      v.detail =
          fmt::format("exact: {} elements of {} checked on {} local rank(s), every one equal "
                      "to the expected pattern{}",
                      elements, coll::dtype_name(plan_.dtype), ranks.size(),
                      plan_.inplace ? " (in place: refilled, one collective, checked)" : "");
    }
    return v;
  }

  void corrupt_output_for_test() override { corrupt_pending_ = true; }

  nlohmann::json evidence() const override {
    nlohmann::json j = coll::plan_evidence(plan_);
    j["nccl"] = coll::nccl_provenance(env_, nccl_library());
    nlohmann::json ranks = nlohmann::json::array();
    if (clique_)
      for (const auto& r : clique_->ranks())
        ranks.push_back({{"rank", r.rank}, {"gpu", r.device}, {"host", clique_->host()}});
    j["local_ranks"] = ranks;
    j["timing"] = "CUDA events on each rank's stream around the sample's iterations; sample time = "
                  "the slowest rank";
    j["start_sync"] = "a 1-element ncclAllReduce on every rank before the start events, outside "
                      "the timed region: no rank's clock starts before every rank has arrived";
    j["watchdog"] = {{"sample_deadline_s", deadline_s_},
                     {"action", "ncclCommAbort, ERROR naming the ranks that did not complete"}};
    j["communicator"] =
        "blocking for every collective (ncclCommSplit, blocking=1, of a nonblocking "
        "communicator whose initialisation was polled under a deadline); watchdog thread: "
        "ncclCommAbort from outside";
    if (stall_index_ >= 0)
      j["test_stall_rank"] = clique_->ranks()[stall_index_].rank;
    return j;
  }

private:
  std::string name() const { return fmt::format("nccl.{}", coll_.name); }

  /// Test hook: one bit of one element of the last local rank that has an output, in stream
  /// order (the copies are synchronous with the host for pageable memory, ordered on the stream).
  void flip_one_element() {
    corrupt_pending_ = false;
    auto& ranks = clique_->ranks();
    for (size_t i = ranks.size(); i-- > 0;) {
      const std::uint64_t n = coll::check_count(plan_.pattern, ranks[i].rank);
      if (n == 0)
        continue;
      const std::uint64_t ts = static_cast<std::uint64_t>(coll::dtype_size(plan_.dtype));
      char* at = bufs_[i].recv + (n / 2) * ts;
      std::uint32_t bits = 0;
      GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
      cudaStream_t s = ranks[i].stream->get();
      GPUCERT_CUDA_CHECK(cudaMemcpyAsync(&bits, at, ts, cudaMemcpyDeviceToHost, s));
      GPUCERT_CUDA_CHECK(cudaStreamSynchronize(s));
      bits ^= 1u;
      GPUCERT_CUDA_CHECK(cudaMemcpyAsync(at, &bits, ts, cudaMemcpyHostToDevice, s));
      GPUCERT_CUDA_CHECK(cudaStreamSynchronize(s));
      return;
    }
  }

  void fill_inputs(bool clear_outputs) {
    auto& ranks = clique_->ranks();
    const std::uint64_t ts = static_cast<std::uint64_t>(coll::dtype_size(plan_.dtype));
    for (size_t i = 0; i < ranks.size(); ++i) {
      GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
      cudaStream_t s = ranks[i].stream->get();
      if (clear_outputs && !plan_.inplace)
        GPUCERT_CUDA_CHECK(cudaMemsetAsync(bufs_[i].recv, 0, plan_.layout.recv_count * ts, s));
      GPUCERT_CUDA_CHECK(kernels::launch_collective_fill(bufs_[i].send, plan_.layout.send_count,
                                                         plan_.pattern, ranks[i].rank, s));
    }
  }

  /// The 1-element in-place all_reduce every rank completes together (see sample()).
  void enqueue_start_sync(const std::string& what) {
    auto& ranks = clique_->ranks();
    GPUCERT_NCCL_CHECK(ncclGroupStart());
    try {
      for (size_t i = 0; i < ranks.size(); ++i) {
        float* v = bufs_[i].sync.as<float>();
        GPUCERT_NCCL_CHECK(
            ncclAllReduce(v, v, 1, ncclFloat32, ncclSum, ranks[i].comm, ranks[i].stream->get()));
      }
    } catch (...) {
      (void)ncclGroupEnd();
      throw;
    }
    clique_->launch_end("start-aligning all_reduce of " + what);
  }

  /// One collective across every local rank: a group call (send/recv pairs inside the group for
  /// alltoall and sendrecv, as nccl-tests issues them).
  void enqueue_round(const std::string& what) {
    auto& ranks = clique_->ranks();
    const ncclDataType_t type = nccl_type(plan_.dtype);
    const std::uint64_t count = plan_.layout.param_count;
    const std::uint64_t block = count * static_cast<std::uint64_t>(coll::dtype_size(plan_.dtype));
    const int n = plan_.nranks;
    GPUCERT_NCCL_CHECK(ncclGroupStart());
    try {
      for (size_t i = 0; i < ranks.size(); ++i) {
        const auto& r = ranks[i];
        char* send = bufs_[i].send;
        char* recv = bufs_[i].recv;
        cudaStream_t s = r.stream->get();
        switch (coll_.kind) {
        case coll::CollKind::all_reduce:
          GPUCERT_NCCL_CHECK(ncclAllReduce(send, recv, count, type, ncclSum, r.comm, s));
          break;
        case coll::CollKind::all_gather:
          GPUCERT_NCCL_CHECK(ncclAllGather(send, recv, count, type, r.comm, s));
          break;
        case coll::CollKind::reduce_scatter:
          GPUCERT_NCCL_CHECK(ncclReduceScatter(send, recv, count, type, ncclSum, r.comm, s));
          break;
        case coll::CollKind::broadcast:
          GPUCERT_NCCL_CHECK(ncclBroadcast(send, recv, count, type, 0, r.comm, s));
          break;
        case coll::CollKind::reduce:
          GPUCERT_NCCL_CHECK(ncclReduce(send, recv, count, type, ncclSum, 0, r.comm, s));
          break;
        case coll::CollKind::alltoall:
          for (int peer = 0; peer < n; ++peer) {
            GPUCERT_NCCL_CHECK(ncclSend(send + peer * block, count, type, peer, r.comm, s));
            GPUCERT_NCCL_CHECK(ncclRecv(recv + peer * block, count, type, peer, r.comm, s));
          }
          break;
        case coll::CollKind::sendrecv:
          GPUCERT_NCCL_CHECK(ncclSend(send, count, type, (r.rank + 1) % n, r.comm, s));
          GPUCERT_NCCL_CHECK(ncclRecv(recv, count, type, (r.rank - 1 + n) % n, r.comm, s));
          break;
        }
      }
    } catch (...) {
      (void)ncclGroupEnd();
      throw;
    }
    clique_->launch_end(what);
  }

  void capture_graphs() {
    auto& ranks = clique_->ranks();
    std::vector<bool> capturing(ranks.size(), false);
    try {
      for (size_t i = 0; i < ranks.size(); ++i) {
        GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
        GPUCERT_CUDA_CHECK(
            cudaStreamBeginCapture(ranks[i].stream->get(), cudaStreamCaptureModeThreadLocal));
        capturing[i] = true;
      }
      NcclClique::Watch watch(*clique_, kInitTimeoutS, "graph capture of " + name());
      for (int it = 0; it < plan_.iters; ++it)
        enqueue_round("graph capture of " + name());
      for (size_t i = 0; i < ranks.size(); ++i) {
        GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
        cudaGraph_t g = nullptr;
        capturing[i] = false;
        GPUCERT_CUDA_CHECK(cudaStreamEndCapture(ranks[i].stream->get(), &g));
        const cudaError_t rc = cudaGraphInstantiate(&bufs_[i].graph, g, 0);
        GPUCERT_CUDA_CHECK_NOEXCEPT(cudaGraphDestroy(g));
        GPUCERT_CUDA_CHECK(rc);
      }
    } catch (...) {
      for (size_t i = 0; i < ranks.size(); ++i) {
        if (!capturing[i])
          continue;
        (void)cudaSetDevice(ranks[i].device);
        cudaGraph_t g = nullptr;
        if (cudaStreamEndCapture(ranks[i].stream->get(), &g) == cudaSuccess && g)
          (void)cudaGraphDestroy(g);
        (void)cudaGetLastError();
      }
      throw;
    }
  }

  void record_all_done() {
    auto& ranks = clique_->ranks();
    for (size_t i = 0; i < ranks.size() && i < bufs_.size(); ++i) {
      GPUCERT_CUDA_CHECK(cudaSetDevice(ranks[i].device));
      bufs_[i].done->record(*ranks[i].stream);
    }
  }

  std::vector<cudaEvent_t> done_events() const {
    std::vector<cudaEvent_t> out;
    for (const auto& b : bufs_)
      out.push_back(b.done->get());
    return out;
  }

  std::shared_ptr<NcclClique> clique_;
  std::vector<int> devices_;
  const coll::Collective& coll_;
  coll::CollectivePlan plan_;
  double deadline_override_s_ = 0;
  double deadline_s_ = 0;
  coll::NcclEnvironment env_;
  std::vector<RankBuffers> bufs_;
  int stall_index_ = -1;
  int* stall_flags_ = nullptr; ///< mapped pinned: [0] release, [1] timed out
  bool corrupt_pending_ = false;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_nccl_collective(const BenchmarkContext& ctx,
                                                        const coll::Collective& c) {
  if (ctx.target.gpus.empty())
    throw InputError(fmt::format("nccl.{}: no GPU to run on", c.name));
  return std::make_unique<NcclCollective>(nullptr, ctx.target.gpus, ctx.params, c, 0);
}

std::unique_ptr<BenchmarkInstance> make_nccl_collective(std::shared_ptr<NcclClique> clique,
                                                        const Params& params,
                                                        const coll::Collective& c,
                                                        double sample_deadline_s) {
  if (!clique)
    throw InternalError("make_nccl_collective: no clique");
  std::vector<int> devices;
  for (const auto& r : clique->ranks())
    devices.push_back(r.device);
  return std::make_unique<NcclCollective>(std::move(clique), std::move(devices), params, c,
                                          sample_deadline_s);
}

coll::NcclLibrary nccl_library() {
  coll::NcclLibrary lib;
  int code = 0;
  if (ncclGetVersion(&code) == ncclSuccess)
    lib.version = coll::nccl_version_string(code);
  lib.built_against = coll::nccl_version_string(NCCL_VERSION_CODE);
  return lib;
}

void add_nccl_instances(const Registry& registry, InstanceTable& t) {
  for (const BenchmarkDef* def : registry.family("nccl")) {
    const coll::Collective& c = coll::collective_by_name(variant_of(def->name));
    t.add(def->name, [&c](const BenchmarkContext& ctx) { return make_nccl_collective(ctx, c); });
  }
}

} // namespace gpucert::cuda

#endif // GPUCERT_HAVE_NCCL
