// Runs the gpucert binary (or another) as a user would, capturing exit code, stdout and stderr.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::test {

struct CliResult {
  int rc = -1;
  std::string out, err;
};

/// Runs `GPUCERT_BIN args...` (no shell; arguments passed verbatim) with an optional extra
/// environment ("K=V") and a timeout in seconds (the child is killed and rc = 124 after it).
CliResult run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                  int timeout_s = 120, const std::string& binary = GPUCERT_BIN);

/// A fresh empty directory under the system temp dir, removed by the caller when wanted.
std::string make_temp_dir(const std::string& prefix);
std::string read_file(const std::string& path);
/// A certificate.json as a test reads its fields: the full form (a file-form document expanded,
/// as gpucert reads it).
nlohmann::json read_certificate(const std::string& path);
inline std::string source_dir() {
  return GPUCERT_SOURCE_DIR;
}

} // namespace gpucert::test
