// Trials on the fake node (see trials.hpp).
#include "apps/error-rates/trials.hpp"

#include "harness/evaluate/evaluate.hpp"
#include "harness/measure/runner.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace gpucert::error_rates {

CheckOutcome run_check(const CheckSpec& spec, const Truth& truth, double sample_seconds,
                       std::uint64_t seed) {
  const FakeCheck f = fake_check(spec.clauses, truth, spec.held || spec.soak, sample_seconds);
  FakeBackend backend(truth, sample_seconds, seed);
  // As certify_run: a held measurement has no verdict rule (it runs its whole duration).
  Decided rule = [](const Measurement&) { return Look::undecided; };
  if (!spec.held)
    rule = evaluate::decided_rule(f.clauses, spec.ctx);
  const Measurement m = measure(backend, f.def, {}, spec.target, spec.policy, rule);
  CheckOutcome out;
  out.samples = static_cast<int>(m.seconds.size());
  out.warmup = m.warmup_samples;
  out.seconds = backend.now_seconds();
  for (const auto& c : f.clauses) {
    const auto it = m.metrics.find(c.metric);
    if (m.status != MeasurementStatus::ok || it == m.metrics.end() || it->second.empty()) {
      out.verdicts.push_back(report::Verdict::error);
      continue;
    }
    // As evaluate's benchmark_check: a clause with a duration (or any, in a soak) is held load.
    evaluate::JudgeContext ctx = spec.ctx;
    ctx.sustained = c.duration.has_value() || spec.soak;
    out.verdicts.push_back(evaluate::judge(it->second, c, ctx).verdict);
  }
  return out;
}

void Tally::add(const Tally& o) {
  trials += o.trials;
  pass += o.pass;
  fail += o.fail;
  inconclusive += o.inconclusive;
  error += o.error;
  samples += o.samples;
  warmup += o.warmup;
}

void NodeTally::add(const NodeTally& o) {
  trials += o.trials;
  any_fail += o.any_fail;
  all_pass += o.all_pass;
  any_inconclusive += o.any_inconclusive;
  any_error += o.any_error;
  fail_checks += o.fail_checks;
  inconclusive_checks += o.inconclusive_checks;
  samples += o.samples;
  checks += o.checks;
  micros += o.micros;
}

namespace {

/// Integer counts summed in any order give the same totals, so the split over threads (dynamic,
/// in chunks) does not change a table.
template <class T> T parallel(long long n, int threads, const std::function<T(long long)>& trial) {
  constexpr long long kChunk = 16;
  std::atomic<long long> next{0};
  std::mutex mu;
  T total;
  auto work = [&] {
    T local;
    for (long long begin; (begin = next.fetch_add(kChunk)) < n;)
      for (long long i = begin; i < std::min(n, begin + kChunk); ++i)
        local.add(trial(i));
    std::lock_guard<std::mutex> lock(mu);
    total.add(local);
  };
  const int t = static_cast<int>(std::clamp<long long>(threads, 1, std::max<long long>(1, n)));
  std::vector<std::thread> pool;
  for (int i = 1; i < t; ++i)
    pool.emplace_back(work);
  work();
  for (auto& th : pool)
    th.join();
  return total;
}

} // namespace

Tally parallel_tally(long long n, int threads, const std::function<Tally(long long)>& trial) {
  return parallel<Tally>(n, threads, trial);
}

NodeTally parallel_node_tally(long long n, int threads,
                              const std::function<NodeTally(long long)>& trial) {
  return parallel<NodeTally>(n, threads, trial);
}

} // namespace gpucert::error_rates
