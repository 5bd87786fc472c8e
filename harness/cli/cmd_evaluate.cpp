// `gpucert evaluate --profile P RESULTS.json [--out DIR]`: re-applies a profile (any profile: a
// buyer's contract, a stricter tier) to stored raw results. Same inputs, same verdicts.
#include "harness/benchmarks/catalog.hpp"
#include "harness/certify/atomic_file.hpp"
#include "harness/cli/cli_files.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/out_dir.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/core/json_input.hpp"
#include "harness/evaluate/evaluate.hpp"
#include "harness/profile/profile.hpp"
#include "harness/profile/profile_search.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/trust/signature_status.hpp"
#include "reports/render.hpp"

#include <filesystem>
#include <fmt/core.h>
#include <memory>

namespace gpucert::cli {

namespace {

struct EvaluateArgs {
  std::string profile, results, out;
  std::vector<std::string> extends_from;
};

ExitCode evaluate_action(const EvaluateArgs& a) {
  const profile::Profile prof = profile::load_profile(
      builtin_registry(), profile::resolve_profile_path(a.profile), a.extends_from);
  Results results;
  // The digest is of the exact bytes read (as run writes it), so a signature over results.json
  // and the certificate's results.sha256 name the same file.
  const std::string text = read_input_file(a.results, kResultsInput);
  const nlohmann::json doc = parse_json_text(text, a.results);
  try {
    results = results_from_json(doc, builtin_registry());
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", a.results, e.what()));
  }
  const std::filesystem::path dir = std::filesystem::absolute(a.results).parent_path();
  const report::SignatureStatus sig = trust::signature_status(dir);
  if (sig.state == report::SignatureStatus::State::invalid)
    fmt::print(stderr,
               "gpucert: WARNING: {} does not match the signature in {}: {}. These results may "
               "have been changed after they were signed; do not rely on this evaluation.\n",
               a.results, dir.string(),
               sig.detail.empty() ? "the signature does not hold" : sig.detail);

  if (!results.profile_sha256.empty() && results.profile_sha256 != prof.sha256)
    fmt::print(stderr,
               "gpucert: note: the results were measured for profile '{}' (sha256 {}…); evaluating "
               "against '{}' (sha256 {}…). Clauses it did not measure are ERROR.\n",
               results.profile_name, results.profile_sha256.substr(0, 12), prof.name,
               prof.sha256.substr(0, 12));
  report::Certificate cert = evaluate::evaluate(prof, results);
  cert.results.sha256 = sha256_hex(text);
  report::ConsoleOptions con;
  // The summary's signature line notes what the results' directory holds (UNSIGNED when no
  // signature): the new certificate itself is unsigned until `gpucert sign`.
  con.signature = sig;
  std::unique_ptr<OutDir> out_dir; // locked until this command ends
  if (!a.out.empty()) {
    out_dir = std::make_unique<OutDir>(a.out);
    out_dir->move_previous_aside();
    // The certificate keeps its samples in the results it names: the directory holds both, as
    // a run directory does (compare and spot-check read them together).
    const std::string copy = (std::filesystem::path(out_dir->path()) / "results.json").string();
    std::error_code ec;
    if (!std::filesystem::equivalent(a.results, copy, ec))
      certify::write_file_atomic(copy, text);
    con.evidence = write_certificate_files(out_dir->path(), cert);
    con.evidence.push_back(copy);
  }
  write_stdout(report::render_console(cert, con));
  return static_cast<ExitCode>(report::exit_code(cert));
}

} // namespace

void add_evaluate(CLI::App& app, Commands& cmds) {
  auto args = std::make_shared<EvaluateArgs>();
  auto* sub = app.add_subcommand("evaluate",
                                 "re-evaluate stored raw results (results.json) against a profile");
  add_profile_options(sub, args->profile, args->extends_from);
  sub->add_option("results", args->results, "results.json of a run")
      ->required()
      ->type_name("RESULTS.json");
  sub->add_option(
         "--out", args->out,
         "write the certificate, a copy of the results it keeps its samples in and its reports "
         "(certificate.json, results.json, junit.xml, report.md) "
         "here (as run --out: locked, a previous run's files moved into "
         "DIR/previous-<UTC>/)")
      ->type_name("DIR");
  cmds.push_back({sub, [args]() { return evaluate_action(*args); }});
}

} // namespace gpucert::cli
