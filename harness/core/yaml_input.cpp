// Guarded YAML parsing (see yaml_input.hpp for why each limit exists).
#include "harness/core/yaml_input.hpp"

#include "harness/core/error.hpp"
#include "harness/core/yaml_text_check.hpp"

#include <fmt/core.h>
#include <vector>
#include <yaml-cpp/depthguard.h>

namespace gpucert {
namespace {

[[noreturn]] void fail(const std::string& file, const YAML::Mark& m, const std::string& what) {
  const int line = m.is_null() ? 1 : m.line + 1, col = m.is_null() ? 1 : m.column + 1;
  throw InputError(fmt::format("{}:{}:{}: {}", file, line, col, what));
}

void walk(const YAML::Node& node, int depth, long& visited, const std::string& file) {
  if (++visited > kMaxYamlNodes)
    fail(file, node.Mark(),
         fmt::format("document expands to more than {} nodes (alias bomb?)", kMaxYamlNodes));
  if (depth > kMaxYamlDepth)
    fail(file, node.Mark(),
         fmt::format("nesting deeper than {} levels (or an alias that contains itself)",
                     kMaxYamlDepth));
  if (node.IsSequence()) {
    for (const auto& child : node)
      walk(child, depth + 1, visited, file);
  } else if (node.IsMap()) {
    for (const auto& kv : node) {
      walk(kv.first, depth + 1, visited, file);
      walk(kv.second, depth + 1, visited, file);
    }
  }
}

} // namespace

YAML::Node parse_yaml_text(std::string_view text, const std::string& file, const InputKind& kind) {
  if (text.size() > kind.max_bytes)
    fail(file, YAML::Mark::null_mark(),
         fmt::format("text is {} bytes; a {} may be at most {} bytes", text.size(), kind.what,
                     kind.max_bytes));
  check_text(text, file);
  reject_yaml_cpp_hazards(text, file); // before yaml-cpp sees it: inputs that hang its parser
  require_yaml_parser_finishes(text, file);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    fail(file, e.mark,
         fmt::format("nesting deeper than {} levels (the parser stopped at depth {})",
                     kMaxYamlDepth, e.depth()));
  } catch (const YAML::Exception& e) {
    fail(file, e.mark, fmt::format("YAML syntax: {}", e.msg));
  }
  if (docs.empty() || docs[0].IsNull())
    fail(file, YAML::Mark::null_mark(), fmt::format("{} is empty", kind.what));
  if (docs.size() > 1)
    fail(file, docs[1].Mark(), "more than one YAML document in the file");
  long visited = 0;
  try {
    walk(docs[0], 0, visited, file);
  } catch (const YAML::Exception& e) {
    fail(file, YAML::Mark::null_mark(), fmt::format("YAML: {}", e.msg));
  }
  return docs[0];
}

YAML::Node read_yaml_input(const std::string& path, const InputKind& kind) {
  return parse_yaml_text(read_input_file(path, kind), path, kind);
}

} // namespace gpucert
