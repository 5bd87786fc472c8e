// GEMM through cuBLASLt: the fastest of the heuristic's top N algorithms (timed at set-up),
// random inputs rotated through enough sets to exceed L2, output checked element by element
// against an fp64 reference of the same stored inputs.
#include "harness/backends/cuda/cublaslt_handle.hpp"
#include "harness/backends/cuda/device_buffer.hpp"
#include "harness/backends/cuda/factories.hpp"
#include "harness/backends/cuda/gemm_dtype.hpp"
#include "harness/backends/cuda/l2_flusher.hpp"
#include "harness/backends/cuda/params.hpp"
#include "harness/backends/cuda/timed_instance.hpp"
#include "kernels/gemm_reference.cuh"
#include "kernels/init_kernels.cuh"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <random>
#include <vector>

namespace gpucert::cuda {
namespace {

constexpr std::size_t kWorkspaceBytes = std::size_t{32} << 20; // cuBLAS's advice for Hopper
constexpr double kTargetSampleSeconds = 0.02; // GEMMs per sample are chosen to fill about this
constexpr int kMaxGemmsPerSample = 256;       // stays far below the stream's launch queue depth
constexpr int kMaxInputSets = 16;
constexpr int kTrialGemms = 3; // timed per candidate algorithm, after one untimed
constexpr int kVerifySamples = 4096;

// An attribute of a heuristic's algorithm for the evidence; null where the library does not
// report it (evidence must never cost the measurement).
template <typename T>
nlohmann::json algo_config(const cublasLtMatmulAlgo_t& algo,
                           cublasLtMatmulAlgoConfigAttributes_t attr) {
  T v{};
  std::size_t written = 0;
  if (cublasLtMatmulAlgoConfigGetAttribute(&algo, attr, &v, sizeof v, &written) !=
      CUBLAS_STATUS_SUCCESS)
    return nullptr;
  return v;
}

nlohmann::json describe_algo(const cublasLtMatmulHeuristicResult_t& r) {
  return {{"algo_id", algo_config<std::int32_t>(r.algo, CUBLASLT_ALGO_CONFIG_ID)},
          {"tile_id", algo_config<std::uint32_t>(r.algo, CUBLASLT_ALGO_CONFIG_TILE_ID)},
          {"stages_id", algo_config<std::uint32_t>(r.algo, CUBLASLT_ALGO_CONFIG_STAGES_ID)},
          {"splitk", algo_config<std::int32_t>(r.algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM)},
          {"cta_swizzling", algo_config<std::uint32_t>(r.algo, CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING)},
          {"cluster_shape_id",
           algo_config<std::uint16_t>(r.algo, CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID)},
          {"workspace_bytes", r.workspaceSize},
          {"waves", r.wavesCount}};
}

class GemmInstance final : public TimedInstance {
public:
  explicit GemmInstance(const BenchmarkContext& ctx)
      : TimedInstance(target_gpu(ctx.target, 0)),
        dtype_(gemm_dtype(param_text(ctx.params, "gemm", "dtype"))) {
    const auto& p = ctx.params;
    constexpr std::int64_t kMaxDim = std::int64_t{1} << 20;
    m_ = param_int(p, "gemm", "m", 1, kMaxDim);
    n_ = param_int(p, "gemm", "n", 1, kMaxDim);
    k_ = param_int(p, "gemm", "k", 1, kMaxDim);
    layout_ = param_choice(p, "gemm", "layout", {"tn", "nn", "nt", "tt"});
    trans_a_ = layout_[0] == 't';
    trans_b_ = layout_[1] == 't';
    algos_ = static_cast<int>(param_int(p, "gemm", "algos", 1, 64));
    // FP8 fast accumulation (the catalogue allows it for fp8 only); off is cuBLAS's default,
    // the accurate mode.
    fast_accum_ = parse_bool(param_text(p, "gemm", "fast_accum"), "gemm: parameter 'fast_accum'");
    if (fast_accum_ && dtype_.ab_type != CUDA_R_8F_E4M3)
      throw InputError(
          fmt::format("gemm: parameter 'fast_accum' = true applies to dtype fp8 only, got dtype {}",
                      dtype_.name));
    if (dtype_.ab_type == CUDA_R_8F_E4M3) {
      if (layout_ != "tn")
        throw InputError(fmt::format("gemm: dtype fp8 requires layout tn (cuBLASLt's FP8 "
                                     "kernels need A transposed and B not), got '{}'",
                                     layout_));
      if (m_ % 16 != 0 || n_ % 16 != 0 || k_ % 16 != 0)
        throw InputError(fmt::format(
            "gemm: dtype fp8 requires m, n and k to be multiples of 16, got {}x{}x{}", m_, n_, k_));
    }
    const int cc = device_.cc_major * 10 + device_.cc_minor;
    if (cc < dtype_.min_cc)
      skip_ = fmt::format("{} GEMM needs compute capability {}.{} or newer; GPU {} ({}) is {}.{}",
                          dtype_.name, dtype_.min_cc / 10, dtype_.min_cc % 10, gpu_, device_.name,
                          device_.cc_major, device_.cc_minor);
  }

