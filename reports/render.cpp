// The table of report formats. Adding a format is its renderer file and one line here.
#include "reports/render.hpp"

#include "harness/core/error.hpp"

#include <fmt/format.h>

// name, renderer (render_<fn>, defined in the format's own file), file a run writes, description
#define GPUCERT_REPORT_FORMATS(X)                                                                  \
  X("json", json, "certificate.json", "the certificate itself (JSON, schema in share/gpucert)")    \
  X("json-full", json_full, "",                                                                    \
    "the certificate's full form: every field of every check, for jq and scripts")                 \
  X("junit", junit, "junit.xml", "JUnit XML, one test case per check, for CI systems")             \
  X("md", markdown, "report.md", "Markdown: verdicts, evidence and causes, for people")            \
  X("html", html, "", "a self-contained HTML page")                                                \
  X("prom", prometheus, "",                                                                        \
    "Prometheus text exposition, for a node exporter's textfile collector")                        \
  X("prom-full", prometheus_full, "",                                                              \
    "Prometheus with one series per check (large: not for fleets)")

namespace gpucert::report {

#define GPUCERT_DECLARE_RENDERER(name, fn, file, description)                                      \
  std::string render_##fn(const Certificate&, const SignatureStatus&);
GPUCERT_REPORT_FORMATS(GPUCERT_DECLARE_RENDERER)
#undef GPUCERT_DECLARE_RENDERER

const std::vector<Format>& formats() {
#define GPUCERT_FORMAT_ENTRY(name, fn, file, description)                                          \
  Format{name, file, description, render_##fn},
  static const std::vector<Format> table = {GPUCERT_REPORT_FORMATS(GPUCERT_FORMAT_ENTRY)};
#undef GPUCERT_FORMAT_ENTRY
  return table;
}

std::string format_list() {
  std::vector<std::string> names;
  for (const Format& f : formats())
    names.push_back(f.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

const Format& format(const std::string& name) {
  for (const Format& f : formats())
    if (f.name == name)
      return f;
  throw InputError(fmt::format("--format '{}' is not a report format ({})", name, format_list()));
}

std::string render(const std::string& name, const Certificate& c, const SignatureStatus& sig) {
  return format(name).render(c, sig);
}

} // namespace gpucert::report
