// PLACEHOLDER for `gpucert profile` until its implementation lands (replace this whole file).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {
void add_profile(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("profile", "not yet available");
  sub->allow_extras();
  cmds.push_back({sub, []() -> ExitCode { throw InternalError("profile: not yet implemented"); }});
}
} // namespace gpucert::cli
