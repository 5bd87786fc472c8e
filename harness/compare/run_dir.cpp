// Run directories as compare and spot-check read them.
#include "harness/compare/run_dir.hpp"

#include "harness/core/error.hpp"
#include "harness/core/json_input.hpp"
#include "harness/profile/profile_search.hpp"
#include "harness/profile/sha256.hpp"

#include <filesystem>
#include <fmt/core.h>

namespace gpucert::compare {

namespace fs = std::filesystem;

report::Certificate read_run_certificate(const std::string& dir, const std::string& role) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw InputError(fmt::format("{} {}: not a run directory (no such directory)", role, dir));
  const std::string path = (fs::path(dir) / "certificate.json").string();
  if (!fs::exists(path, ec))
    throw InputError(fmt::format("{} {}: {} is missing (a run directory written by gpucert run "
                                 "or evaluate --out holds it)",
                                 role, dir, path));
  const nlohmann::json doc = read_json_input(path, kCertificateInput);
  report::Certificate cert;
  try {
    cert = report::certificate_from_json(doc);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", path, e.what()));
  }
  attach_run_samples(cert, dir, role);
  return cert;
}

void attach_run_samples(report::Certificate& cert, const std::string& dir,
                        const std::string& role) {
  if (!report::needs_samples(cert))
    return;
  std::error_code ec;
  // The file form keeps benchmark samples in results.json only: take them from the document the
  // certificate names by digest, never from another run's.
  const std::string results_path = (fs::path(dir) / "results.json").string();
  if (!fs::exists(results_path, ec))
    throw InputError(fmt::format("{} {}: {} is missing: the certificate keeps its samples there "
                                 "(copy the run directory whole)",
                                 role, dir, results_path));
  const std::string text = read_input_file(results_path, kResultsInput);
  const std::string digest = sha256_hex(text);
  if (digest != cert.results.sha256)
    throw InputError(fmt::format("{}: sha256 {} is not the certificate's results.sha256 {}: these "
                                 "are not the results it was evaluated from",
                                 results_path, digest, cert.results.sha256));
  try {
    report::attach_samples(cert, results_from_json(parse_json_text(text, results_path)));
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", results_path, e.what()));
  }
}

LoadedProfile load_certified_profile(const Registry& registry, const std::string& dir,
                                     const report::Certificate& cert,
                                     const std::string& user_profile,
                                     const std::vector<std::string>& extends_from) {
  LoadedProfile out;
  const fs::path copy = fs::path(dir) / "profile";
  std::error_code ec;
  std::string path;
  if (fs::is_directory(copy, ec)) {
    if (cert.profile.files.empty())
      throw InputError(fmt::format("{}/certificate.json: profile.files is empty: cannot tell "
                                   "which file of {} is the profile",
                                   dir, copy.string()));
    path = (copy / fs::path(cert.profile.files.front().first).filename()).string();
    if (!fs::exists(path, ec))
      throw InputError(fmt::format("{}: missing (the certificate's profile file '{}' should be "
                                   "in the run directory's copy of the profile)",
                                   path, cert.profile.files.front().first));
    std::vector<std::string> from = extends_from;
    from.push_back(copy.string());
    out.profile = profile::load_profile(registry, path, from);
    out.source = path + " (the copy in the run directory)";
  } else if (!user_profile.empty()) {
    path = profile::resolve_profile_path(user_profile);
    out.profile = profile::load_profile(registry, path, extends_from);
    out.source = path + " (--profile)";
  } else {
    throw InputError(fmt::format(
        "{}: the run directory holds no copy of its profile ({}/ is missing): give the profile "
        "the seller certified with, --profile FILE|NAME (certificate: '{}', sha256 {})",
        dir, copy.string(), cert.profile.name, cert.profile.sha256));
  }
  if (out.profile.sha256 != cert.profile.sha256)
    throw InputError(fmt::format("{}: profile sha256 {} is not the certificate's ({} '{}'): "
                                 "re-measuring needs the profile the seller certified with",
                                 path, out.profile.sha256, cert.profile.sha256, cert.profile.name));
  return out;
}

} // namespace gpucert::compare
