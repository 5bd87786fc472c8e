// A check on YAML text before it reaches yaml-cpp, for inputs that library cannot survive.
#pragma once

#include <string>
#include <string_view>

namespace gpucert {

/// yaml-cpp 0.7 (Debian 12) never returns, allocating without bound, on a document whose first
/// token is a ',' (",a", "# c\n,a", "a\n---\n,b", also behind a tag or anchor: "!,", "&a ,";
/// found by fuzzing). No valid profile or node
/// file starts that way, so this refuses it first: InputError "FILE:LINE:COL: ...".
void reject_yaml_cpp_hazards(std::string_view text, const std::string& file);

/// The spellings that make yaml-cpp 0.7 loop are many (fuzzing keeps finding new ones: "'',",
/// a tag before ',', complex keys), so recognising them cannot be complete. This parses the
/// text once in a child process with a deadline and refuses it (InputError naming the file) when
/// that parser does not finish; only text it finishes on is parsed in this process. Costs one
/// fork per distinct text (texts it finished on are remembered). A threaded process is never
/// forked (the child could wait forever on a lock another thread held): there the probe runs on
/// a thread with the same deadline, and a parser that hangs is left on it.
void require_yaml_parser_finishes(std::string_view text, const std::string& file);

} // namespace gpucert
