// gpucert-mpi's merge of rank reports as plain data (no MPI): the plan from the options, the
// slowest rank's time per sample, failures naming the rank and its host, every rank's result
// check and telemetry, and the roster with silent ranks and rank 0's inventory.
#include "apps/mpi/merge_results.hpp"
#include "apps/mpi/plan.hpp"
#include "harness/core/error.hpp"

#include <gtest/gtest.h>

namespace gpucert::coll::mpi {
namespace {

MpiOptions options() {
  MpiOptions o;
  o.collectives = {"all_reduce"};
  o.bytes = "1MiB,4MiB";
  o.out = "results.json";
  return o;
}

Roster two_ranks() {
  return {json{{"rank", 0}, {"host", "a"}, {"gpu", 0}},
          json{{"rank", 1}, {"host", "b"}, {"gpu", 1}}};
}

TEST(MpiMerge, PlanHasOneMeasurementPerCollectiveAndSize) {
  const auto plan = make_plan(options());
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].def->name, "nccl.all_reduce");
  EXPECT_EQ(plan[0].params.at("bytes"), "1048576");
  EXPECT_EQ(plan[1].params.at("bytes"), "4194304");
  MpiOptions bad = options();
  bad.samples = 0;
  EXPECT_THROW(make_plan(bad), InputError);
}

TEST(MpiMerge, SampleIsTheSlowestRankWithItsMetrics) {
  const auto plan = make_plan(options());
  Measurement m = start_measurement(plan[0], 2);
  EXPECT_EQ(m.target.gpus, (std::vector<int>{0, 1}));
  const Work work{1048576, 0, 20, 2};
  std::vector<std::vector<double>> per_rank(2);
  merge_sample({json{{"t", 0.002}}, json{{"t", 0.003}}}, *plan[0].def, work, per_rank, m);
  merge_sample({json{{"t", 0.005}}, json{{"t", 0.004}}}, *plan[0].def, work, per_rank, m);
  EXPECT_EQ(m.seconds, (std::vector<double>{0.003, 0.005}));
  EXPECT_EQ(per_rank[0], (std::vector<double>{0.002, 0.005}));
  EXPECT_EQ(per_rank[1], (std::vector<double>{0.003, 0.004}));
  const auto& alg = m.metrics.at("nccl.all_reduce.algbw_gbps");
  const auto& bus = m.metrics.at("nccl.all_reduce.busbw_gbps");
  ASSERT_EQ(alg.size(), 2u);
  EXPECT_NEAR(alg[0], 1048576 / 0.003 / 1e9, 1e-9);
  EXPECT_NEAR(bus[0] / alg[0], 1.0, 1e-12); // all_reduce on 2 ranks: 2(n-1)/n = 1
}

TEST(MpiMerge, FailuresNameTheRankAndDecide) {
  const auto plan = make_plan(options());
  const Roster roster = two_ranks();
  std::string stop;
  Measurement m = start_measurement(plan[0], 2);
  EXPECT_EQ(decide_failure({json::object(), json::object()}, roster, m, "setup", stop), kGo);
  EXPECT_EQ(decide_failure({json::object(), json{{"skip", "no P2P"}}}, roster, m, "setup", stop),
            kSkip);
  EXPECT_EQ(first_skip({json::object(), json{{"skip", "no P2P"}}}), "no P2P");
  EXPECT_EQ(m.status, MeasurementStatus::ok);

  EXPECT_EQ(decide_failure({json::object(), json{{"error", "sample 2: boom"}}}, roster, m, "sample",
                           stop),
            kFailMeasurement);
  EXPECT_EQ(m.status, MeasurementStatus::error);
  EXPECT_EQ(m.message, "rank 1 (host b, gpu 1): sample 2: boom");
  EXPECT_TRUE(stop.empty());

  EXPECT_EQ(decide_failure({json{{"error", "x"}, {"fatal", true}}, json::object()}, roster, m,
                           "verify", stop),
            kStopRun);
  EXPECT_EQ(stop, "verify failed and the NCCL communicator was aborted");
  EXPECT_EQ(who(roster, 5), "rank 5 (host unknown: it never reported)");
}