  ~GemmInstance() override { drain(); }

  std::string skip_reason() const override { return skip_; }

  void setup() override {
    create_timing();
    lt_.emplace();
    flusher_.emplace(device_);
    create_descriptors();
    allocate_inputs();
    workspace_ = DeviceBuffer(kWorkspaceBytes);
    choose_algorithm();
    // Poison the output with a huge finite value (0x7B bytes: about 1e36 in fp32 and bf16,
    // 1e286 in fp64, 61280 in fp16): elements the timed GEMMs fail to write cannot pass
    // verification. Finite, so it stays harmless even if a kernel multiplied C by beta = 0.
    GPUCERT_CUDA_CHECK(cudaMemsetAsync(d_.get(), 0x7B, d_.size(), stream_->get()));
    stream_->synchronize();
  }

  Work work() const override {
    Work w;
    w.flops =
        2.0 * static_cast<double>(m_) * static_cast<double>(n_) * static_cast<double>(k_) * gemms_;
    return w;
  }

  double sample() override {
    set_device(gpu_);
    flusher_->flush(*stream_);
    return time_held([&] {
      for (int g = 0; g < gemms_; ++g)
        matmul(next_set(), algo_);
    });
  }

  Verification verify() override;

  nlohmann::json evidence() const override { return evidence_; }

  void corrupt_output_for_test() override {
    set_device(gpu_);
    GPUCERT_CUDA_CHECK(kernels::launch_fill_random(
        dtype_.cd_element, d_.get(), static_cast<std::size_t>(m_ * n_), 0xBAD, stream_->get()));
    stream_->synchronize();
  }

private:
  int next_set() {
    last_set_ = next_set_;
    next_set_ = (next_set_ + 1) % sets_;
    return last_set_;
  }

  std::int64_t rows_a() const { return trans_a_ ? k_ : m_; } // A as stored, column-major
  std::int64_t rows_b() const { return trans_b_ ? n_ : k_; }

