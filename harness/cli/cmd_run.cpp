// PLACEHOLDER for `gpucert run` until its implementation lands (replace this whole file).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {
void add_run(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("run", "not yet available");
  sub->allow_extras();
  cmds.push_back({sub, []() -> ExitCode { throw InternalError("run: not yet implemented"); }});
}
} // namespace gpucert::cli
