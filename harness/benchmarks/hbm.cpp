// hbm.*: STREAM-style device-memory bandwidth kernels (16-byte accesses), one benchmark per op.
#include "harness/benchmarks/catalog.hpp"
#include "harness/benchmarks/hbm_sizes.hpp"

#include <cmath>
#include <fmt/core.h>

namespace gpucert {

std::string hbm_l2_refusal(const std::string& benchmark, std::uint64_t bytes,
                           std::uint64_t l2_bytes, const std::string& gpu_label) {
  const double least = kHbmMinL2Multiple * static_cast<double>(l2_bytes);
  if (l2_bytes == 0 || static_cast<double>(bytes) >= least)
    return {};
  constexpr double kMiB = 1024.0 * 1024.0;
  return fmt::format("{}: 'bytes' = {:.4g} MiB per array is below {:g} x the {:.4g} MiB L2 cache "
                     "of {}: arrays that small stay in L2 (the output is written back outside the "
                     "timed region), so the figure would be L2's, not HBM's; use bytes >= {:g} "
                     "MiB",
                     benchmark, static_cast<double>(bytes) / kMiB, kHbmMinL2Multiple,
                     static_cast<double>(l2_bytes) / kMiB, gpu_label, std::ceil(least / kMiB));
}

namespace {

struct HbmOp {
  const char* op;
  const char* what; ///< description, with the bytes counted per sample
};

constexpr HbmOp kOps[] = {
    {"copy", "c[i] = a[i]; counts 2 x bytes (read + write)"},
    {"scale", "b[i] = s*c[i]; counts 2 x bytes (read + write)"},
    {"add", "c[i] = a[i] + b[i]; counts 3 x bytes (2 reads + write)"},
    {"triad", "a[i] = b[i] + s*c[i]; counts 3 x bytes (2 reads + write)"},
    {"read", "sum of a[i] (reduction); counts 1 x bytes"},
    {"write", "a[i] = constant; counts 1 x bytes"},
};

} // namespace

void register_hbm(Registry& r) {
  for (const HbmOp& op : kOps) {
    const std::string name = std::string("hbm.") + op.op;
    BenchmarkDef d;
    d.name = name;
    d.description =
        std::string("device-memory bandwidth, ") + op.what + "; random data, result verified";
    d.scope = Scope::gpu;
    d.axes = {bytes_axis("bytes", "1GiB",
                         "size of EACH array; at least 4 x the GPU's L2 (refused below: it would "
                         "measure L2)")};
    d.metrics = {gbps_metric(name + ".gbps", std::string("HBM bandwidth, ") + op.op)};
    d.fits = [name](const Params& p, const GpuInfo& gpu) {
      const std::string label =
          fmt::format("GPU {}{}", gpu.index, gpu.name ? " (" + *gpu.name + ")" : "");
      return hbm_l2_refusal(name, static_cast<std::uint64_t>(parse_bytes(p.at("bytes"))),
                            gpu.l2_cache_bytes.value_or(0), label);
    };
    r.add(std::move(d));
  }
}

} // namespace gpucert
