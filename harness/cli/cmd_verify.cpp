// `gpucert verify DIR --pubkey K [--pubkey K2]... [--revoked F] [--this-node] [--max-age D]
// [--allow-simulated]`: checks a signed run directory as a buyer would (docs/trust.md) and prints
// one line per check. Exit 0 valid, 1 invalid (the first failed check named), 2 bad input
// (missing directory, unreadable key file, bad option). --simulate/--fault/--hostname stand in
// for this node's GPUs under --this-node, for tests.
#include "harness/benchmarks/catalog.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/trust/keys.hpp"
#include "harness/trust/verify.hpp"

#include <filesystem>
#include <fmt/core.h>
#include <memory>

namespace gpucert::cli {

namespace {

struct VerifyArgs {
  std::string dir, max_age;
  std::vector<std::string> pubkeys, revoked;
  bool this_node = false, allow_simulated = false;
  NodeOptions node;
};

ExitCode verify_action(const VerifyArgs& a) {
  std::error_code ec;
  if (!std::filesystem::is_directory(std::filesystem::symlink_status(a.dir, ec)))
    throw InputError(
        fmt::format("{}: not a directory (give a signed run's --out directory)", a.dir));
  trust::VerifyOptions opts;
  opts.registry = &builtin_registry();
  opts.keyring = trust::load_keyring(a.pubkeys, a.revoked);
  opts.allow_simulated = a.allow_simulated;
  if (!a.max_age.empty())
    opts.max_age_seconds = trust::parse_duration(a.max_age);
  if (!a.this_node && (!a.node.simulate.empty() || !a.node.faults.empty()))
    throw InputError("--simulate and --fault stand in for this node under --this-node only");
  if (a.this_node)
    opts.this_node = make_backend(a.node)->inventory();

  const trust::VerifyReport r = trust::verify_run_dir(a.dir, opts);
  std::string out;
  for (const auto& s : r.steps)
    out += fmt::format("{} {:<13} {}\n", s.ok ? "✓" : "✗", s.name, s.detail);
  if (r.valid)
    out += fmt::format("VALID: {} is signed by {} ({}){}\n", a.dir, r.key_id, r.fingerprint,
                       r.simulated ? "; SIMULATED, accepted by --allow-simulated" : "");
  else
    out += fmt::format("INVALID: {}\n", r.failure());
  write_stdout(out);
  return r.valid ? ExitCode::certified : ExitCode::not_certified;
}

} // namespace

void add_verify(CLI::App& app, Commands& cmds) {
  auto args = std::make_shared<VerifyArgs>();
  auto* sub = app.add_subcommand(
      "verify", "check a signed run directory: envelope, signer key, signature, every signed "
                "file's digest, re-evaluation with the embedded profile, simulated, age and "
                "(--this-node) the GPUs present (exit 0 valid, 1 invalid, 2 bad input)");
  sub->add_option("dir", args->dir, "signed run directory")->type_name("DIR")->required();
  sub->add_option("--pubkey", args->pubkeys,
                  "trusted public key or keyring file (repeatable; gpucert key generate writes "
                  "K.pub)")
      ->type_name("K")
      ->required();
  sub->add_option("--revoked", args->revoked,
                  "file of revoked key ids, one per line, '#' comments (repeatable)")
      ->type_name("FILE");
  sub->add_flag("--this-node", args->this_node,
                "also check that this node's hostname and GPUs (UUIDs, serials) are the ones "
                "certified");
  sub->add_option("--max-age", args->max_age, "refuse a signature older than D: 30d, 12h, 45m, 90s")
      ->type_name("D");
  sub->add_flag("--allow-simulated", args->allow_simulated,
                "accept a SIMULATED certificate (tests and demos; it certifies no hardware)");
  add_node_options(sub, args->node, false);
  cmds.push_back({sub, [args]() { return verify_action(*args); }});
}

} // namespace gpucert::cli
