// The measurement method on a fake backend: the stopping rule (tight noise stops early with the
// target reached; high noise runs to the sample or time budget; Decided stops), warm-up, and the
// error / incorrect / skipped paths, which must be statuses, never exceptions.
#include "harness/core/error.hpp"
#include "harness/measure/runner.hpp"
#include "harness/stats/interval.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <stdexcept>

namespace gpucert {
namespace {

struct Script {
  double seconds = 1e-3; ///< median sample time
  double cv = 0.001;     ///< lognormal noise
  std::string skip;      ///< skip_reason()
  bool throw_setup = false;
  int throw_at_sample = -1; ///< 1-based call of sample(), warm-up included
  bool verify_fails = false;
  bool verify_throws = false;
  bool bad_time = false; ///< sample() returns 0
};

class FakeBackend;

class FakeInstance : public BenchmarkInstance {
public:
  FakeInstance(FakeBackend& b, const Script& s) : backend_(b), script_(s) {}
  void setup() override {
    if (script_.throw_setup)
      throw DeviceError("cudaMalloc: out of memory (fake)");
  }
  Work work() const override { return {2e9, 4e12, 10}; }
  double sample() override;
  Verification verify() override {
    if (script_.verify_throws)
      throw std::runtime_error("reference kernel failed (fake)");
    return {true, !script_.verify_fails, script_.verify_fails ? "3 elements off (fake)" : "ok"};
  }
  std::string skip_reason() const override { return script_.skip; }
  nlohmann::json evidence() const override { return {{"algo", 7}}; }

private:
  FakeBackend& backend_;
  Script script_;
  int calls_ = 0;
};

class FakeSampler : public TelemetrySampler {
public:
  explicit FakeSampler(int* starts, int* stops, std::vector<int> gpus)
      : starts_(starts), stops_(stops), gpus_(std::move(gpus)) {}
  void start() override { ++*starts_; }
  std::map<int, TelemetrySummary> stop() override {
    ++*stops_;
    std::map<int, TelemetrySummary> out;
    for (int g : gpus_) {
      out[g].available = true;
      out[g].samples = 5;
    }
    return out;
  }

private:
  int *starts_, *stops_;
  std::vector<int> gpus_;
};

class FakeBackend : public Backend {
public:
  explicit FakeBackend(Script s) : script(std::move(s)) {}
  std::string name() const override { return "fake"; }
  bool simulated() const override { return true; }
  Inventory inventory() override { return {}; }
  const InstanceTable& instances() const override {
    static const InstanceTable none;
    return none;
  }
  std::unique_ptr<BenchmarkInstance> create(const BenchmarkDef&, const Params&,
                                            const Target&) override {
    ++creates;
    return std::make_unique<FakeInstance>(*this, script);
  }
  std::unique_ptr<TelemetrySampler> telemetry(const std::vector<int>& gpus) override {
    return std::make_unique<FakeSampler>(&starts, &stops, gpus);
  }
  double now_seconds() override { return clock; }
  std::vector<int> gpus() const override { return {0}; }

