// Strict YAML for files users hand gpucert (profiles, simulator node files): text checked first
// (input_file.hpp), one document, and a bounded walk: yaml-cpp shares aliased nodes, so an alias
// bomb is cheap to parse but exponential to traverse, and deep nesting recurses. Errors carry
// FILE:LINE:COL and never quote the text.
#pragma once

#include "harness/core/input_file.hpp"

#include <string>
#include <string_view>
#include <yaml-cpp/yaml.h>

namespace gpucert {

inline constexpr int kMaxYamlDepth = 32;
inline constexpr long kMaxYamlNodes = 100000;

/// Parses `text` (named `file` in errors; `what` names the kind: "profile") into its single
/// document. InputError on empty, binary, non-UTF-8, oversized for `kind`, malformed,
/// multi-document, too deep or too large (expanded) input.
YAML::Node parse_yaml_text(std::string_view text, const std::string& file, const InputKind& kind);

/// read_input_file + parse_yaml_text.
YAML::Node read_yaml_input(const std::string& path, const InputKind& kind);

} // namespace gpucert
