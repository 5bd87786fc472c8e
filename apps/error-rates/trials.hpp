// Monte Carlo trials through the real path: certify's policy, the runner's measure(), the verdict
// engine's stopping rule and judge(). Each trial draws from its own stream, so a table depends on
// the seed and the trial counts only, never on the number of threads.
#pragma once

#include "apps/error-rates/fake_node.hpp"
#include "harness/evaluate/judge.hpp"
#include "harness/measure/sampling_policy.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace gpucert::error_rates {

/// One measurement as a run plans it, and how its clauses are judged.
struct CheckSpec {
  std::vector<profile::Clause> clauses;
  Target target;
  SamplingPolicy policy;
  evaluate::JudgeContext ctx; ///< the profile's (family, looks); `sustained` is set per clause
  bool held = false;          ///< sustained measurement: no stopping rule (as certify_run)
  bool soak = false;          ///< soak tier: every clause is judged as held load
};

struct CheckOutcome {
  std::vector<report::Verdict> verdicts; ///< per clause; ERROR when the measurement failed
  int samples = 0, warmup = 0;           ///< timed samples; warm-up incl. extensions
  double seconds = 0;                    ///< backend clock at the end
};

CheckOutcome run_check(const CheckSpec& spec, const Truth& truth, double sample_seconds,
                       std::uint64_t seed);

/// Verdict counts of single checks.
struct Tally {
  long long trials = 0, pass = 0, fail = 0, inconclusive = 0, error = 0;
  long long samples = 0, warmup = 0;
  void add(const Tally& o);
};

/// Node-level counts: one trial is every check of a plan.
struct NodeTally {
  long long trials = 0, any_fail = 0, all_pass = 0, any_inconclusive = 0, any_error = 0;
  long long fail_checks = 0, inconclusive_checks = 0, samples = 0, checks = 0;
  long long micros = 0; ///< summed backend clock, µs (every measurement, warm-up included)
  void add(const NodeTally& o);
};

/// Runs trial(i) for i in [0, n) on `threads` threads and sums what each returns.
Tally parallel_tally(long long n, int threads, const std::function<Tally(long long)>& trial);
NodeTally parallel_node_tally(long long n, int threads,
                              const std::function<NodeTally(long long)>& trial);

} // namespace gpucert::error_rates
