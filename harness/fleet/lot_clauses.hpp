// The profile's `fleet:` section judged on a lot: the share of nodes certified, floors on the
// lot's medians, the share of outlier GPUs.
#pragma once

#include "harness/model/lot.hpp"
#include "harness/profile/profile.hpp"

#include <vector>

namespace gpucert::fleet {

/// One result per lot clause the policy states, in a fixed order (certified fraction, median
/// floors by clause id, outlier fraction):
/// - min_certified_fraction: on the whole lot the certified fraction is a count, not an estimate:
///   PASS when certified/offered reaches the floor, else FAIL. On a sample of a larger lot
///   (`lot.sample`), PASS when the sample's bound on the lot's defective fraction leaves the floor
///   certified, FAIL when even the upper end of the sample's exact interval is below the floor,
///   else INCONCLUSIVE.
/// - median_floors: the lot's median of the clause's statistic against the floor (a ceiling for
///   lower-is-better metrics); ERROR when the lot has no value of the clause.
/// - max_outlier_fraction: GPUs that are an outlier in at least one per-GPU clause, over the GPUs
///   offered; ERROR when no GPU was offered.
std::vector<report::LotClauseResult> judge_lot_clauses(const profile::FleetPolicy& policy,
                                                       const report::LotCertificate& lot);

/// The lot's outcome from its nodes and its lot clauses, failing closed: NOT CERTIFIED when no
/// node was read, when a lot clause FAILs or is ERROR, or, unless the policy states a
/// min_certified_fraction (which then decides how many may fail), when any node offered is not
/// certified (unreadable included; with --pubkey, unverified included); INCONCLUSIVE when
/// nothing failed but a lot clause or (without min_certified_fraction) a node is INCONCLUSIVE;
/// else CERTIFIED.
report::Outcome lot_outcome(const profile::FleetPolicy& policy, const report::LotCertificate& lot);

/// Judges `policy` on `lot`: sets lot.lot_clauses, lot.outcome and lot.summary.
void judge_lot(const profile::FleetPolicy& policy, report::LotCertificate& lot);

} // namespace gpucert::fleet
