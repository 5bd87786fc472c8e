// PLACEHOLDER for `gpucert list` until its implementation lands (replace this whole file).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {
void add_list(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("list", "not yet available");
  sub->allow_extras();
  cmds.push_back({sub, []() -> ExitCode { throw InternalError("list: not yet implemented"); }});
}
} // namespace gpucert::cli
