// File helpers for the certification commands (see cli_files.hpp).
#include "harness/cli/cli_files.hpp"

#include "harness/benchmarks/catalog.hpp"
#include "harness/certify/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/core/input_file.hpp"
#include "harness/core/utc_time.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/trust/envelope.hpp"
#include "harness/trust/sign.hpp"
#include "reports/render.hpp"

#include <filesystem>
#include <fmt/core.h>
#include <sys/stat.h>

namespace gpucert::cli {

namespace {
constexpr const char* kCertificateFormat = "json";
}

std::string write_certificate_json(const std::string& dir, const report::Certificate& cert) {
  const report::Format& f = report::format(kCertificateFormat);
  const std::string path = (std::filesystem::path(dir) / f.out_file).string();
  certify::write_file_atomic(path, f.render(cert, {}));
  return path;
}

std::vector<std::string> write_report_files(const std::string& dir, const report::Certificate& cert,
                                            const report::SignatureStatus& sig) {
  std::vector<std::string> written;
  for (const report::Format& f : report::formats()) {
    if (f.out_file.empty() || f.name == kCertificateFormat)
      continue;
    written.push_back((std::filesystem::path(dir) / f.out_file).string());
    certify::write_file_atomic(written.back(), f.render(cert, sig));
  }
  return written;
}

std::vector<std::string> write_certificate_files(const std::string& dir,
                                                 const report::Certificate& cert) {
  std::vector<std::string> written{write_certificate_json(dir, cert)};
  report::SignatureStatus sig;
  sig.state = report::SignatureStatus::State::unsigned_;
  const std::vector<std::string> reports = write_report_files(dir, cert, sig);
  written.insert(written.end(), reports.begin(), reports.end());
  return written;
}

std::string copy_profile_chain(const std::string& dir, const profile::Profile& prof,
                               const Registry& registry) {
  namespace fs = std::filesystem;
  if (prof.files.empty())
    throw InternalError("copy_profile_chain: a profile without files");
  const std::string to = (fs::path(dir) / trust::kProfileDir).string();
  struct stat st {};
  if (::lstat(to.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
    throw InputError(fmt::format("{}: exists and is not a directory (gpucert keeps the profile "
                                 "chain's copy there)",
                                 to));
  const std::vector<std::string> names = trust::embedded_names(prof);
  for (std::size_t i = 0; i < prof.files.size(); ++i) {
    const std::string text = read_input_file(prof.files[i].path, kProfileInput);
    if (sha256_hex(text) != prof.files[i].sha256)
      throw InputError(fmt::format("{}: changed since the profile was loaded", prof.files[i].path));
    const fs::path target = fs::path(dir) / names[i];
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      throw EnvironmentError(
          fmt::format("cannot create {}: {}", target.parent_path().string(), ec.message()));
    certify::write_file_atomic(target.string(), text);
  }
  const trust::EmbeddedProfile again = trust::load_embedded_profile(registry, dir, names.front());
  if (again.profile.sha256 != prof.sha256)
    throw InputError(fmt::format("{}: the copy of the profile chain in {}/ does not reload as the "
                                 "same profile",
                                 prof.files.front().path, to));
  return names.front();
}

std::string write_signature(const std::string& dir, const report::Certificate& cert,
                            const std::string& profile_top, const trust::SecretKey& key) {
  const std::string text =
      trust::sign_run_dir(builtin_registry(), dir, cert, profile_top, key, utc_now_iso8601());
  const std::string path = (std::filesystem::path(dir) / trust::kEnvelopeFile).string();
  certify::write_file_atomic(path, text);
  return path;
}

} // namespace gpucert::cli
