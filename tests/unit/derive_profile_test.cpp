// fleet derive-profile: rules parse or are refused by name; thresholds come from the lot's
// distribution (mirrored for lower-is-better metrics), never loosen the base unless asked, carry
// their rule and the lot's digest next to them, and the written profile loads with the real
// loader.
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/fleet/derive_profile.hpp"
#include "harness/profile/profile.hpp"

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpucert::fleet {
namespace {

using ::testing::HasSubstr;

const std::string kStandard =
    std::string(GPUCERT_SOURCE_DIR) + "/profiles/h100-sxm5-80gb-8x-standard.yaml";

report::LotClause lot_clause(const std::string& id, const std::string& unit, bool hib,
                             double median, double mad, double p1) {
  report::LotClause c;
  c.id = id;
  c.unit = unit;
  c.stat = "median";
  c.higher_is_better = hib;
  report::Distribution d;
  d.n = 8000;
  d.median = median;
  d.mad = mad;
  d.p1 = p1;
  d.p5 = p1 + 1;
  d.min = p1 - 5;
  c.distribution = d;
  return c;
}

report::LotCertificate lot() {
  report::LotCertificate l;
  l.lot_sha256 = std::string(64, 'c');
  l.nodes_offered = l.nodes_read = 1000;
  l.clauses = {lot_clause("gemm-bf16", "TFLOP/s", true, 800, 5, 780),
               lot_clause("launch-issue", "us", false, 2.4, 0.05, 2.3),
               lot_clause("hbm-triad", "GB/s", true, 2000, 100, 1700)}; // a lot below the base
  return l;
}

const DerivedThreshold& find(const DerivedProfile& d, const std::string& id) {
  auto it = std::find_if(d.thresholds.begin(), d.thresholds.end(),
                         [&](const DerivedThreshold& t) { return t.clause_id == id; });
  EXPECT_NE(it, d.thresholds.end()) << id;
  return *it;
}

TEST(DeriveRule, ParsesTheFormsAndRefusesOthersByName) {
  Rule r = parse_rule("median-4*MAD");
  EXPECT_EQ(r.base, "median");
  EXPECT_DOUBLE_EQ(r.mads, -4);
  r = parse_rule(" Median - 3 % ");
  EXPECT_DOUBLE_EQ(r.percent, -3);
  r = parse_rule("p1");
  EXPECT_EQ(r.base, "p1");
  EXPECT_DOUBLE_EQ(r.mads, 0);
  for (const char* bad :
       {"", "mean-4*MAD", "median-4*SD", "median*4", "median-", "median-x%", "median-100%"}) {
    try {
      parse_rule(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), HasSubstr("--rule")) << bad;
    }
  }
}

TEST(DeriveProfile, FloorsFromTheLotCeilingsMirroredNeverLooser) {
  const profile::Profile base = profile::load_profile(builtin_registry(), kStandard);
  const DerivedProfile d = derive_profile(base, lot(), parse_rule("median-4*MAD"), "", false);
  const DerivedThreshold& gemm = find(d, "gemm-bf16");
  EXPECT_EQ(gemm.action, "derived");
  EXPECT_DOUBLE_EQ(*gemm.threshold, 780); // 800 - 4 x 5
  EXPECT_EQ(gemm.n, 8000);
  const DerivedThreshold& launch = find(d, "launch-issue");
  EXPECT_EQ(launch.action, "derived");
  EXPECT_DOUBLE_EQ(*launch.threshold, 2.6); // a ceiling: 2.4 + 4 x 0.05
  const DerivedThreshold& hbm = find(d, "hbm-triad");
  EXPECT_EQ(hbm.action, "kept: the lot's value would loosen it");
  EXPECT_EQ(hbm.threshold, hbm.base_threshold);
  EXPECT_THAT(find(d, "pcie-h2d").action, HasSubstr("not in the lot"));
  // The written profile states them, with the rule and the lot's digest next to each.
  EXPECT_THAT(d.yaml, HasSubstr("min: 780  # derived median-4*MAD = 780 over 8000 values of lot "
                                "sha256:" +
                                std::string(64, 'c')));
  EXPECT_THAT(d.yaml, HasSubstr("max: 2.6  # derived"));
  EXPECT_THAT(d.yaml, HasSubstr("name: h100-sxm5-80gb-8x-standard-lot-cccccccc"));
  // ... and loads with the real loader, with the same clauses and the derived thresholds.
  const profile::Profile back = profile::parse_profile(builtin_registry(), d.yaml, "derived.yaml");
  ASSERT_EQ(back.clauses.size(), base.clauses.size());
  for (const auto& c : back.clauses) {
    if (c.id == "gemm-bf16")
      EXPECT_DOUBLE_EQ(*c.min, 780);
    if (c.id == "launch-issue")
      EXPECT_DOUBLE_EQ(*c.max, 2.6);
    if (c.id == "hbm-triad")
      EXPECT_EQ(c.min, hbm.base_threshold);
  }
}

TEST(DeriveProfile, AllowLooserTakesTheLotsValueAndTailRulesSkipCeilings) {
  const profile::Profile base = profile::load_profile(builtin_registry(), kStandard);
  const DerivedProfile d = derive_profile(base, lot(), parse_rule("p1"), "site-lot", true);
  EXPECT_DOUBLE_EQ(*find(d, "hbm-triad").threshold, 1700);
  EXPECT_DOUBLE_EQ(*find(d, "gemm-bf16").threshold, 780);
  EXPECT_THAT(find(d, "launch-issue").action, HasSubstr("low tail"));
  EXPECT_EQ(d.profile.name, "site-lot");
}

TEST(DeriveProfile, ALotWithNothingApplicableIsRefused) {
  const profile::Profile base = profile::load_profile(builtin_registry(), kStandard);
  report::LotCertificate empty;
  EXPECT_THROW(derive_profile(base, empty, parse_rule("median-4*MAD"), "", false), InputError);
  report::LotCertificate wrong_unit = lot();
  for (auto& c : wrong_unit.clauses)
    c.unit = "furlongs";
  EXPECT_THROW(derive_profile(base, wrong_unit, parse_rule("median-4*MAD"), "", false), InputError);
}

} // namespace
} // namespace gpucert::fleet
