// A lot: many node certificates judged as one unit (what a buyer of thousands of GPUs buys).
// Plain data made by harness/fleet (the lot's "evaluate" stage), read by the lot renderers in
// reports/ and by `fleet derive-profile`. Node certificates are reduced to LotNode/LotRow while
// they are read, so a lot of 10,000 nodes never holds 10,000 certificates in memory.
#pragma once

#include "harness/model/certificate.hpp"
#include "harness/model/signature_status.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::report {

inline constexpr const char* kLotSchema = "gpucert/lot/v1";

/// A proportion k of n with its exact (Clopper–Pearson) two-sided interval.
struct Proportion {
  int k = 0, n = 0;
  double estimate = 0, lo = 0, hi = 0, confidence = 0.95;
  std::string method = "clopper-pearson";
};

/// One node certificate of the lot, as read.
struct LotNode {
  std::string dir;      ///< the run directory (or certificate file) as found
  std::string hostname; ///< "" when the certificate names none
  bool readable = false;
  std::string load_error;    ///< why it could not be read ("" when it was)
  SignatureStatus signature; ///< state not_checked unless the lot was given --pubkey
  bool simulated = false;
  Outcome outcome = Outcome::not_certified; ///< derived from its checks, never the stored one
  bool consistent = true;                   ///< the stored outcome agrees with the derived one
  Counts counts;
  bool verified = true; ///< with --pubkey: signature and digests VALID (true when not checked)
  int gpus = 0;         ///< GPUs the certificate covers (its scope)
  int gpus_in_node = 0;
  std::string profile_name, profile_sha256;
  std::string certificate_sha256; ///< of certificate.json's bytes (the lot's digest is over these)
  std::vector<std::string> gpu_uuids; ///< by GPU index; "" where unknown
  std::vector<std::string> causes;    ///< distinct causes of its FAIL/ERROR checks, sorted
};

/// One check of one node, reduced: a row of the lot's CSV. Indices into LotCertificate tables.
struct LotRow {
  std::uint32_t node = 0;   ///< index into LotCertificate::nodes
  std::uint16_t clause = 0; ///< index into LotCertificate::clauses
  std::int16_t gpu = -1;    ///< the GPU of a per-GPU check, -1 for pair/node checks
  std::uint32_t target = 0; ///< index into LotCertificate::targets ("gpu3", "gpu0-gpu1", "node")
  Verdict verdict = Verdict::error;
  double value = 0;      ///< NaN when the check has no numeric statistic
  double margin_rel = 0; ///< NaN when none
};

/// Where one statistic of a clause lies over the lot (over every GPU for per-GPU clauses).
struct Distribution {
  int n = 0;
  double median = 0, mad = 0; ///< MAD scaled to σ under normality (×1.4826)
  double p1 = 0, p5 = 0, min = 0, max = 0;
  /// The worst value (the minimum when higher is better, else the maximum) and where it is.
  double worst = 0;
  std::string worst_node, worst_target, worst_gpu_uuid;
};

struct LotClause {
  std::string id, metric, unit, stat;
  std::string kind; ///< "benchmark", "health", "match" (outliers are sought in benchmarks only)
  bool higher_is_better = true;
  Scope scope = Scope::gpu;
  Threshold threshold;                      ///< as the first node certificate states it
  Counts counts;                            ///< verdicts over all nodes' checks of the clause
  std::optional<Distribution> distribution; ///< numeric clauses with at least one value
};

/// A target well below (or above, for lower-is-better) the lot: robust z = (v − median)/MAD in
/// the bad direction beyond the lot's limit, or further from the median than `max_rel` allows,
/// whatever its verdict (an outlier above the floor is still listed).
struct Outlier {
  std::string clause_id, node, target, gpu_uuid;
  int gpu = -1;
  double value = 0, lot_median = 0;
  double rel_to_median = 0; ///< value / median − 1 (negative = below)
  double robust_z = 0;      ///< in the bad direction: positive = worse than the median
  Verdict verdict = Verdict::error;
};

/// Failures grouped by cause: "12 nodes: NVLink link trained down".
struct CauseGroup {
  std::string cause;
  std::vector<std::string> nodes; ///< hostnames (or dirs), sorted
};

/// A lot-level clause of the profile's `fleet:` section, judged on the lot.
struct LotClauseResult {
  std::string id;          ///< "fleet.min_certified_fraction", "fleet.median.<clause>", ...
  std::string description; ///< what it asks, in words
  Verdict verdict = Verdict::error;
  std::optional<double> value; ///< the lot's figure
  Threshold threshold;
  std::string message; ///< why, when not PASS
};

/// What a sample of a lot supports about the whole lot (acceptance sampling).
struct SampleBound {
  int lot_size = 0, sampled = 0, defective = 0;
  double confidence = 0.95;
  double max_defective_fraction = 0; ///< upper bound on the lot's defective fraction
  int max_defective_nodes = 0;       ///< the same in nodes
  std::string method;                ///< "hypergeometric, verdict error rates folded in"
  std::string detail;                ///< the plan and the error rates used, in words
};

struct LotOptions {
  double outlier_z = 4;      ///< robust z beyond which a target is an outlier
  double outlier_rel = 0.03; ///< ... or this far below (above) the lot median
  double confidence = 0.95;  ///< of the lot's intervals
};

struct LotCertificate {
  std::string schema = kLotSchema;
  std::string tool_version, git_revision;
  std::string created_at;
  bool simulated = false; ///< any node simulated
  Outcome outcome = Outcome::not_certified;
  std::string summary;
  std::string profile_name, profile_sha256; ///< the profile whose fleet: section judged the lot
  std::string lot_sha256;                   ///< SHA-256 over the sorted node certificate digests
  LotOptions options;

  int nodes_offered = 0, nodes_read = 0, nodes_unreadable = 0;
  int nodes_certified = 0, nodes_not_certified = 0, nodes_inconclusive = 0;
  int nodes_unverified = 0; ///< with --pubkey: signature or digests not VALID
  int gpus_offered = 0, gpus_certified = 0;
  Proportion certified_fraction; ///< certified (and verified, with --pubkey) of offered
  std::string capacity;          ///< "9,872 of 10,000 GPUs certified (...)"

  /// What a reader of the lot must know that the counts do not say: nodes certified against
  /// different profiles, stored outcomes their checks contradict, GPUs assumed for unreadable
  /// nodes.
  std::vector<std::string> notes;

  std::vector<LotClause> clauses;
  std::vector<Outlier> outliers;
  std::vector<CauseGroup> failures;
  std::vector<LotClauseResult> lot_clauses;
  std::optional<SampleBound> sample;
  std::vector<LotNode> nodes;
  std::vector<std::string> targets; ///< the target labels LotRow::target indexes
  std::vector<LotRow> rows;         ///< every check of every node (CSV only; not in the JSON)
};

/// The lot certificate document (gpucert/lot/v1); rows are not included (they are the CSV).
nlohmann::json to_json(const LotCertificate& lot);
/// Reads one; InputError naming the field on a malformed document.
LotCertificate lot_from_json(const nlohmann::json& j);
/// 0 certified, 1 not certified, 5 inconclusive (as a node's).
int exit_code(const LotCertificate& lot);

} // namespace gpucert::report
