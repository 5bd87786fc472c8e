// The lot's pieces that need no node: cause groups, the seeded sample choice, the lot
// certificate's JSON both ways, its exit code.
#include "harness/core/error.hpp"
#include "harness/core/seed.hpp"
#include "harness/fleet/aggregate.hpp"
#include "harness/fleet/sample_select.hpp"

#include <gtest/gtest.h>
#include <set>

namespace gpucert {
namespace {

using report::Check;
using report::Verdict;

Check failed(const std::string& clause, const std::string& cause) {
  Check c;
  c.clause_id = clause;
  c.verdict = Verdict::fail;
  c.cause = cause;
  c.threshold.min = 2800;
  c.threshold.unit = "GB/s";
  return c;
}

TEST(CauseGroup, SameFaultOnOtherGpusIsOneGroup) {
  EXPECT_EQ(fleet::cause_group(failed("p2p-uni", "gpu0: NVLink 9 of 18 links active; gpu1: NVLink "
                                                 "9 of 18 links active")),
            fleet::cause_group(failed("p2p-bidir", "gpu4: NVLink 9 of 18 links active")));
  EXPECT_EQ(fleet::cause_group(failed("p2p-uni", "gpu4: NVLink 9 of 18 links active")),
            "NVLink 9 of 18 links active");
  EXPECT_EQ(fleet::cause_group(failed("hbm-triad", "wrong results: result check failed: GPU 4")),
            fleet::cause_group(failed("pcie-h2d", "wrong results: checksum failed on GPU 1")));
  // A reading says nothing without its clause; a plain miss names the clause and threshold.
  EXPECT_EQ(fleet::cause_group(failed("match.pcie_gen", "reads 4 before and after the run")),
            "match.pcie_gen: reads 4 before and after the run");
  EXPECT_EQ(fleet::cause_group(failed("hbm-triad", "")),
            "hbm-triad: below its threshold ≥ 2800 GB/s");
  Check e = failed("gemm-bf16", "");
  e.verdict = Verdict::error;
  e.message = "cuBLASLt found no algorithm; more";
  EXPECT_EQ(fleet::cause_group(e), "gemm-bf16 could not be measured: cuBLASLt found no algorithm");
}

TEST(SampleSelect, SeededDistinctAndSpread) {
  const auto a = fleet::choose_sample(1250, 263, 42);
  EXPECT_EQ(a, fleet::choose_sample(1250, 263, 42));
  EXPECT_NE(a, fleet::choose_sample(1250, 263, 43));
  EXPECT_EQ(std::set<int>(a.begin(), a.end()).size(), 263u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_GE(a.front(), 0);
  EXPECT_LT(a.back(), 1250);
  // Every position is equally likely: over many seeds each of 10 is drawn ~ 3/10 of the time.
  std::vector<int> hits(10);
  for (std::uint64_t s = 0; s < 4000; ++s)
    for (int i : fleet::choose_sample(10, 3, s))
      ++hits[i];
  for (int h : hits)
    EXPECT_NEAR(h, 1200, 120);
  EXPECT_EQ(fleet::choose_sample(5, 5, 1).size(), 5u);
  EXPECT_THROW(fleet::choose_sample(5, 6, 1), InputError);
  EXPECT_EQ(gpucert::parse_seed("18446744073709551615"), UINT64_MAX);
  EXPECT_THROW(gpucert::parse_seed("18446744073709551616"), InputError);
  EXPECT_THROW(gpucert::parse_seed("-1"), InputError);
  EXPECT_THROW(gpucert::parse_seed(""), InputError);
}

TEST(LotJson, RoundTripsAndRejectsAnotherSchema) {
  report::LotCertificate lot;
  lot.tool_version = "0.1.0";
  lot.created_at = "2026-12-03T00:00:00Z";
  lot.outcome = report::Outcome::inconclusive;
  lot.nodes_offered = 2;
  lot.nodes_read = 2;
  lot.nodes_certified = 1;
  lot.nodes_inconclusive = 1;
  lot.certified_fraction = {1, 2, 0.5, 0.0126, 0.9874, 0.95, "clopper-pearson"};
  report::LotClause c;
  c.id = "hbm-triad";
  c.kind = "benchmark";
  c.unit = "GB/s";
  c.threshold.min = 2800;
  c.distribution =
      report::Distribution{16, 2960, 12, 2930, 2940, 2901, 2990, 2901, "n1", "gpu3", "GPU-x"};
  lot.clauses.push_back(c);
  lot.outliers.push_back(
      {"hbm-triad", "n1", "gpu3", "GPU-x", 3, 2901, 2960, -0.02, 4.9, Verdict::pass});
  lot.failures.push_back({"cause", {"n2"}});
  report::LotNode n;
  n.hostname = "n1";
  n.readable = true;
  n.gpu_uuids = {"GPU-a", "GPU-b"};
  lot.nodes.push_back(n);
  report::SampleBound b;
  b.lot_size = 100;
  b.sampled = 2;
  lot.sample = b;
  const auto j = report::to_json(lot);
  const report::LotCertificate back = report::lot_from_json(j);
  EXPECT_EQ(report::to_json(back), j);
  EXPECT_EQ(report::exit_code(back), 5);
  auto other = j;
  other["schema"] = "gpucert/certificate/v1";
  EXPECT_THROW(report::lot_from_json(other), InputError);
  auto broken = j;
  broken["clauses"][0]["distribution"]["median"] = "x";
  try {
    report::lot_from_json(broken);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("clauses[0].distribution.median"), std::string::npos);
  }
}

} // namespace
} // namespace gpucert
