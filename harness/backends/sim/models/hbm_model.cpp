// Simulated HBM kernels: the node's achievable bandwidth for the access pattern, scaled by the
// gpuN:hbm fault; each kernel launch adds a few microseconds (visible only at small sizes).
#include "harness/backends/sim/models/models.hpp"
#include "harness/backends/sim/models/sim_instance.hpp"
#include "harness/benchmarks/hbm_sizes.hpp"
#include "harness/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::sim {

namespace {

struct Pattern {
  const char* op;
  const char* figure; ///< achievable key with the same read/write mix
  int arrays;         ///< arrays allocated
  int counted;        ///< bytes counted per sample, in units of one array
};

constexpr Pattern kPatterns[] = {{"copy", "hbm.copy", 2, 2}, {"scale", "hbm.copy", 2, 2},
                                 {"add", "hbm.triad", 3, 3}, {"triad", "hbm.triad", 3, 3},
                                 {"read", "hbm.read", 1, 1}, {"write", "hbm.write", 1, 1}};

constexpr double kLaunchSeconds = 3e-6;
constexpr double kBytesPerSample = 8e9; ///< passes per sample move about this much (CUDA: same)

class HbmModel : public SimInstance {
public:
  HbmModel(const BenchmarkContext& ctx, const std::string& op) : SimInstance(ctx, "hbm." + op) {
    for (const auto& p : kPatterns)
      if (op == p.op)
        pattern_ = &p;
    if (!pattern_)
      throw InternalError("sim/hbm: unknown op '" + op + "'");
    bytes_ = param_number("bytes");
    // As the CUDA instance: arrays the GPU's L2 (node file) could hold are refused, an ERROR
    // naming the L2 size; they would measure the cache.
    const int gpu = target_.gpus.at(0);
    const GpuInfo& info = sim_.gpu_info(gpu);
    const std::string refusal = hbm_l2_refusal(
        "hbm." + op, static_cast<std::uint64_t>(bytes_), info.l2_cache_bytes.value_or(0),
        fmt::format("GPU {}{}", gpu, info.name ? " (" + *info.name + ")" : ""));
    if (!refusal.empty())
      throw InputError(refusal);
    // As many passes as move ~8 GB (1..64).
    const double pass = pattern_->counted * bytes_;
    passes_ = std::clamp(std::round(kBytesPerSample / pass), 1.0, 64.0);
    work_.bytes = pass * passes_;
    work_.items = passes_;
    const auto gbps = achievable(pattern_->figure);
    if (!gbps) {
      skip_ = fmt::format("simulated node {} has no {} figure", sim_.node().name, pattern_->figure);
      return;
    }
    const double fault = sim_.faults().hbm_factor(target_.gpus.at(0));
    rate_ = *gbps * 1e9 * fault;
    factors_ = {{"achievable_gbps", *gbps}, {"hbm_fault", fault}};
  }

private:
  double nominal_seconds() const override { return work_.bytes / rate_ + passes_ * kLaunchSeconds; }
  // Memory-bound: a throttled SM clock costs some bandwidth (fewer requests in flight), not all.
  double clock_sensitivity() const override { return 0.5; }
  std::string check_description() const override { return "element check of the output array"; }
  double device_bytes() const override { return pattern_->arrays * bytes_; }

  const Pattern* pattern_ = nullptr;
  double bytes_ = 0, rate_ = 1, passes_ = 1;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_hbm_model(const BenchmarkContext& ctx,
                                                  const std::string& op) {
  return std::make_unique<HbmModel>(ctx, op);
}

void add_hbm_models(const Registry& registry, ModelTable& t) {
  for (const BenchmarkDef* def : registry.family("hbm")) {
    const std::string variant = variant_of(def->name);
    t.instances.add(
        def->name, [variant](const BenchmarkContext& ctx) { return make_hbm_model(ctx, variant); });
    for (const auto& p : kPatterns)
      if (variant == p.op)
        t.figures.insert(p.figure);
  }
}

} // namespace gpucert::sim
