// The certificate: a verdict per check (clause × target) with the evidence behind it. Plain
// data made by harness/evaluate, read by the renderers (one file each in reports/).
#pragma once

#include "harness/model/inventory.hpp"
#include "harness/model/results.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gpucert::report {

/// The full form of a certificate (to_json, the JSON schema in reports/schema): every field of
/// every check spelled out, samples included.
inline constexpr const char* kCertificateSchema = "gpucert/certificate/v1";
/// The file form (certificate_text): the same content, compacted (certificate_compact.hpp).
inline constexpr const char* kCompactCertificateSchema = "gpucert/certificate/v2";

enum class Verdict { pass, fail, inconclusive, error, skipped };
std::string to_string(Verdict v); ///< "PASS", "FAIL", "INCONCLUSIVE", "ERROR", "SKIPPED"
Verdict verdict_from_string(const std::string& s); ///< throws InputError

/// The decision for the whole node.
enum class Outcome { certified, not_certified, inconclusive };
std::string to_string(Outcome o); ///< "CERTIFIED", "NOT CERTIFIED", "INCONCLUSIVE"
Outcome outcome_from_string(const std::string& s);

struct Threshold {
  std::optional<double> min, max;
  std::optional<std::string> equals; ///< as the profile reads: 8, true, "NVIDIA H100 80GB HBM3"
  std::string unit;
  bool higher_is_better = true;
  std::string str() const; ///< "≥ 720", "≤ 0", "= true", "700–800"
};

/// The assumption checks of a check's samples (harness/stats/diagnostics.hpp).
struct Diagnosis {
  double lag1 = 0, lag1_z = 0;   ///< lag-1 autocorrelation of the ranks, and its z
  double trend = 0, trend_z = 0; ///< rank correlation with sample order, and its z
  bool autocorrelated = false, trending = false;
};

/// A sibling-relative check: the target's statistic over the median of its siblings'.
struct Relative {
  double min_ratio = 0;
  double reference = 0;                             ///< the siblings' median of the statistic
  std::optional<double> reference_lo, reference_hi; ///< its interval
  std::vector<std::string> siblings;                ///< the targets it was taken over ("gpu1", ...)
};

struct Check {
  std::string clause_id, metric, description, contract_ref;
  std::string kind; ///< "benchmark", "health", "match"
  Scope scope = Scope::gpu;
  std::string target; ///< "gpu3", "gpu0-gpu1", "node"
  std::vector<int> gpus;
  Verdict verdict = Verdict::error;
  std::string stat;                    ///< "median", "p10", "value"
  std::optional<double> value;         ///< the statistic (numeric metrics)
  std::optional<std::string> observed; ///< text/yes-no readings as read: "false", "NVIDIA ..."
  std::optional<double> ci_lo, ci_hi;
  std::string ci_method; ///< "sequential-order-statistic", "student-t", "batch-proportion", ...
  double confidence = 0;
  /// The check's error budgets (over all looks): a wrong PASS, a wrong FAIL. The FAIL budget
  /// is the certificate's, split over its family of statistical checks (error_control).
  std::optional<double> pass_level, fail_level;
  std::string mode;                ///< "sequential", "t", "batch", "windows", "relative"
  int batches = 0, batch_size = 0; ///< batch statistics, when mode is batch or windows
  std::optional<Diagnosis> diagnosis;
  std::optional<Relative> relative;
  int warmup_extensions = 0;
  /// When INCONCLUSIVE: the samples that would likely decide it (none when it sits on the
  /// threshold); a normal approximation, not a promise.
  std::optional<double> samples_needed;
  Threshold threshold;
  std::optional<double> margin;     ///< value − threshold in the good direction (negative = miss)
  std::optional<double> margin_rel; ///< margin / threshold, when the threshold is not 0
  int n = 0;
  /// The samples judged. A certificate file keeps only those that are not in results.json:
  /// after reading one, a benchmark check's samples are empty until attach_samples().
  std::vector<double> samples;
  /// Index of the measurement in results.json whose samples of `metric` were judged; -1 for
  /// checks judging readings (health, match) or nothing measured.
  int measurement = -1;
  std::map<int, TelemetrySummary> telemetry;
  std::string cause;   ///< why it FAILed, from the evidence ("" when none was found)
  std::string message; ///< why ERROR / SKIPPED / INCONCLUSIVE
  std::string stop_reason;
  std::string started_at, finished_at;
  std::string params; ///< canonical benchmark parameters, "dtype=bf16 k=8192 ..."
  bool simulated = false;
};

