// The shared instance lifecycle on its own: each step's failure becomes the same status and
// message for every program (runner, gpucert-bench, gpucert-mpi), never an exception.
#include "harness/core/error.hpp"
#include "harness/measure/lifecycle.hpp"

#include <gtest/gtest.h>
#include <limits>
#include <stdexcept>

namespace gpucert {
namespace {

struct Scripted : BenchmarkInstance {
  bool set_up = false, skip_after_setup = false, throw_setup = false, wrong = false;
  double time = 1e-3;
  void setup() override {
    if (throw_setup)
      throw DeviceError("out of memory (fake)");
    set_up = true;
  }
  Work work() const override { return {8, 0, 1}; }
  double sample() override { return time; }
  Verification verify() override { return {true, !wrong, wrong ? "2 off" : "exact"}; }
  nlohmann::json evidence() const override { throw std::runtime_error("no algo"); }
  std::string skip_reason() const override {
    return skip_after_setup && set_up ? "no P2P between the pair" : "";
  }
};

Prepared prepare_with(const std::function<void(Scripted&)>& script) {
  return prepare([&]() -> std::unique_ptr<BenchmarkInstance> {
    auto i = std::make_unique<Scripted>();
    script(*i);
    return i;
  });
}

TEST(Lifecycle, PrepareNamesTheStepThatFailed) {
  Prepared ok = prepare_with([](Scripted&) {});
  EXPECT_TRUE(ok.outcome.ok());
  EXPECT_EQ(ok.work.bytes, 8);

  Prepared skipped = prepare_with([](Scripted& s) { s.skip_after_setup = true; });
  EXPECT_EQ(skipped.outcome.status, MeasurementStatus::skipped);
  EXPECT_EQ(skipped.outcome.text(), "skipped: no P2P between the pair");

  Prepared broken = prepare_with([](Scripted& s) { s.throw_setup = true; });
  EXPECT_EQ(broken.outcome.text(), "error: setup: out of memory (fake)");

  Prepared uncreated = prepare(
      []() -> std::unique_ptr<BenchmarkInstance> { throw EnvironmentError("no implementation"); });
  EXPECT_EQ(uncreated.outcome.text(), "error: create: no implementation");
}

TEST(Lifecycle, SamplesAreCheckedAndWarmUpCounts) {
  Scripted s;
  double t = 0;
  EXPECT_TRUE(take_sample(s, "sample 1", t).ok());
  EXPECT_EQ(t, 1e-3);
  s.time = std::numeric_limits<double>::quiet_NaN();
  const Outcome bad = take_sample(s, "sample 2", t);
  EXPECT_EQ(bad.status, MeasurementStatus::error);
  EXPECT_NE(bad.message.find("sample 2: sample returned an invalid time"), std::string::npos);

  s.time = 1e-3;
  SamplingPolicy policy;
  policy.warmup_min = 3;
  policy.warmup_seconds = 0.01; // 10 samples of 1 ms
  int samples = 0;
  EXPECT_TRUE(warm_up(
                  s, policy, [] { return 0.0; }, samples)
                  .ok());
  EXPECT_EQ(samples, 10);
  s.time = 0;
  samples = 0;
  EXPECT_EQ(warm_up(
                s, policy, [] { return 0.0; }, samples)
                .message.rfind("warm-up: ", 0),
            0u);
}

TEST(Lifecycle, VerifyAndEvidence) {
  Scripted s;
  Verification v;
  EXPECT_TRUE(verify(s, v).ok());
  s.wrong = true;
  const Outcome wrong = verify(s, v);
  EXPECT_EQ(wrong.text(), "incorrect: result check failed: 2 off");
  Measurement m;
  wrong.record(m);
  EXPECT_EQ(m.status, MeasurementStatus::incorrect);
  EXPECT_EQ(evidence(s), (nlohmann::json{{"evidence_error", "no algo"}}));
}

} // namespace
} // namespace gpucert
