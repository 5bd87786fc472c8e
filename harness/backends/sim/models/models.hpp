// Simulator models of the built-in benchmarks, one factory per family; the benchmark definitions
// (harness/benchmarks/) attach them as BenchmarkDef::sim. ctx.backend must be a SimBackend.
#pragma once

#include "harness/measure/benchmark.hpp"

#include <memory>
#include <string>

namespace gpucert::sim {

std::unique_ptr<BenchmarkInstance> make_gemm_model(const BenchmarkContext& ctx);
/// op: "copy", "scale", "add", "triad", "read", "write"
std::unique_ptr<BenchmarkInstance> make_hbm_model(const BenchmarkContext& ctx,
                                                  const std::string& op);
/// dir: "h2d", "d2h", "bidir"
std::unique_ptr<BenchmarkInstance> make_pcie_model(const BenchmarkContext& ctx,
                                                   const std::string& dir);
/// dir: "uni", "bidir"
std::unique_ptr<BenchmarkInstance> make_p2p_model(const BenchmarkContext& ctx,
                                                  const std::string& dir);
/// mode: "stream", "graph"
std::unique_ptr<BenchmarkInstance> make_launch_model(const BenchmarkContext& ctx,
                                                     const std::string& mode);

} // namespace gpucert::sim