  Script script;
  double clock = 0;
  int creates = 0, starts = 0, stops = 0;
  std::mt19937_64 rng{5};
};

double FakeInstance::sample() {
  ++calls_;
  if (calls_ == script_.throw_at_sample)
    throw DeviceError("GPU 0 fell off the bus (fake)");
  if (script_.bad_time)
    return 0;
  const double sigma = std::sqrt(std::log1p(script_.cv * script_.cv));
  const double s =
      script_.seconds * std::exp(sigma * std::normal_distribution<double>()(backend_.rng));
  backend_.clock += s;
  return s;
}

BenchmarkDef fake_def() {
  BenchmarkDef d;
  d.name = "fake.copy";
  d.axes = {{"bytes", Axis::Kind::bytes, "1GiB", {}, {}, ""}};
  d.metrics = {
      {"fake.gbps", "GB/s", "", true, [](double s, const Work& w) { return w.bytes / s / 1e9; }},
      {"fake.us", "us", "", false, [](double s, const Work& w) { return s / w.items * 1e6; }}};
  return d;
}

const Target kGpu0{Scope::gpu, {0}};

SamplingPolicy policy() {
  SamplingPolicy p;
  p.min_samples = 10;
  p.max_samples = 200;
  p.max_seconds = 30;
  p.warmup_min = 3;
  p.warmup_seconds = 0.01;
  return p;
}

TEST(Runner, TightNoiseStopsEarlyWithTheTargetReached) {
  FakeBackend b({.seconds = 1e-3, .cv = 0.002});
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy());
  EXPECT_EQ(m.status, MeasurementStatus::ok) << m.message;
  EXPECT_EQ(m.stop_reason, "target_ci_reached");
  EXPECT_EQ(static_cast<int>(m.seconds.size()), 10); // the rule is first asked at min_samples
  const auto ci = stats::quantile_ci(m.metrics.at("fake.gbps"), 0.5, 0.95);
  EXPECT_LT(stats::relative_half_width(ci), 0.01);
  // Metrics are derived per sample from seconds and Work.
  ASSERT_EQ(m.metrics.at("fake.gbps").size(), m.seconds.size());
  for (size_t i = 0; i < m.seconds.size(); ++i) {
    EXPECT_DOUBLE_EQ(m.metrics.at("fake.gbps")[i], 2e9 / m.seconds[i] / 1e9);
    EXPECT_DOUBLE_EQ(m.metrics.at("fake.us")[i], m.seconds[i] / 10 * 1e6);
  }
  EXPECT_EQ(m.bytes_per_sample, 2e9);
  EXPECT_EQ(m.flops_per_sample, 4e12);
  EXPECT_EQ(m.items_per_sample, 10);
  EXPECT_EQ(m.params.at("bytes"), "1073741824"); // resolved, canonical
  // Warm-up: >= warmup_min samples and >= warmup_seconds of device time (10 x 1 ms).
  EXPECT_GE(m.warmup_samples, 10);
  EXPECT_LE(m.warmup_samples, 12);
  EXPECT_TRUE(m.verification.checked);
  EXPECT_TRUE(m.verification.passed);
  EXPECT_EQ(m.extra.at("algo"), 7);
  EXPECT_EQ(b.starts, 1);
  EXPECT_EQ(b.stops, 1);
  ASSERT_EQ(m.telemetry.count(0), 1u);
  EXPECT_TRUE(m.telemetry.at(0).available);
  EXPECT_FALSE(m.started_at.empty());
  EXPECT_FALSE(m.finished_at.empty());
}

TEST(Runner, HighNoiseRunsToMaxSamples) {
  FakeBackend b({.seconds = 1e-3, .cv = 0.3});
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy());
  EXPECT_EQ(m.status, MeasurementStatus::ok);
  EXPECT_EQ(m.stop_reason, "max_samples");
  EXPECT_EQ(m.seconds.size(), 200u);
}

TEST(Runner, HighNoiseWithLongSamplesHitsTheTimeBudget) {
  FakeBackend b({.seconds = 0.5, .cv = 0.3});
  SamplingPolicy p = policy();
  p.max_seconds = 10;
  p.warmup_seconds = 1;
  const Measurement m = measure(b, fake_def(), {}, kGpu0, p);
  EXPECT_EQ(m.stop_reason, "time_budget");
  EXPECT_LT(m.seconds.size(), 200u);
  // The budget covers warm-up and sampling; it is checked after each sample, so at most one
  // sample overshoots it.
  EXPECT_GE(b.clock, 10);
  EXPECT_LT(b.clock, 10 + 0.5 * 3);
}

