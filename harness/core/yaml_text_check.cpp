// See yaml_text_check.hpp.
#include "harness/core/yaml_text_check.hpp"

#include "harness/core/error.hpp"

#include <fmt/core.h>
#include <string_view>

namespace gpucert {

void reject_yaml_cpp_hazards(std::string_view text, const std::string& file) {
  bool document_start = true; // before the first token of a document
  int line = 0;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find('\n', begin), text.size());
    std::string_view s = std::string_view(text).substr(begin, end - begin);
    const std::size_t indent = std::min(s.find_first_not_of(" \t\r"), s.size());
    ++line;
    begin = end + 1;
    s.remove_prefix(indent);
    std::size_t col = indent + 1;
    if (s.substr(0, 3) == "---" || s.substr(0, 3) == "...") {
      document_start = true;
      const std::size_t rest = std::min(s.find_first_not_of(" \t\r", 3), s.size());
      s.remove_prefix(rest);
      col += rest;
    }
    if (!document_start || s.empty() || s.front() == '#' || s.front() == '%')
      continue;
    if (s.front() == ',')
      throw InputError(
          fmt::format("{}:{}:{}: YAML syntax: a document cannot start with ','", file, line, col));
    document_start = false;
  }
}

} // namespace gpucert
