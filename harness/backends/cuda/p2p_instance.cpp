// GPU-to-GPU bandwidth over the peer path (NVLink or PCIe P2P): copy engines
// (cudaMemcpyPeerAsync) or SM kernels storing into the peer's memory; verified by checksums on
// the receiving GPU. Pairs without peer access are skipped with the reason.
#include "harness/backends/cuda/checksum.hpp"
#include "harness/backends/cuda/device_buffer.hpp"
#include "harness/backends/cuda/factories.hpp"
#include "harness/backends/cuda/params.hpp"
#include "harness/backends/cuda/timed_instance.hpp"
#include "kernels/copy_kernels.cuh"
#include "kernels/init_kernels.cuh"
#include "kernels/pattern.cuh"

#include <fmt/core.h>

namespace gpucert::cuda {
namespace {

constexpr std::uint64_t kSeedA = 0xAAA1, kSeedB = 0xBBB2;
constexpr int kBlocksPerSm = 4;

/// Enables `device`'s access to `peer`'s memory; already enabled is fine. Access stays enabled
/// for the process: other instances of the same pair may be using it.
void enable_peer_access(int device, int peer) {
  set_device(device);
  const cudaError_t rc = cudaDeviceEnablePeerAccess(peer, 0);
  if (rc == cudaErrorPeerAccessAlreadyEnabled) {
    (void)cudaGetLastError(); // not sticky, but it would be reported by the next check
    return;
  }
  GPUCERT_CUDA_CHECK(rc);
}

class P2pInstance final : public TimedInstance {
public:
  P2pInstance(const BenchmarkContext& ctx, const std::string& dir)
      : TimedInstance(target_gpu(ctx.target, 0)), peer_gpu_(target_gpu(ctx.target, 1)),
        name_(fmt::format("p2p.{}", dir)), bidir_(dir == "bidir") {
    if (dir != "uni" && dir != "bidir")
      throw InternalError(fmt::format("p2p: unknown direction '{}'", dir));
    bytes_ = param_bytes(ctx.params, name_, "bytes", 16);
    if (bytes_ % 16 != 0)
      throw InputError(fmt::format(
          "{}: parameter 'bytes' = {} is not a multiple of 16 (SM copies move 16-byte vectors)",
          name_, bytes_));
    sm_engine_ = param_choice(ctx.params, name_, "engine", {"ce", "sm"}) == "sm";
    peer_ = device_info(peer_gpu_);
    if (peer_gpu_ == gpu_) {
      skip_ = fmt::format("GPU {} paired with itself", gpu_);
      return;
    }
    int ab = 0, ba = 0;
    GPUCERT_CUDA_CHECK(cudaDeviceCanAccessPeer(&ab, gpu_, peer_gpu_));
    GPUCERT_CUDA_CHECK(cudaDeviceCanAccessPeer(&ba, peer_gpu_, gpu_));
    if (ab == 0 || ba == 0)
      skip_ = fmt::format("no P2P access between GPU {} and GPU {} (cudaDeviceCanAccessPeer=0)",
                          ab == 0 ? gpu_ : peer_gpu_, ab == 0 ? peer_gpu_ : gpu_);
  }

  ~P2pInstance() override {
    if (peer_stream_) {
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaSetDevice(peer_gpu_));
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaStreamSynchronize(peer_stream_->get()));
    }
    drain();
  }

  std::string skip_reason() const override { return skip_; }

  void setup() override {
    if (!skip_.empty())
      throw InternalError(fmt::format("{}: setup on a skipped pair", name_));
    enable_peer_access(gpu_, peer_gpu_);
    enable_peer_access(peer_gpu_, gpu_);

    set_device(peer_gpu_);
    peer_stream_.emplace();
    peer_done_.emplace();
    dst_on_peer_ = DeviceBuffer(bytes_);
    GPUCERT_CUDA_CHECK(cudaMemsetAsync(dst_on_peer_.get(), 0xA5, bytes_, peer_stream_->get()));
    if (bidir_) {
      src_on_peer_ = DeviceBuffer(bytes_);
      GPUCERT_CUDA_CHECK(kernels::launch_fill_random_words(
          src_on_peer_.as<std::uint32_t>(), bytes_ / 4, kSeedB, peer_stream_->get()));
    }
    peer_stream_->synchronize();

    create_timing(); // leaves gpu_ current
    src_ = DeviceBuffer(bytes_);
    GPUCERT_CUDA_CHECK(kernels::launch_fill_random_words(src_.as<std::uint32_t>(), bytes_ / 4,
                                                         kSeedA, stream_->get()));
    if (bidir_) {
      dst_ = DeviceBuffer(bytes_);
      GPUCERT_CUDA_CHECK(cudaMemsetAsync(dst_.get(), 0xA5, bytes_, stream_->get()));
    }
    blocks_ = static_cast<unsigned>(kBlocksPerSm * std::max(device_.sm_count, 1));
    peer_blocks_ = static_cast<unsigned>(kBlocksPerSm * std::max(peer_.sm_count, 1));
    // One untimed transfer each way: kernels load lazily, and loading one while the blocking
    // kernel holds the device could wait for it (CUDA lazy-loading caveat).
    start_->record(*stream_);
    queue_transfers();
    stream_->synchronize();
    if (bidir_) {
      set_device(peer_gpu_);
      peer_stream_->synchronize();
      set_device(gpu_);
    }
  }

