// Device-memory bandwidth (STREAM ops plus read-only and write-only), verified by a checksum of
// the whole output against values the host computes from the inputs' seeds.
#include "harness/backends/cuda/checksum.hpp"
#include "harness/backends/cuda/device_buffer.hpp"
#include "harness/backends/cuda/factories.hpp"
#include "harness/backends/cuda/params.hpp"
#include "harness/backends/cuda/timed_instance.hpp"
#include "harness/benchmarks/hbm_sizes.hpp"
#include "kernels/hbm_kernels.cuh"
#include "kernels/init_kernels.cuh"
#include "kernels/pattern.cuh"

#include <algorithm>
#include <bit>
#include <cmath>
#include <fmt/core.h>
#include <vector>

namespace gpucert::cuda {
namespace {

using kernels::HbmOp;

constexpr std::uint64_t kSeedA = 0xA11CE, kSeedB = 0xB0B;
constexpr std::uint32_t kWriteSeed = 0x5EED1234u;
constexpr float kScalar = 3.0f;               // STREAM's scalar
constexpr double kTargetBytesPerSample = 8e9; // a few ms of traffic per sample
constexpr int kMaxPasses = 64;

struct OpInfo {
  const char* name;
  HbmOp op;
  int inputs;  ///< arrays read (a, then b)
  int outputs; ///< arrays written (0 or 1)
};

constexpr OpInfo kOps[] = {
    {"copy", HbmOp::copy, 1, 1},   {"scale", HbmOp::scale, 1, 1}, {"add", HbmOp::add, 2, 1},
    {"triad", HbmOp::triad, 2, 1}, {"read", HbmOp::read, 1, 0},   {"write", HbmOp::write, 0, 1},
};

const OpInfo& op_info(const std::string& name) {
  for (const auto& o : kOps)
    if (name == o.name)
      return o;
  throw InternalError(fmt::format("hbm: unknown op '{}'", name));
}

/// The 32-bit word the op leaves in output word i (inputs from the seeds; kernels/pattern.cuh).
std::uint32_t expected_word(HbmOp op, std::uint64_t i) {
  using kernels::random_unit_float;
  switch (op) {
  case HbmOp::copy:
    return std::bit_cast<std::uint32_t>(random_unit_float(kSeedA, i));
  case HbmOp::scale:
    return std::bit_cast<std::uint32_t>(kScalar * random_unit_float(kSeedA, i));
  case HbmOp::add:
    return std::bit_cast<std::uint32_t>(random_unit_float(kSeedA, i) +
                                        random_unit_float(kSeedB, i));
  case HbmOp::triad:
    return std::bit_cast<std::uint32_t>(
        std::fma(kScalar, random_unit_float(kSeedB, i), random_unit_float(kSeedA, i)));
  case HbmOp::write:
    return kernels::write_word(kWriteSeed, i);
  case HbmOp::read:
    break;
  }
  return 0;
}

class HbmInstance final : public TimedInstance {
public:
  HbmInstance(const BenchmarkContext& ctx, const std::string& op)
      : TimedInstance(target_gpu(ctx.target, 0)), op_(op_info(op)),
        name_(fmt::format("hbm.{}", op)) {
    bytes_ = param_bytes(ctx.params, name_, "bytes", 16);
    if (bytes_ % 16 != 0)
      throw InputError(fmt::format("{}: parameter 'bytes' = {} is not a multiple of 16 (the "
                                   "kernels move 16-byte vectors)",
                                   name_, bytes_));
    // cudaDevAttrL2CacheSize (device_info): arrays L2 could hold measure the cache, not HBM.
    const std::string refusal = hbm_l2_refusal(name_, bytes_, device_.l2_bytes,
                                               fmt::format("GPU {} ({})", gpu_, device_.name));
    if (!refusal.empty())
      throw InputError(refusal);
  }

  ~HbmInstance() override { drain(); }

  void setup() override {
    create_timing();
    const int arrays = op_.inputs + op_.outputs;
    std::size_t free_bytes = 0, total_bytes = 0;
    GPUCERT_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    if (static_cast<double>(bytes_) * arrays > 0.9 * static_cast<double>(free_bytes))
      throw DeviceError(fmt::format("{}: {} arrays of {} bytes do not fit the {} bytes free on "
                                    "GPU {}",
                                    name_, arrays, bytes_, free_bytes, gpu_));
    const std::size_t n_floats = bytes_ / 4;
    for (int i = 0; i < op_.inputs; ++i) {
      inputs_.emplace_back(bytes_);
      GPUCERT_CUDA_CHECK(kernels::launch_fill_random(kernels::ElementType::f32,
                                                     inputs_.back().get(), n_floats,
                                                     i == 0 ? kSeedA : kSeedB, stream_->get()));
    }
    if (op_.outputs > 0) {
      output_ = DeviceBuffer(bytes_);
      // NaN everywhere: words the timed kernels fail to write change the checksum.
      GPUCERT_CUDA_CHECK(cudaMemsetAsync(output_.get(), 0xFF, bytes_, stream_->get()));
    }
    sum_ = DeviceBuffer(sizeof(std::uint64_t));
    GPUCERT_CUDA_CHECK(cudaMemsetAsync(sum_.get(), 0xFF, sizeof(std::uint64_t), stream_->get()));

    int per_sm = 0;
    GPUCERT_CUDA_CHECK(kernels::hbm_blocks_per_sm(op_.op, &per_sm));
    blocks_ = static_cast<unsigned>(std::max(per_sm, 1) * std::max(device_.sm_count, 1));

    // Arrays are at least 4 x L2 (the constructor refuses smaller ones), so passes stream from
    // HBM without an L2 flush: as many as move about 8 GB per sample.
    const double moved = static_cast<double>(bytes_) * arrays;
    passes_ = std::clamp(static_cast<int>(std::ceil(kTargetBytesPerSample / moved)), 1, kMaxPasses);
    // One untimed pass: kernels load lazily, and loading one while the blocking kernel holds
    // the device could wait for it (CUDA lazy-loading caveat), so every kernel a sample
    // launches runs once here first.
    GPUCERT_CUDA_CHECK(kernels::launch_hbm(op_.op, args(), blocks_, stream_->get()));
    stream_->synchronize();
  }

