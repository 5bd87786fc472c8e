// File helpers for the certification commands (see cli_files.hpp).
#include "harness/cli/cli_files.hpp"

#include "harness/certify/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "reports/render.hpp"

#include <filesystem>
#include <fmt/core.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace gpucert::cli {

namespace {
constexpr std::uintmax_t kMaxJsonBytes = 1ull << 30; // raw samples of a long soak stay far below
} // namespace

nlohmann::json read_json_file(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw InputError(fmt::format("{}: cannot open {} file: no such file", path, what));
  if (!S_ISREG(st.st_mode))
    throw InputError(fmt::format("{}: not a regular file", path));
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxJsonBytes)
    throw InputError(fmt::format("{}: {} file is larger than 1 GiB", path, what));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(fmt::format("{}: cannot read {} file", path, what));
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(
        fmt::format("{}: not a JSON {} file (byte {}): {}", path, what, e.byte, e.what()));
  }
}

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
