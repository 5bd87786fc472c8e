// Two-sample shift on the ratio scale: the Hodges–Lehmann estimate of log(new / base) and its
// distribution-free interval from the Mann–Whitney (Wilcoxon rank-sum) null distribution, with
// one-sided p-values against a shift bound. `gpucert compare` and `gpucert spot-check` decide
// with it (docs/compare.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpucert::compare {

/// The null distribution of U is exact (counted by dynamic programming) while m·n is at most
/// this; beyond, the normal approximation with continuity correction (error far below 10^-3 there).
inline constexpr std::int64_t kExactMaxPairs = 10000;

/// P(U ≤ u) for the Mann–Whitney count U = #{(i, j): x_i > y_j} of two independent samples of
/// sizes m and n from one continuous distribution (no ties). Exact or normal as above.
double mann_whitney_cdf(int m, int n, std::int64_t u);

/// The order statistic k (1-based) of the m·n pairwise differences whose pair [d_(k),
/// d_(mn+1-k)] covers the shift with probability ≥ `confidence`: the largest k with
/// P(U ≤ k-1) ≤ (1 - confidence)/2. 0 when no k qualifies (samples too small).
std::int64_t interval_rank(int m, int n, double confidence);

struct ShiftInterval {
  double estimate = 0;   ///< Hodges–Lehmann estimate of the log shift
  double lo = 0, hi = 0; ///< interval of the log shift (valid only)
  bool valid = false;    ///< false when the samples are too small for the confidence
  double confidence = 0;
  std::int64_t rank = 0; ///< k of [d_(k), d_(mn+1-k)]
  std::string method;    ///< "exact" or "normal"
};

/// log(new / base) by the pairwise differences log(new_j) - log(base_i).
class ShiftTest {
public:
  /// Throws std::invalid_argument when a sample is empty or holds a value that is not finite
  /// and positive (a ratio needs positive figures).
  ShiftTest(const std::vector<double>& base, const std::vector<double>& fresh);

  int m() const { return m_; } ///< base sample size
  int n() const { return n_; } ///< new sample size
  /// Hodges–Lehmann: the median of the pairwise log differences.
  double estimate() const;
  ShiftInterval interval(double confidence) const;
  /// One-sided p-value for "the log shift is below `bound`": P(U ≤ #{d > bound} + ties/2)
  /// under a shift of exactly `bound` (and less for any larger shift).
  double p_below(double bound) const;
  /// One-sided p-value for "the log shift is above `bound`".
  double p_above(double bound) const;

  /// The k-th smallest (1-based) of the m·n pairwise differences.
  double kth(std::int64_t k) const;

private:
  /// Differences above, on and below `bound`, counted from the sorted logs in O(n log m).
  std::int64_t count_below(double bound) const;
  std::int64_t count_at_or_below(double bound) const;

  int m_ = 0, n_ = 0;
  std::vector<double> lx_, ly_; ///< sorted logs of the base and new samples
  /// The sorted pairwise differences while m·n ≤ kSortedMaxPairs; beyond, order statistics are
  /// found by bisection on the counts (a soak's 50 000 samples a side are 2.5·10^9 pairs).
  std::vector<double> d_;
};

/// Up to this many pairs ShiftTest sorts the differences (8 MB); beyond it selects by counting.
inline constexpr std::int64_t kSortedMaxPairs = 1000000;

/// Relative change in percent of a log shift: 100 (e^s - 1).
double percent(double log_shift);

} // namespace gpucert::compare
