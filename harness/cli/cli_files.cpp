// File helpers for the certification commands (see cli_files.hpp).
#include "harness/cli/cli_files.hpp"

#include "harness/certify/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "reports/render.hpp"

#include <filesystem>
#include <fmt/core.h>

namespace gpucert::cli {

void ensure_out_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw InputError(fmt::format("--out {}: cannot create the directory: {}", dir,
                                 ec ? ec.message() : "not a directory"));
}

void write_certificate_files(const std::string& dir, const report::Certificate& cert) {
  const std::filesystem::path d(dir);
  certify::write_file_atomic((d / "certificate.json").string(), report::render_json(cert));
  certify::write_file_atomic((d / "junit.xml").string(), report::render_junit(cert));
  certify::write_file_atomic((d / "report.md").string(), report::render_markdown(cert));
}

} // namespace gpucert::cli