TEST(MpiMerge, CheckIsIncorrectWhenAnyRankFails) {
  const auto plan = make_plan(options());
  const Roster roster = two_ranks();
  const std::vector<std::vector<double>> per_rank{{0.1}, {0.2}};
  const json ok{{"checked", true}, {"passed", true}, {"detail", "exact"}};
  const json wrong{{"checked", true}, {"passed", false}, {"detail", "3 elements off"}};

  Measurement good = start_measurement(plan[0], 2);
  merge_check(
      {json{{"verification", ok}, {"evidence", {{"algo", "ring"}}}}, json{{"verification", ok}}},
      roster, per_rank, good);
  EXPECT_EQ(good.status, MeasurementStatus::ok);
  EXPECT_TRUE(good.verification.checked && good.verification.passed);
  EXPECT_EQ(good.verification.detail, "every rank checked its output: exact");
  EXPECT_EQ(good.extra["algo"], "ring");
  ASSERT_EQ(good.extra["mpi_ranks"].size(), 2u);
  EXPECT_EQ(good.extra["mpi_ranks"][1]["host"], "b");
  EXPECT_EQ(good.extra["mpi_ranks"][1]["seconds"], json::array({0.2}));
  // The slowest rank's time is kept, so every rank's clock must start together: said so.
  EXPECT_NE(good.extra["timing"].get<std::string>().find("all_reduce every rank completes "
                                                         "together"),
            std::string::npos);
  ASSERT_EQ(good.telemetry.size(), 2u); // no rank sent telemetry: both say so
  EXPECT_FALSE(good.telemetry.at(1).available);
  EXPECT_EQ(good.stop_reason, "max_samples");

  Measurement bad = start_measurement(plan[0], 2);
  merge_check({json{{"verification", ok}}, json{{"verification", wrong}}}, roster, per_rank, bad);
  EXPECT_EQ(bad.status, MeasurementStatus::incorrect);
  EXPECT_EQ(bad.message, "result check failed: rank 1 (host b, gpu 1): 3 elements off");
}

TEST(MpiMerge, RosterKeepsArrivedRanksAndMarksSilentOnes) {
  Roster roster = two_ranks();
  roster.push_back(json(nullptr)); // rank 2 never said who it is
  Inventory inv;
  inv.gpus.push_back({});
  roster[0]["inventory"] = to_json(inv);
  mark_silent(roster, {json{{"t", 1.0}}, std::nullopt, std::nullopt}, {1, 2}, "sample 1 of x");
  EXPECT_EQ(roster[1]["arrived"], false);
  EXPECT_EQ(roster[1]["silent_at"], "sample 1 of x");
  EXPECT_TRUE(roster[2].is_null());

  Results r;
  add_roster(roster, 3, true, r);
  const json& ranks = r.provenance["mpi"]["ranks"];
  ASSERT_EQ(ranks.size(), 3u);
  EXPECT_EQ(ranks[0]["arrived"], true);
  EXPECT_EQ(ranks[1]["arrived"], false);
  EXPECT_EQ(ranks[2], (json{{"rank", 2}, {"arrived", false}}));
  EXPECT_EQ(r.provenance["mpi"]["world_size"], 3);
  EXPECT_EQ(r.inventory_before.gpus.size(), 1u);
  EXPECT_TRUE(r.inventory_before.simulated);
}

TEST(MpiMerge, NotRunIsAnErrorWithTheReason) {
  const auto plan = make_plan(options());
  Measurement m = not_run(plan[1], 4, "not run: watchdog");
  EXPECT_EQ(m.status, MeasurementStatus::error);
  EXPECT_EQ(m.message, "not run: watchdog");
  EXPECT_EQ(m.stop_reason, "error");
  EXPECT_EQ(m.target.gpus.size(), 4u);
  Measurement ok = start_measurement(plan[0], 2);
  finish_measurement(ok);
  EXPECT_EQ(ok.stop_reason, "max_samples");
  EXPECT_FALSE(ok.finished_at.empty());
}

} // namespace
} // namespace gpucert::coll::mpi
