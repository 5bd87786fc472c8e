// Time to certify: the schedule of a profile on a node and the wall time each round takes. The
// estimate is a run of the profile on the node's simulator (a healthy node, a fixed seed), whose
// virtual clock charges what the node file's time model says set-up, warm-up and samples cost,
// with every round's lanes at once. Real runs record the same phases (phase_seconds), so the
// model can be held against a GPU.
#pragma once

#include "harness/measure/backend.hpp"
#include "harness/profile/profile.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::certify {

struct RoundEstimate {
  std::string label;
  int lanes = 0;
  double budget_s = 0;   ///< the longest lane's time budget plus its set-up: what it may take
  double estimate_s = 0; ///< the longest lane's simulated wall time (set-up to verification)
  std::map<std::string, double> phases; ///< that lane's phase_seconds (hold excluded)
};

struct TimeEstimate {
  std::string profile, tier, node;
  int gpus = 0, measurements = 0;
  std::vector<RoundEstimate> rounds;
  double estimate_s = 0, budget_s = 0;
  std::map<std::string, double> phases; ///< summed over rounds (each round's longest lane)
  nlohmann::json to_json() const;
};

/// Runs `profile` on `sim` (a simulated backend; InternalError otherwise) and times its rounds.
TimeEstimate estimate_time(const Registry& registry, const profile::Profile& profile, Backend& sim,
                           const std::string& node_name);

/// "45 s", "4 min 12 s", "1 h 02 min".
std::string duration_text(double seconds);

} // namespace gpucert::certify
