// A check on YAML text before it reaches yaml-cpp, for inputs that library cannot survive.
#pragma once

#include <string>
#include <string_view>

namespace gpucert {

/// yaml-cpp 0.7 (Debian 12) never returns, allocating without bound, on a document whose first
/// token is a ',' (",a", "# c\n,a", "a\n---\n,b"; found by fuzzing). No valid profile or node
/// file starts that way, so this refuses it first: InputError "FILE:LINE:COL: ...".
void reject_yaml_cpp_hazards(std::string_view text, const std::string& file);

} // namespace gpucert
