// Where an `extends` may point. A profile is often someone else's file; if its `extends` could
// name any path, loading it would read (and fingerprint into the certificate, and quote in
// errors) files it has no business with: /etc/shadow, a FIFO, another user's home. So a base
// must lie, after following symlinks, inside an allowed folder: the folder of the profile named
// on the command line, or one the user names explicitly (--extends-from DIR).
#pragma once

#include "harness/profile/raw_profile.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace gpucert::profile {

/// Allowed folders, canonical: the top profile's folder plus `extra` (each must exist).
std::vector<std::filesystem::path> extends_roots(const std::string& top_profile,
                                                 const std::vector<std::string>& extra);

/// Resolves `extends` (a relative path) against `base_dir`; returns the canonical base file.
/// InputError at the extends value when it is empty, absolute, missing, or outside every root.
std::filesystem::path resolve_extends(const detail::Raw& extends,
                                      const std::filesystem::path& base_dir,
                                      const std::vector<std::filesystem::path>& roots);

} // namespace gpucert::profile
