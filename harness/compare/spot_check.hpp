// `gpucert spot-check SELLER_DIR`: the buyer's side. Is this the node the seller certified
// (identity), which of the seller's checks to re-measure (a seeded random draw), the seller's
// profile cut down to them, and per drawn check the buyer's samples against the seller's by the
// shift test (CONSISTENT / BELOW CERTIFIED / INCONCLUSIVE) beside the buyer's own contract verdict.
// The re-measurement itself runs in the CLI (certify::run_certification).
#pragma once

#include "harness/compare/check_shift.hpp"
#include "harness/model/certificate.hpp"
#include "harness/model/inventory.hpp"
#include "harness/profile/profile.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::compare {

inline constexpr const char* kConsistent = "CONSISTENT";
inline constexpr const char* kBelowCertified = "BELOW CERTIFIED";

/// This node against the certificate's inventory: hostname, GPU count, each GPU's UUID and
/// serial. A field the certificate holds must read the same here.
struct Identity {
  bool match = true;
  std::vector<std::string> checked;    ///< "hostname node-a", "gpu0 uuid GPU-…", ...
  std::vector<std::string> mismatches; ///< "gpu3 serial: certified 1650…, this node 1651…"
};
Identity check_identity(const Inventory& certified, const Inventory& here);

struct Drawn {
  std::string clause_id, target;
  Scope scope = Scope::gpu;
  std::vector<int> gpus;
};

/// The buyer's draw: `count` = ceil(fraction × candidates) (at least 1) of the seller's
/// measured benchmark checks, uniformly without replacement, by a partial Fisher–Yates shuffle
/// driven by std::mt19937_64(seed) (so the same seed draws the same checks on every platform).
struct Draw {
  std::uint64_t seed = 0;
  double fraction = 0;
  int candidates = 0;
  std::vector<Drawn> checks; ///< in the certificate's order
  /// The GPUs to measure: the union of the drawn checks' GPUs; every GPU of the node when a
  /// node-scope or sibling-relative check was drawn (then all_gpus and `gpus` empty).
  std::vector<int> gpus;
  bool all_gpus = false;
};

/// Candidates: the seller's benchmark checks with positive samples whose GPUs are all in
/// `allowed_gpus` (empty = any); node-scope and sibling-relative checks only when `allowed_gpus`
/// is empty (they need every GPU measured; drawing one measures the whole node). InputError
/// when there is no candidate.
Draw draw_checks(const report::Certificate& seller, double fraction, std::uint64_t seed,
                 const std::vector<int>& allowed_gpus);

/// The seller's profile with only the drawn clauses (and no match keys: the identity check
/// stands for them); method and parameters untouched.
profile::Profile restrict_profile(const profile::Profile& p, const Draw& d);

struct SpotRow {
  ShiftRow shift; ///< base = the seller's samples, new = the buyer's
  bool compared = false;
  std::string reason;           ///< why not compared (then INCONCLUSIVE)
  std::string verdict;          ///< CONSISTENT, BELOW CERTIFIED, INCONCLUSIVE
  std::string contract;         ///< the buyer's verdict on its own samples: PASS, FAIL, ...
  std::string contract_message; ///< its cause or message
};

struct SpotCheck {
  ShiftOptions opts;
  Draw draw;
  Identity identity;
  bool identity_overridden = false;
  bool simulated = false;    ///< the seller's or the buyer's figures are simulated
  std::vector<SpotRow> rows; ///< drawn order
  int consistent = 0, below = 0, inconclusive = 0;
  int contract_pass = 0, contract_fail = 0, contract_undecided = 0;
};

/// Compares each drawn check's samples; BELOW CERTIFIED claims are Holm-controlled at
/// opts.one_sided_level() across the drawn checks.
SpotCheck spot_compare(const report::Certificate& seller, const report::Certificate& buyer,
                       const Draw& draw, const ShiftOptions& opts);

/// 1 when a drawn check is BELOW CERTIFIED or its contract verdict FAIL or ERROR (or the
/// identity did not match and was not overridden); else 5 when any comparison or contract
/// verdict is undecided; else 0.
int exit_code(const SpotCheck& s);

nlohmann::json to_json(const SpotCheck& s);

} // namespace gpucert::compare
