// Checks of the assumption every interval here rests on: samples independent and identically
// distributed. A GPU warming up or throttling while it is measured breaks both (a trend, and
// consecutive samples alike), and an interval computed as if they held would cover too little.
#pragma once

#include <vector>

namespace gpucert::stats {

/// Fewer samples than this are not diagnosed (the tests have no power): `checked` stays false.
/// No sequential verdict stops sampling before this many samples either: at 10, strongly
/// dependent samples (ten near-copies of one value) pass the tests too often.
inline constexpr int kMinDiagnosisSamples = 20;
/// Level of each diagnostic test (a false alarm costs power, never validity: batch statistics).
inline constexpr double kDiagnosisLevel = 0.01;

struct Diagnosis {
  bool checked = false;
  int n = 0;
  double lag1 = 0;             ///< lag-1 autocorrelation of the ranks
  double lag1_z = 0;           ///< (lag1 + 1/n) sqrt(n): standard normal under independence
  double trend = 0;            ///< Spearman correlation of the samples with their order
  double trend_z = 0;          ///< trend sqrt(n - 1): standard normal without a trend
  bool autocorrelated = false; ///< lag1_z above the one-sided level
  bool trending = false;       ///< |trend_z| above the two-sided level
  bool independent() const { return !autocorrelated && !trending; }
};

/// Rank-based, so outliers and skew (GPU timings have both) do not drive the tests.
Diagnosis diagnose(const std::vector<double>& values, double level = kDiagnosisLevel);

} // namespace gpucert::stats
