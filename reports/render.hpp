// Renderers: each reads a certificate and returns text; one file per format. Only the CLI
// writes the text to stdout or a file.
#pragma once

#include "reports/certificate.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gpucert::report {

std::string render_json(const Certificate& c);
std::string render_junit(const Certificate& c);
std::string render_markdown(const Certificate& c);
std::string render_html(const Certificate& c);
std::string render_prometheus(const Certificate& c);

struct ConsoleOptions {
  std::vector<std::string> evidence; ///< files to point at in the closing line
};
/// The run summary: node, profile, one line per clause group, the outcome line.
std::string render_console(const Certificate& c, const ConsoleOptions& opts = {});

/// Format names of `gpucert report --format`.
const std::vector<std::string>& format_names();
/// Renders `c` in `format` ("json", "junit", "md", "html", "prom"); InputError on another name.
std::string render(const std::string& format, const Certificate& c);

} // namespace gpucert::report
