// A self-contained HTML page of the certificate (no scripts, no external resources; prints on
// paper): the outcome and its banners, the run's facts and digests, one block per clause with a
// chart fitted to its scope (failures first), every check in one table, and the node's GPUs.
#include "reports/format.hpp"
#include "reports/html_charts.hpp"
#include "reports/render.hpp"
#include "reports/xml.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <map>
#include <vector>

namespace gpucert::report {

namespace {

template <typename T> std::string opt_text(const std::optional<T>& o) {
  return o ? fmt::format("{}", *o) : std::string("?");
}

/// One block per clause, the worst verdict first: what it asks, its chart, what failed.
void clause_blocks(std::string& out, const Certificate& c) {
  out += "<h2>Clauses</h2>\n";
  for (const ClauseGroup& g : clause_groups(c)) {
    const Check& first = *g.checks.front();
    out += fmt::format("<section class=\"clause\"><h3><span class=\"{0}\">{0}</span> {1}</h3>\n",
                       to_string(g.worst), xml_escape(g.id));
    out += fmt::format(
        "<p>{}<br>metric <code>{}</code> · {} · {} check{}: {}{}{}</p>\n",
        xml_escape(first.description), xml_escape(first.metric), xml_escape(threshold_text(first)),
        g.checks.size(), g.checks.size() == 1 ? "" : "s", g.tally,
        g.range.empty() ? std::string() : " · " + xml_escape(g.range),
        g.contract_refs.empty() ? std::string()
                                : "<br>contract reference: " + xml_escape(g.contract_refs));
    out += clause_chart_svg(g.checks);
    for (const Check* k : g.checks)
      if (k->verdict == Verdict::fail || k->verdict == Verdict::error)
        out +=
            fmt::format("<p class=\"why\"><span class=\"{0}\">{0}</span> {1}: {2}</p>\n",
                        to_string(k->verdict), xml_escape(k->target), xml_escape(explanation(*k)));
    // Each check of the clause, folded: a reader opens the clause they question.
    out += fmt::format("<details><summary>the {} check{} of {}</summary>\n<table "
                       "class=\"clause-checks\">\n<tr><th>target</th><th>verdict</th>"
                       "<th>measured</th><th>interval</th><th>n</th><th>method</th><th>why</th>"
                       "</tr>\n",
                       g.checks.size(), g.checks.size() == 1 ? "" : "s", xml_escape(g.id));
    for (const Check* k : g.checks)
      out += fmt::format("<tr><td>{0}</td><td class=\"{1}\">{1}</td><td>{2}</td><td>{3}</td>"
                         "<td>{4}</td><td>{5}</td><td>{6}</td></tr>\n",
                         xml_escape(k->target), to_string(k->verdict), xml_escape(value_text(*k)),
                         xml_escape(interval_text(*k)), k->n, xml_escape(k->ci_method),
                         xml_escape(explanation(*k)));
    out += "</table>\n</details>\n</section>\n";
  }
}

void inventory_block(std::string& out, const Certificate& c, const Derived& d) {
  const NodeInfo& n = c.inventory.node;
  out += "<h2>Node</h2>\n<p>";
  out += fmt::format(
      "host {} · driver {} · CUDA driver {} · CUDA runtime {} · cuBLAS {} · NCCL {}",
      xml_escape(n.hostname.value_or("?")), xml_escape(n.driver_version.value_or("?")),
      xml_escape(n.cuda_driver_version.value_or("?")),
      xml_escape(n.cuda_runtime_version.value_or("?")), xml_escape(n.cublas_version.value_or("?")),
      xml_escape(n.nccl_version.value_or("?")));
  out +=
      fmt::format("<br>CPU {} · kernel {} · {} NUMA node(s) · inventory collected {}</p>\n",
                  xml_escape(n.cpu_model.value_or("?")), xml_escape(n.kernel_version.value_or("?")),
                  opt_text(n.numa_nodes), xml_escape(c.inventory.collected_at));
  out += "<table class=\"gpus\">\n<tr><th>gpu</th><th>measured</th><th>name</th><th>UUID</th>"
         "<th>serial</th><th>PCI bus</th><th>PCIe</th><th>NVLink</th><th>NVLink peers</th>"
         "<th>ECC</th><th>uncorrectable ECC</th></tr>\n";
  for (const auto& g : c.inventory.gpus) {
    std::map<std::string, int> peers;
    for (const auto& l : g.nvlinks)
      if (l.active)
        ++peers[l.remote_type];
    std::string peer_text;
    for (const auto& [type, count] : peers)
      peer_text += fmt::format("{}{} × {}", peer_text.empty() ? "" : ", ", count, type);
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td>"
        "<td>gen{} x{} (max gen{} x{})</td><td>{}/{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        g.index, measured(d, g.index) ? "yes" : "<b>not measured</b>",
        xml_escape(g.name.value_or("?")), xml_escape(g.uuid.value_or("?")),
        xml_escape(g.serial.value_or("?")), xml_escape(g.pci_bus_id.value_or("?")),
        opt_text(g.pcie_gen_current), opt_text(g.pcie_width_current), opt_text(g.pcie_gen_max),
        opt_text(g.pcie_width_max), opt_text(g.nvlink_links_active), opt_text(g.nvlink_links_total),
        peer_text.empty() ? "—" : xml_escape(peer_text),
        g.ecc_enabled ? (*g.ecc_enabled ? "on" : "off") : "?",
        opt_text(g.ecc_uncorrected_volatile));
  }
  out += "</table>\n";
}

} // namespace

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
         ".clause{border-top:1px solid #ccc;margin-top:1em;break-inside:avoid}"
         ".chart text{font:11px sans-serif}.chart .axis{fill:#555}.chart .cell{fill:#fff}"
         ".chart .whisker{stroke:#000;stroke-width:1.2;fill:none}"
         ".chart .threshold{stroke:#000;stroke-dasharray:4 3}.chart .empty{fill:#eee}"
         "@media print{body{margin:0}.chart{max-width:100%}}"
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
                     "<code>{}</code>, confidence {:.0f} %)<br>results {} backend, {} – {}{}, "
                     "sha256 <code>{}</code><br>checks {} PASS, {} FAIL, {} ERROR, {} "
                     "INCONCLUSIVE, {} SKIPPED of {}<br>gpucert {} ({})</p>\n",
                     e(node_line(c)), e(scope_text(d)), e(signature_text(sig)), e(c.profile.name),
                     e(c.profile.tier), e(c.profile.sha256), 100 * c.profile.confidence,
                     e(c.results.backend), e(c.results.started_at), e(c.results.finished_at),
                     c.results.complete ? "" : " (incomplete)", e(c.results.sha256), d.counts.pass,
                     d.counts.fail, d.counts.error, d.counts.inconclusive, d.counts.skipped,
                     d.counts.total, e(c.tool_version), e(c.git_revision));
  clause_blocks(out, c);
  out += "<h2>All checks</h2>\n";
  out +=
      "<table class=\"checks\">\n<tr><th>verdict</th><th>clause</th><th>target</th><th>measured</"
      "th><th>threshold</th>"
      "<th>interval</th><th>n</th><th>why</th></tr>\n";
  // The Markdown report's order: FAIL, ERROR, INCONCLUSIVE, PASS, SKIPPED (stable within each).
  const auto rank = verdict_rank;
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
  out += "</table>\n";
  inventory_block(out, c, d);
  out += "</body>\n</html>\n";
  return out;
}

} // namespace gpucert::report
