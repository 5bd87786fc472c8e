// The profile's fleet: section (parsed, validated with FILE:LINE:COL errors, merged through
// extends, written back) and its judgement on a lot.
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/fleet/lot_clauses.hpp"
#include "harness/profile/profile.hpp"
#include "harness/profile/profile_yaml.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpucert::fleet {
namespace {

using report::Verdict;
using ::testing::HasSubstr;

const std::string kProfiles = std::string(GPUCERT_SOURCE_DIR) + "/profiles";

profile::Profile parse(const std::string& fleet_section) {
  const std::string text = "schema: gpucert/profile/v1\nname: lot-contract\n"
                           "extends: h100-sxm5-80gb-8x-quick.yaml\n" +
                           fleet_section;
  return profile::parse_profile(builtin_registry(), text, "lot.yaml", kProfiles);
}

std::string error_of(const std::string& fleet_section) {
  try {
    parse(fleet_section);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(FleetPolicy, ParsesTheSectionAndWritesItBack) {
  const profile::Profile p = parse("fleet:\n  min_certified_fraction: 0.98\n"
                                   "  median_floors: {gemm-bf16: 760, launch-issue: 2.8}\n"
                                   "  max_outlier_fraction: 0.01\n  outlier_z: 5\n"
                                   "  outlier_rel: 0.04\n");
  EXPECT_DOUBLE_EQ(*p.fleet.min_certified_fraction, 0.98);
  EXPECT_DOUBLE_EQ(p.fleet.median_floors.at("gemm-bf16"), 760);
  EXPECT_DOUBLE_EQ(p.fleet.median_floors.at("launch-issue"), 2.8);
  EXPECT_DOUBLE_EQ(*p.fleet.max_outlier_fraction, 0.01);
  EXPECT_DOUBLE_EQ(*p.fleet.outlier_z, 5);
  EXPECT_DOUBLE_EQ(*p.fleet.outlier_rel, 0.04);
  const std::string yaml = profile::to_yaml(p);
  EXPECT_THAT(yaml, HasSubstr("fleet:"));
  const profile::Profile back = profile::parse_profile(builtin_registry(), yaml, "back.yaml");
  EXPECT_EQ(back.fleet.median_floors, p.fleet.median_floors);
  EXPECT_EQ(back.fleet.min_certified_fraction, p.fleet.min_certified_fraction);
  // A profile without the section has none, and writes none.
  EXPECT_TRUE(parse("").fleet.empty());
  EXPECT_THAT(profile::to_yaml(parse("")), ::testing::Not(HasSubstr("fleet:")));
}

TEST(FleetPolicy, BadValuesNameTheFileLineAndKey) {
  EXPECT_THAT(error_of("fleet:\n  min_certified_fraction: 1.5\n"),
              HasSubstr("lot.yaml:5:27: key 'fleet.min_certified_fraction'"));
  EXPECT_THAT(error_of("fleet:\n  median_floors: {no-such-clause: 3}\n"),
              HasSubstr("fleet.median_floors.no-such-clause"));
  EXPECT_THAT(error_of("fleet:\n  median_floors: {ecc-uncorrected: 3}\n"),
              HasSubstr("benchmark clauses, not health ones"));
  EXPECT_THAT(error_of("fleet:\n  median_floors: {gemm-bf16: -3}\n"), HasSubstr("positive"));
  EXPECT_THAT(error_of("fleet:\n  median_floors: [1, 2]\n"), HasSubstr("expected a map"));
  EXPECT_THAT(error_of("fleet:\n  min_certified: 0.9\n"), HasSubstr("unknown key"));
  EXPECT_THAT(error_of("fleet:\n  outlier_z: 0\n"), HasSubstr("fleet.outlier_z"));
}

report::LotCertificate lot(int offered, int certified) {
  report::LotCertificate l;
  l.nodes_offered = l.nodes_read = offered;
  l.nodes_certified = certified;
  l.gpus_offered = offered * 8;
  report::LotClause c;
  c.id = "gemm-bf16";
  c.unit = "TFLOP/s";
  c.distribution = report::Distribution{};
  c.distribution->n = offered * 8;
  c.distribution->median = 790;
  l.clauses.push_back(c);
  return l;
}

TEST(LotClauses, EachIsJudgedOnTheLotsFigure) {
  profile::FleetPolicy policy;
  policy.min_certified_fraction = 0.98;
  policy.median_floors = {{"gemm-bf16", 780}, {"hbm-triad", 2800}};
  policy.max_outlier_fraction = 0.01;
  report::LotCertificate l = lot(100, 98);
  for (int i = 0; i < 8; ++i) // 8 outliers, all on one GPU of one node: 1 GPU of 800
    l.outliers.push_back({"gemm-bf16", "node-1", "gpu3", "", 3});
  auto r = judge_lot_clauses(policy, l);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].id, "fleet.min_certified_fraction");
  EXPECT_EQ(r[0].verdict, Verdict::pass);
  EXPECT_EQ(r[1].id, "fleet.median.gemm-bf16");
  EXPECT_EQ(r[1].verdict, Verdict::pass);
  EXPECT_EQ(r[2].id, "fleet.median.hbm-triad");
  EXPECT_EQ(r[2].verdict, Verdict::error); // not in the lot
  EXPECT_EQ(r[3].verdict, Verdict::pass);
  EXPECT_DOUBLE_EQ(*r[3].value, 1.0 / 800);

  l = lot(100, 97);
  l.clauses[0].distribution->median = 779;
  for (int g = 0; g < 9; ++g)
    l.outliers.push_back({"gemm-bf16", "node-" + std::to_string(g), "gpu0", "", 0});
  r = judge_lot_clauses(policy, l);
  EXPECT_EQ(r[0].verdict, Verdict::fail);
  EXPECT_THAT(r[0].message, HasSubstr("97 of 100"));
  EXPECT_EQ(r[1].verdict, Verdict::fail);
  EXPECT_EQ(r[3].verdict, Verdict::fail); // 9 of 800 > 1 %
}

TEST(LotClauses, ASampleIsJudgedOnItsBound) {
  profile::FleetPolicy policy;
  policy.min_certified_fraction = 0.98;
  report::LotCertificate l = lot(150, 150);
  l.sample = report::SampleBound{};
  l.sample->max_defective_fraction = 0.019;
  EXPECT_EQ(judge_lot_clauses(policy, l)[0].verdict, Verdict::pass);
  l.sample->max_defective_fraction = 0.05;
  l.certified_fraction = {150, 150, 1, 0.976, 1, 0.95};
  EXPECT_EQ(judge_lot_clauses(policy, l)[0].verdict, Verdict::inconclusive);
  l.certified_fraction = {140, 150, 0.93, 0.88, 0.97, 0.95};
  EXPECT_EQ(judge_lot_clauses(policy, l)[0].verdict, Verdict::fail);
  l.nodes_offered = 0;
  EXPECT_EQ(judge_lot_clauses(policy, l)[0].verdict, Verdict::error);
}

TEST(LotOutcome, FailsClosedAndAFractionClauseDecidesHowManyMayFail) {
  using report::Outcome;
  profile::FleetPolicy none;
  report::LotCertificate l = lot(10, 10);
  EXPECT_EQ(lot_outcome(none, l), Outcome::certified);
  l.nodes_certified = 9; // one not certified (or unreadable): the lot is not
  EXPECT_EQ(lot_outcome(none, l), Outcome::not_certified);
  l.nodes_inconclusive = 1;
  EXPECT_EQ(lot_outcome(none, l), Outcome::inconclusive);
  l.nodes_read = 0;
  EXPECT_EQ(lot_outcome(none, l), Outcome::not_certified);

  profile::FleetPolicy fraction;
  fraction.min_certified_fraction = 0.9;
  l = lot(10, 9);
  judge_lot(fraction, l);
  EXPECT_EQ(l.outcome, Outcome::certified);
  EXPECT_THAT(l.summary, HasSubstr("9 of 10 nodes certified"));
  l = lot(10, 8);
  judge_lot(fraction, l);
  EXPECT_EQ(l.outcome, Outcome::not_certified);
  EXPECT_THAT(l.summary, HasSubstr("1 of 1 lot clauses failed"));
  // A floor on a clause the lot never measured is an ERROR, so the lot is not certified.
  profile::FleetPolicy floors;
  floors.median_floors = {{"hbm-triad", 2800}};
  l = lot(10, 10);
  judge_lot(floors, l);
  EXPECT_EQ(l.outcome, Outcome::not_certified);
}

} // namespace
} // namespace gpucert::fleet
