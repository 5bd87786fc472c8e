// Renderers: each reads a certificate and returns text; one file per format. Only the CLI
// writes the text to stdout or a file.
#pragma once

#include "harness/model/certificate.hpp"
#include "harness/model/signature_status.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gpucert::report {

/// A report format: one renderer file plus one line of the table in render.cpp. Help texts,
/// format lists, error messages and the files `run`/`evaluate --out` write all come from it.
struct Format {
  std::string name;        ///< --format value
  std::string out_file;    ///< written into a run's --out directory; empty: on request only
  std::string description; ///< for help texts
  /// Renders a certificate; `sig` is the signature status computed now, for the run directory
  /// it was read from (not_checked when rendered from a certificate alone).
  std::string (*render)(const Certificate&, const SignatureStatus& sig);
};

/// Every format, in table order.
const std::vector<Format>& formats();
/// The format called `name`; InputError listing the format names otherwise.
const Format& format(const std::string& name);
/// "json, junit, md, html, prom" (for help texts and messages).
std::string format_list();
/// Renders `c` in `format`; InputError on an unknown name.
std::string render(const std::string& format, const Certificate& c,
                   const SignatureStatus& sig = {});

struct ConsoleOptions {
  std::vector<std::string> evidence; ///< files to point at in the closing line
  SignatureStatus signature;         ///< of the directory the certificate is in, computed now
};
/// The run summary: node, scope, profile, one line per clause group, the signature line and the
/// outcome line. Like every renderer, it shows the outcome derived from the checks.
std::string render_console(const Certificate& c, const ConsoleOptions& opts = {});

} // namespace gpucert::report
