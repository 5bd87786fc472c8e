// The collective model (see sim_model.hpp).
#include "harness/backends/sim/models/collective_figures.hpp"

#include "harness/core/error.hpp"

#include <fmt/core.h>

namespace gpucert::coll {

namespace {

double figure(const sim::SimNode& node, const std::string& key) {
  const auto it = node.achievable.find(key);
  if (it == node.achievable.end() || !(it->second > 0))
    throw InputError(fmt::format("simulated node {}: achievable '{}' is missing; the collective "
                                 "model needs it",
                                 node.name, key));
  return it->second;
}

double optional_figure(const sim::SimNode& node, const std::string& key, double fallback) {
  const auto it = node.achievable.find(key);
  return it != node.achievable.end() && it->second > 0 ? it->second : fallback;
}

} // namespace

CollectiveModel model_collective(const sim::SimNode& node, const sim::FaultSet& faults,
                                 const Collective& c, const std::vector<int>& gpus) {
  CollectiveModel m;
  m.latency_s = figure(node, "nccl.latency_us") * 1e-6;
  const double headline = figure(node, "nccl.busbw"); // all_reduce, best algorithm, whole node
  const bool nvls = node.nvls && node.interconnect == "nvswitch";
  const double ring =
      optional_figure(node, "nccl.busbw_ring", nvls ? headline * kRingOverNvls : headline);
  const int n = static_cast<int>(gpus.size());

  if (n <= 1) {
    m.algorithm = "local";
    m.local_gbps = optional_figure(node, "hbm.copy", headline * 2) / 2;
    return m;
  }
  if (c.kind == CollKind::all_reduce && nvls) {
    m.algorithm = "nvls";
    m.base_busbw_gbps = headline;
  } else if (c.kind == CollKind::sendrecv) {
    m.algorithm = "p2p";
    m.base_busbw_gbps = optional_figure(node, "p2p.uni", ring);
  } else {
    m.algorithm = "ring";
    m.base_busbw_gbps = ring;
  }

  // sendrecv uses the neighbour pairs only; the others run several rings/trees in different
  // orders (channels), so one slow pair anywhere bounds the slowest channel.
  auto consider = [&](int a, int b) {
    const double f = faults.nvlink_factor(a, b);
    if (f < m.link_factor) {
      m.link_factor = f;
      m.bottleneck = fmt::format("gpu{}-gpu{} nvlink x{:g}", a, b, f);
    }
  };
  if (c.kind == CollKind::sendrecv) {
    for (int i = 0; i < n; ++i)
      consider(gpus[i], gpus[(i + 1) % n]);
  } else {
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j)
        consider(gpus[i], gpus[j]);
  }
  m.busbw_gbps = m.base_busbw_gbps * m.link_factor;
  return m;
}

double collective_seconds(const CollectiveModel& m, const Collective& c, int nranks, double bytes,
                          bool inplace) {
  if (nranks <= 1) // a local copy (none in place): no link is crossed
    return m.latency_s + (inplace ? 0.0 : bytes / (m.local_gbps * 1e9));
  return m.latency_s + bytes * c.busbw_factor(nranks) / (m.busbw_gbps * 1e9);
}

} // namespace gpucert::coll
