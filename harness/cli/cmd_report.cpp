// PLACEHOLDER for `gpucert report` until its implementation lands (replace this whole file).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {
void add_report(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("report", "not yet available");
  sub->allow_extras();
  cmds.push_back({sub, []() -> ExitCode { throw InternalError("report: not yet implemented"); }});
}
} // namespace gpucert::cli
