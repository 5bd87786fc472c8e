// `gpucert sign DIR --key K [--profile P]`: signs an existing run directory (results.json,
// certificate.json and the profile chain's copy in DIR/profile/, or --profile to copy it in),
// writing DIR/certificate.dsse.json, then renders the reports again with the new status.
// Exit 0 signed, 2 bad input (missing files, a bad key, a profile that is not the certified one).
#include "harness/benchmarks/catalog.hpp"
#include "harness/cli/cli_files.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/out_dir.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/core/json_input.hpp"
#include "harness/profile/profile.hpp"
#include "harness/profile/profile_search.hpp"
#include "harness/trust/envelope.hpp"
#include "harness/trust/keys.hpp"
#include "harness/trust/sign.hpp"
#include "harness/trust/signature_status.hpp"

#include <filesystem>
#include <fmt/core.h>
#include <memory>
#include <sys/stat.h>

namespace gpucert::cli {

namespace {

struct SignArgs {
  std::string dir, key, profile;
  std::vector<std::string> extends_from;
};

void require_file(const std::string& dir, const std::string& name, const char* hint) {
  struct stat st {};
  const std::string path = dir + "/" + name;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw InputError(fmt::format("{}: missing or not a regular file; {}", path, hint));
}

ExitCode sign_action(const SignArgs& a) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(a.dir, ec)))
    throw InputError(fmt::format("{}: not a directory (give a run's --out directory)", a.dir));
  const trust::SecretKey key = trust::load_secret_key(a.key);
  OutDir out_dir(a.dir); // locked while signing: no run or evaluation writes under us
  const std::string& dir = out_dir.path();
  require_file(dir, "results.json", "sign a directory `gpucert run` or `evaluate` wrote");
  require_file(dir, "certificate.json", "sign a directory `gpucert run` or `evaluate` wrote");
  const report::Certificate cert =
      report::certificate_from_json(read_json_input(dir + "/certificate.json", kCertificateInput));
  if (cert.profile.files.empty())
    throw InputError(fmt::format("{}/certificate.json: lists no profile file", dir));
  std::string top;
  if (!a.profile.empty()) {
    const profile::Profile prof = profile::load_profile(
        builtin_registry(), profile::resolve_profile_path(a.profile), a.extends_from);
    if (prof.sha256 != cert.profile.sha256)
      throw InputError(fmt::format("--profile {}: sha256 {} is not the certificate's profile ({}, "
                                   "sha256 {}); give the profile the run was judged by",
                                   a.profile, prof.sha256, cert.profile.name, cert.profile.sha256));
    top = copy_profile_chain(dir, prof, builtin_registry());
  } else {
    try {
      top = trust::find_embedded_top(dir, cert);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}; give --profile P (the profile the run was judged by) to "
                                   "copy its chain in",
                                   e.what()));
    }
  }
  // sign_run_dir reloads the copy and refuses one that is not the certified profile.
  const std::string envelope = write_signature(dir, cert, top, key);
  const report::SignatureStatus sig = trust::signature_status_with_keys(dir, {key.pub});
  const std::vector<std::string> reports = write_report_files(dir, cert, sig);
  std::string out = fmt::format("signed {} with key {} ({})\n  {}\n", dir, key.pub.id,
                                key.pub.fingerprint, envelope);
  for (const auto& r : reports)
    out += fmt::format("  {} (rendered: signature {})\n", r, report::to_string(sig.state));
  write_stdout(out);
  return ExitCode::certified;
}

} // namespace

void add_sign(CLI::App& app, Commands& cmds) {
  auto args = std::make_shared<SignArgs>();
  auto* sub = app.add_subcommand(
      "sign", "sign a run directory: DIR/certificate.dsse.json over results.json, "
              "certificate.json and the profile chain in DIR/profile/ (docs/trust.md); the "
              "reports are rendered again with the new status");
  sub->add_option("dir", args->dir, "run directory (a run's or an evaluation's --out)")
      ->type_name("DIR")
      ->required();
  sub->add_option("--key", args->key, "secret key file (gpucert key generate)")
      ->type_name("K")
      ->required();
  sub->add_option("--profile", args->profile,
                  "copy this profile's chain into DIR/profile/ first (needed when DIR has none); "
                  "it must be the certificate's profile (same sha256)")
      ->type_name("P");
  sub->add_option("--extends-from", args->extends_from,
                  "further folders the profile's extends may point into")
      ->type_name("DIR");
  cmds.push_back({sub, [args]() { return sign_action(*args); }});
}

} // namespace gpucert::cli
