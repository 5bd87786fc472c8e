// File helpers for the certification commands (see cli_files.hpp).
#include "harness/cli/cli_files.hpp"

#include "harness/certify/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "reports/render.hpp"

#include <filesystem>
#include <fmt/core.h>

namespace gpucert::cli {

std::vector<std::string> write_certificate_files(const std::string& dir,
                                                 const report::Certificate& cert) {
  std::vector<std::string> written;
  for (const report::Format& f : report::formats()) {
    if (f.out_file.empty())
      continue;
    written.push_back((std::filesystem::path(dir) / f.out_file).string());
    certify::write_file_atomic(written.back(), f.render(cert));
  }
  return written;
}

} // namespace gpucert::cli
