// Format name → renderer, for `gpucert report --format`.
#include "reports/render.hpp"

#include "harness/core/error.hpp"

#include <fmt/core.h>
#include <functional>
#include <map>

namespace gpucert::report {

namespace {
const std::map<std::string, std::function<std::string(const Certificate&)>>& table() {
  static const std::map<std::string, std::function<std::string(const Certificate&)>> t = {
      {"json", render_json},
      {"junit", render_junit},
      {"md", render_markdown},
      {"html", render_html},
      {"prom", render_prometheus}};
  return t;
}
} // namespace

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> names = {"json", "junit", "md", "html", "prom"};
  return names;
}

std::string render_json(const Certificate& c) {
  return to_json(c).dump(2) + "\n";
}

std::string render(const std::string& format, const Certificate& c) {
  auto it = table().find(format);
  if (it == table().end())
    throw InputError(
        fmt::format("--format '{}' is not a report format (json, junit, md, html, prom)", format));
  return it->second(c);
}

} // namespace gpucert::report
