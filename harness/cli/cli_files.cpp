// File helpers for the certification commands (see cli_files.hpp).
#include "harness/cli/cli_files.hpp"

#include "harness/certify/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "reports/render.hpp"

#include <filesystem>
#include <fmt/core.h>

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

} // namespace gpucert::cli
