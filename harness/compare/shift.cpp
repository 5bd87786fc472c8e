// The Mann–Whitney null distribution and the Hodges–Lehmann shift. The exact distribution of U
// for sizes m ≤ n is the coefficient list of the Gaussian binomial [m+n choose m]_q, built as
// the product over i = 1..m of (1 - q^(n+i)) / (1 - q^i): each step's result has the positive
// counts of [n+i choose i]_q, the division is a running sum with stride i, O(m·mn) in all.
#include "harness/compare/shift.hpp"

#include "harness/stats/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

namespace gpucert::compare {

namespace {

/// CDF of U for sizes (m, n), m·n ≤ kExactMaxPairs; cached (a certificate asks for few sizes).
const std::vector<double>& exact_cdf(int m, int n) {
  static std::mutex mu;
  static std::map<std::pair<int, int>, std::vector<double>> cache;
  const int a = std::min(m, n), b = std::max(m, n); // U's distribution is symmetric in (m, n)
  const std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find({a, b});
  if (it != cache.end())
    return it->second;
  const std::size_t size = static_cast<std::size_t>(a) * b + 1;
  std::vector<double> g(size, 0.0);
  g[0] = 1; // [b choose 0]_q = 1
  for (int i = 1; i <= a; ++i) {
    const std::size_t top = static_cast<std::size_t>(i) * b; // degree of [b+i choose i]_q
    const std::size_t drop = static_cast<std::size_t>(b) + i;
    for (std::size_t u = top; u >= drop; --u) // × (1 - q^(b+i)), from the top down
      g[u] -= g[u - drop];
    for (std::size_t u = i; u <= top; ++u) // ÷ (1 - q^i): running sum with stride i
      g[u] += g[u - i];
  }
  double total = 0;
  for (double c : g)
    total += c;
  std::vector<double> cdf(size);
  double run = 0;
  for (std::size_t u = 0; u < size; ++u) {
    run += g[u];
    cdf[u] = std::min(1.0, run / total);
  }
  return cache.emplace(std::make_pair(a, b), std::move(cdf)).first->second;
}

bool exact(int m, int n) {
  return static_cast<std::int64_t>(m) * n <= kExactMaxPairs;
}

/// U-count of `n_above` differences above the bound and `n_tied` on it, as P(U ≤ that).
double p_of_count(int m, int n, std::int64_t n_above, std::int64_t n_tied) {
  const double s = static_cast<double>(n_above) + 0.5 * static_cast<double>(n_tied);
  return mann_whitney_cdf(m, n, static_cast<std::int64_t>(std::floor(s)));
}

} // namespace

double mann_whitney_cdf(int m, int n, std::int64_t u) {
  if (m < 1 || n < 1)
    throw std::invalid_argument("mann_whitney_cdf: sample sizes must be at least 1");
  const std::int64_t mn = static_cast<std::int64_t>(m) * n;
  if (u < 0)
    return 0;
  if (u >= mn)
    return 1;
  if (exact(m, n))
    return exact_cdf(m, n)[static_cast<std::size_t>(u)];
  const double mu = static_cast<double>(mn) / 2;
  const double sigma = std::sqrt(static_cast<double>(mn) * (m + n + 1) / 12.0);
  return stats::normal_cdf((static_cast<double>(u) + 0.5 - mu) / sigma);
}

std::int64_t interval_rank(int m, int n, double confidence) {
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument("interval_rank: confidence must be in (0, 1)");
  const double tail = (1 - confidence) / 2;
  const std::int64_t mn = static_cast<std::int64_t>(m) * n;
  if (exact(m, n)) {
    const std::vector<double>& cdf = exact_cdf(m, n);
    std::int64_t k = 0; // P(U ≤ k-1) ≤ tail  ⇔  cdf[k-1] ≤ tail
    while (k < mn / 2 && cdf[static_cast<std::size_t>(k)] <= tail * (1 + 1e-12))
      ++k;
    return k;
  }
  const double sigma = std::sqrt(static_cast<double>(mn) * (m + n + 1) / 12.0);
  const double k =
      std::floor(static_cast<double>(mn) / 2 + 0.5 - stats::normal_quantile(1 - tail) * sigma);
  return k < 1 ? 0 : static_cast<std::int64_t>(k);
}

ShiftTest::ShiftTest(const std::vector<double>& base, const std::vector<double>& fresh)
    : m_(static_cast<int>(base.size())), n_(static_cast<int>(fresh.size())) {
  if (base.empty() || fresh.empty())
    throw std::invalid_argument("a shift needs at least one sample on each side");
  const auto logs = [](const std::vector<double>& v) {
    std::vector<double> out;
    out.reserve(v.size());
    for (double x : v) {
      if (!std::isfinite(x) || x <= 0)
        throw std::invalid_argument("a ratio needs finite positive samples");
      out.push_back(std::log(x));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  lx_ = logs(base);
  ly_ = logs(fresh);
  if (static_cast<std::int64_t>(m_) * n_ <= kSortedMaxPairs) {
    d_.reserve(lx_.size() * ly_.size());
    for (double y : ly_)
      for (double x : lx_)
        d_.push_back(y - x);
    std::sort(d_.begin(), d_.end());
  }
}

std::int64_t ShiftTest::count_below(double bound) const {
  // y - x < b  ⇔  x > y - b
  std::int64_t c = 0;
  for (double y : ly_)
    c += lx_.end() - std::upper_bound(lx_.begin(), lx_.end(), y - bound);
  return c;
}

std::int64_t ShiftTest::count_at_or_below(double bound) const {
  std::int64_t c = 0;
  for (double y : ly_)
    c += lx_.end() - std::lower_bound(lx_.begin(), lx_.end(), y - bound);
  return c;
}

double ShiftTest::kth(std::int64_t k) const {
  const std::int64_t mn = static_cast<std::int64_t>(m_) * n_;
  k = std::clamp<std::int64_t>(k, 1, mn);
  if (!d_.empty())
    return d_[static_cast<std::size_t>(k - 1)];
  // The smallest v with at least k differences ≤ v, by bisection between the extremes.
  double lo = ly_.front() - lx_.back(), hi = ly_.back() - lx_.front();
  for (int i = 0; i < 200 && lo < hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi)
      break;
    (count_at_or_below(mid) >= k ? hi : lo) = mid;
  }
  return hi;
}

double ShiftTest::estimate() const {
  const std::int64_t mn = static_cast<std::int64_t>(m_) * n_;
  return mn % 2 == 1 ? kth(mn / 2 + 1) : 0.5 * (kth(mn / 2) + kth(mn / 2 + 1));
}

ShiftInterval ShiftTest::interval(double confidence) const {
  ShiftInterval s;
  s.estimate = estimate();
  s.confidence = confidence;
  s.method = exact(m_, n_) ? "exact" : "normal";
  s.rank = interval_rank(m_, n_, confidence);
  if (s.rank < 1)
    return s;
  const std::int64_t mn = static_cast<std::int64_t>(m_) * n_;
  s.lo = kth(s.rank);
  s.hi = kth(mn + 1 - s.rank);
  s.valid = true;
  return s;
}

double ShiftTest::p_below(double bound) const {
  // Few differences above the bound: the new sample sits below base + bound.
  const std::int64_t mn = static_cast<std::int64_t>(m_) * n_;
  const std::int64_t at_or_below = count_at_or_below(bound), below = count_below(bound);
  return p_of_count(m_, n_, mn - at_or_below, at_or_below - below);
}

double ShiftTest::p_above(double bound) const {
  const std::int64_t at_or_below = count_at_or_below(bound), below = count_below(bound);
  return p_of_count(m_, n_, below, at_or_below - below);
}

double percent(double log_shift) {
  return 100.0 * std::expm1(log_shift);
}

} // namespace gpucert::compare
