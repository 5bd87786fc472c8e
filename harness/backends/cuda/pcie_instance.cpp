// Host<->device bandwidth over PCIe: copy engines (cudaMemcpyAsync) or SM loads/stores on
// mapped pinned memory, from host memory on the GPU's NUMA node; verified by checksums.
#include "harness/backends/cuda/checksum.hpp"
#include "harness/backends/cuda/device_buffer.hpp"
#include "harness/backends/cuda/factories.hpp"
#include "harness/backends/cuda/params.hpp"
#include "harness/backends/cuda/pinned_buffer.hpp"
#include "harness/backends/cuda/timed_instance.hpp"
#include "kernels/copy_kernels.cuh"
#include "kernels/init_kernels.cuh"
#include "kernels/pattern.cuh"

#include <cstring>
#include <fmt/core.h>

namespace gpucert::cuda {
namespace {

constexpr std::uint64_t kSeedHost = 0x4057, kSeedDevice = 0xDE71CE;
constexpr int kBlocksPerSm = 2; // per direction: PCIe needs ~100 KB in flight, this is far more

/// Host-side fill of random words (the first touch of a pinned buffer).
void fill_words(void* p, std::size_t bytes, std::uint64_t seed) {
  auto* w = static_cast<std::uint32_t*>(p);
  for (std::size_t i = 0; i < bytes / 4; ++i)
    w[i] = kernels::random_word(seed, i);
}

class PcieInstance final : public TimedInstance {
public:
  PcieInstance(const BenchmarkContext& ctx, const std::string& dir)
      : TimedInstance(target_gpu(ctx.target, 0)), name_(fmt::format("pcie.{}", dir)),
        h2d_(dir == "h2d" || dir == "bidir"), d2h_(dir == "d2h" || dir == "bidir") {
    if (!h2d_ && !d2h_)
      throw InternalError(fmt::format("pcie: unknown direction '{}'", dir));
    bytes_ = param_bytes(ctx.params, name_, "bytes", 16);
    if (bytes_ % 16 != 0)
      throw InputError(fmt::format(
          "{}: parameter 'bytes' = {} is not a multiple of 16 (SM copies move 16-byte vectors)",
          name_, bytes_));
    sm_engine_ = param_choice(ctx.params, name_, "engine", {"ce", "sm"}) == "sm";
  }

  ~PcieInstance() override {
    if (second_)
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaStreamSynchronize(second_->get()));
    drain();
  }

  void setup() override {
    create_timing();
    if (h2d_) {
      host_src_ = PinnedBuffer(bytes_, device_.pci_bus_id,
                               [](void* p, std::size_t n) { fill_words(p, n, kSeedHost); });
      device_dst_ = DeviceBuffer(bytes_);
      GPUCERT_CUDA_CHECK(cudaMemsetAsync(device_dst_.get(), 0xA5, bytes_, stream_->get()));
    }
    if (d2h_) {
      host_dst_ = PinnedBuffer(bytes_, device_.pci_bus_id,
                               [](void* p, std::size_t n) { std::memset(p, 0xA5, n); });
      device_src_ = DeviceBuffer(bytes_);
      GPUCERT_CUDA_CHECK(kernels::launch_fill_random_words(
          device_src_.as<std::uint32_t>(), bytes_ / 4, kSeedDevice, stream_->get()));
    }
    if (h2d_ && d2h_ && !sm_engine_) {
      second_.emplace();
      joined_.emplace();
    }
    blocks_ = static_cast<unsigned>(kBlocksPerSm * std::max(device_.sm_count, 1));
    // Second start event for the untimed run below (second_ waits on start_).
    start_->record(*stream_);
    // One untimed transfer: kernels load lazily, and loading one while the blocking kernel
    // holds the device could wait for it (CUDA lazy-loading caveat).
    queue_transfers();
    stream_->synchronize();
  }

  Work work() const override {
    Work w;
    w.bytes = static_cast<double>(bytes_) * ((h2d_ ? 1 : 0) + (d2h_ ? 1 : 0));
    return w;
  }

  double sample() override {
    set_device(gpu_);
    return time_held([&] { queue_transfers(); });
  }

