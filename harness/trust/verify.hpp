// Verifying a signed run directory: what `gpucert verify` checks, in order, stopping at the
// first failure (see docs/trust.md). Also the lighter signature check the renderers show.
#pragma once

#include "harness/model/catalog.hpp"
#include "harness/model/inventory.hpp"
#include "harness/model/signature_status.hpp"
#include "harness/trust/keys.hpp"

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::trust {

struct VerifyOptions {
  const Registry* registry = nullptr; ///< the benchmark catalogue the profile is checked against
  Keyring keyring;
  bool allow_simulated = false;
  std::optional<double> max_age_seconds;
  double max_future_seconds = 300;    ///< a signing time later than now by more is refused
  std::optional<Inventory> this_node; ///< --this-node: the inventory of the node verifying
  std::optional<std::time_t> now;     ///< tests; default: the clock
};

struct VerifyStep {
  bool ok = false;
  std::string name;   ///< "envelope", "signer key", "signature", ...
  std::string detail; ///< what held, or what failed
};

struct VerifyReport {
  bool valid = false;
  std::vector<VerifyStep> steps; ///< the last one failed when !valid
  std::string key_id, fingerprint;
  bool simulated = false;
  /// "name: detail" of the failed step ("" when valid).
  std::string failure() const;
};

/// Every check of `gpucert verify` on run directory DIR. Never throws for anything inside DIR
/// (a bad file is a failed step); InternalError only for a missing registry.
VerifyReport verify_run_dir(const std::string& dir, const VerifyOptions& opts);

/// The envelope, signer and digest checks only (no re-evaluation): the status a report shows.
/// `trusted` empty: the envelope's own key is used and the state is at best `untrusted`.
report::SignatureStatus check_signature(const std::string& dir,
                                        const std::vector<PublicKey>& trusted);

/// "30d", "12h", "45m", "90s" → seconds. InputError otherwise.
double parse_duration(const std::string& text);

/// "2025-01-31T12:34:56Z" (fraction of a second allowed) → time_t; nullopt when malformed.
std::optional<std::time_t> parse_utc(const std::string& text);

} // namespace gpucert::trust
