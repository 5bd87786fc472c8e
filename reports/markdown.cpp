// Markdown report: outcome first, then what failed (FAIL, ERROR), what is undecided, what passed.
#include "reports/format.hpp"
#include "reports/render.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <map>

namespace gpucert::report {

namespace {

/// Table cells: pipes and newlines would break the row; backslash-escape Markdown's specials.
std::string cell(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|')
      out += "\\|";
    else if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) // newlines, control bytes
      out += ' ';
    else if (ch == '*' || ch == '_' || ch == '`' || ch == '<' || ch == '>' || ch == '[' ||
             ch == ']')
      out += std::string("\\") + ch;
    else
      out += ch;
  }
  return out.empty() ? " " : out;
}

void table(std::string& out, const std::vector<const Check*>& rows, bool with_why) {
  out += with_why ? "| verdict | clause | target | measured | threshold | interval | n | why |\n"
                    "|---|---|---|---|---|---|---|---|\n"
                  : "| verdict | clause | target | measured | threshold | interval | n |\n"
                    "|---|---|---|---|---|---|---|\n";
  for (const Check* k : rows) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |", to_string(k->verdict),
                       cell(k->clause_id), cell(k->target), cell(value_text(*k)),
                       cell(threshold_text(*k)), cell(interval_text(*k)), k->n);
    if (with_why)
      out += " " + cell(explanation(*k)) + " |";
    out += "\n";
  }
  out += "\n";
}

} // namespace

std::string render_markdown(const Certificate& c, const SignatureStatus& sig) {
  const Derived d = derive(c);
  std::string out;
  out += fmt::format("# gpucert: {}{}{}\n\n", to_string(d.outcome),
                     d.scope.complete_node || d.scope.gpus.empty() ? "" : " for " + d.scope.str(),
                     d.simulated ? " (SIMULATED)" : "");
  if (!d.consistent)
    out += fmt::format("> **{}.** This report shows what the checks give.\n\n",
                       cell(inconsistency_banner(d)));
  if (sig.state == SignatureStatus::State::invalid)
    out += fmt::format("> **SIGNATURE INVALID: {}.**\n\n",
                       cell(sig.detail.empty() ? "the signature does not hold" : sig.detail));
  if (d.simulated)
    out +=
        fmt::format("> **{}.** These figures come from the simulator ({}); they say nothing about "
                    "real hardware.\n\n",
                    kSimulatedStamp, cell(simulation_note(c)));
  if (!d.scope.complete_node && !d.scope.gpus.empty())
    out += fmt::format("> **Scope: {} of the node.** Node-scope clauses cannot be judged on a "
                       "subset (ERROR); the other GPUs were not measured.\n\n",
                       d.scope.str());
  if (!c.results.complete)
    out += fmt::format("> **Run incomplete ({}).** Clauses not reached are ERROR.\n\n",
                       c.results.incomplete_reason.empty() ? "unknown reason"
                                                           : c.results.incomplete_reason);
  out += cell(d.summary) + "\n\n";
  out += "| | |\n|---|---|\n";
  out += fmt::format("| node | {} |\n", cell(node_line(c)));
  out += fmt::format("| scope | {} |\n", cell(scope_text(d)));
  out += fmt::format("| signature | {} |\n", cell(signature_text(sig)));
  out += fmt::format("| profile | {} ({}, sha256 `{}`) |\n", cell(c.profile.name), c.profile.tier,
                     c.profile.sha256);
  out += fmt::format("| confidence | {:.0f}% |\n", 100 * c.profile.confidence);
  out += fmt::format("| results | {} backend, {}–{}, sha256 `{}`{} |\n", cell(c.results.backend),
                     cell(c.results.started_at), cell(c.results.finished_at),
                     cell(c.results.sha256), c.results.complete ? "" : ", incomplete");
  out += fmt::format("| checks | {} PASS, {} FAIL, {} ERROR, {} INCONCLUSIVE, {} SKIPPED of {} |\n",
                     d.counts.pass, d.counts.fail, d.counts.error, d.counts.inconclusive,
                     d.counts.skipped, d.counts.total);
  out += fmt::format("| tool | gpucert {} ({}) |\n\n", cell(c.tool_version), cell(c.git_revision));

  // The clauses at a glance, the worst first (the tables below list every check).
  out += "## Clauses\n\n| clause | outcome | checks | measured | threshold | contract |\n"
         "|---|---|---|---|---|---|\n";
  for (const ClauseGroup& g : clause_groups(c))
    out += fmt::format("| {} | **{}** | {} | {} | {} | {} |\n", cell(g.id), to_string(g.worst),
                       cell(g.tally), cell(g.range.empty() ? "—" : g.range),
                       cell(threshold_text(*g.checks.front())),
                       cell(g.contract_refs.empty() ? "—" : g.contract_refs));
  out += "\n";

  std::vector<const Check*> bad, undecided, passed, skipped;
  for (const auto& k : c.checks) {
    switch (k.verdict) {
    case Verdict::fail:
      bad.push_back(&k);
      break;
    case Verdict::error:
      bad.push_back(&k);
      break;
    case Verdict::inconclusive:
      undecided.push_back(&k);
      break;
    case Verdict::pass:
      passed.push_back(&k);
      break;
    case Verdict::skipped:
      skipped.push_back(&k);
      break;
    }
  }
  // FAILs before ERRORs: a measured miss is the most actionable line of the report.
  std::stable_partition(bad.begin(), bad.end(),
                        [](const Check* k) { return k->verdict == Verdict::fail; });
  if (!bad.empty()) {
    out += "## Failures and errors\n\n";
    table(out, bad, true);
  }
  if (!undecided.empty()) {
    out += "## Inconclusive\n\n";
    table(out, undecided, true);
  }
  if (!passed.empty()) {
    out += "## Passed\n\n";
    table(out, passed, false);
  }
  if (!skipped.empty()) {
    out += "## Skipped\n\n";
    table(out, skipped, true);
  }
  out += "## GPUs\n\n| gpu | measured | name | PCIe | NVLink | ECC | uncorrectable ECC | serial "
         "|\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& g : c.inventory.gpus) {
    auto opt = [](const auto& o) { return o ? fmt::format("{}", *o) : std::string("?"); };
    out += fmt::format(
        "| {} | {} | {} | gen{} x{} | {}/{} | {} | {} | {} |\n", g.index,
        measured(d, g.index) ? "yes" : "**not measured**", cell(g.name.value_or("?")),
        opt(g.pcie_gen_current), opt(g.pcie_width_current), opt(g.nvlink_links_active),
        opt(g.nvlink_links_total), g.ecc_enabled ? (*g.ecc_enabled ? "on" : "off") : "?",
        opt(g.ecc_uncorrected_volatile), cell(g.serial.value_or("?")));
  }
  out += "\n";
  return out;
}

} // namespace gpucert::report
