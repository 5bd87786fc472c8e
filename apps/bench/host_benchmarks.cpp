// Host hot paths: the order-statistic CI (asked after every sample), the bootstrap (mean
// clauses), and a whole measure() on synthetic samples (the runner's own overhead per sample).
#include "apps/bench/host_benchmarks.hpp"

#include "harness/measure/runner.hpp"
#include "harness/stats/interval.hpp"

#include <benchmark/benchmark.h>
#include <cmath>
#include <random>

namespace gpucert::bench {

namespace {

std::vector<double> lognormal_samples(int n, double cv, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> d(0, std::sqrt(std::log1p(cv * cv)));
  std::vector<double> v(static_cast<size_t>(n));
  for (auto& x : v)
    x = d(rng);
  return v;
}

void quantile_ci(benchmark::State& state) {
  const auto v = lognormal_samples(static_cast<int>(state.range(0)), 0.01, 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(stats::quantile_ci(v, 0.5, 0.95));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void bootstrap_ci(benchmark::State& state) {
  const auto v = lognormal_samples(static_cast<int>(state.range(0)), 0.01, 2);
  for (auto _ : state)
    benchmark::DoNotOptimize(
        stats::bootstrap_ci(v, "mean", 0.95, static_cast<int>(state.range(1))));
}

/// Samples drawn on the host with no device behind them: what remains is the runner's cost.
class SyntheticInstance : public BenchmarkInstance {
public:
  SyntheticInstance(double cv, double* clock)
      : noise_(0, std::sqrt(std::log1p(cv * cv))), clock_(clock) {}
  void setup() override {}
  Work work() const override { return {1e9, 0, 1}; }
  double sample() override {
    const double s = 1e-3 * noise_(rng_);
    *clock_ += s;
    return s;
  }
  Verification verify() override { return {true, true, "synthetic"}; }

private:
  std::mt19937_64 rng_{3};
  std::lognormal_distribution<double> noise_;
  double* clock_;
};

class SyntheticBackend : public Backend {
public:
  explicit SyntheticBackend(double cv) : cv_(cv) {}
  std::string name() const override { return "synthetic"; }
  bool simulated() const override { return true; }
  Inventory inventory() override { return {}; }
  const InstanceTable& instances() const override {
    static const InstanceTable none;
    return none;
  }
  std::unique_ptr<BenchmarkInstance> create(const BenchmarkDef&, const Params&,
                                            const Target&) override {
    return std::make_unique<SyntheticInstance>(cv_, &clock_);
  }
  std::unique_ptr<TelemetrySampler> telemetry(const std::vector<int>&) override { return nullptr; }
  double now_seconds() override { return clock_; }
  std::vector<int> gpus() const override { return {0}; }

private:
  double cv_, clock_ = 0;
};

/// One measure() to max_samples with noise too high to stop early: the decision (CI of the
/// median) is evaluated after every sample. items/s = samples decided per second.
void runner_decision(benchmark::State& state) {
  BenchmarkDef def;
  def.name = "synthetic";
  def.metrics = {{"synthetic.gbps", "GB/s", "", true,
                  [](double s, const Work& w) { return w.bytes / s / 1e9; }}};
  SamplingPolicy policy;
  policy.max_samples = static_cast<int>(state.range(0));
  policy.max_seconds = 1e9;
  policy.warmup_seconds = 0;
  SyntheticBackend backend(0.2);
  const Target target{Scope::gpu, {0}};
  for (auto _ : state)
    benchmark::DoNotOptimize(measure(backend, def, {}, target, policy));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

} // namespace

void register_host_benchmarks() {
  benchmark::RegisterBenchmark("host/quantile_ci", quantile_ci)
      ->ArgName("n")
      ->Arg(50)
      ->Arg(200)
      ->Arg(1000);
  benchmark::RegisterBenchmark("host/bootstrap_ci", bootstrap_ci)
      ->ArgNames({"n", "resamples"})
      ->Args({50, 2000})
      ->Args({200, 2000})
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("host/runner_decision", runner_decision)
      ->ArgName("max_samples")
      ->Arg(50)
      ->Arg(200)
      ->Unit(benchmark::kMicrosecond);
}

} // namespace gpucert::bench
