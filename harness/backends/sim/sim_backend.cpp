// The simulated node: virtual clock, per-GPU load (thermal fault, telemetry), lost GPUs, silicon
// spread and noise. The benchmark models (models/) turn these into sample times.
#include "harness/backends/sim/sim_backend.hpp"

#include "harness/backends/sim/models/models.hpp"
#include "harness/backends/sim/sim_hash.hpp"
#include "harness/backends/sim/sim_inventory.hpp"
#include "harness/backends/sim/sim_telemetry.hpp"
#include "harness/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::sim {

SimBackend::SimBackend(SimNode node, FaultSet faults, std::vector<int> gpus, std::uint64_t seed)
    : node_(std::move(node)), faults_(std::move(faults)), gpus_(std::move(gpus)), seed_(seed),
      load_(static_cast<size_t>(std::max(node_.gpu_count, 0))) {
  if (gpus_.empty()) {
    for (int i = 0; i < node_.gpu_count; ++i)
      gpus_.push_back(i);
  }
  for (int g : gpus_) {
    if (g < 0 || g >= node_.gpu_count)
      throw InputError(fmt::format("GPU {} does not exist on simulated node {} ({} GPUs: 0-{})", g,
                                   node_.name, node_.gpu_count, node_.gpu_count - 1));
  }
}

const InstanceTable& SimBackend::instances() const {
  return builtin_models().instances;
}

Inventory SimBackend::inventory() {
  Inventory inv = inventory_with_faults(node_, faults_, clock_s_);
  inv.simulated = true; // whatever the node file says, this never certifies a real node
  inv.sim_node = node_.name;
  return inv;
}

std::unique_ptr<BenchmarkInstance> SimBackend::create(const BenchmarkDef& def, const Params& params,
                                                      const Target& target) {
  const InstanceFactory* factory = builtin_models().instances.find(def.name);
  if (!factory)
    throw EnvironmentError(fmt::format("{}: no simulator model", def.name));
  if (target.scope != def.scope)
    throw InputError(fmt::format("{}: measures one {}, not a {} target ({})", def.name,
                                 to_string(def.scope), to_string(target.scope), target.label()));
  const size_t want = target.scope == Scope::gpu ? 1 : target.scope == Scope::gpu_pair ? 2 : 0;
  if (want != 0 && target.gpus.size() != want)
    throw InputError(fmt::format("{}: a {} target names {} GPU(s), got {}", def.name,
                                 to_string(target.scope), want, target.gpus.size()));
  if (target.scope == Scope::gpu_pair && target.gpus[0] == target.gpus[1])
    throw InputError(
        fmt::format("{}: a GPU pair needs two different GPUs, got {}", def.name, target.label()));
  for (int g : target.gpus) {
    if (g < 0 || g >= node_.gpu_count)
      throw InputError(fmt::format("{}: GPU {} does not exist on simulated node {} ({} GPUs)",
                                   def.name, g, node_.name, node_.gpu_count));
  }
  const BenchmarkContext ctx{params, target, *this};
  return (*factory)(ctx);
}

std::unique_ptr<TelemetrySampler> SimBackend::telemetry(const std::vector<int>& gpus) {
  return std::make_unique<SimTelemetry>(*this, gpus);
}

void SimBackend::add_load(int gpu, double seconds) {
  GpuLoad& l = load_.at(static_cast<size_t>(gpu));
  if (faults_.thermal(gpu)) {
    // The part of this work done past the throttle point ran at the lower clock.
    const double start = std::max(l.busy_s, node_.thermal_throttle_after_s);
    l.throttled_s += std::max(0.0, l.busy_s + seconds - start);
  }
  l.busy_s += seconds;
}

void SimBackend::run_load(const std::vector<int>& gpus, double seconds) {
  for (int g : gpus)
    add_load(g, seconds);
  clock_s_ += seconds;
}

void SimBackend::round_begin(const std::vector<Target>& lanes) {
  round_start_s_ = clock_s_;
  round_lanes_ = lanes;
  lane_end_s_.assign(lanes.size(), clock_s_);
  lane_ = 0;
  lane_started_ = false;
}

void SimBackend::lane_begin(std::size_t i) {
  if (lane_started_ && lane_ < lane_end_s_.size())
    lane_end_s_[lane_] = clock_s_;
  clock_s_ = round_start_s_; // lanes run at the same time: each starts with the round
  lane_ = i;
  lane_started_ = true;
}

