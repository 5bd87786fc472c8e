// `gpucert verify`: placeholder until its implementation lands (issue 11).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {

void add_verify(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("verify", "(not yet available)");
  cmds.push_back({sub, []() -> ExitCode { throw InputError("gpucert verify: not yet available"); }});
}

} // namespace gpucert::cli
