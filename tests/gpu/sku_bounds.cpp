// Bounds on measured figures from the node files (see sku_bounds.hpp for the factors).
#include "tests/gpu/sku_bounds.hpp"

#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/models/collective_figures.hpp"
#include "harness/core/error.hpp"

#include <algorithm>
#include <fmt/core.h>

namespace gpucert::gputest {

namespace {

std::optional<double> figure(const std::map<std::string, double>& table, const std::string& key) {
  const auto it = table.find(key);
  if (it == table.end() || !(it->second > 0))
    return std::nullopt;
  return it->second;
}

bool figures(const sim::SimNode& node, const std::string& key, double* achievable, double* peak,
             std::string* why) {
  const auto a = figure(node.achievable, key), p = figure(node.peak, key);
  if (!a || !p) {
    if (why != nullptr)
      *why = fmt::format("node file {} has no {} figure for '{}'", node.name,
                         !a ? "achievable" : "peak", key);
    return false;
  }
  *achievable = *a;
  *peak = *p;
  return true;
}

} // namespace

Sku sku_for(const std::string& gpu_name, int gpu_count) {
  Sku s;
  s.gpu_name = gpu_name;
  s.node = sim::builtin_node_for_gpu(gpu_name, gpu_count);
  if (!s.node)
    s.skip_reason = fmt::format("no SKU entry for {} in the node files "
                                "(harness/backends/sim/nodes/*.yaml); number checks skipped",
                                gpu_name);
  return s;
}

std::optional<Bounds> throughput_bounds(const sim::SimNode& node, const std::string& key,
                                        const std::string& unit, bool reference, std::string* why) {
  double achievable = 0, peak = 0;
  if (!figures(node, key, &achievable, &peak, why))
    return std::nullopt;
  Bounds b;
  b.unit = unit;
  b.hi = kCeilingOfPeak * peak;
  b.lo = reference ? kFloorOfAchievable * achievable : 0.0;
  b.low_means = "a broken or mis-tuned kernel, or less work done than counted";
  b.high_means = "a timing or counting bug: a missing synchronisation, work counted that was not "
                 "done";
  b.basis =
      reference
          ? fmt::format("[{:g} x achievable {:g}, {:g} x peak {:g}] {} for {} in node file {}",
                        kFloorOfAchievable, achievable, kCeilingOfPeak, peak, unit, key, node.name)
          : fmt::format("ceiling {:g} x peak {:g} {} for {} in node file {} (no floor away "
                        "from the figure's reference configuration)",
                        kCeilingOfPeak, peak, unit, key, node.name);
  return b;
}

std::optional<Bounds> latency_bounds(const sim::SimNode& node, const std::string& key,
                                     std::string* why) {
  double achievable = 0, best = 0;
  if (!figures(node, key, &achievable, &best, why))
    return std::nullopt;
  Bounds b;
  b.unit = "us";
  b.lo = kLatencyFloorOfBest * best;
  b.hi = kLatencyCeilingOfAchievable * achievable;
  b.low_means = "launches not waited for, or fewer launched than counted";
  b.high_means = "a synchronisation or host round trip per launch";
  b.basis = fmt::format("[{:g} x best measured {:g}, {:g} x achievable {:g}] us for {} in node "
                        "file {}",
                        kLatencyFloorOfBest, best, kLatencyCeilingOfAchievable, achievable, key,
                        node.name);
  return b;
}

std::optional<Bounds> busbw_bounds(const sim::SimNode& node, const coll::Collective& c, int nranks,
                                   std::string* why) {
  auto fail = [&](std::string reason) -> std::optional<Bounds> {
    if (why != nullptr)
      *why = std::move(reason);
    return std::nullopt;
  };
  if (nranks < 2)
    return fail(fmt::format("{} on one rank: busbw is 0 by definition", c.name));
  const std::string wire_key = c.kind == coll::CollKind::sendrecv ? "p2p.uni" : "nccl.busbw";
  const auto wire = figure(node.peak, wire_key);
  if (!wire)
    return fail(fmt::format("node file {} has no peak figure for '{}'", node.name, wire_key));
  std::vector<int> gpus;
  for (int i = 0; i < nranks; ++i)
    gpus.push_back(i);
  coll::CollectiveModel m;
  try {
    m = coll::model_collective(node, sim::FaultSet{}, c, gpus);
  } catch (const InputError& e) {
    return fail(e.what());
  }
  double base = m.base_busbw_gbps;
  std::string algorithm = m.algorithm;
  if (m.algorithm == "nvls" && nranks != node.gpu_count) {
    // The ring figure, as the model gives it for a collective that never uses NVLS here.
    base =
        coll::model_collective(node, sim::FaultSet{}, coll::collective_by_name("all_gather"), gpus)
            .base_busbw_gbps;
    algorithm = fmt::format("ring ({} ranks, not the node file's {}: NCCL may not choose NVLS)",
                            nranks, node.gpu_count);
  }
  const bool through_switch =
      c.kind == coll::CollKind::all_reduce && node.nvls && node.interconnect == "nvswitch";
  Bounds b;
  b.unit = "GB/s";
  b.lo = kFloorOfAchievable * base;
  b.hi = kCeilingOfPeak * *wire * (through_switch ? c.busbw_factor(nranks) : 1.0);
  b.basis = fmt::format("[{:g} x the simulator's {} figure {:g}, {:g} x wire speed {:g}{}] GB/s "
                        "busbw for {} x{} in node file {}",
                        kFloorOfAchievable, algorithm, base, kCeilingOfPeak, *wire,
                        through_switch ? fmt::format(" x 2(n-1)/n = {:g}", c.busbw_factor(nranks))
                                       : std::string(),
                        c.name, nranks, node.name);
  b.low_means = "a collective slower than its algorithm allows, or fewer bytes moved than counted";
  b.high_means = "a timing bug (events not around the collectives) or a wrong busbw factor";
  return b;
}

::testing::AssertionResult within(double value, const Bounds& b) {
  if (value >= b.lo && value <= b.hi)
    return ::testing::AssertionSuccess();
  const bool high = value > b.hi;
  return ::testing::AssertionFailure()
         << fmt::format("{:.4g} {} is {} ({}); bounds [{:.4g}, {:.4g}] {} = {}", value, b.unit,
                        high ? "above the ceiling" : "below the floor",
                        high ? b.high_means : b.low_means, b.lo, b.hi, b.unit, b.basis);
}

const std::vector<std::string>& check_figures() {
  static const std::vector<std::string> figures = {"gemm.bf16", "gemm.fp8", "hbm.copy", "pcie.h2d",
                                                   "pcie.d2h"};
  return figures;
}

std::optional<double> acceptance_floor(const sim::SimNode& node, const std::string& key) {
  return figure(node.acceptance, key);
}

nlohmann::json sku_json(const Sku& s) {
  nlohmann::json out = {{"schema", "gpucert/sku/v1"}, {"card", s.gpu_name}};
  if (!s.node) {
    out["node"] = nullptr;
    out["why"] = s.skip_reason;
    return out;
  }
  const sim::SimNode& node = *s.node;
  out["node"] = node.name;
  out["node_file"] = fmt::format("harness/backends/sim/nodes/{}.yaml", node.name);
  out["description"] = node.description;
  out["gpu_count"] = node.gpu_count;
  nlohmann::json figs = nlohmann::json::object();
  for (const auto& key : check_figures()) {
    std::string why;
    const auto b = throughput_bounds(node, key, "", true, &why);
    if (!b)
      throw InternalError(why); // parse_node requires every figure of every node file
    const auto floor = acceptance_floor(node, key);
    figs[key] = {{"peak", node.peak.at(key)},
                 {"achievable", node.achievable.at(key)},
                 {"tier_floor", b->lo},
                 {"tier_ceiling", b->hi},
                 {"acceptance", floor ? nlohmann::json(*floor) : nlohmann::json(nullptr)}};
  }
  // A key outside the check's figures would be a floor nobody checks: name it, and the check
  // refuses it (ci/gpu_check_table.py), as the tier's SKU test does.
  nlohmann::json unchecked = nlohmann::json::array();
  for (const auto& [key, _] : node.acceptance)
    if (std::find(check_figures().begin(), check_figures().end(), key) == check_figures().end())
      unchecked.push_back(key);
  out["figures"] = figs;
  out["acceptance_unchecked"] = unchecked;
  return out;
}

} // namespace gpucert::gputest