std::vector<double> SimBackend::round_end() {
  if (lane_started_ && lane_ < lane_end_s_.size())
    lane_end_s_[lane_] = clock_s_;
  const double end =
      lane_end_s_.empty() ? clock_s_ : *std::max_element(lane_end_s_.begin(), lane_end_s_.end());
  // A lane done early keeps its GPUs loaded until the round ends (round_runner.hpp).
  std::vector<double> held(lane_end_s_.size(), 0);
  for (std::size_t i = 0; i < lane_end_s_.size(); ++i) {
    held[i] = end - lane_end_s_[i];
    if (held[i] > 0)
      for (int g : round_lanes_[i].gpus)
        add_load(g, held[i]);
  }
  clock_s_ = std::max(clock_s_, end);
  round_lanes_.clear();
  lane_end_s_.clear();
  lane_started_ = false;
  return held;
}

bool SimBackend::lost(int gpu) const {
  const auto at = faults_.lost_at(gpu);
  return at && clock_s_ >= *at;
}

void SimBackend::check_alive(int gpu) const {
  if (!lost(gpu))
    return;
  throw DeviceError(fmt::format("GPU {} fell off the bus (simulated fault gpu{}:lost@{:g}, virtual "
                                "time {:.2f} s): cudaErrorDevicesUnavailable",
                                gpu, gpu, *faults_.lost_at(gpu), clock_s_));
}

double SimBackend::clock_factor(int gpu) const {
  if (!faults_.thermal(gpu))
    return 1;
  return load(gpu).busy_s >= node_.thermal_throttle_after_s ? node_.thermal_factor : 1;
}

double SimBackend::spread_factor(int gpu) const {
  const std::uint64_t h = splitmix64(fnv1a(identity_key(node_)) ^ static_cast<std::uint64_t>(gpu));
  return 1 + node_.gpu_spread * (unit_interval(h) - 0.5);
}

double SimBackend::drift_factor(int gpu) const {
  const double rate = faults_.drift_per_minute();
  if (rate == 0)
    return 1;
  return std::clamp(std::pow(1 + rate, load(gpu).busy_s / 60), 1e-6, 1e6);
}

double SimBackend::noise_cv() const {
  return faults_.noise_cv().value_or(node_.noise_cv);
}

SimBackend::Stream& SimBackend::stream(const Target& target) {
  std::vector<int> gpus = target.gpus;
  std::sort(gpus.begin(), gpus.end());
  gpus.erase(std::unique(gpus.begin(), gpus.end()), gpus.end());
  auto key = std::make_pair(target.scope, std::move(gpus));
  auto it = streams_.find(key);
  if (it == streams_.end()) {
    // Seed, hostname and target, mixed: the streams of one run are independent, and so are the
    // streams of nodes that share a seed but not a hostname (a lot of nodes from one seed).
    std::uint64_t h =
        hash_of(identity_key(node_), seed_, 0x5eed + static_cast<std::uint64_t>(key.first));
    for (int g : key.second)
      h = splitmix64(h ^ splitmix64(static_cast<std::uint64_t>(g) + 1));
    it = streams_.emplace(std::move(key), Stream{std::mt19937_64(h)}).first;
  }
  return it->second;
}

double SimBackend::noise(const Target& target) {
  const double cv = noise_cv();
  if (cv <= 0)
    return 1;
  Stream& s = stream(target);
  // Box-Muller on our own uniform draws: the same seed gives the same run on any libstdc++.
  auto uniform = [&] { return (static_cast<double>(s.rng() >> 11) + 0.5) * 0x1.0p-53; };
  double z = std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform());
  const double rho = faults_.autocorr();
  if (s.started && rho > 0) // AR(1), stationary: N(0, 1) at every step, corr(z_t, z_t-1) = rho
    z = rho * s.z + std::sqrt(1 - rho * rho) * z;
  s.z = z;
  s.started = true;
  const double sigma = std::sqrt(std::log1p(cv * cv)); // lognormal with this CV
  return std::exp(sigma * z);
}

const GpuInfo& SimBackend::gpu_info(int gpu) const {
  static const GpuInfo kNone;
  for (const auto& info : node_.inventory.gpus)
    if (info.index == gpu)
      return info;
  return kNone;
}

std::vector<std::string> SimBackend::fault_tokens(int gpu) const {
  std::vector<std::string> out;
  for (const auto& f : faults_.all()) {
    if (f.gpus.empty() || std::find(f.gpus.begin(), f.gpus.end(), gpu) != f.gpus.end())
      out.push_back(f.token);
  }
  return out;
}

} // namespace gpucert::sim
