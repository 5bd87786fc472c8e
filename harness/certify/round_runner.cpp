// One round, its lanes at the same time (see round_runner.hpp).
#include "harness/certify/round_runner.hpp"

#include "harness/certify/stop_signal.hpp"
#include "harness/measure/lifecycle.hpp"

#include <atomic>
#include <exception>
#include <optional>
#include <thread>

namespace gpucert::certify {

namespace {

void stamp(Measurement& m, const PlannedMeasurement& p, std::size_t lanes) {
  m.concurrency = p.concurrency;
  m.lanes = static_cast<int>(lanes);
}

/// The simulator: lanes one after another, each from the round's start on the virtual clock;
/// the backend adds the load a decided lane keeps until the round's end.
void run_virtual(Backend& backend, const std::vector<const PlannedMeasurement*>& lanes,
                 const RuleFor& rule_for, std::vector<Measurement>& out) {
  const std::size_t first = out.size();
  std::exception_ptr failed;
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    backend.lane_begin(i);
    const PlannedMeasurement& p = *lanes[i];
    try {
      Measurement m = measure(backend, *p.def, p.params, p.target, p.policy, rule_for(i));
      stamp(m, p, lanes.size());
      out.push_back(std::move(m));
    } catch (...) {
      failed = std::current_exception();
      break;
    }
  }
  const std::vector<double> held = backend.round_end();
  for (std::size_t i = first; i < out.size() && i - first < held.size(); ++i)
    if (held[i - first] > 0)
      out[i].phase_seconds["hold"] += held[i - first];
  if (failed)
    std::rethrow_exception(failed);
}

/// A real backend: a host thread per lane. A lane that has its verdict keeps sampling
/// (unrecorded) while any other lane still measures, so the node's load stays that of the round.
void run_threads(Backend& backend, const std::vector<const PlannedMeasurement*>& lanes,
                 const RuleFor& rule_for, std::vector<Measurement>& out) {
  const std::size_t n = lanes.size();
  std::vector<std::optional<Measurement>> result(n);
  std::vector<std::exception_ptr> failed(n);
  std::vector<Decided> rules(n);
  for (std::size_t i = 0; i < n; ++i)
    rules[i] = rule_for(i); // built here: rule_for need not be thread-safe
  std::atomic<std::size_t> measuring{n};
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      bool counted = false;
      auto leave = [&] {
        if (!counted) {
          counted = true;
          --measuring;
        }
      };
      const Hold hold = [&](BenchmarkInstance& inst) {
        leave();
        double seconds = 0;
        while (measuring.load() > 0 && stop_signal() == 0 &&
               take_sample(inst, "hold", seconds).ok()) {
        }
      };
      const PlannedMeasurement& p = *lanes[i];
      try {
        Measurement m = measure(backend, *p.def, p.params, p.target, p.policy, rules[i], hold);
        stamp(m, p, n);
        result[i] = std::move(m);
      } catch (...) {
        failed[i] = std::current_exception();
      }
      leave();
    });
  }
  for (auto& t : threads)
    t.join();
  for (std::size_t i = 0; i < n; ++i)
    if (result[i])
      out.push_back(std::move(*result[i]));
  for (const auto& f : failed)
    if (f)
      std::rethrow_exception(f);
}

} // namespace

void run_round(Backend& backend, const std::vector<const PlannedMeasurement*>& lanes,
               const RuleFor& rule_for, std::vector<Measurement>& out) {
  std::vector<Target> targets;
  for (const auto* p : lanes)
    targets.push_back(p->target);
  backend.round_begin(targets);
  if (backend.virtual_lanes() || lanes.size() == 1) {
    run_virtual(backend, lanes, rule_for, out);
    return;
  }
  try {
    run_threads(backend, lanes, rule_for, out);
  } catch (...) {
    backend.round_end();
    throw;
  }
  backend.round_end();
}

} // namespace gpucert::certify
