// gemm: dense matrix multiply through cuBLASLt, one sample = a batch of GEMMs of one shape.
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"

#include <fmt/core.h>

namespace gpucert {

void register_gemm(Registry& r) {
  BenchmarkDef d;
  d.name = "gemm";
  d.description = "dense GEMM D = op(A)·op(B) through cuBLASLt on random inputs, checked against "
                  "a sampled fp64 reference; flops = 2·m·n·k per GEMM";
  d.scope = Scope::gpu;
  Axis dtype = choice_axis("dtype", {"fp64", "fp32", "tf32", "fp16", "bf16", "fp8"}, "bf16",
                           "input type (fp8 = e4m3 inputs, sm_89+; tf32 = fp32 data on tensor "
                           "cores; outputs/accumulation in the type's usual compute type)");
  dtype.sweep = dtype.choices;
  d.axes = {
      dtype,
      integer_axis("m", "8192", "rows of op(A) and D"),
      integer_axis("n", "8192", "columns of op(B) and D"),
      integer_axis("k", "8192", "inner dimension"),
      choice_axis("layout", {"tn", "nn", "nt", "tt"}, "tn",
                  "op(A),op(B): t = transposed, n = not; fp8 requires tn"),
      integer_axis("algos", "8",
                   "time the top-N cuBLASLt heuristic algorithms at set-up (a few GEMMs each, "
                   "not recorded as samples) and measure the fastest; 1 takes the heuristic's "
                   "first pick"),
      boolean_axis("fast_accum", "false",
                   "fp8 only: accumulate in the tensor cores without promoting partial sums to "
                   "fp32 (CUBLASLT_MATMUL_DESC_FAST_ACCUM, as FP8 training recipes run it); "
                   "faster and less accurate, the result check widens to match"),
  };
  // Fast accumulation is a mode of cuBLASLt's FP8 kernels only; on any other dtype it would be
  // silently ignored, and a clause asking for it would measure something else than it says.
  d.check = [](const Params& p) {
    if (p.at("fast_accum") == "true" && p.at("dtype") != "fp8")
      throw InputError(fmt::format("gemm: parameter 'fast_accum' = true applies to dtype fp8 only "
                                   "(cuBLASLt's FP8 fast-accumulation mode); dtype {} has no "
                                   "such mode: remove fast_accum or set it to false",
                                   p.at("dtype")));
  };
  d.metrics = {tflops_metric("gemm.tflops", "dense GEMM throughput")};
  r.add(std::move(d));
}

} // namespace gpucert
