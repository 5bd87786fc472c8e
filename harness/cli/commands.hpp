// Subcommands of `gpucert`. Each file cmd_<name>.cpp adds one subcommand and its action; main
// parses, runs the chosen action and converts typed errors to exit codes in one place.
#pragma once

#include "harness/backends/make_backend.hpp"
#include "harness/core/error.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gpucert::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<ExitCode()> action;
};
using Commands = std::vector<Command>;

using backends::make_backend;
using backends::NodeOptions;
using backends::parse_gpu_list;
/// --simulate, --fault and (with_gpus) --gpus.
void add_node_options(CLI::App* app, NodeOptions& opts, bool with_gpus = true);
/// --profile (a file or a shipped profile's name; required) and --extends-from DIR...
void add_profile_options(CLI::App* app, std::string& profile,
                         std::vector<std::string>& extends_from);

void add_inventory(CLI::App& app, Commands& cmds);
void add_run(CLI::App& app, Commands& cmds);
void add_plan(CLI::App& app, Commands& cmds);
void add_evaluate(CLI::App& app, Commands& cmds);
void add_report(CLI::App& app, Commands& cmds);
void add_profile(CLI::App& app, Commands& cmds);
void add_list(CLI::App& app, Commands& cmds);
void add_key(CLI::App& app, Commands& cmds);
void add_sign(CLI::App& app, Commands& cmds);
void add_verify(CLI::App& app, Commands& cmds);
void add_spot_check(CLI::App& app, Commands& cmds);
void add_compare(CLI::App& app, Commands& cmds);
void add_fleet(CLI::App& app, Commands& cmds);

} // namespace gpucert::cli
