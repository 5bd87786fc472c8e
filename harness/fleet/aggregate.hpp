// `gpucert fleet`: reading the node certificates of a lot and reducing them to one lot
// certificate. Certificates are read in parallel and reduced while read (a node keeps its counts,
// identity and one compact row per check), so memory grows with checks, not with JSON.
#pragma once

#include "harness/model/lot.hpp"
#include "harness/stats/acceptance.hpp"
#include "harness/trust/keys.hpp"

#include <filesystem>
#include <optional>
#include <vector>

namespace gpucert::fleet {

struct AggregateOptions {
  report::LotOptions lot;
  /// --pubkey: each node's signature and file digests are checked against these keys (not
  /// re-evaluated); a node that is not VALID is counted unverified, never certified.
  bool check_signatures = false;
  std::vector<trust::PublicKey> keys;
  int threads = 0; ///< 0: one per core
  /// --lot-size: the nodes given are a random sample of a lot this large (a buyer's spot-check);
  /// the lot certificate then bounds the whole lot's defective fraction.
  std::optional<int> lot_size;
  stats::ErrorRates rates;
};

/// Reads `certificates` (certificate.json paths, as expand_inputs returns them) and fills every
/// part of the lot certificate but the lot clauses and outcome (judge_lot). A certificate that
/// cannot be read is an unreadable node of the lot, with the reason, never an exception.
report::LotCertificate aggregate(const std::vector<std::filesystem::path>& certificates,
                                 const AggregateOptions& opts);

/// The group a failed check falls in ("NVLink 9 of 18 links active", "hbm-triad below its
/// floor"): its cause without the target's name, so that the same fault on different GPUs or
/// nodes falls in one group.
std::string cause_group(const report::Check& check);

} // namespace gpucert::fleet
