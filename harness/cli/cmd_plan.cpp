// `gpucert plan --profile P [--simulate NODE] [--gpus LIST] [--format text|json]`: the schedule
// of a certification (which measurements run at once, in which rounds) and the wall time it is
// estimated to take on the node, from the node file's time model (a run on the simulated node).
// Without --simulate the node is this machine's card looked up in the table of SKUs, else the
// profile's match.gpu_name. Measures nothing on a GPU.
#include "harness/backends/sim/sim_node.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/certify/time_estimate.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/profile/node_fit.hpp"
#include "harness/profile/profile.hpp"
#include "harness/profile/profile_search.hpp"

#include <fmt/core.h>
#include <memory>

namespace gpucert::cli {

namespace {

struct PlanArgs {
  std::string profile;
  std::vector<std::string> extends_from;
  NodeOptions node;
  std::string format = "text";
};

/// The node file that models this machine's card, or the profile's; what was looked up, in
/// `why`, for the error when neither is in the table.
std::string node_for(const profile::Profile& prof, std::string& why) {
  try {
    NodeOptions real;
    const Inventory inv = make_backend(real)->inventory();
    if (!inv.gpus.empty() && inv.gpus.front().name) {
      const std::string card = *inv.gpus.front().name;
      if (auto n = sim::builtin_node_for_gpu(card, static_cast<int>(inv.gpus.size())))
        return n->name;
      why = fmt::format("this machine's card '{}' is not in the table of SKUs", card);
    }
  } catch (const std::exception& e) {
    why = fmt::format("no GPU here ({})", e.what());
  }
  if (prof.match.gpu_name) {
    if (auto n = sim::builtin_node_for_gpu(*prof.match.gpu_name, prof.match.gpu_count.value_or(0)))
      return n->name;
    why += fmt::format("; the profile's match.gpu_name '{}' is not either", *prof.match.gpu_name);
  } else {
    why += "; the profile names no match.gpu_name";
  }
  return {};
}

std::string render_text(const certify::TimeEstimate& e) {
  std::string out =
      fmt::format("Plan: profile '{}' (tier {}) on {} ({} GPU{}), timed on the node file's model\n",
                  e.profile, e.tier, e.node, e.gpus, e.gpus == 1 ? "" : "s");
  std::size_t width = 5;
  for (const auto& r : e.rounds)
    width = std::max(width, r.label.size());
  out += fmt::format("{:>4}  {:<{}}  {:>5}  {:>10}  {:>10}\n", "#", "round", width, "lanes",
                     "estimate", "budget");
  for (std::size_t i = 0; i < e.rounds.size(); ++i) {
    const auto& r = e.rounds[i];
    out += fmt::format("{:>4}  {:<{}}  {:>5}  {:>8.1f} s  {:>8.1f} s\n", i + 1, r.label, width,
                       r.lanes, r.estimate_s, r.budget_s);
  }
  std::string phases;
  for (const char* p : {"setup", "warmup", "sampling", "verify"})
    if (auto it = e.phases.find(p); it != e.phases.end())
      phases +=
          fmt::format("{}{} {}", phases.empty() ? "" : ", ", p, certify::duration_text(it->second));
  out += fmt::format("Estimated wall time: {} ({}) for {} measurements in {} rounds; if every "
                     "round ran to its time budget: about {}.\n",
                     certify::duration_text(e.estimate_s), phases, e.measurements, e.rounds.size(),
                     certify::duration_text(e.budget_s));
  return out;
}

ExitCode plan_action(const PlanArgs& a) {
  const profile::Profile prof = profile::load_profile(
      builtin_registry(), profile::resolve_profile_path(a.profile), a.extends_from);
  NodeOptions node = a.node;
  if (node.simulate.empty()) {
    std::string why;
    node.simulate = node_for(prof, why);
    if (node.simulate.empty())
      throw InputError(fmt::format("no time model for this node: {}. Name one with --simulate "
                                   "NODE ({})",
                                   why, backends::node_names()));
  }
  if (node.seed.empty())
    node.seed = "1"; // the estimate is the same on every call
  std::unique_ptr<Backend> sim = make_backend(node);
  profile::check_node_fit(builtin_registry(), prof, sim->inventory());
  const certify::TimeEstimate e =
      certify::estimate_time(builtin_registry(), prof, *sim, node.simulate);
  write_stdout(a.format == "json" ? e.to_json().dump(2) + "\n" : render_text(e));
  return ExitCode::certified; // 0: the plan was made
}

} // namespace

void add_plan(CLI::App& app, Commands& cmds) {
  auto args = std::make_shared<PlanArgs>();
  auto* sub = app.add_subcommand(
      "plan", "print a profile's schedule (what runs at once) and the estimated time to certify "
              "the node, from a run on its simulated node (seed 1 unless --seed); measures "
              "nothing");
  add_profile_options(sub, args->profile, args->extends_from);
  add_node_options(sub, args->node);
  sub->add_option("--format", args->format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmds.push_back({sub, [args]() { return plan_action(*args); }});
}

} // namespace gpucert::cli
