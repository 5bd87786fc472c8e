// Profile-side YAML helpers; the guarded reading itself is harness/core/yaml_input.
#include "harness/profile/yaml_guard.hpp"

#include "harness/core/error.hpp"
#include "harness/core/yaml_input.hpp"

#include <fmt/core.h>

namespace gpucert::profile {

std::string Loc::str() const {
  return fmt::format("{}:{}:{}", file, line, col);
}

void fail(const Loc& loc, const std::string& key, const std::string& message) {
  if (key.empty())
    throw InputError(fmt::format("{}: {}", loc.str(), message));
  throw InputError(fmt::format("{}: key '{}': {}", loc.str(), key, message));
}

Loc loc_of(const YAML::Node& node, const std::string& file) {
  const YAML::Mark m = node.Mark();
  if (m.is_null())
    return {file, 1, 1};
  return {file, m.line + 1, m.column + 1};
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined:
    return "nothing (null)";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Map:
    return "a map";
  case YAML::NodeType::Scalar: {
    std::string s = node.Scalar();
    if (s.size() > 40)
      s = s.substr(0, 40) + "...";
    return fmt::format("'{}'", s);
  }
  }
  return "an unknown node";
}

std::string read_text_file(const std::string& path) {
  return read_input_file(path, kProfileInput);
}

YAML::Node load_yaml_guarded(const std::string& text, const std::string& file) {
  return parse_yaml_text(text, file, kProfileInput);
}

} // namespace gpucert::profile
