// Profile lookup by name (rules in profile_search.hpp).
#include "harness/profile/profile_search.hpp"

#include "harness/core/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fmt/core.h>
#include <map>
#include <regex>

namespace gpucert::profile {

namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_dir(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool is_regular(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec); // follows symlinks: a linked profile counts
}

/// <prefix>/share/gpucert/profiles for a binary at <prefix>/bin/<exe>; empty when the
/// executable's path cannot be read.
std::string installed_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty())
    return {};
  return (exe.parent_path().parent_path() / "share" / "gpucert" / "profiles")
      .lexically_normal()
      .string();
}

const std::regex& name_pattern() {
  static const std::regex re("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  return re;
}

} // namespace

bool is_profile_name(const std::string& arg) {
  if (arg.empty() || arg.find('/') != std::string::npos || ends_with(arg, ".yaml") ||
      ends_with(arg, ".yml"))
    return false;
  std::error_code ec;
  return !fs::exists(fs::symlink_status(arg, ec)); // an existing file of that name wins
}

std::vector<SearchDir> profile_search_dirs() {
  std::vector<SearchDir> dirs;
  if (const char* env = std::getenv("GPUCERT_PROFILE_PATH")) {
    const std::string text = env;
    std::size_t start = 0;
    while (start <= text.size()) {
      const std::size_t end = std::min(text.find(':', start), text.size());
      if (end > start)
        dirs.push_back({text.substr(start, end - start), "GPUCERT_PROFILE_PATH"});
      start = end + 1;
    }
  }
  const std::string installed = installed_dir();
  if (!installed.empty())
    dirs.push_back({installed, "installed"});
#ifdef GPUCERT_SOURCE_PROFILES_DIR
  // A build-tree binary has no share/ next to it: fall back to the profiles it was built with.
  // An installed binary never reads the source tree, even when it is still on the machine.
  if (installed.empty() || !is_dir(installed))
    dirs.push_back({GPUCERT_SOURCE_PROFILES_DIR, "source tree"});
#endif
  return dirs;
}

std::vector<FoundProfile> list_profile_files(const std::vector<SearchDir>& dirs) {
  std::map<std::string, FoundProfile> by_name;
  for (const auto& d : dirs) {
    if (!is_dir(d.path))
      continue;
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(d.path, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".yaml" && is_regular(it->path()))
        files.push_back(it->path());
    for (const auto& f : files) {
      const std::string stem = f.stem().string();
      if (std::regex_match(stem, name_pattern()))
        by_name.emplace(stem, FoundProfile{stem, f.string(), d.origin}); // first directory wins
    }
  }
  std::vector<FoundProfile> out;
  for (auto& [name, found] : by_name)
    out.push_back(std::move(found));
  return out;
}

std::string resolve_profile_path(const std::string& arg) {
  if (!is_profile_name(arg))
    return arg;
  return resolve_profile_path(arg, profile_search_dirs());
}

std::string resolve_profile_path(const std::string& arg, const std::vector<SearchDir>& dirs) {
  if (!is_profile_name(arg))
    return arg;
  if (std::regex_match(arg, name_pattern())) {
    for (const auto& d : dirs) {
      const fs::path candidate = fs::path(d.path) / (arg + ".yaml");
      if (is_regular(candidate))
        return candidate.string();
    }
  }
  std::string searched, names;
  for (const auto& d : dirs)
    searched += fmt::format("\n  {} ({}{})", d.path, d.origin, is_dir(d.path) ? "" : ", missing");
  for (const auto& f : list_profile_files(dirs))
    names += (names.empty() ? "" : ", ") + f.name;
  throw InputError(fmt::format(
      "profile '{}' is neither a file nor a known profile name; searched for {}.yaml in:{}{}\n"
      "available profiles: {} (give a path to use another file)",
      arg, arg, searched.empty() ? " (no directories)" : "", searched,
      names.empty() ? "none" : names));
}

} // namespace gpucert::profile
