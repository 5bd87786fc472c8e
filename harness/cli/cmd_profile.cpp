// `gpucert profile validate P...`: checks profiles (and their extends chains); every problem is
// reported as FILE:LINE:COL with the key. Exit 2 when any profile is invalid.
#include "harness/cli/commands.hpp"
#include "harness/profile/profile.hpp"

#include <fmt/core.h>
#include <memory>

namespace gpucert::cli {

namespace {

ExitCode validate_action(const std::vector<std::string>& paths,
                         const std::vector<std::string>& extends_from) {
  int bad = 0;
  for (const auto& path : paths) {
    try {
      const profile::Profile p = profile::load_profile(path, extends_from);
      int health = 0;
      for (const auto& c : p.clauses)
        health += c.is_health();
      fmt::print("ok  {}: {} ({} tier, {} clauses: {} measured, {} health; sha256 {})\n", path,
                 p.name, profile::to_string(p.tier), p.clauses.size(), p.clauses.size() - health,
                 health, p.sha256);
    } catch (const InputError& e) {
      ++bad;
      fmt::print(stderr, "gpucert: {}\n", e.what());
    }
  }
  if (bad > 0) {
    fmt::print(stderr, "gpucert: {} of {} profiles invalid\n", bad, paths.size());
    return ExitCode::bad_input;
  }
  return ExitCode::certified;
}

} // namespace

void add_profile(CLI::App& app, Commands& cmds) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto extends_from = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand("profile", "work with SLA profiles");
  sub->require_subcommand(1);
  auto* validate =
      sub->add_subcommand("validate", "check profiles: schema, metrics, parameters, values");
  validate->add_option("profiles", *paths, "profile files")->required()->type_name("P");
  validate
      ->add_option("--extends-from", *extends_from,
                   "let extends reach files under DIR too (repeatable; by default only the "
                   "profile's own folder)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  cmds.push_back(
      {validate, [paths, extends_from]() { return validate_action(*paths, *extends_from); }});
}

} // namespace gpucert::cli
