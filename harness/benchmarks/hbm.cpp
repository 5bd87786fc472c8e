// hbm.*: STREAM-style device-memory bandwidth kernels (16-byte accesses), one benchmark per op.
#include "harness/benchmarks/catalog.hpp"

namespace gpucert {

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
    d.axes = {bytes_axis("bytes", "1GiB", "size of EACH array (keep >= 8x L2)")};
    d.metrics = {gbps_metric(name + ".gbps", std::string("HBM bandwidth, ") + op.op)};
    r.add(std::move(d));
  }
}

} // namespace gpucert