  void create_descriptors() {
    cublasLtMatmulDesc_t desc = nullptr;
    GPUCERT_CUBLAS_CHECK(cublasLtMatmulDescCreate(&desc, dtype_.compute, dtype_.scale_type));
    desc_ = LtMatmulDesc(desc);
    const std::int32_t op_a = trans_a_ ? CUBLAS_OP_T : CUBLAS_OP_N;
    const std::int32_t op_b = trans_b_ ? CUBLAS_OP_T : CUBLAS_OP_N;
    GPUCERT_CUBLAS_CHECK(
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof op_a));
    GPUCERT_CUBLAS_CHECK(
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof op_b));
    if (dtype_.ab_type == CUDA_R_8F_E4M3) {
      // Per-tensor scales of 1 (device pointers, fp32 like the compute type): the inputs are
      // already in e4m3 range. D is bf16, so no D scale or amax applies.
      const float ones[2] = {1.0f, 1.0f};
      scales_ = DeviceBuffer(sizeof ones);
      GPUCERT_CUDA_CHECK(cudaMemcpy(scales_.get(), ones, sizeof ones, cudaMemcpyHostToDevice));
      const float* a_scale = scales_.as<float>();
      const float* b_scale = scales_.as<float>() + 1;
      GPUCERT_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(
          desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &a_scale, sizeof a_scale));
      GPUCERT_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(
          desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &b_scale, sizeof b_scale));
      const std::int8_t fast = fast_accum_ ? 1 : 0;
      GPUCERT_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_FAST_ACCUM,
                                                          &fast, sizeof fast));
    }
    auto layout = [](cudaDataType_t type, std::int64_t rows, std::int64_t cols) {
      cublasLtMatrixLayout_t l = nullptr;
      GPUCERT_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&l, type, static_cast<std::uint64_t>(rows),
                                                      static_cast<std::uint64_t>(cols), rows));
      return LtMatrixLayout(l);
    };
    a_layout_ = layout(dtype_.ab_type, rows_a(), trans_a_ ? m_ : k_);
    b_layout_ = layout(dtype_.ab_type, rows_b(), trans_b_ ? k_ : n_);
    d_layout_ = layout(dtype_.cd_type, m_, n_);
  }

  void allocate_inputs() {
    const std::size_t in_size = kernels::element_size(dtype_.ab_element);
    const auto a_elems = static_cast<std::size_t>(m_ * k_);
    const auto b_elems = static_cast<std::size_t>(k_ * n_);
    const std::size_t set_bytes = (a_elems + b_elems) * in_size;
    d_ = DeviceBuffer(static_cast<std::size_t>(m_ * n_) * kernels::element_size(dtype_.cd_element));
    // Enough input sets that one sample's GEMMs read at least twice the L2 size: small shapes
    // must not be served from cache. Bounded by the memory that is free.
    std::size_t free_bytes = 0, total_bytes = 0;
    GPUCERT_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const std::size_t budget =
        free_bytes / 10 * 8 > kWorkspaceBytes ? free_bytes / 10 * 8 - kWorkspaceBytes : 0;
    const auto want = static_cast<int>((2 * device_.l2_bytes + set_bytes - 1) / set_bytes);
    const auto fit = static_cast<int>(std::min<std::size_t>(budget / set_bytes, kMaxInputSets));
    sets_ = std::clamp(std::min(want, fit), 1, kMaxInputSets);
    for (int s = 0; s < sets_; ++s) {
      a_.emplace_back(a_elems * in_size);
      b_.emplace_back(b_elems * in_size);
      GPUCERT_CUDA_CHECK(kernels::launch_fill_random(dtype_.ab_element, a_.back().get(), a_elems,
                                                     1000 + 2 * s, stream_->get()));
      GPUCERT_CUDA_CHECK(kernels::launch_fill_random(dtype_.ab_element, b_.back().get(), b_elems,
                                                     1001 + 2 * s, stream_->get()));
    }
    stream_->synchronize();
  }

  void matmul(int set, const cublasLtMatmulAlgo_t& algo) {
    const double one_d = 1, zero_d = 0;
    const float one_f = 1, zero_f = 0;
    const bool f64 = dtype_.scale_type == CUDA_R_64F;
    const void* alpha = f64 ? static_cast<const void*>(&one_d) : &one_f;
    const void* beta = f64 ? static_cast<const void*>(&zero_d) : &zero_f;
    // beta = 0: C is not read; C and D share buffer and layout (in place, as cuBLASLt allows).
    GPUCERT_CUBLAS_CHECK(cublasLtMatmul(lt_->get(), desc_.get(), alpha, a_[set].get(),
                                        a_layout_.get(), b_[set].get(), b_layout_.get(), beta,
                                        d_.get(), d_layout_.get(), d_.get(), d_layout_.get(), &algo,
                                        workspace_.get(), workspace_.size(), stream_->get()));
  }

  void choose_algorithm();

  const GemmDtype& dtype_;
  std::int64_t m_ = 0, n_ = 0, k_ = 0;
  std::string layout_;
  bool trans_a_ = false, trans_b_ = false, fast_accum_ = false;
  int algos_ = 1;
  std::string skip_;

  std::optional<CublasLtHandle> lt_;
  std::optional<L2Flusher> flusher_;
  LtMatmulDesc desc_;
  LtMatrixLayout a_layout_, b_layout_, d_layout_;
  std::vector<DeviceBuffer> a_, b_;
  DeviceBuffer d_, workspace_, scales_;
  cublasLtMatmulAlgo_t algo_{};
  int sets_ = 1, gemms_ = 1, next_set_ = 0, last_set_ = 0;
  unsigned verifications_ = 0;
  nlohmann::json evidence_ = nlohmann::json::object();
};

