// `gpucert run --profile P [--out DIR] [--simulate NODE [--fault F]... [--seed N] [--hostname H]]
// [--gpus LIST]`: measure this node against a profile; writes DIR/results.json (kept current
// while it runs), DIR/certificate.json, DIR/junit.xml, DIR/report.md, the profile chain's copy
// DIR/profile/ and prints the summary. With --sign-key K the run directory is signed
// (DIR/certificate.dsse.json, docs/trust.md) before the reports are rendered. Exit: 0 certified, 1
// not certified (FAIL/ERROR or interrupted), 5 inconclusive. A simulated run exits by its verdicts
// too (so pipelines can be tested), but every output says SIMULATED.
#include "harness/benchmarks/catalog.hpp"
#include "harness/certify/certify_run.hpp"
#include "harness/certify/stop_signal.hpp"
#include "harness/cli/cli_files.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/out_dir.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/profile/node_fit.hpp"
#include "harness/profile/profile.hpp"
#include "harness/profile/profile_search.hpp"
#include "harness/trust/keys.hpp"
#include "harness/trust/signature_status.hpp"
#include "reports/format.hpp"
#include "reports/render.hpp"

#include <filesystem>
#include <fmt/core.h>
#include <memory>
#include <optional>

namespace gpucert::cli {

namespace {

struct RunArgs {
  std::string profile;
  std::vector<std::string> extends_from;
  std::string out = "gpucert-out";
  NodeOptions node;
  double pace_ms = 0;
  std::string sign_key;
};

ExitCode run_action(const RunArgs& a) {
  const std::string profile_path = profile::resolve_profile_path(a.profile);
  const profile::Profile prof =
      profile::load_profile(builtin_registry(), profile_path, a.extends_from);
  // The signing key is read and checked before anything is measured: a bad key fails fast.
  std::optional<trust::SecretKey> key;
  if (!a.sign_key.empty())
    key = trust::load_secret_key(a.sign_key);
  std::unique_ptr<Backend> backend = make_backend(a.node);
  // Clauses this node cannot measure as written (an HBM array its L2 would hold) are refused
  // before anything runs, naming the clause's file:line and the node's fact.
  profile::check_node_fit(builtin_registry(), prof, backend->inventory());
  OutDir out_dir(a.out); // locked until this command ends
  out_dir.move_previous_aside();
  const std::filesystem::path dir(out_dir.path());
  // DIR/profile/: the chain's copy verify reloads.
  const std::string profile_top = copy_profile_chain(out_dir.path(), prof, builtin_registry());
  const nlohmann::json sim = backends::sim_provenance(*backend);
  if (backend->simulated())
    fmt::print(stderr,
               "gpucert: simulated node '{}': results and certificate are stamped SIMULATED ({}); "
               "noise seed {} (--seed {} repeats this run)\n",
               a.node.simulate, report::kSimulatedStamp, sim.value("seed", 0ULL),
               sim.value("seed", 0ULL));

  certify::RunOptions opts;
  opts.results_path = (dir / "results.json").string();
  opts.provenance = {{"command", "run"},
                     {"profile_path", profile_path},
                     {"simulate", a.node.simulate},
                     {"faults", a.node.faults},
                     {"gpus_option", a.node.gpus}};
  if (!sim.is_null())
    opts.provenance["sim"] = sim; // seed, hostname, node: what reproduces this run
  opts.progress = true;
  opts.pace_seconds = a.pace_ms / 1000.0;
  if (opts.pace_seconds > 0 && !backend->simulated())
    throw InputError("--pace-ms is a test hook for the simulator only");

  certify::install_stop_handlers();
  certify::RunOutput out;
  try {
    out = certify::run_certification(builtin_registry(), prof, *backend, opts);
  } catch (...) {
    certify::remove_stop_handlers();
    throw;
  }
  const std::string signal = certify::stop_signal_name();
  std::vector<std::string> written{write_certificate_json(out_dir.path(), out.certificate)};
  report::SignatureStatus sig;
  sig.state = report::SignatureStatus::State::unsigned_;
  if (key) {
    written.push_back(write_signature(out_dir.path(), out.certificate, profile_top, *key));
    sig = trust::signature_status_with_keys(dir, {key->pub});
  }
  for (auto& f : write_report_files(out_dir.path(), out.certificate, sig))
    written.push_back(std::move(f));
  certify::remove_stop_handlers();
  if (!signal.empty())
    fmt::print(stderr, "gpucert: {} received: run stopped; partial results kept in {}\n", signal,
               opts.results_path);

  report::ConsoleOptions con;
  con.signature = sig;
  con.evidence.push_back((dir / "results.json").string());
  con.evidence.insert(con.evidence.end(), written.begin(), written.end());
  write_stdout(report::render_console(out.certificate, con));
  return static_cast<ExitCode>(report::exit_code(out.certificate));
}

} // namespace

void add_run(CLI::App& app, Commands& cmds) {
  auto args = std::make_shared<RunArgs>();
  auto* sub = app.add_subcommand(
      "run",
      "measure this node against an SLA profile and issue a certificate (exit 0 certified, 1 not "
      "certified, 5 inconclusive; simulated runs say SIMULATED everywhere)");
  add_profile_options(sub, args->profile, args->extends_from);
  sub->add_option("--out", args->out,
                  "output directory (default gpucert-out; locked while the run lasts; a previous "
                  "run's files there are moved into DIR/previous-<UTC>/)")
      ->type_name("DIR");
  add_node_options(sub, args->node);
  sub->add_option("--sign-key", args->sign_key,
                  "sign the run with this secret key (gpucert key generate): writes "
                  "DIR/certificate.dsse.json over results.json, certificate.json and profile/; "
                  "the key is checked before anything is measured")
      ->type_name("K");
  // Test hook (hidden): real-time pause after each simulated measurement, so a test can signal
  // a run in the middle.
  sub->add_option("--pace-ms", args->pace_ms)->group("")->check(CLI::Range(0.0, 60000.0));
  cmds.push_back({sub, [args]() { return run_action(*args); }});
}

} // namespace gpucert::cli