TEST(Runner, WarmUpNeverTakesMoreThanHalfTheBudget) {
  FakeBackend b({.seconds = 0.1, .cv = 0.001});
  SamplingPolicy p = policy();
  p.max_seconds = 4;
  p.warmup_seconds = 100;
  const Measurement m = measure(b, fake_def(), {}, kGpu0, p);
  EXPECT_GE(m.warmup_samples, 3);
  EXPECT_LE(m.warmup_samples * 0.1, 2.2);
  EXPECT_GE(m.seconds.size(), 10u);
}

TEST(Runner, DecidedStopsOnceMinSamplesAreIn) {
  FakeBackend b({.seconds = 1e-3, .cv = 0.3});
  int asked = 0;
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy(), [&](const Measurement& cur) {
    ++asked;
    EXPECT_GE(cur.seconds.size(), 10u);
    EXPECT_EQ(cur.metrics.at("fake.gbps").size(), cur.seconds.size());
    return cur.seconds.size() >= 15 ? Look::decided : Look::undecided;
  });
  EXPECT_EQ(m.stop_reason, "decided");
  EXPECT_EQ(m.seconds.size(), 15u);
  EXPECT_EQ(asked, 6);
}

// With a decision rule, precision is reported, never a reason to stop: tight noise that would
// reach the target at min_samples keeps sampling while the rule says undecided.
TEST(Runner, WithARulePrecisionAloneNeverStops) {
  FakeBackend b({.seconds = 1e-3, .cv = 0.002});
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy(),
                                [](const Measurement&) { return Look::undecided; });
  EXPECT_EQ(m.stop_reason, "max_samples");
  EXPECT_EQ(m.seconds.size(), 200u);
}

// Drifting first samples are discarded as warm-up, at most kMaxWarmupExtensions times, each
// time once 2 x min_samples are in; then sampling goes on to the budget.
TEST(Runner, DriftingFirstSamplesExtendTheWarmUpAtMostTwice) {
  FakeBackend b({.seconds = 1e-3, .cv = 0.01});
  int asked = 0;
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy(), [&](const Measurement& cur) {
    ++asked;
    EXPECT_EQ(cur.metrics.at("fake.gbps").size(), cur.seconds.size());
    return Look::drifting;
  });
  EXPECT_EQ(m.warmup_extensions, kMaxWarmupExtensions);
  EXPECT_EQ(m.stop_reason, "max_samples");
  EXPECT_EQ(m.seconds.size(), 200u); // a fresh start: only samples after the last extension
  EXPECT_GE(m.warmup_samples, 10 + 2 * 20);
  EXPECT_EQ(m.metrics.at("fake.gbps").size(), 200u);
  // No extension once the budget's first half is gone: a long measurement keeps its samples.
  SamplingPolicy tight = policy();
  tight.max_samples = 30; // 2 x min_samples = 20 > 30 / 2
  FakeBackend b2({.seconds = 1e-3, .cv = 0.01});
  const Measurement kept =
      measure(b2, fake_def(), {}, kGpu0, tight, [](const Measurement&) { return Look::drifting; });
  EXPECT_EQ(kept.warmup_extensions, 0);
  EXPECT_EQ(kept.seconds.size(), 30u);
}

TEST(Runner, DependentSamplesAreMarkedAndSampledToTheBudget) {
  FakeBackend b({.seconds = 1e-3, .cv = 0.01});
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy(), [](const Measurement& cur) {
    return cur.seconds.size() == 12 ? Look::dependent : Look::undecided;
  });
  EXPECT_TRUE(m.dependent);
  EXPECT_EQ(m.stop_reason, "max_samples");
}

TEST(Runner, SetupFailureIsAnErrorWithTheMessage) {
  FakeBackend b({.throw_setup = true});
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy());
  EXPECT_EQ(m.status, MeasurementStatus::error);
  EXPECT_EQ(m.stop_reason, "error");
  EXPECT_NE(m.message.find("setup"), std::string::npos);
  EXPECT_NE(m.message.find("out of memory"), std::string::npos);
  EXPECT_TRUE(m.seconds.empty());
  ASSERT_EQ(m.telemetry.count(0), 1u); // attached even without a timed window
  EXPECT_FALSE(m.telemetry.at(0).available);
}

