// `gpucert compare`: placeholder until its implementation lands (issue 11).
#include "harness/cli/commands.hpp"

namespace gpucert::cli {

void add_compare(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("compare", "(not yet available)");
  cmds.push_back({sub, []() -> ExitCode { throw InputError("gpucert compare: not yet available"); }});
}

} // namespace gpucert::cli