  Verification verify() override {
    set_device(gpu_);
    const std::uint64_t n_words = bytes_ / 4;
    Verification v;
    v.checked = true;
    v.passed = true;
    std::string detail;
    if (h2d_) {
      const std::uint64_t got = device_checksum(device_dst_.get(), n_words, *stream_);
      const std::uint64_t want = expected_checksum(
          n_words, [](std::uint64_t i) { return kernels::random_word(kSeedHost, i); });
      v.passed = v.passed && got == want;
      detail += fmt::format("h2d: device copy checksum {:#018x}, expected {:#018x}", got, want);
    }
    if (d2h_) {
      stream_->synchronize();
      const std::uint64_t got = host_checksum(host_dst_.get(), n_words);
      const std::uint64_t want = expected_checksum(
          n_words, [](std::uint64_t i) { return kernels::random_word(kSeedDevice, i); });
      v.passed = v.passed && got == want;
      detail += fmt::format("{}d2h: host copy checksum {:#018x}, expected {:#018x}",
                            detail.empty() ? "" : "; ", got, want);
    }
    v.detail = fmt::format("{} ({} words per direction, position-weighted)", detail, n_words);
    return v;
  }

  nlohmann::json evidence() const override {
    nlohmann::json e = {{"device", device_.to_json()},
                        {"bytes_per_direction", bytes_},
                        {"engine", sm_engine_ ? "sm" : "ce"},
                        {"method", sm_engine_ ? "kernel loads/stores on mapped pinned memory"
                                              : "cudaMemcpyAsync from/to pinned memory"}};
    if (sm_engine_)
      e["blocks_per_direction"] = blocks_;
    if (h2d_)
      e["host_source"] = host_src_.placement();
    if (d2h_)
      e["host_destination"] = host_dst_.placement();
    return e;
  }

  void corrupt_output_for_test() override {
    set_device(gpu_);
    stream_->synchronize();
    if (d2h_)
      static_cast<std::uint32_t*>(host_dst_.get())[bytes_ / 8] ^= 1u << 3;
    if (h2d_) {
      auto* word = device_dst_.as<std::uint32_t>() + bytes_ / 8;
      std::uint32_t w = 0;
      GPUCERT_CUDA_CHECK(cudaMemcpy(&w, word, sizeof w, cudaMemcpyDeviceToHost));
      w ^= 1u << 3;
      GPUCERT_CUDA_CHECK(cudaMemcpy(word, &w, sizeof w, cudaMemcpyHostToDevice));
    }
  }

private:
  /// The sample's transfers, on stream_ (and second_, joined back to stream_).
  void queue_transfers() {
    const std::size_t n_vec = bytes_ / 16;
    if (sm_engine_) {
      if (h2d_ && d2h_)
        GPUCERT_CUDA_CHECK(kernels::launch_sm_copy_pair(device_dst_.get(), host_src_.device_ptr(),
                                                        host_dst_.device_ptr(), device_src_.get(),
                                                        n_vec, blocks_, stream_->get()));
      else if (h2d_)
        GPUCERT_CUDA_CHECK(kernels::launch_sm_copy(device_dst_.get(), host_src_.device_ptr(), n_vec,
                                                   blocks_, stream_->get()));
      else
        GPUCERT_CUDA_CHECK(kernels::launch_sm_copy(host_dst_.device_ptr(), device_src_.get(), n_vec,
                                                   blocks_, stream_->get()));
      return;
    }
    if (h2d_)
      GPUCERT_CUDA_CHECK(cudaMemcpyAsync(device_dst_.get(), host_src_.get(), bytes_,
                                         cudaMemcpyHostToDevice, stream_->get()));
    if (d2h_) {
      // Bidirectional: the D2H copy runs on a second stream, started by the same start event
      // and joined back before the stop event, so both directions overlap in one timing.
      const Stream& s = second_ ? *second_ : *stream_;
      if (second_)
        second_->wait(start_->get());
      GPUCERT_CUDA_CHECK(cudaMemcpyAsync(host_dst_.get(), device_src_.get(), bytes_,
                                         cudaMemcpyDeviceToHost, s.get()));
      if (second_) {
        joined_->record(*second_);
        stream_->wait(joined_->get());
      }
    }
  }

  std::string name_;
  bool h2d_, d2h_;
  bool sm_engine_ = false;
  std::uint64_t bytes_ = 0;
  PinnedBuffer host_src_, host_dst_;
  DeviceBuffer device_src_, device_dst_;
  std::optional<Stream> second_;
  std::optional<Event> joined_;
  unsigned blocks_ = 0;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_pcie(const BenchmarkContext& ctx, const std::string& dir) {
  return std::make_unique<PcieInstance>(ctx, dir);
}

void add_pcie_instances(const Registry& registry, InstanceTable& t) {
  for (const BenchmarkDef* def : registry.family("pcie")) {
    const std::string variant = variant_of(def->name);
    t.add(def->name, [variant](const BenchmarkContext& ctx) { return make_pcie(ctx, variant); });
  }
}

} // namespace gpucert::cuda
