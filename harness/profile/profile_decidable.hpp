// Refusing clauses the profile's own method can never decide: a statistic whose interval has no
// bound on the PASS side within max_samples would end INCONCLUSIVE on every node, however good.
#pragma once

#include "harness/profile/profile.hpp"

namespace gpucert::profile::detail {

/// Throws InputError at `clause_loc` (the stat's location when written) naming the samples the
/// clause needs and the method's max_samples. Health and sustained clauses pass through.
void check_decidable(const Clause& c, const Method& m, Tier tier, const Loc& clause_loc);

} // namespace gpucert::profile::detail
