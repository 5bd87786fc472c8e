// estimate_time(): the real run path on a simulated node, then the rounds' wall times read back
// from the measurements' phase_seconds.
#include "harness/certify/time_estimate.hpp"

#include "harness/certify/certify_run.hpp"
#include "harness/certify/plan.hpp"
#include "harness/certify/schedule.hpp"
#include "harness/core/error.hpp"

#include <cmath>
#include <fmt/core.h>

namespace gpucert::certify {

std::string duration_text(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  if (s < 60)
    return fmt::format("{} s", s);
  if (s < 3600)
    return fmt::format("{} min {:02d} s", s / 60, static_cast<int>(s % 60));
  return fmt::format("{} h {:02d} min", s / 3600, static_cast<int>((s % 3600) / 60));
}

nlohmann::json TimeEstimate::to_json() const {
  nlohmann::json rs = nlohmann::json::array();
  for (const auto& r : rounds)
    rs.push_back({{"label", r.label},
                  {"lanes", r.lanes},
                  {"budget_s", r.budget_s},
                  {"estimate_s", r.estimate_s},
                  {"phases", r.phases}});
  return {{"profile", profile},
          {"tier", tier},
          {"node", node},
          {"gpus", gpus},
          {"measurements", measurements},
          {"estimate_s", estimate_s},
          {"budget_s", budget_s},
          {"phases", phases},
          {"rounds", rs}};
}

TimeEstimate estimate_time(const Registry& registry, const profile::Profile& profile, Backend& sim,
                           const std::string& node_name) {
  if (!sim.simulated())
    throw InternalError("estimate_time: needs a simulated node");
  const std::vector<int> gpus = sim.gpus();
  const std::vector<PlannedMeasurement> planned = plan(registry, profile, gpus);
  const std::vector<Round> rounds = schedule(planned);
  const RunOutput run = run_certification(registry, profile, sim, RunOptions{});

  TimeEstimate e;
  e.profile = profile.name;
  e.tier = profile::to_string(profile.tier);
  e.node = node_name;
  e.gpus = static_cast<int>(gpus.size());
  e.measurements = static_cast<int>(planned.size());
  // run_certification appends each round's lanes in order: read them back round by round.
  std::size_t next = 0;
  const auto& ms = run.results.measurements;
  for (const Round& round : rounds) {
    RoundEstimate re;
    re.label = round.label;
    re.lanes = static_cast<int>(round.lanes.size());
    for (std::size_t k = 0; k < round.lanes.size() && next < ms.size(); ++k, ++next) {
      // The budget bounds warm-up and samples; set-up comes on top of it.
      const auto setup = ms[next].phase_seconds.find("setup");
      re.budget_s =
          std::max(re.budget_s, planned[round.lanes[k]].policy.max_seconds +
                                    (setup == ms[next].phase_seconds.end() ? 0.0 : setup->second));
      double total = 0;
      std::map<std::string, double> phases;
      for (const auto& [phase, s] : ms[next].phase_seconds)
        if (phase != "hold") {
          total += s;
          phases[phase] = s;
        }
      if (total >= re.estimate_s) {
        re.estimate_s = total;
        re.phases = phases;
      }
    }
    e.estimate_s += re.estimate_s;
    e.budget_s += re.budget_s;
    for (const auto& [phase, s] : re.phases)
      e.phases[phase] += s;
    e.rounds.push_back(std::move(re));
  }
  return e;
}

} // namespace gpucert::certify
