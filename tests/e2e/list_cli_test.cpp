// `gpucert list`: every registered benchmark with scope, axes and metrics, as text and JSON.
#include "harness/benchmarks/catalog.hpp"
#include "harness/measure/benchmark.hpp"
#include "tests/support/cli.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gpucert {
namespace {

TEST(ListCli, JsonListsEveryRegistryBenchmarkWithAxesAndMetrics) {
  const auto r = test::run_cli({"list", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("schema"), "gpucert/benchmarks/v1");
  const auto& list = j.at("benchmarks");
  ASSERT_EQ(list.size(), builtin_registry().all().size());
  for (size_t i = 0; i < list.size(); ++i) {
    const BenchmarkDef& d = builtin_registry().all()[i];
    EXPECT_EQ(list[i].at("name"), d.name);
    EXPECT_EQ(list[i].at("axes").size(), d.axes.size());
    EXPECT_EQ(list[i].at("metrics").size(), d.metrics.size());
    EXPECT_NE(std::find(list[i].at("backends").begin(), list[i].at("backends").end(), "sim"),
              list[i].at("backends").end());
  }
  const auto& gemm = list[0];
  EXPECT_EQ(gemm.at("scope"), "gpu");
  EXPECT_EQ(gemm.at("axes")[0].at("default"), "bf16");
  EXPECT_EQ(gemm.at("axes")[0].at("choices").size(), 6u);
  EXPECT_EQ(gemm.at("metrics")[0].at("unit"), "TFLOP/s");
}

TEST(ListCli, TextNamesScopeParamsAndUnits) {
  const auto r = test::run_cli({"list"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("gemm  (gpu)"), std::string::npos);
  EXPECT_NE(r.out.find("dtype: {fp64,fp32,tf32,fp16,bf16,fp8} [bf16]"), std::string::npos);
  EXPECT_NE(r.out.find("p2p.uni  (gpu-pair)"), std::string::npos);
  EXPECT_NE(r.out.find("bytes: size [256MiB]; engine: {ce,sm} [ce]"), std::string::npos);
  EXPECT_NE(r.out.find("launch.graph.us (us, lower is better)"), std::string::npos);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(ListCli, BadArgumentsExit2NamingThem) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"list", "--bogus"}, {"list", "gemm"}, {"list", "--json", "--bogus"}}) {
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.rc, 2) << args.back() << ": " << r.err;
    EXPECT_EQ(r.out, "") << args.back();
    EXPECT_NE(r.err.find("The following argument was not expected: " + args.back()),
              std::string::npos)
        << r.err;
  }
}

} // namespace
} // namespace gpucert
