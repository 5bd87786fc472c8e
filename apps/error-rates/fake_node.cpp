// The fake node's noise and metrics (see fake_node.hpp).
#include "apps/error-rates/fake_node.hpp"

#include "harness/evaluate/judge.hpp"
#include "harness/stats/distributions.hpp"
#include "harness/stats/statistic_fn.hpp"

#include <cmath>
#include <numbers>

namespace gpucert::error_rates {

namespace {

constexpr std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double sigma_of(double cv) {
  return std::sqrt(std::log1p(cv * cv));
}

/// Median of the metric whose clause statistic is truly at `value`. The metric is
/// median × exp(±σz), so its q-quantile is median × exp(σ Φ⁻¹(q)) and its mean median × exp(σ²/2)
/// either way round.
double median_for(const profile::Clause& c, double value, double sigma) {
  const stats::StatisticFn fn = stats::StatisticFn::parse(c.stat);
  switch (fn.kind) {
  case stats::StatisticFn::Kind::mean:
    return value * std::exp(-sigma * sigma / 2);
  case stats::StatisticFn::Kind::min: // judged as tolerance bounds at these tails (judge.hpp)
    return value * std::exp(-sigma * stats::normal_quantile(evaluate::kToleranceTail));
  case stats::StatisticFn::Kind::max:
    return value * std::exp(-sigma * stats::normal_quantile(1 - evaluate::kToleranceTail));
  case stats::StatisticFn::Kind::quantile:
    break;
  }
  return value * std::exp(-sigma * stats::normal_quantile(fn.q));
}

class FakeInstance : public BenchmarkInstance {
public:
  explicit FakeInstance(FakeBackend& b) : backend_(b) {}
  void setup() override {}
  Work work() const override { return {}; }
  double sample() override { return backend_.draw(); }
  Verification verify() override { return {true, true, "fake node: nothing to check"}; }

private:
  FakeBackend& backend_;
};

class NoTelemetry : public TelemetrySampler {
public:
  void start() override {}
  std::map<int, TelemetrySummary> stop() override { return {}; }
};

} // namespace

std::uint64_t Stream::next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Stream::uniform() {
  return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; // never 0, never 1
}

double Stream::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double r = std::sqrt(-2 * std::log(uniform()));
  const double a = 2 * std::numbers::pi * uniform();
  spare_ = r * std::sin(a);
  has_spare_ = true;
  return r * std::cos(a);
}

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  return mix(mix(mix(mix(seed) ^ a) ^ b) ^ c);
}

std::uint64_t text_key(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : text)
    h = (h ^ ch) * 0x100000001b3ULL;
  return h;
}

FakeCheck fake_check(const std::vector<profile::Clause>& clauses, const Truth& truth, bool held,
                     double sample_seconds) {
  FakeCheck f;
  f.def.name = "error-rates.fake";
  const double sigma = sigma_of(truth.cv);
  for (std::size_t k = 0; k < clauses.size(); ++k) {
    profile::Clause c = clauses[k];
    // A floor is judged on its min (a band too: its lower end); a ceiling on its max.
    const bool floor = c.min.has_value();
    const double threshold = floor ? *c.min : c.max.value_or(1);
    const double value = threshold * (floor ? 1 + truth.offset : 1 - truth.offset);
    const bool windows = held && c.stat != "mean";
    const double median = windows ? value : median_for(c, value, sigma);
    c.metric = "fake." + std::to_string(k);
    // seconds = sample_seconds × exp(−g) with g the log-scale "goodness"; a floor's metric is
    // median × exp(g), a ceiling's median × exp(−g).
    const double d = sample_seconds;
    MetricDef m;
    m.name = c.metric;
    m.unit = c.unit;
    m.higher_is_better = floor;
    if (floor)
      m.derive = [median, d](double s, const Work&) { return median * (d / s); };
    else
      m.derive = [median, d](double s, const Work&) { return median * (s / d); };
    f.def.metrics.push_back(std::move(m));
    f.clauses.push_back(std::move(c));
    f.medians.push_back(median);
  }
  return f;
}

const InstanceTable& FakeBackend::instances() const {
  static const InstanceTable none;
  return none;
}

std::unique_ptr<BenchmarkInstance> FakeBackend::create(const BenchmarkDef&, const Params&,
                                                       const Target&) {
  return std::make_unique<FakeInstance>(*this);
}

std::unique_ptr<TelemetrySampler> FakeBackend::telemetry(const std::vector<int>&) {
  return std::make_unique<NoTelemetry>();
}

double FakeBackend::draw() {
  // Stationary AR(1): z_0 ~ N(0, 1), z_t = ρ z_{t−1} + √(1 − ρ²) ε_t, so every sample's
  // marginal (and the CV) is the truth's whatever ρ is.
  const double e = stream_.normal();
  z_ = started_ ? truth_.rho * z_ + std::sqrt(1 - truth_.rho * truth_.rho) * e : e;
  started_ = true;
  const double g = sigma_of(truth_.cv) * z_ + std::log1p(truth_.drift) * clock_ / 60;
  const double s = sample_seconds_ * std::exp(-g);
  clock_ += s;
  return s;
}

} // namespace gpucert::error_rates
