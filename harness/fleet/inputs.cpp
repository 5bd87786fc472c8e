#include "harness/fleet/inputs.hpp"

#include "harness/core/error.hpp"

#include <algorithm>
#include <glob.h>
#include <system_error>

namespace gpucert::fleet {
namespace fs = std::filesystem;

namespace {

// The certificates one existing path stands for (empty when it holds none).
std::vector<fs::path> certificates_at(const fs::path& p) {
  std::error_code ec;
  std::vector<fs::path> out;
  if (fs::is_regular_file(p, ec)) {
    out.push_back(p);
    return out;
  }
  if (!fs::is_directory(p, ec))
    return out;
  if (fs::is_regular_file(p / "certificate.json", ec)) {
    out.push_back(p / "certificate.json");
    return out;
  }
  for (const auto& e : fs::directory_iterator(p, ec)) {
    if (e.is_directory(ec) && fs::is_regular_file(e.path() / "certificate.json", ec))
      out.push_back(e.path() / "certificate.json");
  }
  return out;
}

} // namespace

std::vector<fs::path> expand_inputs(const std::vector<std::string>& args) {
  if (args.empty())
    throw InputError("fleet: no run directory given (DIR_OR_GLOB...)");
  std::vector<fs::path> all;
  for (const auto& a : args) {
    std::vector<fs::path> mine;
    std::error_code ec;
    if (fs::exists(a, ec)) {
      mine = certificates_at(a);
    } else {
      glob_t g{};
      if (::glob(a.c_str(), 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) {
          auto found = certificates_at(g.gl_pathv[i]);
          mine.insert(mine.end(), found.begin(), found.end());
        }
      }
      ::globfree(&g);
    }
    if (mine.empty())
      throw InputError("fleet: '" + a +
                       "' matches no certificate (expected a run directory with "
                       "certificate.json, a directory of run directories, or a glob)");
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

} // namespace gpucert::fleet
