// `gpucert sign`: placeholder until its implementation lands (issue 11).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {

void add_sign(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("sign", "(not yet available)");
  cmds.push_back({sub, []() -> ExitCode { throw InputError("gpucert sign: not yet available"); }});
}

} // namespace gpucert::cli
