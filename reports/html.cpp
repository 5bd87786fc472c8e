// A self-contained HTML page of the certificate (no scripts, no external resources).
#include "reports/format.hpp"
#include "reports/render.hpp"
#include "reports/xml.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <vector>

namespace gpucert::report {

std::string render_html(const Certificate& c, const SignatureStatus& sig) {
  auto e = [](const std::string& s) { return xml_escape(s); };
  const Derived d = derive(c);
  const bool subset = !d.scope.complete_node && !d.scope.gpus.empty();
  const std::string headline =
      to_string(d.outcome) + (subset ? " for " + d.scope.str() : std::string());
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<title>gpucert {}{} — {}</title>\n", e(headline),
                     d.simulated ? " (SIMULATED)" : "", e(c.profile.name));
  out += "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:2px "
         "6px;text-align:left}.PASS{color:#070}.FAIL,.ERROR{color:#b00;"
         "font-weight:bold}.INCONCLUSIVE{color:#a60}.SKIPPED{color:#666}.sim{background:#fd0;"
         "padding:.5em;"
         "font-weight:bold}.alarm{background:#b00;color:#fff;padding:.5em;font-weight:bold}"
         "</style>\n</head>\n<body>\n";
  if (!d.consistent)
    out += fmt::format("<p class=\"alarm\">{}</p>\n", e(inconsistency_banner(d)));
  if (sig.state == SignatureStatus::State::invalid)
    out += fmt::format("<p class=\"alarm\">SIGNATURE {}</p>\n", e(signature_text(sig)));
  if (d.simulated)
    out += fmt::format("<p class=\"sim\">{} ({})</p>\n", e(kSimulatedStamp), e(simulation_note(c)));
  if (subset)
    out += fmt::format("<p class=\"sim\">Scope: {} of the node. Node-scope clauses cannot be "
                       "judged on a subset (ERROR); the other GPUs were not measured.</p>\n",
                       e(d.scope.str()));
  out += fmt::format("<h1>{}</h1>\n<p>{}</p>\n", e(headline), e(d.summary));
  out += fmt::format("<p>node {}<br>scope {}<br>signature {}<br>profile {} ({}, sha256 "
                     "<code>{}</code>)<br>gpucert {} ({})</p>\n",
                     e(node_line(c)), e(scope_text(d)), e(signature_text(sig)), e(c.profile.name),
                     e(c.profile.tier), e(c.profile.sha256), e(c.tool_version), e(c.git_revision));
  out += "<table>\n<tr><th>verdict</th><th>clause</th><th>target</th><th>measured</"
         "th><th>threshold</th>"
         "<th>interval</th><th>n</th><th>why</th></tr>\n";
  // The Markdown report's order: FAIL, ERROR, INCONCLUSIVE, PASS, SKIPPED (stable within each).
  auto rank = [](Verdict v) {
    switch (v) {
    case Verdict::fail:
      return 0;
    case Verdict::error:
      return 1;
    case Verdict::inconclusive:
      return 2;
    case Verdict::pass:
      return 3;
    case Verdict::skipped:
      return 4;
    }
    return 1;
  };
  std::vector<const Check*> rows;
  for (const auto& k : c.checks)
    rows.push_back(&k);
  std::stable_sort(rows.begin(), rows.end(), [&](const Check* a, const Check* b) {
    return rank(a->verdict) < rank(b->verdict);
  });
  for (const Check* k : rows) {
    const std::string v = to_string(k->verdict);
    out += fmt::format(
        "<tr><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>\n",
        v, v, e(k->clause_id), e(k->target), e(value_text(*k)), e(threshold_text(*k)),
        e(interval_text(*k)), k->n, e(explanation(*k)));
  }
  out += "</table>\n</body>\n</html>\n";
  return out;
}

} // namespace gpucert::report
