// Rounds: which measurements run at the same time, how a round runs its lanes (host threads on a
// real backend, per-lane virtual clocks on the simulator), and the load a decided lane keeps.
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/certify/certify_run.hpp"
#include "harness/certify/plan.hpp"
#include "harness/certify/round_runner.hpp"
#include "harness/certify/schedule.hpp"
#include "harness/certify/time_estimate.hpp"
#include "harness/core/error.hpp"
#include "harness/evaluate/evaluate.hpp"

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <set>
#include <thread>

namespace gpucert::certify {
namespace {

profile::Profile parse(const std::string& clauses) {
  return profile::parse_profile(
      builtin_registry(), "schema: gpucert/profile/v1\nname: t\nclauses:\n" + clauses, "t.yaml");
}

TEST(PairRounds, EightGpusMeetInSevenRoundsOfFourDisjointPairs) {
  const auto rounds = pair_rounds({0, 1, 2, 3, 4, 5, 6, 7});
  ASSERT_EQ(rounds.size(), 7u);
  std::set<std::pair<int, int>> seen;
  for (const auto& round : rounds) {
    ASSERT_EQ(round.size(), 4u);
    std::set<int> gpus;
    for (const auto& [a, b] : round) {
      EXPECT_LT(a, b);
      EXPECT_TRUE(gpus.insert(a).second) << "GPU " << a << " twice in one round";
      EXPECT_TRUE(gpus.insert(b).second) << "GPU " << b << " twice in one round";
      EXPECT_TRUE(seen.insert({a, b}).second) << a << "-" << b << " in two rounds";
    }
  }
  EXPECT_EQ(seen.size(), 28u);
}

TEST(PairRounds, AnOddCountSitsOneGpuOutEachRound) {
  const auto rounds = pair_rounds({1, 4, 6});
  ASSERT_EQ(rounds.size(), 3u);
  std::set<std::pair<int, int>> seen;
  for (const auto& round : rounds) {
    ASSERT_EQ(round.size(), 1u);
    seen.insert(round.front());
  }
  EXPECT_EQ(seen, (std::set<std::pair<int, int>>{{1, 4}, {1, 6}, {4, 6}}));
  EXPECT_TRUE(pair_rounds({3}).empty());
  EXPECT_EQ(pair_rounds({2, 5}).size(), 1u);
}

TEST(Schedule, PerGpuClausesRunOnEveryGpuAtOnceAndAloneWhenAsked) {
  const auto p = parse("  - {id: g, metric: gemm.tflops, min: 1}\n"
                       "  - {id: h2d-all, metric: pcie.h2d.gbps, min: 1}\n"
                       "  - {id: h2d-one, metric: pcie.h2d.gbps, min: 1, concurrency: one}\n"
                       "  - {id: ar, metric: nccl.all_reduce.busbw_gbps, min: 1}\n");
  const std::vector<int> gpus = {0, 1, 2, 3};
  const auto planned = plan(builtin_registry(), p, gpus);
  ASSERT_EQ(planned.size(), 13u); // 4 + 4 + 4 alone (not shared with the concurrent ones) + 1
  const auto rounds = schedule(planned);
  ASSERT_EQ(rounds.size(), 7u); // gemm, h2d at once, h2d alone x 4, the node
  EXPECT_EQ(rounds[0].lanes.size(), 4u);
  EXPECT_EQ(rounds[1].lanes.size(), 4u);
  for (int i = 2; i < 6; ++i) {
    ASSERT_EQ(rounds[i].lanes.size(), 1u);
    EXPECT_EQ(planned[rounds[i].lanes[0]].concurrency, Concurrency::one);
  }
  EXPECT_EQ(rounds[6].lanes.size(), 1u);
  EXPECT_EQ(planned[rounds[6].lanes[0]].target.scope, Scope::node);
  std::vector<bool> covered(planned.size(), false); // every measurement in exactly one round
  for (const auto& r : rounds)
    for (std::size_t i : r.lanes) {
      EXPECT_FALSE(covered[i]);
      covered[i] = true;
    }
  EXPECT_EQ(std::count(covered.begin(), covered.end(), true), 13);
}

TEST(Schedule, GpuPairsRunInRoundsOfDisjointPairs) {
  const auto p = parse("  - {id: p2p, metric: p2p.uni.gbps, each: gpu-pair, min: 1}\n");
  const auto planned = plan(builtin_registry(), p, {0, 1, 2, 3, 4, 5, 6, 7});
  const auto rounds = schedule(planned);
  ASSERT_EQ(rounds.size(), 7u);
  for (const auto& r : rounds) {
    EXPECT_EQ(r.lanes.size(), 4u) << r.label;
    std::set<int> gpus;
    for (std::size_t i : r.lanes)
      for (int g : planned[i].target.gpus)
        EXPECT_TRUE(gpus.insert(g).second) << r.label;
  }
}

TEST(ProfileConcurrency, BadValuesAndPlacesAreRefusedWithTheirLocation) {
  auto error_of = [](const std::string& clause) {
    try {
      parse(clause);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_NE(error_of("  - {id: g, metric: gemm.tflops, min: 1, concurrency: some}\n")
                .find("t.yaml:4:55: key 'concurrency': 'some' is not a concurrency"),
            std::string::npos)
      << error_of("  - {id: g, metric: gemm.tflops, min: 1, concurrency: some}\n");
  EXPECT_NE(error_of("  - {id: e, metric: inventory.ecc_uncorrected, max: 0, concurrency: one}\n")
                .find("is read, not measured: no concurrency"),
            std::string::npos);
  EXPECT_NE(error_of("  - {id: a, metric: nccl.all_reduce.busbw_gbps, min: 1, concurrency: all}\n")
                .find("measures the node as one"),
            std::string::npos);
  EXPECT_EQ(parse("  - {id: g, metric: gemm.tflops, min: 1, concurrency: one}\n")
                .clauses.front()
                .concurrency,
            Concurrency::one);
  EXPECT_EQ(parse("  - {id: g, metric: gemm.tflops, min: 1}\n").clauses.front().concurrency,
            Concurrency::all);
}

// A real backend's round: a host thread per lane, and lanes that are decided keep sampling
// (unrecorded) until the last lane is done. Lane 0 decides only once every other lane has been
// seen holding its GPU, so without the hold it would wait out its deadline and the test fails.
struct ThreadedState {
  std::size_t lanes = 0;
  std::vector<std::atomic<bool>> decided;
  std::vector<std::atomic<int>> holds;
  std::atomic<int> alive{0}, most_alive{0};
  explicit ThreadedState(std::size_t n) : lanes(n), decided(n), holds(n) {}
  bool others_holding() const {
    for (std::size_t i = 1; i < lanes; ++i)
      if (holds[i].load() == 0)
        return false;
    return true;
  }
};

class ThreadedInstance : public BenchmarkInstance {
public:
  ThreadedInstance(ThreadedState& s, std::size_t lane) : s_(s), lane_(lane) {
    const int now = ++s_.alive;
    int seen = s_.most_alive.load();
    while (now > seen && !s_.most_alive.compare_exchange_weak(seen, now)) {
    }
  }
  ~ThreadedInstance() override { --s_.alive; }
  void setup() override {}
  Work work() const override { return {1e9, 0, 0, 0}; }
  double sample() override {
    if (s_.decided[lane_])
      ++s_.holds[lane_];
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    return 1e-3;
  }
  Verification verify() override { return {true, true, "fake"}; }

private:
  ThreadedState& s_;
  std::size_t lane_;
};

class ThreadedBackend : public Backend {
public:
  explicit ThreadedBackend(ThreadedState& s) : s_(s) {}
  std::string name() const override { return "threads"; }
  bool simulated() const override { return true; }
  Inventory inventory() override { return {}; }
  const InstanceTable& instances() const override { return table_; }
  std::unique_ptr<BenchmarkInstance> create(const BenchmarkDef&, const Params&,
                                            const Target& t) override {
    return std::make_unique<ThreadedInstance>(s_, static_cast<std::size_t>(t.gpus.at(0)));
  }
  std::unique_ptr<TelemetrySampler> telemetry(const std::vector<int>&) override { return {}; }
  double now_seconds() override {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
  }
  std::vector<int> gpus() const override { return {0, 1, 2, 3}; }

private:
  ThreadedState& s_;
  InstanceTable table_;
};

TEST(RunRound, LanesRunOnThreadsAndDecidedLanesHoldTheirLoadUntilTheRoundEnds) {
  const auto p = parse("  - {id: h, metric: hbm.copy.gbps, min: 1}\n");
  auto planned = plan(builtin_registry(), p, {0, 1, 2, 3});
  ASSERT_EQ(planned.size(), 4u);
  for (auto& pm : planned) {
    pm.policy.warmup_min = 1;
    pm.policy.warmup_seconds = 0;
    pm.policy.min_samples = 3;
    pm.policy.max_samples = 100000;
    pm.policy.max_seconds = 30;
  }
  ThreadedState state(4);
  ThreadedBackend backend(state);
  std::vector<const PlannedMeasurement*> lanes;
  for (const auto& pm : planned)
    lanes.push_back(&pm);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const RuleFor rule_for = [&](std::size_t lane) -> Decided {
    return [&, lane](const Measurement&) {
      const bool done =
          lane != 0 || state.others_holding() || std::chrono::steady_clock::now() > deadline;
      if (done)
        state.decided[lane] = true;
      return done ? Look::decided : Look::undecided;
    };
  };
  std::vector<Measurement> out;
  run_round(backend, lanes, rule_for, out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(state.others_holding()) << "lanes decided early stopped loading their GPU";
  EXPECT_EQ(state.most_alive.load(), 4) << "the lanes did not run at the same time";
  EXPECT_EQ(state.alive.load(), 0) << "an instance outlived its round";
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].target.gpus, std::vector<int>{static_cast<int>(i)}) << "lane order kept";
    EXPECT_EQ(out[i].lanes, 4);
    EXPECT_EQ(out[i].concurrency, Concurrency::all);
    EXPECT_EQ(out[i].stop_reason, "decided");
    for (const char* phase : {"setup", "warmup", "sampling", "verify", "hold"})
      EXPECT_TRUE(out[i].phase_seconds.count(phase)) << phase;
  }
  EXPECT_GT(out[1].phase_seconds.at("hold"), 0);
}

sim::SimBackend sim_node(sim::FaultSet faults = {}) {
  return sim::SimBackend(sim::load_builtin_node("h100-sxm5-80gb-8x"), std::move(faults), {}, 7);
}

TEST(SimLanes, EachLaneStartsWithTheRoundAndTheRoundEndsWithTheLongest) {
  auto sim = sim_node();
  sim.advance(5);
  sim.round_begin({{Scope::gpu, {0}}, {Scope::gpu, {1}}});
  sim.lane_begin(0);
  sim.run_load({0}, 2);
  sim.lane_begin(1);
  EXPECT_DOUBLE_EQ(sim.now_seconds(), 5) << "lane 1 starts with the round, not after lane 0";
  sim.run_load({1}, 3);
  const auto held = sim.round_end();
  EXPECT_DOUBLE_EQ(sim.now_seconds(), 8);
  ASSERT_EQ(held.size(), 2u);
  EXPECT_DOUBLE_EQ(held[0], 1); // lane 0 kept its GPU loaded for the last second
  EXPECT_DOUBLE_EQ(held[1], 0);
  EXPECT_DOUBLE_EQ(sim.load(0).busy_s, 3);
  EXPECT_DOUBLE_EQ(sim.load(1).busy_s, 3);
}

TEST(SimLanes, ACertificationMeasuresEveryGpuOfARoundAtOnce) {
  const auto p = parse("  - {id: g, metric: gemm.tflops, min: 1}\n"
                       "  - {id: g1, metric: gemm.tflops, params: {dtype: fp16}, min: 1, "
                       "concurrency: one}\n");
  auto sim = sim_node();
  const RunOutput run = run_certification(builtin_registry(), p, sim, RunOptions{});
  ASSERT_EQ(run.results.measurements.size(), 16u);
  double together = 0, alone = 0;
  for (const auto& m : run.results.measurements) {
    double total = 0;
    for (const auto& [phase, s] : m.phase_seconds)
      total += s;
    if (m.concurrency == Concurrency::all) {
      EXPECT_EQ(m.lanes, 8) << m.key();
      together = std::max(together, total);
    } else {
      EXPECT_EQ(m.lanes, 1) << m.key();
      alone += total;
    }
  }
  // Virtual time: the concurrent round costs its longest lane, the lone ones add up.
  EXPECT_NEAR(sim.now_seconds(), together + alone, 1e-6 * sim.now_seconds());
  EXPECT_GT(alone, 4 * together);
}

TEST(TimeEstimate, ShippedTiersFitTheirTargetsOnTheSimulatedH100Node) {
  for (const auto& [name, limit] : std::vector<std::pair<std::string, double>>{
           {"h100-sxm5-80gb-8x-quick", 60}, {"h100-sxm5-80gb-8x-standard", 600}}) {
    const auto prof = profile::load_profile(builtin_registry(), std::string(GPUCERT_SOURCE_DIR) +
                                                                    "/profiles/" + name + ".yaml");
    auto sim = sim_node();
    const TimeEstimate e = estimate_time(builtin_registry(), prof, sim, "h100-sxm5-80gb-8x");
    EXPECT_LE(e.estimate_s, limit) << name << ": " << duration_text(e.estimate_s);
    EXPECT_GT(e.estimate_s, 0);
    EXPECT_GT(e.phases.at("setup"), 0) << name;
    EXPECT_LE(e.estimate_s, e.budget_s * 1.05) << name;
  }
}

TEST(ConcurrencyLookup, AClauseIsNeverJudgedOnAFigureMeasuredTheOtherWay) {
  const auto p = parse("  - {id: h, metric: pcie.h2d.gbps, min: 1}\n"
                       "  - {id: h1, metric: pcie.h2d.gbps, min: 1, concurrency: one}\n");
  auto sim = sim::SimBackend(sim::load_builtin_node("h100-pcie-80gb-1x"), sim::FaultSet{}, {}, 3);
  RunOutput run = run_certification(builtin_registry(), p, sim, RunOptions{});
  ASSERT_EQ(run.results.measurements.size(), 2u);
  for (const auto& c : run.certificate.checks)
    if (c.clause_id == "h" || c.clause_id == "h1")
      EXPECT_EQ(c.verdict, report::Verdict::pass) << c.clause_id << ": " << c.message;
  // Keep only the measurement taken alone: the `all` clause has no figure of its own.
  Results alone = run.results;
  alone.measurements.erase(
      std::remove_if(alone.measurements.begin(), alone.measurements.end(),
                     [](const Measurement& m) { return m.concurrency == Concurrency::all; }),
      alone.measurements.end());
  ASSERT_EQ(alone.measurements.size(), 1u);
  const auto cert = evaluate::evaluate(p, alone);
  bool seen = false;
  for (const auto& c : cert.checks)
    if (c.clause_id == "h") {
      seen = true;
      EXPECT_EQ(c.verdict, report::Verdict::error);
      EXPECT_NE(c.message.find("not measured with concurrency all"), std::string::npos)
          << c.message;
    }
  EXPECT_TRUE(seen);
}

TEST(ConcurrencyJson, RoundTripsAndOlderResultsReadAsMeasuredAlone) {
  Measurement m;
  m.benchmark = "pcie.h2d";
  m.target = {Scope::gpu, {3}};
  m.concurrency = Concurrency::all;
  m.lanes = 8;
  m.phase_seconds = {{"setup", 0.5}, {"sampling", 2.25}};
  const Measurement back = measurement_from_json(to_json(m));
  EXPECT_EQ(back.concurrency, Concurrency::all);
  EXPECT_EQ(back.lanes, 8);
  EXPECT_EQ(back.phase_seconds, m.phase_seconds);
  nlohmann::json old = to_json(m);
  old.erase("concurrency");
  old.erase("lanes");
  old.erase("phase_seconds");
  EXPECT_EQ(measurement_from_json(old).concurrency, Concurrency::one);
  EXPECT_EQ(measurement_from_json(old).lanes, 1);
  nlohmann::json bad = to_json(m);
  bad["concurrency"] = "some";
  EXPECT_THROW(measurement_from_json(bad), InputError);
  bad = to_json(m);
  bad["lanes"] = 0;
  EXPECT_THROW(measurement_from_json(bad), InputError);
  bad = to_json(m);
  bad["phase_seconds"]["setup"] = -1;
  EXPECT_THROW(measurement_from_json(bad), InputError);
}

} // namespace
} // namespace gpucert::certify
