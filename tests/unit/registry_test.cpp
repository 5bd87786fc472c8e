// The registry and the catalogue: names, axes and metrics as `gpucert list` and profiles/README.md
// document them, parameter resolution and its errors, byte sizes, and a backend for every
// benchmark.
#include "harness/backends/sim/models/models.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/measure/benchmark.hpp"
#if GPUCERT_HAVE_CUDA
#include "harness/backends/cuda/cuda_backend.hpp"
#endif

#include <gtest/gtest.h>
#include <set>

namespace gpucert {
namespace {

const BenchmarkDef& def(const std::string& name) {
  const BenchmarkDef* d = builtin_registry().find(name);
  if (!d)
    throw std::runtime_error("no benchmark " + name);
  return *d;
}

TEST(Catalogue, EveryFamilyOfTheTableIsRegistered) {
  for (const char* name : {"gemm", "hbm.copy", "hbm.scale", "hbm.add", "hbm.triad", "hbm.read",
                           "hbm.write", "pcie.h2d", "pcie.d2h", "pcie.bidir", "p2p.uni",
                           "p2p.bidir", "launch.issue", "launch.graph"})
    EXPECT_NE(builtin_registry().find(name), nullptr) << name;
  EXPECT_EQ(builtin_registry().find("nope"), nullptr);
}

TEST(Catalogue, MetricsAndScopes) {
  const Registry& r = builtin_registry();
  EXPECT_EQ(r.find_metric("gemm.tflops"), r.find("gemm"));
  EXPECT_EQ(r.find_metric("hbm.triad.gbps"), r.find("hbm.triad"));
  EXPECT_EQ(r.find_metric("pcie.bidir.gbps"), r.find("pcie.bidir"));
  EXPECT_EQ(r.find_metric("p2p.uni.gbps"), r.find("p2p.uni"));
  EXPECT_EQ(r.find_metric("launch.graph.us"), r.find("launch.graph"));
  EXPECT_EQ(r.find_metric("gemm.gflops"), nullptr);
  EXPECT_EQ(r.metric("gemm.tflops")->unit, "TFLOP/s");
  EXPECT_EQ(r.metric("hbm.copy.gbps")->unit, "GB/s");
  EXPECT_EQ(r.metric("launch.issue.us")->unit, "us");
  EXPECT_FALSE(r.metric("launch.issue.us")->higher_is_better);
  EXPECT_TRUE(r.metric("p2p.bidir.gbps")->higher_is_better);
  EXPECT_EQ(def("gemm").scope, Scope::gpu);
  EXPECT_EQ(def("p2p.uni").scope, Scope::gpu_pair);
  EXPECT_EQ(def("pcie.h2d").scope, Scope::gpu);
}

TEST(Catalogue, DerivedMetricsFollowTheUnits) {
  const Registry& r = builtin_registry();
  const Work w{3e9, 2e12, 1000};
  EXPECT_DOUBLE_EQ(r.metric("hbm.triad.gbps")->derive(0.5, w), 6);       // 3e9 B / 0.5 s / 1e9
  EXPECT_DOUBLE_EQ(r.metric("gemm.tflops")->derive(0.004, w), 500);      // 2e12 / 0.004 / 1e12
  EXPECT_DOUBLE_EQ(r.metric("launch.issue.us")->derive(2.5e-3, w), 2.5); // 2.5 ms / 1000
}

TEST(Catalogue, AxesAndDefaultsMatchTheTable) {
  const Params gemm = Registry::resolve(def("gemm"), {});
  EXPECT_EQ(gemm, (Params{{"dtype", "bf16"},
                          {"m", "8192"},
                          {"n", "8192"},
                          {"k", "8192"},
                          {"layout", "tn"},
                          {"algos", "8"},
                          {"fast_accum", "false"}}));
  const auto& dtype = def("gemm").axes.front();
  EXPECT_EQ(dtype.choices,
            (std::vector<std::string>{"fp64", "fp32", "tf32", "fp16", "bf16", "fp8"}));
  EXPECT_EQ(Registry::resolve(def("hbm.copy"), {}), (Params{{"bytes", "1073741824"}}));
  EXPECT_EQ(Registry::resolve(def("pcie.d2h"), {}),
            (Params{{"bytes", "268435456"}, {"engine", "ce"}}));
  EXPECT_EQ(Registry::resolve(def("p2p.bidir"), {}),
            (Params{{"bytes", "268435456"}, {"engine", "ce"}}));
  EXPECT_EQ(Registry::resolve(def("launch.graph"), {}), (Params{{"launches", "1000"}}));
}

TEST(Resolve, CanonicalisesEveryKind) {
  const Params p =
      Registry::resolve(def("gemm"), {{"dtype", "FP8"}, {"m", " 4096 "}, {"layout", "TN"}});
  EXPECT_EQ(p.at("dtype"), "fp8");
  EXPECT_EQ(p.at("m"), "4096");
  EXPECT_EQ(p.at("layout"), "tn");
  EXPECT_EQ(Registry::resolve(def("hbm.add"), {{"bytes", "8GiB"}}).at("bytes"), "8589934592");
  EXPECT_EQ(Registry::resolve(def("hbm.add"), {{"bytes", "2GB"}}).at("bytes"), "2000000000");
  // Resolving a resolved set is the identity (plans store resolved params).
  EXPECT_EQ(Registry::resolve(def("gemm"), p), p);

  BenchmarkDef b;
  b.name = "x";
  b.axes = {{"inplace", Axis::Kind::boolean, "false", {}, {}, ""}};
  EXPECT_EQ(Registry::resolve(b, {}).at("inplace"), "false");
  EXPECT_EQ(Registry::resolve(b, {{"inplace", "Yes"}}).at("inplace"), "true");
  EXPECT_EQ(Registry::resolve(b, {{"inplace", "0"}}).at("inplace"), "false");
  EXPECT_THROW(Registry::resolve(b, {{"inplace", "maybe"}}), InputError);
}

TEST(Resolve, BadParametersNameTheParameter) {
  auto message = [](const std::string& bench, const Params& p) {
    try {
      Registry::resolve(def(bench), p);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("gemm", {{"dtype", "int4"}}),
            "gemm: parameter 'dtype' = 'int4': expected one of fp64, fp32, tf32, fp16, bf16, fp8");
  EXPECT_EQ(message("gemm", {{"size", "1"}}),
            "gemm: unknown parameter 'size' (parameters: dtype, m, n, k, layout, algos, "
            "fast_accum)");
  EXPECT_NE(message("gemm", {{"m", "8k"}}).find("'m' = '8k': expected a whole number"),
            std::string::npos);
  EXPECT_NE(message("gemm", {{"m", "0"}}).find("at least 1"), std::string::npos);
  EXPECT_NE(message("gemm", {{"k", "-5"}}).find("'k'"), std::string::npos);
  EXPECT_NE(message("hbm.copy", {{"bytes", "12 parsecs"}}).find("unknown size unit"),
            std::string::npos);
  EXPECT_NE(message("hbm.copy", {{"bytes", "0.5"}}).find("'bytes'"), std::string::npos);
  EXPECT_NE(message("pcie.h2d", {{"engine", "dma"}}).find("expected one of ce, sm"),
            std::string::npos);
}

TEST(Resolve, FastAccumulationIsAnFp8Axis) {
  const BenchmarkDef& gemm = def("gemm");
  EXPECT_EQ(Registry::resolve(gemm, {{"dtype", "fp8"}, {"fast_accum", "true"}}).at("fast_accum"),
            "true");
  EXPECT_EQ(Registry::resolve(gemm, {{"dtype", "fp8"}, {"fast_accum", "Yes"}}).at("fast_accum"),
            "true");
  EXPECT_EQ(Registry::resolve(gemm, {{"dtype", "fp8"}}).at("fast_accum"), "false");
  // Off is accepted on every dtype (it is what they do anyway).
  EXPECT_EQ(Registry::resolve(gemm, {{"dtype", "bf16"}, {"fast_accum", "false"}}).at("fast_accum"),
            "false");
  auto message = [&](const Params& p) {
    try {
      Registry::resolve(gemm, p);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({{"dtype", "fp8"}, {"fast_accum", "maybe"}}),
            "gemm: parameter 'fast_accum' = 'maybe': expected true or false");
  // On any other dtype the mode does not exist: refused, naming the dtype and the fix.
  const std::string other = message({{"dtype", "bf16"}, {"fast_accum", "true"}});
  EXPECT_NE(other.find("'fast_accum' = true applies to dtype fp8 only"), std::string::npos)
      << other;
  EXPECT_NE(other.find("dtype bf16"), std::string::npos) << other;
  EXPECT_NE(message({{"fast_accum", "on"}}).find("fp8 only"), std::string::npos); // bf16 default
}

TEST(ParseBytes, UnitsAndErrors) {
  EXPECT_EQ(parse_bytes("4096"), 4096);
  EXPECT_EQ(parse_bytes("8GiB"), 8589934592.0);
  EXPECT_EQ(parse_bytes("512MiB"), 536870912.0);
  EXPECT_EQ(parse_bytes("1e9"), 1e9);
  EXPECT_EQ(parse_bytes("2GB"), 2e9);
  EXPECT_EQ(parse_bytes("1.5 KiB"), 1536);
  EXPECT_EQ(parse_bytes("64kb"), 64000);
  EXPECT_EQ(parse_bytes("1TiB"), 1099511627776.0);
  EXPECT_EQ(parse_bytes("0.1GB"), 1e8);
  EXPECT_EQ(parse_bytes("100B"), 100);
  for (const char* bad : {"", "GiB", "-1GiB", "1 GiBs", "inf", "nan", "1e999", "lots"})
    EXPECT_THROW(parse_bytes(bad), InputError) << bad;
}

TEST(Registry, RejectsDuplicatesAndBadDefinitions) {
  auto metric = [](const char* name) {
    return MetricDef{name, "GB/s", "", true, [](double s, const Work& w) { return w.bytes / s; }};
  };
  Registry r;
  BenchmarkDef a;
  a.name = "a";
  a.metrics = {metric("a.gbps")};
  r.add(a);
  EXPECT_THROW(r.add(a), InternalError); // same name
  BenchmarkDef b = a;
  b.name = "b";
  EXPECT_THROW(r.add(b), InternalError); // same metric
  BenchmarkDef c;
  c.name = "c";
  c.axes = {{"x", Axis::Kind::choice, "z", {"p", "q"}, {}, ""}};
  EXPECT_THROW(r.add(c), InternalError); // default not among the choices
  EXPECT_EQ(r.find("c"), nullptr);
  BenchmarkDef d;
  d.name = "d";
  d.metrics = {MetricDef{"d.x", "", "", true, {}}};
  EXPECT_THROW(r.add(d), InternalError); // no derive
  EXPECT_EQ(r.all().size(), 1u);
}

TEST(Registry, EveryBenchmarkHasASimulatorModelAndCudaWhenBuilt) {
  std::set<std::string> metrics;
  for (const auto& d : builtin_registry().all()) {
    EXPECT_NE(sim::builtin_models().instances.find(d.name), nullptr) << d.name;
#if GPUCERT_HAVE_CUDA
    EXPECT_NE(cuda::builtin_instances().find(d.name), nullptr) << d.name;
#endif
    EXPECT_FALSE(d.description.empty()) << d.name;
    EXPECT_FALSE(d.metrics.empty()) << d.name;
    for (const auto& m : d.metrics)
      EXPECT_TRUE(metrics.insert(m.name).second) << m.name;
    for (const auto& a : d.axes)
      EXPECT_FALSE(a.description.empty()) << d.name << "." << a.name;
  }
}

} // namespace
} // namespace gpucert
