// The HTML report's clause blocks and charts: one block per clause with the worst verdict first,
// per-GPU bars with whiskers and the threshold line for GPU clauses, a heatmap for GPU pairs, no
// chart where there is nothing to draw; the contract reference, the digests and the node's GPUs.
#include "harness/model/certificate.hpp"
#include "reports/format.hpp"
#include "reports/html_charts.hpp"
#include "reports/render.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <string>

namespace gpucert::report {
namespace {

int occurrences(const std::string& s, const std::string& what) {
  int n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size()))
    ++n;
  return n;
}

Check gpu_check(const std::string& clause, int gpu, double value, Verdict v) {
  Check k;
  k.clause_id = clause;
  k.metric = "gemm.tflops";
  k.kind = "benchmark";
  k.description = "dense BF16 GEMM";
  k.scope = Scope::gpu;
  k.target = fmt::format("gpu{}", gpu);
  k.gpus = {gpu};
  k.verdict = v;
  k.stat = "median";
  k.value = value;
  k.ci_lo = value - 3;
  k.ci_hi = value + 3;
  k.threshold.min = 720;
  k.threshold.unit = "TFLOP/s";
  k.n = 20;
  return k;
}

Certificate certificate() {
  Certificate c;
  c.profile.name = "p";
  c.results.sha256 = "ab12cd34";
  c.results.backend = "sim";
  for (int g = 0; g < 4; ++g) {
    c.inventory.gpus.push_back({});
    c.inventory.gpus.back().index = g;
    c.inventory.gpus.back().uuid = fmt::format("GPU-uuid-{}", g);
    c.inventory.gpus.back().serial = fmt::format("SN{}", g);
  }
  for (int g = 0; g < 4; ++g)
    c.checks.push_back(
        gpu_check("gemm<bf16>", g, g == 2 ? 700 : 790, g == 2 ? Verdict::fail : Verdict::pass));
  c.checks.back().contract_ref = "SLA §4.2";
  for (int a = 0; a < 4; ++a)
    for (int b = a + 1; b < 4; ++b) {
      Check k = gpu_check("p2p", a, 390, Verdict::pass);
      k.scope = Scope::gpu_pair;
      k.target = fmt::format("gpu{}-gpu{}", a, b);
      k.gpus = {a, b};
      k.threshold.unit = "GB/s";
      c.checks.push_back(k);
    }
  Check node;
  node.clause_id = "match.gpu_count";
  node.scope = Scope::node;
  node.target = "node";
  node.verdict = Verdict::pass;
  node.stat = "value";
  node.observed = "4";
  c.checks.insert(c.checks.begin(), node);
  c.counts = count(c.checks);
  return c;
}

std::string section_of(const std::string& page, const std::string& clause) {
  const auto h = page.find("</span> " + clause + "</h3>");
  if (h == std::string::npos)
    return "";
  return page.substr(h, page.find("</section>", h) - h);
}

