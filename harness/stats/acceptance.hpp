// What a lot of nodes supports: the exact (Clopper–Pearson) interval of a proportion, and
// acceptance sampling of a finite lot (the hypergeometric, computed exactly rather than read from
// ISO 2859 / ANSI Z1.4 tables), with the per-node error rates of the verdicts folded in.
#pragma once

#include <vector>

namespace gpucert::stats {

struct ExactInterval {
  double lo = 0, hi = 1;
};

/// Two-sided exact interval of k successes in n trials at `confidence`; InputError when
/// 0 <= k <= n, n >= 1 or 0 < confidence < 1 does not hold.
ExactInterval clopper_pearson(int k, int n, double confidence);

/// How wrong a spot-check's verdict on one node can be: a defective node that PASSes anyway
/// (miss rate) and a good node that FAILs anyway (false-fail rate).
struct ErrorRates {
  double miss = 0.025;      ///< at its floor a check PASSes at most 2.5 % of the time
  double false_fail = 0.05; ///< a healthy node 1 % above its floors FAILs a check ≤ 5 %
};

/// P(a sample of n from a lot of N with D defective nodes shows at most c defective), where
/// each sampled defective is seen as defective with probability 1 − miss and each sampled good
/// node with probability false_fail. Exact: hypergeometric × binomials, in log space.
double accept_probability(int lot_size, int defective, int sample, int acceptance_number,
                          const ErrorRates& rates);

struct OcPoint {
  double defective_fraction = 0;
  int defective = 0;
  double accept = 0; ///< P(accept) with both error rates
};

struct SamplePlan {
  int lot_size = 0, sample = 0, acceptance_number = 0;
  double max_defective_fraction = 0, confidence = 0;
  int rejectable_defective = 0;    ///< the smallest defective count the plan must reject
  double accept_at_rejectable = 0; ///< P(accept) there (≤ 1 − confidence when achieved)
  bool achieved = false;           ///< false: even the whole lot cannot reach the confidence
  ErrorRates rates;
  std::vector<OcPoint> oc;
};

/// The smallest sample n (with acceptance number c) such that a lot with more than
/// max_defective_fraction·N defective nodes is accepted with probability ≤ 1 − confidence. The
/// guarantee ignores false fails (they only make acceptance less likely), so it holds whatever
/// the false-fail rate; the OC table uses both rates. InputError on invalid arguments.
SamplePlan sample_plan(int lot_size, double max_defective_fraction, double confidence,
                       int acceptance_number, const ErrorRates& rates);

struct LotBound {
  int max_defective = 0; ///< the largest defective count the sample does not reject
  double max_defective_fraction = 0;
};

/// The upper confidence bound on a lot's defective nodes from a random sample of n of its N nodes
/// in which `observed` were not certified: the largest D with P(≤ observed seen | D) > 1 −
/// confidence, under the miss rate (false fails ignored: conservative). InputError on invalid
/// arguments.
LotBound lot_defect_bound(int lot_size, int sample, int observed, double confidence,
                          const ErrorRates& rates);

} // namespace gpucert::stats
