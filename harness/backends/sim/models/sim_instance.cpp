// The shared part of every simulator model (see sim_instance.hpp).
#include "harness/backends/sim/models/sim_instance.hpp"

#include "harness/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::sim {

SimBackend& sim_backend(const BenchmarkContext& ctx) {
  auto* sim = dynamic_cast<SimBackend*>(&ctx.backend);
  if (!sim)
    throw InternalError("a simulator model was asked to run on the " + ctx.backend.name() +
                        " backend");
  return *sim;
}

SimInstance::SimInstance(const BenchmarkContext& ctx, std::string model)
    : sim_(sim_backend(ctx)), params_(ctx.params), target_(ctx.target), model_(std::move(model)) {}

std::optional<double> SimInstance::achievable(const std::string& key) const {
  const auto& a = sim_.node().achievable;
  const auto it = a.find(key);
  if (it == a.end() || !(it->second > 0))
    return std::nullopt;
  return it->second;
}

const std::string& SimInstance::param(const std::string& name) const {
  const auto it = params_.find(name);
  if (it == params_.end())
    throw InternalError(fmt::format("sim/{}: parameter '{}' was not resolved", model_, name));
  return it->second;
}

double SimInstance::param_number(const std::string& name) const {
  const std::string& text = param(name);
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    throw InternalError(
        fmt::format("sim/{}: parameter {}='{}' is not a number", model_, name, text));
  }
}

void SimInstance::setup() {
  for (int g : target_.gpus) {
    sim_.check_alive(g);
    const double need = device_bytes();
    const auto have = sim_.gpu_info(g).memory_total_bytes;
    if (have && need > static_cast<double>(*have))
      throw DeviceError(fmt::format("cudaMalloc on GPU {}: out of memory (simulated): needs "
                                    "{:.1f} GiB, the GPU has {:.1f} GiB",
                                    g, need / (1ull << 30),
                                    static_cast<double>(*have) / (1ull << 30)));
  }
  sim_.advance(setup_seconds());
}

double SimInstance::setup_seconds() {
  const SetupCosts& c = sim_.node().setup;
  double s = c.instance_s + extra_setup_seconds();
  for (int g : target_.gpus)
    if (sim_.first_use(g))
      s += c.context_s;
  // Allocation and random fill of what the real benchmark allocates on each GPU (in parallel).
  const double bytes = device_bytes();
  if (bytes > 0) {
    const double fill_gbps = c.fill_gbps > 0 ? c.fill_gbps : achievable("hbm.write").value_or(0);
    s += c.alloc_s_per_gib * bytes / double(1ull << 30);
    if (fill_gbps > 0)
      s += bytes / (fill_gbps * 1e9);
  }
  // GEMM: every algorithm candidate is timed before sampling (the fastest is kept).
  if (auto it = params_.find("algos"); it != params_.end())
    s += param_number("algos") * c.algo_timing_samples * nominal_seconds();
  return s;
}

double SimInstance::sample() {
  double spread = 2, clock = 1, drift = target_.gpus.empty() ? 1 : 1e9;
  for (int g : target_.gpus) {
    sim_.check_alive(g);
    spread = std::min(spread, sim_.spread_factor(g)); // a pair runs at its slower GPU
    clock = std::min(clock, sim_.clock_factor(g));
    drift = std::min(drift, sim_.drift_factor(g));
  }
  const double sens = clock_sensitivity();
  const double slowdown = 1 - sens + sens * clock;
  const double seconds = nominal_seconds() / (spread * slowdown * drift) * sim_.noise(target_);
  sim_.run_load(target_.gpus, seconds);
  for (int g : target_.gpus)
    sim_.check_alive(g); // fell off the bus while the sample ran
  return seconds;
}

Verification SimInstance::verify() {
  for (int g : target_.gpus)
    sim_.check_alive(g);
  Verification v;
  v.checked = true;
  for (int g : target_.gpus) {
    if (checks_data() && sim_.faults().sdc(g)) {
      v.passed = false;
      v.detail = fmt::format("{} failed on GPU {}: 61 of 4096 sampled elements differ from the "
                             "expected values (simulated silent data corruption, fault gpu{}:sdc)",
                             check_description(), g, g);
      return v;
    }
  }
  v.passed = true;
  v.detail =
      fmt::format("simulated: {} modelled as passing (no data computed)", check_description());
  return v;
}

nlohmann::json SimInstance::evidence() const {
  nlohmann::json faults = nlohmann::json::array();
  for (int g : target_.gpus)
    for (const auto& token : sim_.fault_tokens(g))
      if (std::find(faults.begin(), faults.end(), token) == faults.end())
        faults.push_back(token);
  nlohmann::json clocks = nlohmann::json::object();
  for (int g : target_.gpus)
    clocks[std::to_string(g)] = sim_.clock_factor(g);
  return {{"simulated", true},   {"model", "sim/" + model_},      {"node", sim_.node().name},
          {"factors", factors_}, {"clock_factor_at_end", clocks}, {"faults", faults}};
}

} // namespace gpucert::sim
