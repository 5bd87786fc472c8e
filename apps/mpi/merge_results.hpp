// Rank 0's merging of the ranks' reports into Results: one Measurement per planned collective,
// each sample the slowest rank's time, every rank's verification, telemetry and inventory. Plain
// data in and out, no MPI, so the merge is unit-tested without a launcher.
#pragma once

#include "apps/mpi/plan.hpp"
#include "harness/measure/benchmark.hpp"
#include "harness/model/results.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::coll::mpi {

using nlohmann::json;

/// What rank 0 tells every rank after an exchange.
enum Decision : int { kGo = 0, kSkip = 1, kFailMeasurement = 2, kStopRun = 3 };

/// The ranks as they introduced themselves (host, local rank, pid, gpu, inventory or error), by
/// rank; null for a rank that never reported.
using Roster = std::vector<json>;

/// "rank 2 (host a, gpu 1)", or that the rank never reported.
std::string who(const Roster& roster, int rank);

/// "<who>: <error>" for each report that carries an error.
std::vector<std::string> rank_errors(const std::vector<json>& reports, const Roster& roster);

/// A measurement of `p` whose target is every rank, not run yet.
Measurement start_measurement(const Planned& p, int world);
/// A measurement of `p` that did not run: status error, message `why`.
Measurement not_run(const Planned& p, int world, const std::string& why);
/// Stamps the end time and, when none was set, the stop reason.
void finish_measurement(Measurement& m);

/// Errors and skips in one exchange's reports → the decision; errors (naming each rank) go into
/// `m`. A fatal error (that rank's communicator is gone) also sets `stop_reason` for the run.
Decision decide_failure(const std::vector<json>& reports, const Roster& roster, Measurement& m,
                        const std::string& phase, std::string& stop_reason);

/// The first skip reason a rank reported (the instance does not apply on it).
std::string first_skip(const std::vector<json>& reports);

/// One timed sample: each rank's time into `rank_seconds`; the slowest rank's, with its metrics,
/// into `m` (a collective is as fast as its slowest rank).
void merge_sample(const std::vector<json>& reports, const BenchmarkDef& def, const Work& work,
                  std::vector<std::vector<double>>& rank_seconds, Measurement& m);

/// The result check: incorrect when any rank's check failed (naming the first), rank 0's
/// evidence, every rank's seconds, telemetry per rank (keyed like target.gpus: the ranks).
void merge_check(const std::vector<json>& reports, const Roster& roster,
                 const std::vector<std::vector<double>>& rank_seconds, Measurement& m);

/// Keeps what the ranks that arrived said; marks the `missing` ones silent at `phase`.
void mark_silent(Roster& roster, const std::vector<std::optional<json>>& payloads,
                 const std::vector<int>& missing, const std::string& phase);

/// The roster as results list it (every rank, "arrived" false for a silent one) and rank 0's
/// inventory as the run's; `simulated` marks it.
void add_roster(const Roster& roster, int world, bool simulated, Results& results);

} // namespace gpucert::coll::mpi
