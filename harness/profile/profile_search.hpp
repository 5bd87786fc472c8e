// Finding a profile by name: `--profile h100-sxm5-80gb-8x-standard` works from any directory.
// A value that is an existing path, contains '/' or ends in .yaml/.yml is a path and is used as
// given; anything else is a name, looked up as NAME.yaml in the search directories, in order:
//   1. each directory of $GPUCERT_PROFILE_PATH (colon-separated; empty entries ignored),
//   2. the installed profiles, <prefix>/share/gpucert/profiles next to <prefix>/bin/<exe>,
//   3. only when (2) does not exist (a binary run from its build tree): the source tree's
//      profiles/ folder this binary was built from.
// The first directory holding NAME.yaml wins.
#pragma once

#include <string>
#include <vector>

namespace gpucert::profile {

/// True when `arg` names a profile rather than a file (see the rules above).
bool is_profile_name(const std::string& arg);

/// The directories searched for names, in order, each with why it is searched
/// ("GPUCERT_PROFILE_PATH", "installed", "source tree"). Directories that do not exist are kept, so
/// errors can list them.
struct SearchDir {
  std::string path;
  std::string origin;
};
std::vector<SearchDir> profile_search_dirs();

/// A profile file found in a search directory. `name` is the file stem (what --profile takes).
struct FoundProfile {
  std::string name;
  std::string path;
  std::string origin;
};

/// Every NAME.yaml in the search directories, sorted by name; a name found in several
/// directories appears once, from the first (the one --profile NAME uses).
std::vector<FoundProfile> list_profile_files(const std::vector<SearchDir>& dirs);

/// The file `--profile ARG` means: ARG itself when it is a path, else the first NAME.yaml in the
/// search directories. An unknown name throws InputError (exit 2) listing the directories
/// searched and the names available there.
std::string resolve_profile_path(const std::string& arg);
std::string resolve_profile_path(const std::string& arg, const std::vector<SearchDir>& dirs);

} // namespace gpucert::profile
