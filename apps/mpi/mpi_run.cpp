// gpucert-mpi's run (see mpi_run.hpp): the phases on every rank, each instance through the
// shared measurement lifecycle with a fixed sample count; rank 0 merges the ranks' reports and
// writes the results.
#include "apps/mpi/mpi_run.hpp"

#include "apps/mpi/merge_results.hpp"
#include "apps/mpi/plan.hpp"
#include "apps/mpi/rank_node.hpp"
#include "apps/mpi/rank_protocol.hpp"
#include "apps/mpi/results_output.hpp"
#include "harness/core/utc_time.hpp"
#include "harness/measure/lifecycle.hpp"

#include <cstdio>
#include <fmt/core.h>
#include <fmt/format.h>

namespace gpucert::coll::mpi {

namespace {

class Run {
public:
  Run(const MpiOptions& o, RankChannel& ch)
      : o_(o), ch_(ch), facts_{o, !o.simulate.empty(), ch.size(), {}, {}},
        protocol_(ch, o.timeout_s, facts_.simulated), node_(o, ch.rank(), ch.size()) {
    protocol_.on_silence(
        [this](const std::string& phase, double timeout_s, const std::vector<int>& missing,
               const std::string& why) { silence(phase, timeout_s, missing, why); });
  }

  ExitCode execute() {
    plan_ = make_plan(o_); // input errors: identical on every rank, before any exchange
    try {
      return phases();
    } catch (const std::exception& e) {
      // From here on an exception is this rank's alone: the others would wait for it, so end
      // the job now rather than let them run into their deadlines.
      const auto* typed = dynamic_cast<const Error*>(&e);
      const int code = static_cast<int>(typed ? typed->code() : ExitCode::internal);
      std::fprintf(stderr, "gpucert-mpi: rank %d: %s; aborting the job\n", ch_.rank(), e.what());
      std::fflush(nullptr);
      MPI_Abort(MPI_COMM_WORLD, code);
      return static_cast<ExitCode>(code);
    }
  }

private:
  ExitCode phases() {
    facts_.started_at = utc_now_iso8601();
    facts_.env = read_nccl_environment();
    if (ch_.root() && !facts_.simulated)
      warn_forced_tuning(facts_.env);
    if (protocol_.introduce(node_.hello(), [&] { return node_.identify(); }) != kGo)
      return stop_everything("rendezvous", ExitCode::environment);
    if (!communicator())
      return stop_everything("communicator", ExitCode::environment);
    for (current_ = 0; current_ < plan_.size(); ++current_)
      if (!measure_one(plan_[current_])) {
        not_run_from(current_ + 1, "not run: the run stopped after " + plan_[current_].def->name +
                                       " (" + stop_reason_ + ")");
        break;
      }
    protocol_.finish();
    if (!ch_.root())
      return ExitCode::certified;
    output();
    for (const auto& m : results_.measurements)
      if (m.status == MeasurementStatus::error || m.status == MeasurementStatus::incorrect)
        return ExitCode::not_certified;
    return ExitCode::certified;
  }

  bool communicator() {
    const json mine = node_.join_communicator(protocol_);
    const int d = protocol_.round(
        "communicator", mine, protocol_.phase_timeout(true), [&](const std::vector<json>& reports) {
          const auto errors = rank_errors(reports, protocol_.roster());
          if (errors.empty())
            return int(kGo);
          stop_reason_ = fmt::format("communicator: {}", fmt::join(errors, "; "));
          return int(kStopRun);
        });
    return d == kGo;
  }

  /// This rank's report of a failed step: the outcome, and whether the communicator survived.
  json report(const Outcome& o) const {
    if (o.status == MeasurementStatus::skipped)
      return {{"skip", o.message}};
    return {{"error", o.message}, {"fatal", node_.communicator_lost()}};
  }

  /// Rank 0's decision on one exchange's failures, recorded in `m`.
  RankProtocol::Decide failures(Measurement& m, const std::string& phase) {
    return [this, &m, phase](const std::vector<json>& r) {
      return int(decide_failure(r, protocol_.roster(), m, phase, stop_reason_));
    };
  }

