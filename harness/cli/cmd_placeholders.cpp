// TEMPORARY scaffolding while the commands are being written; each add_* moves to its own
// cmd_<name>.cpp and this file is deleted.
#include "harness/cli/commands.hpp"

namespace gpucert::cli {
namespace {
void placeholder(CLI::App& app, Commands& cmds, const char* name) {
  auto* sub = app.add_subcommand(name, "not yet available");
  sub->allow_extras();
  cmds.push_back({sub, [name]() -> ExitCode {
                    throw InternalError(std::string(name) + ": not yet implemented");
                  }});
}
} // namespace
void add_inventory(CLI::App& app, Commands& cmds) { placeholder(app, cmds, "inventory"); }
void add_run(CLI::App& app, Commands& cmds) { placeholder(app, cmds, "run"); }
void add_evaluate(CLI::App& app, Commands& cmds) { placeholder(app, cmds, "evaluate"); }
void add_report(CLI::App& app, Commands& cmds) { placeholder(app, cmds, "report"); }
void add_profile(CLI::App& app, Commands& cmds) { placeholder(app, cmds, "profile"); }
void add_list(CLI::App& app, Commands& cmds) { placeholder(app, cmds, "list"); }
} // namespace gpucert::cli
