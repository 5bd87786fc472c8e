// An in-process node whose samples have a distribution set exactly: the real runner measures it
// and the real verdict engine judges it, so the error rates are those of the shipped code path.
#pragma once

#include "harness/measure/backend.hpp"
#include "harness/profile/profile.hpp"

#include <cstdint>
#include <vector>

namespace gpucert::error_rates {

/// The truth of one scenario. `offset` is where the clause's statistic truly is, relative to its
/// threshold and in the good direction: +0.01 puts the true median (p10, mean, ...) of a floor
/// clause 1 % above the floor and that of a ceiling clause 1 % below the ceiling.
struct Truth {
  double offset = 0;
  double cv = 0.02; ///< coefficient of variation of the lognormal marginal
  double rho = 0;   ///< AR(1) lag-1 correlation on the log scale; the marginal stays the same
  double drift = 0; ///< relative change per minute of load, in the good direction (< 0: degrades)
};

/// SplitMix64 as a generator: 64-bit state, passes BigCrush, and the same on every platform
/// (std::normal_distribution is not), so a seed reproduces a table anywhere.
class Stream {
public:
  explicit Stream(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  double uniform(); ///< (0, 1)
  double normal();  ///< Box-Muller on our own uniforms

private:
  std::uint64_t state_;
  double spare_ = 0;
  bool has_spare_ = false;
};

/// A well-mixed seed for (seed, a, b, c): per row, trial and measurement, so what one trial
/// draws depends on nothing another thread did.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c);
std::uint64_t text_key(const std::string& text); ///< FNV-1a

/// One measurement's benchmark on the fake node: one metric per clause (named "fake.K"), each a
/// fixed transform of the sample's seconds, so every metric of a measurement moves together as
/// the metrics of one real measurement do.
struct FakeCheck {
  BenchmarkDef def;
  std::vector<profile::Clause> clauses; ///< copies of the profile's, metric renamed
  std::vector<double> medians;          ///< median of each clause's metric, from the truth
};

/// Copies `clauses` onto fake metrics whose distributions realise `truth`.
/// held: a sustained measurement, judged on window medians: the figure its quantile clause
/// judges is then the quantile of the windows' medians, which under stationary noise is the
/// median itself, so the median is put at the truth (METHOD.md §7.5).
FakeCheck fake_check(const std::vector<profile::Clause>& clauses, const Truth& truth, bool held,
                     double sample_seconds);

/// The fake node: every sample's device time is `sample_seconds` × lognormal noise (AR(1) and
/// drift as the truth says); the backend clock advances by it, so warm-up and the time budget
/// cost what they cost in a run.
class FakeBackend : public Backend {
public:
  FakeBackend(const Truth& truth, double sample_seconds, std::uint64_t seed)
      : truth_(truth), sample_seconds_(sample_seconds), stream_(seed) {}
  std::string name() const override { return "error-rates"; }
  bool simulated() const override { return true; }
  Inventory inventory() override { return {}; }
  const InstanceTable& instances() const override;
  std::unique_ptr<BenchmarkInstance> create(const BenchmarkDef&, const Params&,
                                            const Target&) override;
  std::unique_ptr<TelemetrySampler> telemetry(const std::vector<int>& gpus) override;
  double now_seconds() override { return clock_; }
  std::vector<int> gpus() const override { return {0, 1, 2, 3, 4, 5, 6, 7}; }

  /// Next sample's seconds (advances the clock).
  double draw();

private:
  Truth truth_;
  double sample_seconds_;
  Stream stream_;
  double clock_ = 0;
  double z_ = 0;
  bool started_ = false;
};

} // namespace gpucert::error_rates
