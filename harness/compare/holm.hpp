// Holm's step-down adjustment: the family-wise error control of gpucert compare's and spot-check's
// one-sided claims (REGRESSED, IMPROVED, BELOW CERTIFIED) across checks.
#pragma once

#include <vector>

namespace gpucert::compare {

/// Holm-adjusted p-values, in the input's order: sorted ascending, the i-th smallest (from 0) is
/// multiplied by (K - i), made non-decreasing along the order and capped at 1. Rejecting every
/// hypothesis whose adjusted p is at most a level keeps the chance of any false rejection at most
/// that level, whatever the dependence between the tests.
std::vector<double> holm_adjust(const std::vector<double>& p);

} // namespace gpucert::compare
