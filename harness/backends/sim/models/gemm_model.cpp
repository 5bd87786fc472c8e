// Simulated GEMM: the node's achievable TFLOP/s for the dtype, scaled by the gpuN:gemm fault and
// a shape factor (small or skinny shapes fill the tensor cores less well).
#include "harness/backends/sim/models/models.hpp"
#include "harness/backends/sim/models/sim_instance.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::sim {

namespace {

double element_bytes(const std::string& dtype) {
  if (dtype == "fp64")
    return 8;
  if (dtype == "fp32" || dtype == "tf32")
    return 4;
  if (dtype == "fp8")
    return 1;
  return 2; // fp16, bf16
}

/// Efficiency of one dimension relative to 8192, where the node's figure is measured: tiles of
/// ~128 along each dimension waste d/(d+128) of the work, capped at the 8192 figure.
double shape_factor(double m, double n, double k) {
  auto eff = [](double d) { return d / (d + 128); };
  return std::min(1.0, eff(m) * eff(n) * eff(k) / std::pow(eff(8192), 3));
}

class GemmModel : public SimInstance {
public:
  explicit GemmModel(const BenchmarkContext& ctx) : SimInstance(ctx, "gemm") {
    dtype_ = param("dtype");
    m_ = param_number("m"), n_ = param_number("n"), k_ = param_number("k");
    const int gpu = target_.gpus.at(0);
    const auto tflops = achievable("gemm." + dtype_);
    if (!tflops) {
      skip_ = fmt::format("{} GEMM is not supported on simulated node {} (no gemm.{} figure)",
                          dtype_, sim_.node().name, dtype_);
      return;
    }
    if (dtype_ == "fp8" && param("layout") != "tn") {
      skip_ = "fp8 GEMM requires layout tn (cuBLASLt FP8 takes op(A)=T, op(B)=N only)";
      return;
    }
    const auto cc = sim_.gpu_info(gpu).compute_capability;
    if (dtype_ == "fp8" && cc && std::stod(*cc) < 8.9) {
      skip_ = fmt::format("fp8 GEMM needs compute capability 8.9 or newer; GPU {} is {}", gpu, *cc);
      return;
    }
    // FP8 fast accumulation: no sourced figure separates it from the accurate mode, so the
    // node's gemm.fp8 figure stands for both (the CUDA instance widens its check instead).
    // (Registry::resolve has already refused it on any other dtype.)
    fast_accum_ = params_.count("fast_accum") && param("fast_accum") == "true";
    const double fault = sim_.faults().gemm_factor(gpu);
    const double shape = shape_factor(m_, n_, k_);
    rate_ = *tflops * 1e12 * fault * shape;
    factors_ = {{"achievable_tflops", *tflops}, {"gemm_fault", fault}, {"shape", shape}};
    // Batch GEMMs so one sample lasts about 20 ms, as the CUDA instance does (1..256 GEMMs).
    const double one = 2 * m_ * n_ * k_;
    gemms_ = std::clamp(std::ceil(20e-3 * rate_ / one), 1.0, 256.0);
    work_.flops = one * gemms_;
    work_.items = gemms_;
  }

  nlohmann::json evidence() const override {
    auto e = SimInstance::evidence();
    e["gemms_per_sample"] = gemms_;
    e["layout"] = params_.count("layout") ? params_.at("layout") : "";
    if (dtype_ == "fp8")
      e["fast_accum"] = fast_accum_;
    return e;
  }

private:
  double nominal_seconds() const override { return work_.flops / rate_; }
  double clock_sensitivity() const override { return 1; } // tensor throughput follows SM clock
  std::string check_description() const override {
    return "comparison with a sampled fp64 reference (4096 elements)";
  }
  double device_bytes() const override {
    const double in = element_bytes(dtype_), out = dtype_ == "fp8" ? 2 : in;
    return (m_ * k_ + k_ * n_) * in + m_ * n_ * out + 32.0 * (1 << 20); // + cuBLASLt workspace
  }

  std::string dtype_;
  bool fast_accum_ = false;
  double m_ = 0, n_ = 0, k_ = 0, rate_ = 1, gemms_ = 1;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_gemm_model(const BenchmarkContext& ctx) {
  return std::make_unique<GemmModel>(ctx);
}

void add_gemm_models(const Registry& registry, ModelTable& t) {
  for (const BenchmarkDef* def : registry.family("gemm")) {
    t.instances.add(def->name, [](const BenchmarkContext& ctx) { return make_gemm_model(ctx); });
    for (const Axis& a : def->axes)
      if (a.name == "dtype")
        for (const auto& dtype : a.choices)
          t.figures.insert("gemm." + dtype);
  }
}

} // namespace gpucert::sim
