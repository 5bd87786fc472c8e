// One check of two runs side by side: which checks can be compared at all, the shift of the new
// samples against the base samples with its interval, and the one-sided p-values of "worse" and
// "better" beyond a tolerance, oriented by the check's higher_is_better. Shared by `compare`
// (base = the baseline run, new = the candidate) and `spot-check` (base = the seller, new = the
// buyer's re-measurement).
#pragma once

#include "harness/compare/shift.hpp"
#include "harness/model/certificate.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::compare {

/// Neither claim holds with confidence (both commands).
inline constexpr const char* kInconclusive = "INCONCLUSIVE";

/// The decision settings: `tolerance` as a fraction (0.02 = 2 %), `confidence` of the
/// per-check interval; one-sided claims are made at (1 - confidence) / 2 across the family.
struct ShiftOptions {
  double tolerance = 0.02;
  double confidence = 0.95;
  double one_sided_level() const { return (1 - confidence) / 2; }
};

/// `--tolerance` text: "2%", "2 %" or a fraction "0.02"; 0 ≤ t < 0.5. InputError naming the
/// option otherwise (a bare "2" is refused: 2 % or 200 %?).
double parse_tolerance(const std::string& text, const std::string& option = "--tolerance");

/// The log-shift bounds of "worse than base by more than the tolerance" and "better by more":
/// for higher-is-better log(1 - t) and log(1 + t), swapped for lower-is-better.
struct Bounds {
  double worse = 0, better = 0;
};
Bounds bounds(bool higher_is_better, double tolerance);

struct ShiftRow {
  std::string clause_id, target, metric, unit, stat, params;
  bool higher_is_better = true;
  int n_base = 0, n_new = 0;
  double base_median = 0, new_median = 0;
  ShiftInterval shift; ///< of log(new / base)
  /// One-sided p-values: new worse than base beyond the tolerance, better beyond it; then
  /// Holm-adjusted over the family of the same claim.
  double p_worse = 1, p_better = 1;
  double p_worse_holm = 1, p_better_holm = 1;
  /// The command's verdict: REGRESSED / IMPROVED / SAME / INCONCLUSIVE (compare), CONSISTENT /
  /// BELOW CERTIFIED / INCONCLUSIVE (spot-check).
  std::string verdict;
  std::string note; ///< why INCONCLUSIVE when the reason is not the data (too few samples)

  /// The shift and its interval in percent of the base figure (e^s - 1).
  double percent() const;
  double percent_lo() const;
  double percent_hi() const;
  /// The log shift in the good direction (negative = worse): orders rows worst first.
  double oriented() const;
  /// Interval valid and entirely on the good side of the "worse" bound.
  bool not_worse_beyond(double tolerance) const;
  /// Interval valid and within both bounds.
  bool within(double tolerance) const;
};

/// Why the pair cannot be compared ("" when it can): a check that is not a measurement, one
/// without samples (ERROR, SKIPPED: its message), other parameters, metric or direction, or
/// samples that are not positive (a ratio needs positive figures).
std::string not_comparable(const report::Check& base, const report::Check& fresh);
/// Why a single check is no measurement to compare ("" when it is one).
std::string not_measured(const report::Check& c);

/// The row of a comparable pair (not_comparable empty), p-values unadjusted.
ShiftRow shift_row(const report::Check& base, const report::Check& fresh, const ShiftOptions& opts);

/// Holm over the rows' p_worse and, separately, over their p_better.
void adjust(std::vector<ShiftRow>& rows);

/// "gemm-bf16@gpu3"
std::string check_name(const std::string& clause_id, const std::string& target);

nlohmann::json to_json(const ShiftRow& r);

} // namespace gpucert::compare
