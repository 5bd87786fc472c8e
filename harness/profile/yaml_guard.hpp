// Profile files through the one guarded reader (harness/core/yaml_input.hpp), plus the helpers
// profile errors use: locations, "FILE:LINE:COL: key 'k': ..." and "got X" descriptions.
#pragma once

#include "harness/profile/profile.hpp"

#include <string>
#include <yaml-cpp/yaml.h>

namespace gpucert::profile {

/// Reads a profile file (read_input_file with kProfileInput).
std::string read_text_file(const std::string& path);

/// parse_yaml_text with the profile limits.
YAML::Node load_yaml_guarded(const std::string& text, const std::string& file);

Loc loc_of(const YAML::Node& node, const std::string& file);

/// Throws InputError "FILE:LINE:COL: key 'KEY': MESSAGE" (without the key part when empty).
[[noreturn]] void fail(const Loc& loc, const std::string& key, const std::string& message);

/// "a map", "a list", "null", "the text \"abc\"": for "expected X, got Y" messages.
std::string describe(const YAML::Node& node);

} // namespace gpucert::profile
