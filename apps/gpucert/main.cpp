// gpucert: certifies GPU capacity. The one place where typed errors become exit codes.
#include "gpucert/version.hpp"
#include "harness/cli/commands.hpp"
#include "harness/core/error.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <fmt/core.h>

int main(int argc, char** argv) {
  using gpucert::ExitCode;
  CLI::App app{"gpucert: certify GPU capacity against a contracted SLA profile"};
  app.set_version_flag(
      "--version", fmt::format("gpucert {} ({})", gpucert::kToolVersion, gpucert::kGitRevision));
  app.require_subcommand(1);
  gpucert::cli::Commands cmds;
  gpucert::cli::add_inventory(app, cmds);
  gpucert::cli::add_run(app, cmds);
  gpucert::cli::add_evaluate(app, cmds);
  gpucert::cli::add_report(app, cmds);
  gpucert::cli::add_profile(app, cmds);
  gpucert::cli::add_list(app, cmds);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e); // --help / --version
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return static_cast<int>(ExitCode::bad_input); // every usage error is "bad input"
  }

  try {
    for (const auto& cmd : cmds) {
      if (cmd.app->parsed())
        return static_cast<int>(cmd.action());
    }
    throw gpucert::InternalError("no subcommand action ran");
  } catch (const gpucert::Error& e) {
    fmt::print(stderr, "gpucert: {}\n", e.what());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "gpucert: internal error: {}\n", e.what());
    return static_cast<int>(ExitCode::internal);
  } catch (...) {
    fmt::print(stderr, "gpucert: internal error: unknown exception\n");
    return static_cast<int>(ExitCode::internal);
  }
}