void GemmInstance::choose_algorithm() {
  cublasLtMatmulPreference_t pref_raw = nullptr;
  GPUCERT_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref_raw));
  LtPreference pref(pref_raw);
  const std::uint64_t max_workspace = workspace_.size();
  GPUCERT_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(
      pref_raw, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &max_workspace, sizeof max_workspace));

  std::vector<cublasLtMatmulHeuristicResult_t> results(static_cast<std::size_t>(algos_));
  int returned = 0;
  const cublasStatus_t rc = cublasLtMatmulAlgoGetHeuristic(
      lt_->get(), desc_.get(), a_layout_.get(), b_layout_.get(), d_layout_.get(), d_layout_.get(),
      pref_raw, algos_, results.data(), &returned);
  if (rc == CUBLAS_STATUS_NOT_SUPPORTED || (rc == CUBLAS_STATUS_SUCCESS && returned == 0))
    throw DeviceError(fmt::format("cuBLASLt {} offers no algorithm for a {} GEMM {}x{}x{} layout "
                                  "{} on GPU {} ({}, compute capability {}.{})",
                                  cublasLtGetVersion(), dtype_.name, m_, n_, k_, layout_, gpu_,
                                  device_.name, device_.cc_major, device_.cc_minor));
  GPUCERT_CUBLAS_CHECK(rc);

  // Each candidate: one untimed GEMM (kernel load, clocks), then kTrialGemms timed back to back
  // with the events, behind the hold, before any recorded sample. The fastest is measured.
  nlohmann::json candidates = nlohmann::json::array();
  int best = -1;
  double best_seconds = 0;
  for (int i = 0; i < returned; ++i) {
    const auto& r = results[static_cast<std::size_t>(i)];
    nlohmann::json c = {{"rank", i}};
    if (r.state != CUBLAS_STATUS_SUCCESS) {
      c["error"] = cublasLtGetStatusName(r.state);
      candidates.push_back(c);
      continue;
    }
    c.update(describe_algo(r));
    try {
      matmul(next_set(), r.algo);
      const double t = time_held([&] {
                         for (int g = 0; g < kTrialGemms; ++g)
                           matmul(next_set(), r.algo);
                       }) /
                       kTrialGemms;
      c["seconds_per_gemm"] = t;
      if (best < 0 || t < best_seconds) {
        best = i;
        best_seconds = t;
      }
    } catch (const DeviceError& e) {
      // A candidate the library offered but cannot run is recorded, not fatal, while another
      // one works.
      stream_->synchronize();
      c["error"] = e.what();
    }
    candidates.push_back(c);
  }
  if (best < 0)
    throw DeviceError(fmt::format("none of the {} cuBLASLt algorithm(s) offered for a {} GEMM "
                                  "{}x{}x{} ran on GPU {}: {}",
                                  returned, dtype_.name, m_, n_, k_, gpu_, candidates.dump()));
  algo_ = results[static_cast<std::size_t>(best)].algo;
  // Which one won, and by how much over the heuristic's first pick: a large margin says the
  // heuristic alone would have under-reported this card.
  nlohmann::json choice = {{"index", best},
                           {"tried", returned},
                           {"seconds_per_gemm", best_seconds},
                           {"trial_gemms_per_candidate", kTrialGemms}};
  if (candidates[0].contains("seconds_per_gemm")) {
    const double first = candidates[0]["seconds_per_gemm"].get<double>();
    choice["first_pick_seconds_per_gemm"] = first;
    choice["speedup_over_first_pick"] = best_seconds > 0 ? first / best_seconds : 1.0;
  }
  // A GEMM shorter than the events' resolution reads as 0 s: count it as 1 us.
  const double per_gemm = std::max(best_seconds, 1e-6);
  gemms_ = static_cast<int>(
      std::min<double>(std::ceil(kTargetSampleSeconds / per_gemm), kMaxGemmsPerSample));

  evidence_ = {{"device", device_.to_json()},
               {"dtype", dtype_.name},
               {"compute_type", dtype_.compute_name},
               {"layout", layout_},
               {"m", m_},
               {"n", n_},
               {"k", k_},
               {"cublaslt_version", cublasLtGetVersion()},
               {"workspace_bytes", workspace_.size()},
               {"algos_requested", algos_},
               {"algos_returned", returned},
               {"algorithm", candidates[static_cast<std::size_t>(best)]},
               {"algorithm_choice", choice},
               {"candidates", candidates},
               {"gemms_per_sample", gemms_},
               {"input_sets", sets_},
               {"l2_flush_bytes", flusher_->bytes()},
               {"stream_hold", hold_->evidence()},
               {"inputs", "uniform random in [-1, 1), rounded to the input type"},
               {"verification_tolerance", gemm_tolerance(dtype_, k_, fast_accum_)}};
  if (dtype_.ab_type == CUDA_R_8F_E4M3)
    evidence_["fast_accum"] = fast_accum_;
}

