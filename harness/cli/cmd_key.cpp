// `gpucert key`: placeholder until its implementation lands (issue 11).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {

void add_key(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("key", "(not yet available)");
  cmds.push_back({sub, []() -> ExitCode { throw InputError("gpucert key: not yet available"); }});
}

} // namespace gpucert::cli