struct Counts {
  int total = 0, pass = 0, fail = 0, inconclusive = 0, error = 0, skipped = 0;
};

struct ProfileRef {
  std::string name, description, tier, sha256;
  std::vector<std::pair<std::string, std::string>> files; ///< (file name, sha256), top first
  double confidence = 0;
};

struct ResultsRef {
  bool complete = false;
  std::string incomplete_reason;
  std::string backend, started_at, finished_at;
  std::string tool_version, git_revision;                   ///< of the tool that measured
  std::string planned_profile_name, planned_profile_sha256; ///< profile the run was planned from
  std::string sha256; ///< of the results document (canonical JSON dump)
};

/// What of the node a run measured: a run on a subset (`run --gpus 0-3`) certifies that subset
/// only. `gpus` and `gpus_in_node` are the evidence; `complete_node` is derived from them.
struct RunScope {
  std::vector<int> gpus; ///< the GPUs measured, ascending
  int gpus_in_node = 0;  ///< GPUs in the inventory taken before the run
  bool complete_node = false;
  /// "GPUs 0–3 of 8" for a subset, "all 8 GPUs" for the whole node, "no GPU" for none.
  std::string str() const;
};

/// The scope of a run measuring `gpus` of a node whose inventory lists `inventory_gpus`.
RunScope run_scope(const std::vector<int>& gpus, const std::vector<int>& inventory_gpus);

/// How the certificate holds its error rates: each PASS at pass_level; FAILs over the family
/// of statistical checks at family_size x fail_level in all (Bonferroni).
struct ErrorControl {
  std::string method = "bonferroni-fail-side";
  int family_size = 0;
  double pass_level = 0, fail_level = 0;
};

struct Certificate {
  std::string schema = kCertificateSchema;
  std::string tool_version, git_revision; ///< of the tool that evaluated
  bool simulated = false;
  Outcome outcome = Outcome::not_certified;
  std::string summary; ///< one line: why this outcome
  ProfileRef profile;
  ResultsRef results;
  Inventory inventory;
  std::optional<Inventory> inventory_after;
  RunScope scope;
  Counts counts;
  ErrorControl error_control;
  std::vector<Check> checks;
};

Counts count(const std::vector<Check>& checks);

/// The one rule deciding a node's outcome from its checks (harness/evaluate uses it; every
/// renderer re-derives with it, never trusting a stored outcome). Fails closed: an incomplete
/// run, any FAIL or ERROR, or no PASS at all (an empty check list, everything skipped) is NOT
/// CERTIFIED; otherwise any INCONCLUSIVE makes it INCONCLUSIVE.
Outcome derive_outcome(const std::vector<Check>& checks, bool complete);
/// The one-line summary of `c`'s outcome, derived from its checks and c.results.
std::string derive_summary(const Certificate& c);
/// True when any evidence says the certificate came from the simulator: the simulated flag of
/// the certificate or of any check, a "sim" backend, a simulated inventory (before or after) or
/// one naming a simulator node. Clearing one flag in a file does not remove the stamp.
bool derive_simulated(const Certificate& c);

/// What a renderer shows: the outcome, counts, summary and simulated stamp derived from the
/// checks, and whether the stored ones agree with them.
struct Derived {
  Outcome outcome = Outcome::not_certified;
  Counts counts;
  std::string summary;
  bool simulated = false;
  RunScope scope; ///< complete_node recomputed from gpus and gpus_in_node
  bool consistent = true;
  /// "the certificate states CERTIFIED but its checks give NOT CERTIFIED" when inconsistent.
  std::string inconsistency;
};
Derived derive(const Certificate& c);
nlohmann::json to_json(const Certificate& c);
/// Reads a certificate document; InputError naming the field on a malformed one.
Certificate certificate_from_json(const nlohmann::json& j);
/// Reads the certificate file text `text` (named `file` in JSON syntax errors; field errors name
/// the field as certificate_from_json does). The fast path: the checks are read in place.
Certificate certificate_from_text(std::string_view text, const std::string& file);

/// Gives each check whose samples live in results.json (measurement >= 0, n > 0, no samples)
/// those samples from `r`, the results the certificate was evaluated from. InputError naming the
/// check when `r` does not hold them (another run's results).
void attach_samples(Certificate& c, const Results& r);
/// True when a check of `c` has its samples only in results.json.
bool needs_samples(const Certificate& c);

/// Exit code of a certificate: 0 certified, 1 not certified, 5 inconclusive.
int exit_code(const Certificate& c);

} // namespace gpucert::report
