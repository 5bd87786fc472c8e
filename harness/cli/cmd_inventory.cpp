// PLACEHOLDER for `gpucert inventory` until its implementation lands (replace this whole file).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {
void add_inventory(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("inventory", "not yet available");
  sub->allow_extras();
  cmds.push_back({sub, []() -> ExitCode { throw InternalError("inventory: not yet implemented"); }});
}
} // namespace gpucert::cli