  Work work() const override {
    Work w;
    w.bytes = static_cast<double>(bytes_) * (op_.inputs + op_.outputs) * passes_;
    return w;
  }

  double sample() override {
    set_device(gpu_);
    if (op_.op == HbmOp::read)
      GPUCERT_CUDA_CHECK(cudaMemsetAsync(sum_.get(), 0, sizeof(std::uint64_t), stream_->get()));
    const kernels::HbmArgs a = args();
    return time_held([&] {
      for (int p = 0; p < passes_; ++p)
        GPUCERT_CUDA_CHECK(kernels::launch_hbm(op_.op, a, blocks_, stream_->get()));
    });
  }

  Verification verify() override {
    set_device(gpu_);
    const std::uint64_t n_words = bytes_ / 4;
    Verification v;
    v.checked = true;
    if (op_.op == HbmOp::read) {
      std::uint64_t got = 0;
      GPUCERT_CUDA_CHECK(
          cudaMemcpyAsync(&got, sum_.get(), sizeof got, cudaMemcpyDeviceToHost, stream_->get()));
      stream_->synchronize();
      // Every pass of the last sample added the sum of all words.
      const std::uint64_t one_pass = parallel_sum(n_words, [](std::uint64_t i) -> std::uint64_t {
        return std::bit_cast<std::uint32_t>(kernels::random_unit_float(kSeedA, i));
      });
      const std::uint64_t want = one_pass * static_cast<std::uint64_t>(passes_);
      v.passed = got == want;
      v.detail = fmt::format("sum of {} words over {} pass(es): got {:#018x}, expected {:#018x} "
                             "(host, from the input seed)",
                             n_words, passes_, got, want);
      return v;
    }
    const std::uint64_t got = device_checksum(output_.get(), n_words, *stream_);
    const HbmOp op = op_.op;
    const std::uint64_t want =
        expected_checksum(n_words, [op](std::uint64_t i) { return expected_word(op, i); });
    v.passed = got == want;
    v.detail = fmt::format("position-weighted checksum of all {} output words: got {:#018x}, "
                           "expected {:#018x} (host, from the input seeds)",
                           n_words, got, want);
    return v;
  }

  nlohmann::json evidence() const override {
    return {{"device", device_.to_json()},
            {"op", op_.name},
            {"bytes_per_array", bytes_},
            {"arrays", op_.inputs + op_.outputs},
            {"passes_per_sample", passes_},
            {"blocks", blocks_},
            {"threads_per_block", kernels::kHbmThreads},
            {"access_bytes", 16},
            {"l2_bytes", device_.l2_bytes},
            {"min_bytes_per_array", kHbmMinL2Multiple * static_cast<double>(device_.l2_bytes)},
            {"stream_hold", hold_ ? hold_->evidence() : nlohmann::json(nullptr)}};
  }

  void corrupt_output_for_test() override {
    set_device(gpu_);
    // One bit of one word in the middle: the smallest damage a checksum must still see.
    auto* target = op_.op == HbmOp::read ? sum_.as<std::uint32_t>()
                                         : output_.as<std::uint32_t>() + (bytes_ / 4) / 2;
    std::uint32_t w = 0;
    GPUCERT_CUDA_CHECK(cudaMemcpy(&w, target, sizeof w, cudaMemcpyDeviceToHost));
    w ^= 1u << 7;
    GPUCERT_CUDA_CHECK(cudaMemcpy(target, &w, sizeof w, cudaMemcpyHostToDevice));
  }

private:
  kernels::HbmArgs args() const {
    kernels::HbmArgs a;
    a.a = op_.inputs > 0 ? inputs_[0].get() : nullptr;
    a.b = op_.inputs > 1 ? inputs_[1].get() : nullptr;
    a.out = output_.get();
    a.n_vec = bytes_ / 16;
    a.scalar = kScalar;
    a.write_seed = kWriteSeed;
    a.sum = sum_.as<std::uint64_t>();
    return a;
  }

  const OpInfo& op_;
  std::string name_;
  std::uint64_t bytes_ = 0;
  std::vector<DeviceBuffer> inputs_;
  DeviceBuffer output_, sum_;
  unsigned blocks_ = 0;
  int passes_ = 1;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_hbm(const BenchmarkContext& ctx, const std::string& op) {
  return std::make_unique<HbmInstance>(ctx, op);
}

void add_hbm_instances(const Registry& registry, InstanceTable& t) {
  for (const BenchmarkDef* def : registry.family("hbm")) {
    const std::string variant = variant_of(def->name);
    t.add(def->name, [variant](const BenchmarkContext& ctx) { return make_hbm(ctx, variant); });
  }
}

} // namespace gpucert::cuda