Verification GemmInstance::verify() {
  set_device(gpu_);
  const std::int64_t total = m_ * n_;
  const int samples = static_cast<int>(std::min<std::int64_t>(kVerifySamples, total));
  // The four corners (edge tiles are where indexing goes wrong), then fresh random positions on
  // every call.
  std::vector<int> rows, cols;
  const int corners[4][2] = {{0, 0},
                             {static_cast<int>(m_ - 1), 0},
                             {0, static_cast<int>(n_ - 1)},
                             {static_cast<int>(m_ - 1), static_cast<int>(n_ - 1)}};
  for (const auto& c : corners) {
    if (static_cast<int>(rows.size()) == samples)
      break;
    rows.push_back(c[0]);
    cols.push_back(c[1]);
  }
  std::mt19937_64 rng(0x9E3779B97F4A7C15ull + verifications_++);
  std::uniform_int_distribution<std::int64_t> pick_row(0, m_ - 1), pick_col(0, n_ - 1);
  while (static_cast<int>(rows.size()) < samples) {
    rows.push_back(static_cast<int>(pick_row(rng)));
    cols.push_back(static_cast<int>(pick_col(rng)));
  }

  const auto count = static_cast<std::size_t>(samples);
  DeviceBuffer d_rows(count * sizeof(int)), d_cols(count * sizeof(int));
  DeviceBuffer d_ref(count * sizeof(double)), d_got(count * sizeof(double)),
      d_scale(count * sizeof(double));
  GPUCERT_CUDA_CHECK(cudaMemcpyAsync(d_rows.get(), rows.data(), count * sizeof(int),
                                     cudaMemcpyHostToDevice, stream_->get()));
  GPUCERT_CUDA_CHECK(cudaMemcpyAsync(d_cols.get(), cols.data(), count * sizeof(int),
                                     cudaMemcpyHostToDevice, stream_->get()));
  kernels::GemmReferenceArgs args;
  args.in_type = dtype_.ab_element;
  args.out_type = dtype_.cd_element;
  args.a = a_[static_cast<std::size_t>(last_set_)].get();
  args.b = b_[static_cast<std::size_t>(last_set_)].get();
  args.d = d_.get();
  args.m = m_;
  args.n = n_;
  args.k = k_;
  args.lda = rows_a();
  args.ldb = rows_b();
  args.ldd = m_;
  args.trans_a = trans_a_;
  args.trans_b = trans_b_;
  args.rows = d_rows.as<int>();
  args.cols = d_cols.as<int>();
  args.samples = samples;
  args.ref = d_ref.as<double>();
  args.got = d_got.as<double>();
  args.scale = d_scale.as<double>();
  GPUCERT_CUDA_CHECK(kernels::launch_gemm_reference(args, stream_->get()));
  std::vector<double> ref(count), got(count), scale(count);
  GPUCERT_CUDA_CHECK(cudaMemcpyAsync(ref.data(), d_ref.get(), count * sizeof(double),
                                     cudaMemcpyDeviceToHost, stream_->get()));
  GPUCERT_CUDA_CHECK(cudaMemcpyAsync(got.data(), d_got.get(), count * sizeof(double),
                                     cudaMemcpyDeviceToHost, stream_->get()));
  GPUCERT_CUDA_CHECK(cudaMemcpyAsync(scale.data(), d_scale.get(), count * sizeof(double),
                                     cudaMemcpyDeviceToHost, stream_->get()));
  stream_->synchronize();

  const double tol = gemm_tolerance(dtype_, k_, fast_accum_);
  int failed = 0;
  double worst = 0;
  std::size_t worst_at = 0;
  // NaN counts as the worst error of all.
  auto worse = [](double e, double w) {
    return std::isnan(e) ? !std::isnan(w) : !std::isnan(w) && e > w;
  };
  for (std::size_t s = 0; s < count; ++s) {
    // scale is 0 only when every product is 0; then the error is judged absolutely.
    const double err = std::fabs(got[s] - ref[s]) / (scale[s] > 0 ? scale[s] : 1.0);
    if (!(err <= tol))
      ++failed; // NaN fails
    if (s == 0 || worse(err, worst)) {
      worst = err;
      worst_at = s;
    }
  }
  Verification v;
  v.checked = true;
  v.passed = failed == 0;
  v.detail = fmt::format(
      "{} of {} sampled elements (input set {}) off the fp64 reference by more than {:.3g} x "
      "sqrt(sum (a*b)^2); worst {:.3g} at ({}, {}): got {:.8g}, reference {:.8g}",
      failed, samples, last_set_, tol, worst, rows[worst_at], cols[worst_at], got[worst_at],
      ref[worst_at]);
  return v;
}

} // namespace

std::unique_ptr<BenchmarkInstance> make_gemm(const BenchmarkContext& ctx) {
  return std::make_unique<GemmInstance>(ctx);
}

void add_gemm_instances(const Registry& registry, InstanceTable& t) {
  for (const BenchmarkDef* def : registry.family("gemm"))
    t.add(def->name, [](const BenchmarkContext& ctx) { return make_gemm(ctx); });
}

} // namespace gpucert::cuda
