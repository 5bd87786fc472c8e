// Exact group-sequential sign tests for a quantile, and the confidence sequence they induce.
//
// At any threshold T equal to the true q-quantile, the number of samples below T after n samples
// is a Binomial(n, q) random walk, whatever the distribution (continuous, i.i.d.). A design fixes,
// before any sample is seen, a per-look level for each side and the count boundaries it implies
// at every look n in [n_min, n_max]; the per-look levels are the largest for which the exact
// probability (dynamic programming over the walk) that the walk EVER crosses that side's boundary
// is at most the side's error budget. So the interval read at any look, however the looks were
// chosen (a data-dependent stop included), misses the quantile on each side with at most that
// side's probability. Derivation: harness/measure/METHOD.md, section 7.
#pragma once

#include "harness/stats/interval.hpp"

#include <memory>
#include <vector>

namespace gpucert::stats {

struct SignDesign {
  double q = 0.5;
  int n_min = 1, n_max = 1;
  double alpha_lower = 0.025, alpha_upper = 0.025; ///< error budget of each side, all looks
  double nominal_lower = 0, nominal_upper = 0;     ///< the per-look levels found
  double crossing_lower = 0, crossing_upper = 0;   ///< exact P(ever crossing), <= the budget
  /// lower[n]: largest count c (0..n) with P(B_n <= c) <= nominal_lower, -1 when none (no lower
  /// bound at this look). upper[n]: smallest c with P(B_n >= c) <= nominal_upper, n + 1 when
  /// none. Index 0..n_max; entries below n_min are "none".
  std::vector<int> lower, upper;

  /// First look at which a lower (upper) bound exists; 0 when no look has one.
  int first_lower() const;
  int first_upper() const;
};

/// The design for these parameters, computed once and cached (thread-safe). A single look
/// (n_min == n_max) is the fixed-sample interval: nominal level = budget, no search.
/// Throws std::invalid_argument on q outside (0, 1), n_min < 1, n_max < n_min or a budget
/// outside (0, 0.5].
std::shared_ptr<const SignDesign> sign_design(double q, int n_min, int n_max, double alpha_lower,
                                              double alpha_upper);

/// Interval for the q-quantile at n = values.size() under `design`: lo = x(lower[n] + 1),
/// hi = x(upper[n]) (1-based order statistics); a missing end is -inf / +inf. Valid when
/// n_min <= n <= n_max and at least one end exists. method = "sequential-order-statistic".
Interval sequential_quantile_ci(std::vector<double> values, const SignDesign& design);

/// Normal approximation of the samples a sign test at per-look level `nominal` needs to decide
/// when a fraction `p_below` of samples falls below the threshold and the quantile is q:
/// n = (z sqrt(q(1-q)) / (q - p_below))^2. Infinity when p_below == q.
double samples_to_decide(double q, double p_below, double nominal);

} // namespace gpucert::stats
