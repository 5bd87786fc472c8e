// Normal and Student-t CDFs and quantiles. Quantiles are found by bisection on the CDF: slower
// than a rational approximation but accurate to the last bits that matter (1e-12 in p), and the
// callers ask for a handful per certificate.
#include "harness/stats/distributions.hpp"

#include <cmath>
#include <stdexcept>

namespace gpucert::stats {

namespace {

/// Continued fraction of the regularized incomplete beta function (modified Lentz).
double beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300, kEps = 1e-15;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < kTiny)
    d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    c = 1 + num / c;
    d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
    c = std::fabs(c) < kTiny ? kTiny : c;
    h *= d * c;
    num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    c = 1 + num / c;
    d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
    c = std::fabs(c) < kTiny ? kTiny : c;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < kEps)
      break;
  }
  return h;
}

/// I_x(a, b), the regularized incomplete beta function.
double incomplete_beta(double a, double b, double x) {
  if (x <= 0)
    return 0;
  if (x >= 1)
    return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2))
    return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

template <class Cdf> double invert(Cdf cdf, double p, double lo, double hi) {
  while (cdf(lo) > p)
    lo *= 2;
  while (cdf(hi) < p)
    hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-13 * (1 + std::fabs(lo)); ++i) {
    const double mid = (lo + hi) / 2;
    (cdf(mid) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

} // namespace

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double normal_quantile(double p) {
  if (!(p > 0 && p < 1))
    throw std::invalid_argument("normal_quantile: p must lie in (0, 1)");
  return invert(normal_cdf, p, -1, 1);
}

double student_t_cdf(double t, double df) {
  if (!(df > 0))
    throw std::invalid_argument("student_t_cdf: df must be positive");
  const double x = df / (df + t * t);
  const double tail = 0.5 * incomplete_beta(df / 2, 0.5, x);
  return t >= 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (!(p > 0 && p < 1))
    throw std::invalid_argument("student_t_quantile: p must lie in (0, 1)");
  return invert([df](double t) { return student_t_cdf(t, df); }, p, -1, 1);
}

double beta_cdf(double x, double a, double b) {
  if (!(a > 0 && b > 0))
    throw std::invalid_argument("beta_cdf: a and b must be positive");
  return incomplete_beta(a, b, x);
}

double beta_quantile(double p, double a, double b) {
  if (!(p >= 0 && p <= 1) || !(a > 0 && b > 0))
    throw std::invalid_argument("beta_quantile: p must lie in [0, 1], a and b be positive");
  double lo = 0, hi = 1; // bisection on [0, 1]: the CDF is monotone there
  for (int i = 0; i < 200 && hi - lo > 1e-15; ++i) {
    const double mid = (lo + hi) / 2;
    (incomplete_beta(a, b, mid) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

} // namespace gpucert::stats
