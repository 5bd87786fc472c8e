// Shared text formatting of the renderers: quantities with units, intervals, the SIMULATED stamp.
#pragma once

#include "harness/model/certificate.hpp"
#include "harness/model/signature_status.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gpucert::report {

inline constexpr const char* kSimulatedStamp = "SIMULATED — not a certification";

/// "791 TFLOP/s", "2.04 TB/s" (GB/s ≥ 1000 shown in TB/s), "2.47 us", "0.41".
std::string quantity(double value, const std::string& unit);
/// The number alone, scaled as `quantity` would scale it for `unit` (for ranges).
std::string number_for(double value, const std::string& unit);
/// "median 791 TFLOP/s", "value true", "max 87 °C"; "—" when nothing was read.
std::string value_text(const Check& k);
/// "CI 2.03–2.05" / "exact" / "" for a check.
std::string interval_text(const Check& k);
/// Threshold in display units: "≥ 2.80 TB/s".
std::string threshold_text(const Check& k);
/// Cause or message, whichever explains the verdict.
std::string explanation(const Check& k);
/// "simulator node X, faults: a, b" for the SIMULATED banners.
std::string simulation_note(const Certificate& c);
/// "8 × NVIDIA H100 80GB HBM3 · driver 580 · CUDA 13.0 · NCCL 2.28.9"
std::string node_line(const Certificate& c);

/// "INCONSISTENT: the certificate states CERTIFIED but its checks give NOT CERTIFIED", or ""
/// when what the certificate states agrees with what its checks give (report::derive).
std::string inconsistency_banner(const Derived& d);
/// "VALID — key 1a2b… (fingerprint …)", "UNSIGNED — …", "INVALID — <detail>", ...: what
/// verifying the run directory found when this report was rendered.
std::string signature_text(const SignatureStatus& sig);
/// "GPUs 0–3 of 8 (a subset: says nothing about GPUs 4–7)" or "all 8 GPUs".
std::string scope_text(const Derived& d);
/// Whether GPU `index` was measured by the run.
bool measured(const Derived& d, int index);

/// 0 FAIL, 1 ERROR, 2 INCONCLUSIVE, 3 PASS, 4 SKIPPED: the order the reports list things in.
int verdict_rank(Verdict v);

/// A clause's checks, as the reports group them.
struct ClauseGroup {
  std::string id;
  Verdict worst = Verdict::pass;
  std::vector<const Check*> checks; ///< in certificate order
  std::string tally;                ///< "2 FAIL, 6 PASS"
  std::string contract_refs;        ///< the distinct contract references, "; "-joined
  std::string range;                ///< "788–802 TFLOP/s" over the targets' values; "" if none
};
/// The certificate's clauses, the worst verdict first, then in the order they first appear.
std::vector<ClauseGroup> clause_groups(const Certificate& c);

} // namespace gpucert::report
