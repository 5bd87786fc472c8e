// One Google Benchmark per (benchmark, sweep point, target). The instance is set up and warmed
// up once, on first use; each iteration is one sample, reported with SetIterationTime. At most
// one instance is alive: the previous benchmark's is released before the next is set up.
#include "apps/bench/device_benchmarks.hpp"

#include "harness/measure/lifecycle.hpp"
#include "harness/model/targets.hpp"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>
#include <fmt/core.h>
#include <fmt/format.h>
#include <memory>

namespace gpucert::bench {

namespace {

struct Entry {
  std::string name; ///< the Google Benchmark name
  const BenchmarkDef* def = nullptr;
  Params params;
  Target target;
  Backend* backend = nullptr;
  std::unique_ptr<BenchmarkInstance> instance;
  std::string failure; ///< set once setup failed or the benchmark does not apply: every run skips
  Work work;
  bool latency = false; ///< the primary metric is a time per item (lower is better)
};

/// The entry whose instance is alive, if any. Google Benchmark runs all of one benchmark's runs
/// (iteration estimate, repetitions) before the next benchmark's, so once another entry is
/// prepared the live one's benchmark is over. Keeping every instance until exit would hold, on
/// an unfiltered 8-GPU run, every sweep point's buffers (~40 GiB per GPU) and 21 NCCL
/// communicators at once. With --benchmark_enable_random_interleaving an entry may come back:
/// it is set up and warmed up again.
Entry* g_live = nullptr;
int g_instances = 0; ///< instances alive, counted at creation and release (the test hook's figure)

/// GPUCERT_TEST_BENCH_INSTANCES set: one stderr line per instance set up or released, so a test
/// can see that no two are alive at once.
void trace(const char* what, const Entry& e) {
  static const bool on = std::getenv("GPUCERT_TEST_BENCH_INSTANCES") != nullptr;
  if (on)
    std::fprintf(stderr, "gpucert-bench: test: instance %s %s (live %d)\n", what, e.name.c_str(),
                 g_instances);
}

void release_live() {
  if (g_live == nullptr)
    return;
  if (g_live->instance) {
    g_live->instance.reset(); // buffers, streams, communicators go now
    --g_instances;
    trace("released", *g_live);
  }
  g_live = nullptr;
}

/// The shared lifecycle's prepare and warm-up (the method's warm-up minimum, no time floor:
/// Google Benchmark decides how long each benchmark runs), once, on first use.
void prepare(Entry& e) {
  if (e.instance || !e.failure.empty())
    return;
  release_live();
  Prepared p = gpucert::prepare(*e.backend, *e.def, e.params, e.target);
  e.instance = std::move(p.instance); // null when it could not be made
  if (e.instance) {
    ++g_instances;
    g_live = &e;
    trace("up", e);
  }
  Outcome o = p.outcome;
  if (o.ok()) {
    SamplingPolicy warm;
    warm.warmup_seconds = 0;
    int samples = 0;
    o = warm_up(
        *e.instance, warm, [] { return 0.0; }, samples);
  }
  if (!o.ok()) {
    e.failure = o.text(); // 1.7.1 has no SkipWithMessage: skipping is an "error"
    release_live();       // a failed or skipped benchmark keeps nothing
    return;
  }
  e.work = p.work;
}

/// Stops the benchmark with the outcome's text; Google Benchmark reports it as an error.
void fail(benchmark::State& state, Entry& e, const Outcome& o) {
  e.failure = o.text();
  state.SkipWithError(e.failure.c_str());
  if (g_live == &e)
    release_live(); // every later run of this benchmark skips: nothing to keep
}

void run(benchmark::State& state, Entry& e) {
  prepare(e);
  if (!e.failure.empty()) {
    state.SkipWithError(e.failure.c_str());
    return;
  }
  for (auto _ : state) {
    double seconds = 0;
    const Outcome o = take_sample(*e.instance, "sample", seconds);
    if (!o.ok()) {
      fail(state, e, o);
      break;
    }
    state.SetIterationTime(seconds);
  }
  if (state.error_occurred())
    return;
  Verification v;
  if (const Outcome o = verify(*e.instance, v); !o.ok()) {
    fail(state, e, o); // fast but wrong is not a result
    return;
  }
  using benchmark::Counter;
  // Per iteration = per sample; Google Benchmark divides by the manual (device) time.
  if (e.work.bytes > 0)
    state.counters["bytes/s"] = Counter(e.work.bytes, Counter::kIsIterationInvariantRate);
  if (e.work.flops > 0)
    state.counters["FLOP/s"] = Counter(e.work.flops, Counter::kIsIterationInvariantRate);
  if (e.latency && e.work.items > 0) {
    state.counters["items/s"] = Counter(e.work.items, Counter::kIsIterationInvariantRate);
    // Inverted rate of items·1e-6 per iteration: device microseconds per item (launch latency).
    state.counters["us/item"] =
        Counter(e.work.items * 1e-6, Counter::kIsIterationInvariantRate | Counter::kInvert);
  }
  // Each higher-is-better metric of the definition (TFLOP/s, GB/s, NCCL busbw/algbw) as its own
  // rate counter: derive() at one second is the metric's value per second of device time.
  for (const auto& m : e.def->metrics) {
    if (!m.higher_is_better || !m.derive)
      continue;
    try {
      state.counters[m.name] = Counter(m.derive(1.0, e.work), Counter::kIsIterationInvariantRate);
    } catch (const std::exception&) {
      // A metric that cannot be derived for this work (no rank count) gets no counter.
    }
  }
  if (e.backend->simulated())
    state.SetLabel("SIMULATED");
}

/// Every combination of the axes' sweep points (an axis without a sweep contributes its default).
std::vector<std::vector<std::string>> sweep_points(const BenchmarkDef& def) {
  std::vector<std::vector<std::string>> points{{}};
  for (const auto& axis : def.axes) {
    const std::vector<std::string> values =
        axis.sweep.empty() ? std::vector<std::string>{axis.default_value} : axis.sweep;
    std::vector<std::vector<std::string>> next;
    for (const auto& p : points)
      for (const auto& v : values) {
        next.push_back(p);
        next.back().push_back(v);
      }
    points = std::move(next);
  }
  return points;
}

} // namespace

std::string benchmark_name(const BenchmarkDef& def, const std::vector<std::string>& values,
                           const Target& target) {
  std::string name = def.name;
  for (size_t i = 0; i < def.axes.size() && i < values.size(); ++i)
    name += "/" + def.axes[i].name + ":" + values[i];
  switch (target.scope) {
  case Scope::gpu:
    return name + fmt::format("/gpu:{}", target.gpus.at(0));
  case Scope::gpu_pair:
    return name + fmt::format("/gpu:{}-{}", target.gpus.at(0), target.gpus.at(1));
  case Scope::node:
    return name + "/node";
  }
  return name;
}

int register_device_benchmarks(const Registry& registry, Backend& backend) {
  int count = 0;
  const std::vector<int> gpus = backend.gpus();
  for (const auto& def : registry.all()) {
    if (!backend.instances().find(def.name))
      continue; // no implementation here
    const bool latency = !def.metrics.empty() && !def.metrics.front().higher_is_better;
    for (const auto& values : sweep_points(def)) {
      Params given;
      for (size_t i = 0; i < def.axes.size(); ++i)
        given[def.axes[i].name] = values[i];
      const Params params = Registry::resolve(def, given); // a bad sweep is a bug: throws
      for (const auto& target : targets_for(def.scope, gpus)) {
        auto entry = std::make_shared<Entry>();
        entry->name = benchmark_name(def, values, target);
        entry->def = &def;
        entry->params = params;
        entry->target = target;
        entry->backend = &backend;
        entry->latency = latency;
        benchmark::RegisterBenchmark(entry->name.c_str(),
                                     [entry](benchmark::State& s) { run(s, *entry); })
            ->UseManualTime()
            ->Unit(latency ? benchmark::kMicrosecond : benchmark::kMillisecond);
        ++count;
      }
    }
  }
  return count;
}

void release_instances() {
  release_live();
}

} // namespace gpucert::bench