TEST(HtmlReport, ClauseBlocksComeWorstFirstWithAChartFittedToTheScope) {
  const std::string page = render("html", certificate());
  const auto gemm = page.find("</span> gemm&lt;bf16&gt;</h3>");
  const auto count = page.find("</span> match.gpu_count</h3>");
  ASSERT_NE(gemm, std::string::npos) << "the clause id is escaped";
  ASSERT_NE(count, std::string::npos);
  EXPECT_LT(gemm, count) << "the failing clause comes first, though its checks come later";
  EXPECT_NE(page.find("<span class=\"FAIL\">FAIL</span> gemm&lt;bf16&gt;</h3>"), std::string::npos);

  const std::string bars = section_of(page, "gemm&lt;bf16&gt;");
  EXPECT_EQ(occurrences(bars, "<svg"), 1);
  EXPECT_EQ(occurrences(bars, "<rect "), 4) << "a bar per GPU";
  EXPECT_EQ(occurrences(bars, "class=\"whisker\""), 4) << "an interval per GPU";
  EXPECT_EQ(occurrences(bars, "class=\"threshold\""), 1);
  EXPECT_NE(bars.find("threshold ≥ 720 TFLOP/s"), std::string::npos);
  EXPECT_NE(bars.find("700 TFLOP/s FAIL"), std::string::npos);
  EXPECT_NE(bars.find("contract reference: SLA §4.2"), std::string::npos);
  EXPECT_NE(bars.find("<p class=\"why\"><span class=\"FAIL\">FAIL</span> gpu2"), std::string::npos)
      << "the failing target is named under its chart";

  // Every check of the clause, folded under its block: target, verdict, statistic, interval, n.
  const auto folded = bars.find("<details><summary>the 4 checks of gemm&lt;bf16&gt;</summary>");
  ASSERT_NE(folded, std::string::npos);
  EXPECT_EQ(occurrences(bars.substr(folded), "<tr><td>gpu"), 4);
  EXPECT_NE(bars.find("<tr><td>gpu2</td><td class=\"FAIL\">FAIL</td><td>median 700 TFLOP/s</td>"),
            std::string::npos);

  const std::string heat = section_of(page, "p2p");
  EXPECT_EQ(occurrences(heat, "<svg"), 1);
  EXPECT_EQ(occurrences(heat, "<rect "), 16) << "4 x 4 cells: 6 pairs measured, 10 empty";
  EXPECT_EQ(occurrences(heat, "class=\"empty\""), 10);
  EXPECT_EQ(occurrences(heat, "<title>gpu0-gpu1: 390 GB/s (PASS)</title>"), 1);

  EXPECT_EQ(section_of(page, "match.gpu_count").find("<svg"), std::string::npos)
      << "a node reading has nothing to chart";
}

TEST(HtmlReport, NamesTheDigestsAndEveryGpu) {
  const std::string page = render("html", certificate());
  EXPECT_NE(page.find("sha256 <code>ab12cd34</code>"), std::string::npos) << "results digest";
  for (int g = 0; g < 4; ++g) {
    EXPECT_NE(page.find(fmt::format("<code>GPU-uuid-{}</code>", g)), std::string::npos);
    EXPECT_NE(page.find(fmt::format("<td>SN{}</td>", g)), std::string::npos);
  }
}

TEST(HtmlReport, NothingToDrawIsNoChart) {
  EXPECT_EQ(clause_chart_svg({}), "");
  Check k = gpu_check("c", 0, 1, Verdict::error);
  k.value.reset();
  EXPECT_EQ(clause_chart_svg({&k}), "") << "no value: nothing to draw (the table says ERROR)";
  Check zero = gpu_check("c", 0, 0, Verdict::fail);
  zero.threshold.min.reset();
  zero.ci_lo = zero.ci_hi = 0;
  EXPECT_EQ(clause_chart_svg({&zero}), "") << "an all-zero axis has no scale";
  Check skipped = gpu_check("p2p", 0, 0, Verdict::skipped);
  skipped.scope = Scope::gpu_pair;
  skipped.gpus = {0, 3};
  skipped.value.reset();
  EXPECT_EQ(clause_chart_svg({&skipped}), "") << "no pair measured: no heatmap";
}

TEST(ClauseGroups, WorstFirstWithTallyRangeAndContractReferences) {
  const Certificate c = certificate();
  const auto groups = clause_groups(c);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].id, "gemm<bf16>");
  EXPECT_EQ(groups[0].worst, Verdict::fail);
  EXPECT_EQ(groups[0].tally, "1 FAIL, 3 PASS") << "the worst verdict first";
  EXPECT_EQ(groups[0].range, "700–790 TFLOP/s");
  EXPECT_EQ(groups[0].contract_refs, "SLA §4.2");
  EXPECT_EQ(groups[0].checks.size(), 4u);
  EXPECT_EQ(groups[1].id, "match.gpu_count") << "PASS clauses keep the certificate's order";
  EXPECT_EQ(groups[1].range, "") << "an observed reading has no numeric range";
  EXPECT_EQ(groups[2].id, "p2p");
  EXPECT_EQ(groups[2].range, "390 GB/s");
  const std::string md = render("md", c);
  EXPECT_NE(md.find("| gemm\\<bf16\\> | **FAIL** | 1 FAIL, 3 PASS | 700–790 TFLOP/s | ≥ 720 "
                    "TFLOP/s | SLA §4.2 |"),
            std::string::npos)
      << md;
}

} // namespace
} // namespace gpucert::report
