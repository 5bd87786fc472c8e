// gemm: dense matrix multiply through cuBLASLt, one sample = a batch of GEMMs of one shape.
#include "harness/benchmarks/catalog.hpp"

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
      integer_axis("algos", "1",
                   "try the top-N cuBLASLt heuristic algorithms and keep the fastest"),
  };
  d.metrics = {tflops_metric("gemm.tflops", "dense GEMM throughput")};
  r.add(std::move(d));
}

} // namespace gpucert
