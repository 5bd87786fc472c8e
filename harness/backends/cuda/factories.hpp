// CUDA implementations of the built-in benchmarks, one factory each. The benchmark definitions
// (harness/benchmarks/) attach them when the build has CUDA (GPUCERT_HAVE_CUDA).
#pragma once

#include "harness/measure/benchmark.hpp"

namespace gpucert::cuda {

std::unique_ptr<BenchmarkInstance> make_gemm(const BenchmarkContext& ctx);
/// op: "copy", "scale", "add", "triad", "read", "write"
std::unique_ptr<BenchmarkInstance> make_hbm(const BenchmarkContext& ctx, const std::string& op);
/// direction: "h2d", "d2h", "bidir"; engine axis ("ce" | "sm") comes from params
std::unique_ptr<BenchmarkInstance> make_pcie(const BenchmarkContext& ctx, const std::string& dir);
/// direction: "uni", "bidir"; engine axis ("ce" | "sm") comes from params
std::unique_ptr<BenchmarkInstance> make_p2p(const BenchmarkContext& ctx, const std::string& dir);
/// mode: "issue", "graph"
std::unique_ptr<BenchmarkInstance> make_launch(const BenchmarkContext& ctx,
                                               const std::string& mode);

} // namespace gpucert::cuda
