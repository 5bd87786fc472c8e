// Rounds: one experiment on disjoint targets at once (see schedule.hpp).
#include "harness/certify/schedule.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <map>
#include <set>

namespace gpucert::certify {

std::vector<std::vector<std::pair<int, int>>> pair_rounds(const std::vector<int>& gpus) {
  std::vector<int> ring = gpus;
  std::sort(ring.begin(), ring.end());
  ring.erase(std::unique(ring.begin(), ring.end()), ring.end());
  constexpr int kBye = -1; // an odd count gets a placeholder: its partner sits the round out
  if (ring.size() % 2 == 1)
    ring.push_back(kBye);
  const std::size_t n = ring.size();
  std::vector<std::vector<std::pair<int, int>>> rounds;
  if (n < 2)
    return rounds;
  // Circle method: the first GPU stays, the others turn one place per round; the arrangement is
  // folded in half and opposite places pair up, so every pair meets exactly once.
  for (std::size_t r = 0; r + 1 < n; ++r) {
    std::vector<int> at(n);
    at[0] = ring[0];
    for (std::size_t i = 1; i < n; ++i)
      at[i] = ring[1 + (i - 1 + r) % (n - 1)];
    std::vector<std::pair<int, int>> round;
    for (std::size_t i = 0; i < n / 2; ++i) {
      const int a = at[i], b = at[n - 1 - i];
      if (a != kBye && b != kBye)
        round.emplace_back(std::min(a, b), std::max(a, b));
    }
    std::sort(round.begin(), round.end());
    if (!round.empty()) // one GPU and its placeholder: nothing to pair
      rounds.push_back(std::move(round));
  }
  return rounds;
}

namespace {

std::string experiment_name(const PlannedMeasurement& p) {
  return p.clauses.empty() ? p.def->name : p.clauses.front().id;
}

/// Same experiment: the same benchmark, parameters and concurrency (so the same clauses).
bool same_experiment(const PlannedMeasurement& a, const PlannedMeasurement& b) {
  return a.def == b.def && a.params == b.params && a.concurrency == b.concurrency &&
         a.target.scope == b.target.scope;
}

Round alone(const std::vector<PlannedMeasurement>& planned, std::size_t i) {
  const PlannedMeasurement& p = planned[i];
  return {{i},
          fmt::format("{} {}{}", experiment_name(p), p.target.label(),
                      p.concurrency == Concurrency::one ? " alone" : "")};
}

} // namespace

std::vector<Round> schedule(const std::vector<PlannedMeasurement>& planned) {
  std::vector<Round> out;
  std::vector<bool> placed(planned.size(), false);
  for (std::size_t i = 0; i < planned.size(); ++i) {
    if (placed[i])
      continue;
    const PlannedMeasurement& p = planned[i];
    if (p.concurrency == Concurrency::one || p.target.scope == Scope::node) {
      placed[i] = true;
      out.push_back(alone(planned, i));
      continue;
    }
    std::vector<std::size_t> group; // this experiment's measurements, in plan order
    for (std::size_t j = i; j < planned.size(); ++j)
      if (!placed[j] && same_experiment(p, planned[j]))
        group.push_back(j);
    for (std::size_t j : group)
      placed[j] = true;
    if (p.target.scope == Scope::gpu) {
      out.push_back({group, fmt::format("{} ({} GPU{} at once)", experiment_name(p), group.size(),
                                        group.size() == 1 ? "" : "s")});
      continue;
    }
    // GPU pairs: rounds of disjoint pairs over the GPUs this experiment's pairs name.
    std::set<int> gpus;
    std::map<std::pair<int, int>, std::size_t> by_pair;
    for (std::size_t j : group) {
      const auto& g = planned[j].target.gpus;
      gpus.insert(g.begin(), g.end());
      by_pair[{std::min(g[0], g[1]), std::max(g[0], g[1])}] = j;
    }
    const auto rounds = pair_rounds({gpus.begin(), gpus.end()});
    for (std::size_t r = 0; r < rounds.size(); ++r) {
      Round round;
      for (const auto& pair : rounds[r])
        if (auto it = by_pair.find(pair); it != by_pair.end()) {
          round.lanes.push_back(it->second);
          by_pair.erase(it);
        }
      if (round.lanes.empty())
        continue;
      round.label =
          fmt::format("{} (round {} of {}: {} pair{} at once)", experiment_name(p), r + 1,
                      rounds.size(), round.lanes.size(), round.lanes.size() == 1 ? "" : "s");
      out.push_back(std::move(round));
    }
  }
  return out;
}

} // namespace gpucert::certify
