// Confining `extends` (see extends_path.hpp for why).
#include "harness/profile/extends_path.hpp"

#include "harness/core/error.hpp"
#include "harness/profile/yaml_guard.hpp"

#include <algorithm>
#include <fmt/core.h>

namespace gpucert::profile {

namespace fs = std::filesystem;

std::vector<fs::path> extends_roots(const std::string& top_profile,
                                    const std::vector<std::string>& extra) {
  std::vector<fs::path> roots;
  std::error_code ec;
  fs::path top = fs::path(top_profile).parent_path();
  roots.push_back(fs::weakly_canonical(top.empty() ? fs::path(".") : top, ec));
  for (const auto& dir : extra) {
    const fs::path c = fs::canonical(dir, ec);
    if (ec || !fs::is_directory(c))
      throw InputError(fmt::format("--extends-from {}: not a directory", dir));
    roots.push_back(c);
  }
  return roots;
}

namespace {

bool inside(const fs::path& file, const fs::path& root) {
  const auto [r, f] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  return r == root.end();
}

} // namespace

fs::path resolve_extends(const detail::Raw& extends, const fs::path& base_dir,
                         const std::vector<fs::path>& roots) {
  const std::string rel = detail::as_string(extends, "extends");
  if (rel.empty())
    fail(extends.loc, "extends", "empty path");
  if (fs::path(rel).is_absolute())
    fail(extends.loc, "extends",
         fmt::format("'{}' is an absolute path; extends takes a path relative to this file", rel));
  std::error_code ec;
  const fs::path canon = fs::canonical(base_dir / rel, ec);
  if (ec)
    fail(extends.loc, "extends", fmt::format("cannot read base profile '{}': no such file", rel));
  if (std::none_of(roots.begin(), roots.end(), [&](const fs::path& r) { return inside(canon, r); }))
    fail(extends.loc, "extends",
         fmt::format("'{}' is outside {} (the folder of the profile named on the command line); "
                     "to allow it, name its folder with --extends-from DIR",
                     rel, roots.front().string()));
  return canon;
}

} // namespace gpucert::profile
