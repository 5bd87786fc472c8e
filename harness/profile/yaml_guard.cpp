// Defensive YAML loading (see yaml_guard.hpp for why each limit exists).
#include "harness/profile/yaml_guard.hpp"

#include "harness/core/error.hpp"
#include "harness/core/yaml_text_check.hpp"

#include <cstdint>
#include <fmt/core.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <yaml-cpp/depthguard.h>

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
  const Loc at{path, 1, 1};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    fail(at, "", "cannot open: no such file");
  if (!S_ISREG(st.st_mode))
    fail(at, "", "not a regular file");
  if (static_cast<unsigned long long>(st.st_size) > kMaxProfileBytes) {
    fail(at, "",
         fmt::format("file is {} bytes; a profile may be at most {} bytes", st.st_size,
                     kMaxProfileBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(at, "", "cannot open: permission denied or unreadable");
  std::string text(kMaxProfileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxProfileBytes)
    fail(at, "", "file grew past the size limit while reading");
  return text;
}

namespace {

/// Rejects NUL and other control bytes and malformed UTF-8, naming the first offending place.
void check_text(const std::string& text, const std::string& file) {
  int line = 1, col = 1;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    unsigned char c = p[i];
    std::size_t len = 1;
    if (c < 0x80) {
      if (c == '\n') {
        ++line;
        col = 1;
        ++i;
        continue;
      }
      if (c < 0x20 && c != '\t' && c != '\r')
        fail({file, line, col}, "",
             fmt::format("binary content (byte 0x{:02x}): not a YAML text file", c));
      if (c == 0x7f)
        fail({file, line, col}, "", "binary content (byte 0x7f): not a YAML text file");
    } else {
      std::uint32_t cp = 0;
      if ((c & 0xe0) == 0xc0)
        len = 2, cp = c & 0x1f;
      else if ((c & 0xf0) == 0xe0)
        len = 3, cp = c & 0x0f;
      else if ((c & 0xf8) == 0xf0)
        len = 4, cp = c & 0x07;
      else
        fail({file, line, col}, "", fmt::format("invalid UTF-8 (byte 0x{:02x})", c));
      if (i + len > n)
        fail({file, line, col}, "", "invalid UTF-8 (truncated sequence)");
      for (std::size_t k = 1; k < len; ++k) {
        if ((p[i + k] & 0xc0) != 0x80)
          fail({file, line, col}, "", "invalid UTF-8 sequence");
        cp = (cp << 6) | (p[i + k] & 0x3f);
      }
      const bool overlong =
          (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
      if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        fail({file, line, col}, "", "invalid UTF-8 sequence");
    }
    i += len;
    ++col;
  }
}

void walk(const YAML::Node& node, int depth, long& visited, const std::string& file) {
  if (++visited > kMaxYamlNodes) {
    fail(loc_of(node, file), "",
         fmt::format("document expands to more than {} nodes (alias bomb?)", kMaxYamlNodes));
  }
  if (depth > kMaxYamlDepth) {
    fail(loc_of(node, file), "",
         fmt::format("nesting deeper than {} levels (or an alias that contains itself)",
                     kMaxYamlDepth));
  }
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

YAML::Node load_yaml_guarded(const std::string& text, const std::string& file) {
  if (text.size() > kMaxProfileBytes) {
    fail({file, 1, 1}, "",
         fmt::format("text is {} bytes; a profile may be at most {} bytes", text.size(),
                     kMaxProfileBytes));
  }
  check_text(text, file);
  reject_yaml_cpp_hazards(text, file);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::DeepRecursion& e) {
    fail({file, e.mark.line + 1, e.mark.column + 1}, "",
         fmt::format("nesting deeper than {} levels (the parser stopped at depth {})",
                     kMaxYamlDepth, e.depth()));
  } catch (const YAML::Exception& e) {
    Loc at{file, e.mark.is_null() ? 1 : e.mark.line + 1, e.mark.is_null() ? 1 : e.mark.column + 1};
    fail(at, "", fmt::format("YAML syntax: {}", e.msg));
  }
  if (docs.empty() || docs[0].IsNull())
    fail({file, 1, 1}, "", "profile is empty");
  if (docs.size() > 1)
    fail(loc_of(docs[1], file), "", "more than one YAML document in the file");
  long visited = 0;
  try {
    walk(docs[0], 0, visited, file);
  } catch (const YAML::Exception& e) {
    fail({file, 1, 1}, "", fmt::format("YAML: {}", e.msg));
  }
  return docs[0];
}

} // namespace gpucert::profile
