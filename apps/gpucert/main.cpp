// gpucert: certifies GPU capacity. The one place where typed errors become exit codes.
#include "gpucert/version.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/core/error.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <fmt/core.h>
#include <sstream>
#include <string_view>

namespace {

/// Every exit goes through here, after writing `out` (help, version) to stdout. A command whose
/// output did not arrive did not succeed: exit 3 with one line on stderr, even when its verdict
/// was 0, 1 or 5. An error exit keeps its code and its one message. (A closed pipe with SIGPIPE at
/// its default ends the process quietly before this, as it does any Unix tool: `gpucert list | head
/// -1`.)
int finish(gpucert::ExitCode code, std::string_view out = {}) {
  using gpucert::ExitCode;
  const bool verdict = code == ExitCode::certified || code == ExitCode::not_certified ||
                       code == ExitCode::inconclusive;
  if (!verdict) {
    std::fflush(stdout);
    return static_cast<int>(code);
  }
  try {
    gpucert::cli::write_stdout(out);
    gpucert::cli::flush_stdout();
  } catch (const gpucert::Error& e) {
    fmt::print(stderr, "gpucert: {}\n", e.what());
    return static_cast<int>(e.code());
  }
  return static_cast<int>(code);
}

} // namespace

int main(int argc, char** argv) {
  using gpucert::ExitCode;
  CLI::App app{"gpucert: certify GPU capacity against a contracted SLA profile"};
  app.set_version_flag(
      "--version", fmt::format("gpucert {} ({})", gpucert::kToolVersion, gpucert::kGitRevision));
  app.require_subcommand(1);
  gpucert::cli::Commands cmds;
  gpucert::cli::add_inventory(app, cmds);
  gpucert::cli::add_run(app, cmds);
  gpucert::cli::add_plan(app, cmds);
  gpucert::cli::add_evaluate(app, cmds);
  gpucert::cli::add_report(app, cmds);
  gpucert::cli::add_profile(app, cmds);
  gpucert::cli::add_list(app, cmds);
  gpucert::cli::add_key(app, cmds);
  gpucert::cli::add_sign(app, cmds);
  gpucert::cli::add_verify(app, cmds);
  gpucert::cli::add_spot_check(app, cmds);
  gpucert::cli::add_compare(app, cmds);
  gpucert::cli::add_fleet(app, cmds);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    std::ostringstream text; // through the checked writer: a lost --help is exit 3 too
    app.exit(e, text);       // --help / --version
    return finish(ExitCode::certified, text.str());
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return finish(ExitCode::bad_input); // every usage error is "bad input"
  }

  try {
    for (const auto& cmd : cmds) {
      if (cmd.app->parsed())
        return finish(cmd.action());
    }
    throw gpucert::InternalError("no subcommand action ran");
  } catch (const gpucert::Error& e) {
    fmt::print(stderr, "gpucert: {}\n", e.what());
    return finish(e.code());
  } catch (const std::exception& e) {
    if (std::ferror(stdout)) // a failed write to stdout, not a bug of ours: say so, exit 3
      return finish(ExitCode::certified);
    fmt::print(stderr, "gpucert: internal error: {}\n", e.what());
    return finish(ExitCode::internal);
  } catch (...) {
    fmt::print(stderr, "gpucert: internal error: unknown exception\n");
    return finish(ExitCode::internal);
  }
}
