// `gpucert spot-check`: placeholder until its implementation lands (issue 11).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {

void add_spot_check(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("spot-check", "(not yet available)");
  cmds.push_back({sub, []() -> ExitCode { throw InputError("gpucert spot-check: not yet available"); }});
}

} // namespace gpucert::cli
