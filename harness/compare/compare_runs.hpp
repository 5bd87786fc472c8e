// `gpucert compare BASE NEW`: the checks of two runs paired by (clause, target), each pair's
// shift with its interval, and a verdict per check with Holm's error control across checks.
#pragma once

#include "harness/compare/check_shift.hpp"
#include "harness/model/certificate.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::compare {

inline constexpr const char* kRegressed = "REGRESSED";
inline constexpr const char* kImproved = "IMPROVED";
inline constexpr const char* kSame = "SAME";

/// A check listed but not compared: in one run only, not a measurement on a side, or the same
/// measurement as a check already compared (a sibling clause judging the floor's samples).
struct Unpaired {
  std::string clause_id, target;
  std::string reason;
  /// The base measured it and the new run did not (lost, ERROR, other parameters): the
  /// comparison cannot clear the new run of a regression there (exit 5).
  bool undecided = false;
};

struct RunComparison {
  ShiftOptions opts;
  bool base_simulated = false, new_simulated = false;
  std::string base_profile, new_profile; ///< "name (sha256 abcdef123456…)"
  std::string base_sha256, new_sha256;   ///< profile digests
  std::vector<ShiftRow> rows;            ///< compared, worst first
  std::vector<Unpaired> not_compared;    ///< in certificate order, base first
  /// Health and match checks (readings, not samples): counted, not listed.
  int readings = 0;
  int regressed = 0, improved = 0, same = 0, inconclusive = 0, undecided = 0;
};

/// The profiles differ ("" when both runs were judged by the same profile digest).
std::string profile_difference(const report::Certificate& base, const report::Certificate& fresh);

/// Pairs and decides; never throws on data (what it cannot compare it lists with the reason).
RunComparison compare_runs(const report::Certificate& base, const report::Certificate& fresh,
                           const ShiftOptions& opts);

/// 1 when any check REGRESSED; else 5 when any is INCONCLUSIVE, undecided, or nothing was
/// compared; else 0.
int exit_code(const RunComparison& c);

nlohmann::json to_json(const RunComparison& c);

} // namespace gpucert::compare