  /// One planned measurement on every rank. False when the run must stop (the communicator is
  /// gone); the measurement is recorded either way.
  bool measure_one(const Planned& p) {
    Measurement m = start_measurement(p, ch_.size());
    Prepared prep = prepare([&] { return node_.make_instance(p); });
    int d = protocol_.round("setup of " + p.def->name,
                            prep.outcome.ok() ? json::object() : report(prep.outcome),
                            protocol_.phase_timeout(true), failures(m, "setup"));
    if (d == kSkip) {
      m.status = MeasurementStatus::skipped;
      m.message = first_skip(protocol_.last_reports());
      m.stop_reason = "skipped";
      return record(m, true);
    }
    if (d != kGo)
      return record(m, d == kFailMeasurement);
    m.bytes_per_sample = prep.work.bytes;
    m.flops_per_sample = prep.work.flops;
    m.items_per_sample = prep.work.items;
    m.warmup_samples = o_.warmup;

    TelemetryWindow window;
    std::vector<std::vector<double>> rank_seconds(static_cast<size_t>(ch_.size()));
    for (int s = 0; s < o_.warmup + o_.samples; ++s) {
      const bool timed = s >= o_.warmup;
      if (s == o_.warmup)
        window.open(node_.backend(), {node_.gpu()});
      if (current_ == 0 && s == 0)
        maybe_hang("sample", ch_.rank());
      double t = 0;
      const Outcome o = take_sample(*prep.instance, fmt::format("sample {}", s + 1), t);
      auto decide = failures(m, timed ? "sample" : "warm-up");
      d = protocol_.round(fmt::format("sample {} of {}", s + 1, p.def->name),
                          o.ok() ? json{{"t", t}} : report(o), protocol_.phase_timeout(false),
                          [&](const std::vector<json>& r) {
                            const int f = decide(r);
                            if (f == kGo && timed)
                              merge_sample(r, *p.def, prep.work, rank_seconds, m);
                            return f;
                          });
      if (d != kGo)
        return record(m, d == kFailMeasurement);
    }
    const auto telemetry = window.close();
    Verification v;
    const Outcome checked = verify(*prep.instance, v);
    json check = checked.status == MeasurementStatus::error
                     ? report(checked)
                     : json{{"verification",
                             {{"checked", v.checked}, {"passed", v.passed}, {"detail", v.detail}}},
                            {"evidence", evidence(*prep.instance)}};
    if (!telemetry.empty())
      check["telemetry"] = to_json(telemetry.begin()->second);
    auto decide = failures(m, "verify");
    d = protocol_.round("result check of " + p.def->name, check, protocol_.phase_timeout(false),
                        [&](const std::vector<json>& r) {
                          const int f = decide(r);
                          if (f == kGo)
                            merge_check(r, protocol_.roster(), rank_seconds, m);
                          return f;
                        });
    return record(m, d == kGo || d == kFailMeasurement);
  }

  bool record(Measurement& m, bool go_on) {
    if (ch_.root()) {
      finish_measurement(m);
      results_.measurements.push_back(std::move(m));
    }
    return go_on;
  }

  void not_run_from(size_t first, const std::string& why) {
    if (!ch_.root())
      return;
    for (size_t j = first; j < plan_.size(); ++j)
      results_.measurements.push_back(not_run(plan_[j], ch_.size(), why));
  }

  ExitCode stop_everything(const std::string& phase, ExitCode code) {
    if (!ch_.root())
      return ExitCode::certified;
    std::string why = stop_reason_;
    if (why.empty()) {
      const Roster& roster = protocol_.roster();
      for (const auto& r : roster)
        if (r.contains("error"))
          code = static_cast<ExitCode>(r.value("exit", static_cast<int>(code)));
      why = fmt::format("{}: {}", phase, fmt::join(rank_errors(roster, roster), "; "));
    }
    not_run_from(0, "not run: " + why);
    std::fprintf(stderr, "gpucert-mpi: %s\n", why.c_str());
    output();
    return code == ExitCode::certified ? ExitCode::not_certified : code;
  }

  /// A rank went silent (rank 0, before the job is aborted): the measurement under way and
  /// everything after it are errors that name the straggler; what is known is written.
  void silence(const std::string& phase, double timeout_s, const std::vector<int>& missing,
               const std::string& why) {
    const bool measuring = phase != "start-up" && phase != "rendezvous" &&
                           phase != "communicator" && current_ < plan_.size();
    if (measuring) {
      Measurement m = not_run(plan_[current_], ch_.size(), why);
      m.finished_at = utc_now_iso8601();
      results_.measurements.push_back(std::move(m));
    }
    not_run_from(measuring ? current_ + 1 : 0, "not run: " + why);
    results_.provenance["watchdog"] = {
        {"phase", phase}, {"timeout_s", timeout_s}, {"missing_ranks", missing}, {"message", why}};
    std::fprintf(stderr, "gpucert-mpi: %s; writing %s and aborting the job\n", why.c_str(),
                 o_.out.c_str());
    output();
  }

  void output() {
    write_results(facts_, protocol_.roster(), results_);
    print_table(facts_, results_);
  }

  const MpiOptions& o_;
  RankChannel& ch_;
  RunFacts facts_;
  RankProtocol protocol_;
  RankNode node_;
  std::vector<Planned> plan_;
  size_t current_ = 0;
  std::string stop_reason_; ///< rank 0: why the run stopped early
  Results results_;         ///< rank 0
};

} // namespace

ExitCode run(const MpiOptions& opts, RankChannel& channel) {
  Run r(opts, channel);
  return r.execute();
}

} // namespace gpucert::coll::mpi
