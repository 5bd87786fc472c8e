// PLACEHOLDER for `gpucert evaluate` until its implementation lands (replace this whole file).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {
void add_evaluate(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("evaluate", "not yet available");
  sub->allow_extras();
  cmds.push_back({sub, []() -> ExitCode { throw InternalError("evaluate: not yet implemented"); }});
}
} // namespace gpucert::cli
