// Normal and Student-t distribution functions for the intervals that need them (the mean, batch
// statistics, sample-size estimates). Plain numerics, no dependencies.
#pragma once

namespace gpucert::stats {

double normal_cdf(double z);
/// Inverse of normal_cdf for p in (0, 1); throws std::invalid_argument outside.
double normal_quantile(double p);

/// CDF of Student's t with `df` > 0 degrees of freedom (regularized incomplete beta).
double student_t_cdf(double t, double df);
/// Inverse of student_t_cdf for p in (0, 1); throws std::invalid_argument outside.
double student_t_quantile(double p, double df);

/// CDF of the beta distribution with shape a, b > 0 at x (the regularized incomplete beta).
double beta_cdf(double x, double a, double b);
/// Inverse of beta_cdf for p in [0, 1]; throws std::invalid_argument outside.
double beta_quantile(double p, double a, double b);

} // namespace gpucert::stats
