// The default Prometheus exposition: one outcome per clause (its worst target), the worst
// target's statistic and margin with its GPU UUID, and the run's time as a gauge.
#include "harness/model/certificate.hpp"
#include "reports/render.hpp"
#include "tests/unit/report_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sstream>

namespace gpucert::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// A clause on three GPUs: two PASS with different margins, then (optionally) one FAIL.
Certificate three_gpus(bool with_fail) {
  Certificate c = test::sample_certificate();
  c.checks.clear();
  c.inventory.gpus.clear();
  for (int i : {0, 1, 2}) {
    GpuInfo g;
    g.index = i;
    g.uuid = "GPU-uuid-" + std::to_string(i);
    c.inventory.gpus.push_back(g);
  }
  auto add = [&](int gpu, Verdict v, double value) {
    Check k = test::fixture_check("hbm-triad", "gpu" + std::to_string(gpu), v);
    k.value = value;
    k.margin = value - 2800;
    k.margin_rel = (value - 2800) / 2800;
    c.checks.push_back(k);
  };
  add(0, Verdict::pass, 3000);
  add(1, Verdict::pass, 2900); // the smaller margin of the two PASS
  if (with_fail)
    add(2, Verdict::fail, 2700);
  c.counts = count(c.checks);
  c.results.complete = true;
  c.results.finished_at = "2026-01-31T10:05:00Z";
  return c;
}

int series(const std::string& prom) {
  int n = 0;
  std::istringstream in(prom);
  for (std::string line; std::getline(in, line);)
    n += !line.empty() && line[0] != '#';
  return n;
}

TEST(PrometheusCompact, AClauseShowsItsWorstTargetAndItsGpuUuid) {
  const std::string prom = render("prom", three_gpus(true));
  EXPECT_THAT(prom, HasSubstr("clause=\"hbm-triad\",target=\"gpu2\",metric=\"hbm.triad.gbps\","
                              "gpu_uuid=\"GPU-uuid-2\",verdict=\"FAIL\"} 1\n"));
  EXPECT_THAT(prom, HasSubstr("gpucert_clause_worst_value{"));
  EXPECT_THAT(prom, HasSubstr("gpu_uuid=\"GPU-uuid-2\"} 2700\n"));
  EXPECT_THAT(prom, HasSubstr("gpu_uuid=\"GPU-uuid-2\"} -100\n"));
  EXPECT_THAT(prom, Not(HasSubstr("gpucert_check_verdict")));
  EXPECT_THAT(prom, Not(HasSubstr("target=\"gpu0\"")));
}

TEST(PrometheusCompact, AmongPassesTheSmallestMarginIsTheWorst) {
  const std::string prom = render("prom", three_gpus(false));
  EXPECT_THAT(prom, HasSubstr("target=\"gpu1\",metric=\"hbm.triad.gbps\",gpu_uuid=\"GPU-uuid-1\","
                              "verdict=\"PASS\"} 1\n"));
  EXPECT_THAT(prom, Not(HasSubstr("target=\"gpu0\"")));
}

TEST(PrometheusCompact, TheRunTimeIsAGaugeAndNoSampleCarriesATimestamp) {
  const std::string prom = render("prom", three_gpus(true));
  // 2026-01-31T10:05:00Z as Unix time.
  EXPECT_THAT(prom, HasSubstr("gpucert_run_timestamp_seconds{"));
  EXPECT_THAT(prom, HasSubstr("} 1769853900\n"));
  std::istringstream in(prom);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    const auto close = line.rfind('}');
    ASSERT_NE(close, std::string::npos) << line;
    // "name{labels} value": one field after the labels, never "value timestamp".
    EXPECT_EQ(line.find(' ', close + 2), std::string::npos) << line;
  }
}

TEST(PrometheusCompact, FullHasASeriesPerCheck) {
  const Certificate c = three_gpus(true);
  const std::string full = render("prom-full", c);
  EXPECT_THAT(full, HasSubstr("gpucert_check_verdict{"));
  EXPECT_THAT(full, HasSubstr("target=\"gpu0\""));
  EXPECT_GT(series(full), series(render("prom", c)));
}

} // namespace
} // namespace gpucert::report
