// Guarded JSON parsing (see json_input.hpp for why each limit exists).
#include "harness/core/json_input.hpp"

#include "harness/core/error.hpp"

#include <fmt/core.h>
#include <set>
#include <vector>

namespace gpucert {
namespace {

using nlohmann::json;

[[noreturn]] void fail_at(std::string_view text, std::size_t offset, const std::string& file,
                          const std::string& what) {
  const TextPos p = text_pos(text, offset);
  throw InputError(fmt::format("{}:{}:{}: {}", file, p.line, p.col, what));
}

/// Depth and number-token length, found by a lexical pass before parsing: it gives the place of
/// the problem and keeps a hostile file from reaching the parser's allocations.
void prescan(std::string_view t, const std::string& file) {
  int depth = 0;
  bool in_string = false;
  std::size_t number_start = std::string_view::npos;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (in_string) {
      // To the next quote or backslash in one tight loop: half of a certificate is strings.
      while (i < t.size() && t[i] != '"' && t[i] != '\\')
        ++i;
      if (i == t.size())
        break;
      if (t[i] == '\\')
        ++i; // the escaped character (the loop's ++i steps over it)
      else
        in_string = false;
      continue;
    }
    const char c = t[i];
    const bool number_char =
        (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
    if (!number_char) {
      number_start = std::string_view::npos;
    } else {
      if (number_start == std::string_view::npos)
        number_start = i;
      if (i - number_start + 1 > kMaxJsonNumberChars)
        fail_at(t, number_start, file,
                fmt::format("a number longer than {} characters", kMaxJsonNumberChars));
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        fail_at(t, i, file, fmt::format("nesting deeper than {} levels", kMaxJsonDepth));
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

/// nlohmann's message without its "last read: '...'" part, which would quote the file.
std::string syntax_message(const json::parse_error& e) {
  std::string m = e.what();
  if (const auto colon = m.find(": ", m.find("column")); colon != std::string::npos)
    m = m.substr(colon + 2);
  if (const auto quote = m.find("; last read"); quote != std::string::npos)
    m.resize(quote);
  return m;
}

/// Tracks where the parser is, so a duplicate key or bad number can be named by its field path.
class Guard {
public:
  explicit Guard(const std::string& file) : file_(file) {}

  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
    case json::parse_event_t::object_start:
    case json::parse_event_t::array_start:
      frames_.push_back({event == json::parse_event_t::object_start, {}, {}, 0});
      break;
    case json::parse_event_t::key: {
      Frame& f = frames_.back();
      f.key = parsed.get<std::string>();
      if (!f.keys.insert(f.key).second)
        fail("duplicate key (each key may appear once in an object)");
      break;
    }
    case json::parse_event_t::object_end:
    case json::parse_event_t::array_end:
      frames_.pop_back();
      next();
      break;
    case json::parse_event_t::value:
      next();
      break;
    }
    return true;
  }

private:
  struct Frame {
    bool object;
    std::set<std::string> keys;
    std::string key;
    std::size_t index;
  };

  void next() {
    if (!frames_.empty() && !frames_.back().object)
      ++frames_.back().index;
  }

  [[noreturn]] void fail(const std::string& what) const {
    std::string path;
    for (const Frame& f : frames_)
      path += f.object ? (path.empty() ? "" : ".") + f.key : fmt::format("[{}]", f.index);
    throw InputError(
        fmt::format("{}: field '{}': {}", file_, path.empty() ? "(document)" : path, what));
  }

  const std::string& file_;
  std::vector<Frame> frames_;
};

} // namespace

namespace detail {

void check_json_text(std::string_view text, const std::string& file) {
  check_text(text, file);
  prescan(text, file);
}

void refuse_json(std::string_view text, const std::string& file) {
  try {
    Guard guard(file);
    const json parsed = json::parse(text, std::ref(guard));
    (void)parsed;
  } catch (const json::parse_error& e) {
    // e.byte counts from 1 and points just past the offending token.
    fail_at(text, e.byte > 0 ? e.byte - 1 : 0, file,
            fmt::format("not JSON: {}", syntax_message(e)));
  } catch (const json::out_of_range&) {
    // 1e999: nlohmann refuses a number a double cannot hold (its message would quote it).
    throw InputError(fmt::format("{}: not JSON: a number out of the range of a double", file));
  }
  // Both parsers follow RFC 8259; should one ever take what the other refused, refuse it anyway.
  throw InputError(fmt::format("{}: not JSON: refused by the JSON parser", file));
}

} // namespace detail

json parse_json_text(std::string_view text, const std::string& file) {
  return parse_json_document(text, file).root().to_json();
}

json read_json_input(const std::string& path, const InputKind& kind) {
  return parse_json_text(read_input_file(path, kind), path);
}

} // namespace gpucert
