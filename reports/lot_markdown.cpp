// lot.md: the lot as a buyer reads it, most important first.
#include "reports/format.hpp"
#include "reports/lot_render.hpp"

#include <cmath>
#include <fmt/core.h>

namespace gpucert::report {

namespace {

// Table cells: a '|' or a newline would break the row.
std::string cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string percent(double f) {
  return std::isfinite(f) ? fmt::format("{:+.2f} %", f * 100) : "—";
}

std::string value(double v, const std::string& unit) {
  return std::isfinite(v) ? quantity(v, unit) : "—";
}

constexpr std::size_t kMaxListed = 200; // outliers listed in the report; lot.json has them all

} // namespace

std::string render_lot_markdown(const LotCertificate& lot) {
  std::string o;
  o += fmt::format("# Lot: {}\n\n", to_string(lot.outcome));
  if (lot.simulated)
    o += fmt::format("> **{}**: nodes of this lot were simulated.\n\n", kSimulatedStamp);
  o += fmt::format("{}\n\n", lot.summary);
  o += fmt::format("- **Capacity:** {}\n", lot.capacity);
  o += fmt::format("- **Nodes:** {} offered, {} read, {} certified, {} not certified, {} "
                   "inconclusive, {} unreadable",
                   lot.nodes_offered, lot.nodes_read, lot.nodes_certified, lot.nodes_not_certified,
                   lot.nodes_inconclusive, lot.nodes_unreadable);
  if (lot.nodes_unverified > 0 || (!lot.nodes.empty() && lot.nodes.front().signature.state !=
                                                             SignatureStatus::State::not_checked))
    o += fmt::format(", {} unverified (signature or file digests not VALID)", lot.nodes_unverified);
  o += "\n";
  o += fmt::format("- **Profile:** {}{}\n",
                   lot.profile_name.empty() ? "(several)" : lot.profile_name,
                   lot.profile_sha256.empty() ? "" : " (sha256 " + lot.profile_sha256 + ")");
  o += fmt::format("- **Lot digest:** sha256 {} (over the {} node certificates' digests, sorted)\n",
                   lot.lot_sha256, lot.nodes_read);
  o += fmt::format("- **Written:** {} by gpucert {} ({})\n", lot.created_at, lot.tool_version,
                   lot.git_revision);
  for (const auto& n : lot.notes)
    o += fmt::format("- **Note:** {}\n", n);
  o += "\n";

  if (lot.sample) {
    const SampleBound& s = *lot.sample;
    o += "## What this sample says about the lot\n\n";
    o += fmt::format("{} nodes were spot-checked out of a lot of {}. At {:g} % confidence the lot "
                     "holds at most **{} defective nodes ({:.2f} %)**.\n\n",
                     s.sampled, s.lot_size, s.confidence * 100, s.max_defective_nodes,
                     s.max_defective_fraction * 100);
    o += fmt::format("{}. Method: {}.\n\n", s.detail, s.method);
  }

  if (!lot.lot_clauses.empty()) {
    o += "## Lot clauses\n\n| Clause | Asks | Lot | Verdict | Why |\n|---|---|---|---|---|\n";
    for (const auto& c : lot.lot_clauses)
      o += fmt::format("| {} | {} | {} | {} | {} |\n", c.id, cell(c.description),
                       c.value ? fmt::format("{:.4g}", *c.value) : "—", to_string(c.verdict),
                       cell(c.message));
    o += "\n";
  }

  o += "## Failures by cause\n\n";
  if (lot.failures.empty())
    o += "No node failed.\n\n";
  for (const auto& f : lot.failures) {
    std::string names;
    for (std::size_t i = 0; i < f.nodes.size() && i < 20; ++i)
      names += (i ? ", " : "") + f.nodes[i];
    if (f.nodes.size() > 20)
      names += fmt::format(", … ({} more)", f.nodes.size() - 20);
    o += fmt::format("- **{} node{}:** {} — {}\n", f.nodes.size(), f.nodes.size() == 1 ? "" : "s",
                     cell(f.cause), names);
  }
  if (!lot.failures.empty())
    o += "\n";

  o += "## Outliers\n\n" + outlier_rule_text(lot.options) + "\n\n";
  if (lot.outliers.empty()) {
    o += "None.\n\n";
  } else {
    o +=
        "| Clause | Node | Target | GPU UUID | Value | Lot median | vs median | robust z | Verdict "
        "|\n|---|---|---|---|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < lot.outliers.size() && i < kMaxListed; ++i) {
      const Outlier& x = lot.outliers[i];
      const std::string unit = clause_unit(lot, x.clause_id);
      o += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", x.clause_id,
                       cell(x.node), x.target, cell(x.gpu_uuid), value(x.value, unit),
                       value(x.lot_median, unit), percent(x.rel_to_median),
                       std::isfinite(x.robust_z) ? fmt::format("{:.1f}", x.robust_z) : "∞",
                       to_string(x.verdict));
    }
    if (lot.outliers.size() > kMaxListed)
      o += fmt::format("\n… and {} more in lot.json and lot.csv.\n",
                       lot.outliers.size() - kMaxListed);
    o += "\n";
  }

  o += "## Clauses over the lot\n\nDistributions over every target of the lot (each GPU for a "
       "per-GPU clause). Worst is the minimum where higher is better, else the maximum.\n\n";
  o += "| Clause | Threshold | n | Median | MAD | p1 | p5 | Worst | Worst at | PASS | FAIL | "
       "other |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& c : lot.clauses) {
    const int other = c.counts.inconclusive + c.counts.error + c.counts.skipped;
    if (!c.distribution) {
      o += fmt::format("| {} | {} | — | — | — | — | — | — | — | {} | {} | {} |\n", c.id,
                       cell(c.threshold.str()), c.counts.pass, c.counts.fail, other);
      continue;
    }
    const Distribution& d = *c.distribution;
    o += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} {}{} | {} | {} | {} |\n", c.id,
                     cell(c.threshold.str()), d.n, value(d.median, c.unit), value(d.mad, c.unit),
                     value(d.p1, c.unit), value(d.p5, c.unit), value(d.worst, c.unit),
                     cell(d.worst_node), d.worst_target,
                     d.worst_gpu_uuid.empty() ? "" : " (" + d.worst_gpu_uuid + ")", c.counts.pass,
                     c.counts.fail, other);
  }
  o += "\n## Nodes\n\n| Node | Outcome | GPUs | PASS | FAIL | other | Signature | Causes |\n"
       "|---|---|---|---|---|---|---|---|\n";
  for (const auto& n : lot.nodes) {
    if (!n.readable) {
      o += fmt::format("| {} | UNREADABLE | — | — | — | — | — | {} |\n", cell(n.dir),
                       cell(n.load_error));
      continue;
    }
    std::string causes;
    for (std::size_t i = 0; i < n.causes.size(); ++i)
      causes += (i ? "; " : "") + n.causes[i];
    o += fmt::format("| {} | {}{} | {}/{} | {} | {} | {} | {} | {} |\n",
                     cell(n.hostname.empty() ? n.dir : n.hostname), to_string(n.outcome),
                     n.consistent ? "" : " (stored outcome disagrees)", n.gpus, n.gpus_in_node,
                     n.counts.pass, n.counts.fail,
                     n.counts.inconclusive + n.counts.error + n.counts.skipped,
                     to_string(n.signature.state), cell(causes));
  }
  return o;
}

} // namespace gpucert::report