  Work work() const override {
    Work w;
    w.bytes = static_cast<double>(bytes_) * (bidir_ ? 2 : 1);
    return w;
  }

  double sample() override {
    set_device(gpu_);
    return time_held([&] { queue_transfers(); });
  }

  Verification verify() override {
    const std::uint64_t n_words = bytes_ / 4;
    Verification v;
    v.checked = true;
    set_device(peer_gpu_);
    const std::uint64_t got = device_checksum(dst_on_peer_.get(), n_words, *peer_stream_);
    const std::uint64_t want =
        expected_checksum(n_words, [](std::uint64_t i) { return kernels::random_word(kSeedA, i); });
    v.passed = got == want;
    v.detail = fmt::format("GPU {} -> GPU {}: checksum {:#018x}, expected {:#018x}", gpu_,
                           peer_gpu_, got, want);
    if (bidir_) {
      set_device(gpu_);
      const std::uint64_t got_back = device_checksum(dst_.get(), n_words, *stream_);
      const std::uint64_t want_back = expected_checksum(
          n_words, [](std::uint64_t i) { return kernels::random_word(kSeedB, i); });
      v.passed = v.passed && got_back == want_back;
      v.detail += fmt::format("; GPU {} -> GPU {}: checksum {:#018x}, expected {:#018x}", peer_gpu_,
                              gpu_, got_back, want_back);
    }
    v.detail += fmt::format(" ({} words per direction, position-weighted)", n_words);
    return v;
  }

  nlohmann::json evidence() const override {
    nlohmann::json e = {{"device", device_.to_json()},
                        {"peer", peer_.to_json()},
                        {"bytes_per_direction", bytes_},
                        {"engine", sm_engine_ ? "sm" : "ce"},
                        {"method", sm_engine_ ? "kernel on the source GPU storing to peer memory"
                                              : "cudaMemcpyPeerAsync on the source GPU's stream"}};
    if (sm_engine_)
      e["blocks"] = blocks_;
    return e;
  }

  void corrupt_output_for_test() override {
    set_device(peer_gpu_);
    peer_stream_->synchronize();
    auto* word = dst_on_peer_.as<std::uint32_t>() + bytes_ / 8;
    std::uint32_t w = 0;
    GPUCERT_CUDA_CHECK(cudaMemcpy(&w, word, sizeof w, cudaMemcpyDeviceToHost));
    w ^= 1u << 11;
    GPUCERT_CUDA_CHECK(cudaMemcpy(word, &w, sizeof w, cudaMemcpyHostToDevice));
  }

private:
  /// The sample's transfers: gpu_ -> peer on stream_, and for bidir peer -> gpu_ on the peer's
  /// stream, which starts at the start event and is joined back before the stop event, so both
  /// directions overlap inside one timing. Leaves gpu_ current.
  void queue_transfers() {
    const std::size_t n_vec = bytes_ / 16;
    if (sm_engine_)
      GPUCERT_CUDA_CHECK(
          kernels::launch_sm_copy(dst_on_peer_.get(), src_.get(), n_vec, blocks_, stream_->get()));
    else
      GPUCERT_CUDA_CHECK(cudaMemcpyPeerAsync(dst_on_peer_.get(), peer_gpu_, src_.get(), gpu_,
                                             bytes_, stream_->get()));
    if (!bidir_)
      return;
    set_device(peer_gpu_);
    peer_stream_->wait(start_->get());
    if (sm_engine_)
      GPUCERT_CUDA_CHECK(kernels::launch_sm_copy(dst_.get(), src_on_peer_.get(), n_vec,
                                                 peer_blocks_, peer_stream_->get()));
    else
      GPUCERT_CUDA_CHECK(cudaMemcpyPeerAsync(dst_.get(), gpu_, src_on_peer_.get(), peer_gpu_,
                                             bytes_, peer_stream_->get()));
    peer_done_->record(*peer_stream_);
    set_device(gpu_);
    stream_->wait(peer_done_->get());
  }

  int peer_gpu_;
  std::string name_;
  bool bidir_;
  bool sm_engine_ = false;
  std::uint64_t bytes_ = 0;
  DeviceInfo peer_;
  std::string skip_;
  std::optional<Stream> peer_stream_;
  std::optional<Event> peer_done_;
  DeviceBuffer src_, dst_;                 // on gpu_
  DeviceBuffer src_on_peer_, dst_on_peer_; // on peer_gpu_
  unsigned blocks_ = 0, peer_blocks_ = 0;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_p2p(const BenchmarkContext& ctx, const std::string& dir) {
  return std::make_unique<P2pInstance>(ctx, dir);
}

void add_p2p_instances(const Registry& registry, InstanceTable& t) {
  for (const BenchmarkDef* def : registry.family("p2p")) {
    const std::string variant = variant_of(def->name);
    t.add(def->name, [variant](const BenchmarkContext& ctx) { return make_p2p(ctx, variant); });
  }
}

} // namespace gpucert::cuda
