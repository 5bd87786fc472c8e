// `gpucert profile validate P...`: checks profiles (and their extends chains); every problem is
// reported as FILE:LINE:COL with the key. Exit 2 when any profile is invalid.
// `gpucert profile list [--json]`: the profiles --profile NAME can find, where, and what they ask.
// `gpucert profile show NAME|PATH`: one profile with its extends chain applied, as YAML.
#include "harness/benchmarks/catalog.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/profile/profile.hpp"
#include "harness/profile/profile_search.hpp"
#include "harness/profile/profile_yaml.hpp"

#include <fmt/core.h>
#include <memory>
#include <nlohmann/json.hpp>

namespace gpucert::cli {

namespace {

void add_extends_from(CLI::App* app, std::vector<std::string>& extends_from) {
  app->add_option("--extends-from", extends_from,
                  "let extends reach files under DIR too (repeatable; by default only the "
                  "profile's own folder)")
      ->type_name("DIR")
      ->allow_extra_args(false);
}

ExitCode validate_action(const std::vector<std::string>& args,
                         const std::vector<std::string>& extends_from) {
  int bad = 0;
  for (const auto& arg : args) {
    try {
      const std::string path = profile::resolve_profile_path(arg);
      const profile::Profile p = profile::load_profile(builtin_registry(), path, extends_from);
      int health = 0;
      for (const auto& c : p.clauses)
        health += c.is_health();
      write_stdout(
          fmt::format("ok  {}: {} ({} tier, {} clauses: {} measured, {} health; sha256 {})\n", path,
                      p.name, profile::to_string(p.tier), p.clauses.size(),
                      p.clauses.size() - health, health, p.sha256));
    } catch (const InputError& e) {
      ++bad;
      fmt::print(stderr, "gpucert: {}\n", e.what());
    }
  }
  if (bad > 0) {
    fmt::print(stderr, "gpucert: {} of {} profiles invalid\n", bad, args.size());
    return ExitCode::bad_input;
  }
  return ExitCode::certified;
}

/// "8 × NVIDIA H100 80GB HBM3": what the profile's match asks of the node, in a few words.
std::string match_summary(const profile::Match& m) {
  std::string s = m.gpu_count ? fmt::format("{} × ", *m.gpu_count) : "";
  s += m.gpu_name ? *m.gpu_name : "any GPU";
  return s;
}

ExitCode list_action(bool json) {
  const auto dirs = profile::profile_search_dirs();
  const auto found = profile::list_profile_files(dirs);
  nlohmann::json out = nlohmann::json::array();
  int bad = 0;
  for (const auto& f : found) {
    nlohmann::json e = {{"name", f.name}, {"path", f.path}, {"origin", f.origin}};
    try {
      const profile::Profile p = profile::load_profile(builtin_registry(), f.path);
      e["profile_name"] = p.name;
      e["description"] = p.description;
      e["tier"] = profile::to_string(p.tier);
      e["match"] = match_summary(p.match);
      e["clauses"] = p.clauses.size();
      e["sha256"] = p.sha256;
    } catch (const InputError& err) {
      ++bad; // listed anyway, so a broken file in a search directory is visible, not hidden
      e["error"] = err.what();
      // Exit 2 names the file, line:col and field on stderr, as for every bad input.
      fmt::print(stderr, "gpucert: {}\n", err.what());
    }
    out.push_back(std::move(e));
  }
  // One checked write: a listing that fails part-way must say why (a full disk), not end well.
  std::string text;
  if (json) {
    nlohmann::json doc = {{"search_path", nlohmann::json::array()}, {"profiles", out}};
    for (const auto& d : dirs)
      doc["search_path"].push_back({{"path", d.path}, {"origin", d.origin}});
    text = doc.dump(2) + "\n";
  } else {
    text =
        fmt::format("{:<32} {:<9} {:<34} {:>7}  {}\n", "NAME", "TIER", "NODE", "CLAUSES", "PATH");
    for (const auto& e : out) {
      if (e.contains("error")) {
        text +=
            fmt::format("{:<32} {:<9} {:<34} {:>7}  {}\n", e["name"].get<std::string>(), "-",
                        "INVALID (gpucert profile validate)", "-", e["path"].get<std::string>());
        continue;
      }
      text += fmt::format("{:<32} {:<9} {:<34} {:>7}  {}\n", e["name"].get<std::string>(),
                          e["tier"].get<std::string>(), e["match"].get<std::string>(),
                          e["clauses"].get<std::size_t>(), e["path"].get<std::string>());
    }
    if (out.empty())
      fmt::print(stderr, "gpucert: no profiles found\n");
    // Where it looked is part of the listing (stdout), not a diagnostic.
    std::string searched;
    for (const auto& d : dirs)
      searched += (searched.empty() ? "" : ", ") + d.path;
    text +=
        fmt::format("\nsearched (first match wins): {}\n", searched.empty() ? "nothing" : searched);
  }
  write_stdout(text);
  return bad > 0 ? ExitCode::bad_input : ExitCode::certified;
}

ExitCode show_action(const std::string& arg) {
  const std::string path = profile::resolve_profile_path(arg);
  const profile::Profile p = profile::load_profile(builtin_registry(), path);
  // Comments only, so the output is itself a valid profile with the same clauses. Written
  // through write_stdout, which keeps errno of a failed write (a full disk says so).
  std::string out = fmt::format("# {}\n# sha256 {}\n", path, p.sha256);
  if (p.files.size() > 1)
    for (const auto& f : p.files)
      out += fmt::format("#   from {} (sha256 {})\n", f.path, f.sha256);
  write_stdout(out + profile::to_yaml(p));
  return ExitCode::certified;
}

} // namespace

void add_profile_options(CLI::App* app, std::string& profile,
                         std::vector<std::string>& extends_from) {
  app->add_option("--profile", profile,
                  "SLA profile: a file, or the name of a shipped one (gpucert profile list)")
      ->required()
      ->type_name("P");
  add_extends_from(app, extends_from);
}

void add_profile(CLI::App& app, Commands& cmds) {
  auto extends_from = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand("profile", "work with SLA profiles");
  sub->require_subcommand(1);

  auto paths = std::make_shared<std::vector<std::string>>();
  auto* validate =
      sub->add_subcommand("validate", "check profiles: schema, metrics, parameters, values");
  validate->add_option("profiles", *paths, "profile files or names")->required()->type_name("P");
  add_extends_from(validate, *extends_from);
  cmds.push_back(
      {validate, [paths, extends_from]() { return validate_action(*paths, *extends_from); }});

  auto json = std::make_shared<bool>(false);
  auto* list = sub->add_subcommand(
      "list", "profiles that --profile NAME finds: $GPUCERT_PROFILE_PATH, then the installed ones");
  list->add_flag("--json", *json, "as JSON");
  cmds.push_back({list, [json]() { return list_action(*json); }});

  auto target = std::make_shared<std::string>();
  auto* show =
      sub->add_subcommand("show", "print a profile with its extends chain applied, and its sha256");
  show->add_option("profile", *target, "profile name or file")->required()->type_name("NAME|PATH");
  cmds.push_back({show, [target]() { return show_action(*target); }});
}

} // namespace gpucert::cli
