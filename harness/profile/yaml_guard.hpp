// Defensive YAML loading for user-supplied files: size cap before parsing, text-only content,
// one document, and a bounded walk (depth and node count: yaml-cpp shares aliased nodes, so an
// alias bomb is cheap to parse but exponential to traverse). Errors carry FILE:LINE:COL.
#pragma once

#include "harness/profile/profile.hpp"

#include <string>
#include <yaml-cpp/yaml.h>

namespace gpucert::profile {

/// Reads a file of at most kMaxProfileBytes; InputError when missing, not a regular file or too
/// big.
std::string read_text_file(const std::string& path);

/// Parses `text` (named `file` in errors) into its single document after checking content and
/// limits. InputError on empty, binary, non-UTF-8, malformed, multi-document, too deep or too
/// large (expanded) input.
YAML::Node load_yaml_guarded(const std::string& text, const std::string& file);

Loc loc_of(const YAML::Node& node, const std::string& file);

/// Throws InputError "FILE:LINE:COL: key 'KEY': MESSAGE" (without the key part when empty).
[[noreturn]] void fail(const Loc& loc, const std::string& key, const std::string& message);

/// "a map", "a list", "null", "the text \"abc\"": for "expected X, got Y" messages.
std::string describe(const YAML::Node& node);

} // namespace gpucert::profile