TEST(Runner, SampleFailureKeepsEarlierSamplesAndStopsTelemetry) {
  FakeBackend b({.seconds = 1e-3, .cv = 0.3, .throw_at_sample = 20});
  SamplingPolicy p = policy();
  p.warmup_seconds = 0;
  const Measurement m = measure(b, fake_def(), {}, kGpu0, p);
  EXPECT_EQ(m.status, MeasurementStatus::error);
  EXPECT_EQ(m.stop_reason, "error");
  EXPECT_NE(m.message.find("fell off the bus"), std::string::npos) << m.message;
  EXPECT_NE(m.message.find("sample 17"), std::string::npos) << m.message; // 3 warm-up + 17
  EXPECT_EQ(m.seconds.size(), 16u);
  EXPECT_EQ(b.stops, 1);
  EXPECT_FALSE(m.verification.checked);
}

TEST(Runner, FailureDuringWarmUpIsAnError) {
  FakeBackend b({.throw_at_sample = 2});
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy());
  EXPECT_EQ(m.status, MeasurementStatus::error);
  EXPECT_NE(m.message.find("warm-up"), std::string::npos);
}

TEST(Runner, InvalidSampleTimeIsAnError) {
  FakeBackend b({.bad_time = true});
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy());
  EXPECT_EQ(m.status, MeasurementStatus::error);
  EXPECT_NE(m.message.find("invalid time"), std::string::npos);
}

TEST(Runner, FailedVerificationIsIncorrectNotOk) {
  FakeBackend b({.cv = 0.002, .verify_fails = true});
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy());
  EXPECT_EQ(m.status, MeasurementStatus::incorrect);
  EXPECT_NE(m.message.find("3 elements off"), std::string::npos);
  EXPECT_FALSE(m.seconds.empty()); // the figures stay as evidence
}

TEST(Runner, VerificationThatThrowsIsAnError) {
  FakeBackend b({.cv = 0.002, .verify_throws = true});
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy());
  EXPECT_EQ(m.status, MeasurementStatus::error);
  EXPECT_NE(m.message.find("verify: reference kernel failed"), std::string::npos);
}

TEST(Runner, SkipReasonMakesItSkippedWithoutSampling) {
  FakeBackend b({.skip = "no P2P access between GPU 0 and GPU 1"});
  const Measurement m = measure(b, fake_def(), {}, kGpu0, policy());
  EXPECT_EQ(m.status, MeasurementStatus::skipped);
  EXPECT_EQ(m.message, "no P2P access between GPU 0 and GPU 1");
  EXPECT_TRUE(m.seconds.empty());
  EXPECT_EQ(b.starts, 0);
}

TEST(Runner, BadParametersAreInputErrors) {
  FakeBackend b({});
  EXPECT_THROW(measure(b, fake_def(), {{"bytes", "lots"}}, kGpu0, policy()), InputError);
  EXPECT_THROW(measure(b, fake_def(), {{"size", "1"}}, kGpu0, policy()), InputError);
  EXPECT_EQ(b.creates, 0);
}

TEST(SamplingPolicy, RecordsTheMethod) {
  const auto j = policy().to_json();
  EXPECT_EQ(j.at("method"), "gpucert/method/v2");
  EXPECT_EQ(j.at("min_samples"), 10);
  EXPECT_EQ(j.at("confidence"), 0.95);
  EXPECT_EQ(j.at("ci").at("median"),
            "sequential order-statistic (sign test, exact over all looks)");
  EXPECT_TRUE(j.at("ci").contains("error_control"));
  EXPECT_TRUE(j.contains("stopping_rule"));
}

} // namespace
} // namespace gpucert
