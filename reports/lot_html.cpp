// lot.html: the lot as a buyer looks at it in a browser (self-contained: inline CSS and SVG, no
// script). Per clause, the distribution over every GPU of the lot as a histogram with the
// threshold, the median and each outlier marked; the failing nodes grouped by cause.
#include "reports/format.hpp"
#include "reports/lot_render.hpp"
#include "reports/xml.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <vector>

namespace gpucert::report {

namespace {

std::string e(const std::string& s) {
  return xml_escape(s);
}

constexpr std::size_t kMaxListed = 200; // as lot.md: lot.json and lot.csv have them all
constexpr std::size_t kMaxNodesPerCause = 50;

/// A histogram of `values` (finite) with the threshold, the median and the outliers marked.
std::string histogram_svg(const LotClause& c, const std::vector<double>& values,
                          const std::vector<const Outlier*>& outliers) {
  const Distribution& d = *c.distribution;
  const std::optional<double> line = c.higher_is_better ? c.threshold.min : c.threshold.max;
  double lo = d.min, hi = d.max;
  if (line) {
    lo = std::min(lo, *line);
    hi = std::max(hi, *line);
  }
  if (!(hi > lo)) { // every value the same: a window around it
    const double pad = std::max(std::fabs(lo) * 0.01, 1e-9);
    lo -= pad;
    hi += pad;
  }
  const double span = hi - lo;
  lo -= span * 0.02;
  hi += span * 0.02;
  constexpr int kBins = 48;
  std::vector<long> bins(kBins, 0);
  for (double v : values) {
    const int b = std::clamp(int((v - lo) / (hi - lo) * kBins), 0, kBins - 1);
    ++bins[std::size_t(b)];
  }
  const long most = *std::max_element(bins.begin(), bins.end());
  const double left = 40, width = 576, top = 14, height = 110;
  const double w = left + width + 20, h = top + height + 72;
  auto x = [&](double v) { return left + width * (v - lo) / (hi - lo); };
  std::string out = fmt::format(
      "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" "
      "height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" role=\"img\" aria-label=\"{2} over "
      "the lot\">\n",
      w, h, e(c.id));
  out += fmt::format("<text x=\"{:.0f}\" y=\"10\" class=\"axis\">{} {} over {} targets ({}); "
                     "the tallest bar is {}</text>\n",
                     left, e(c.stat), e(c.id), d.n, e(c.unit), most);
  const double bw = width / kBins;
  for (int b = 0; b < kBins; ++b) {
    if (bins[std::size_t(b)] == 0)
      continue;
    // At least 2 units tall: one GPU in a lot of 80,000 is still seen.
    const double bh = std::max(2.0, height * double(bins[std::size_t(b)]) / double(most));
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                       "class=\"bin\"><title>{}–{}: {}</title></rect>\n",
                       left + bw * b, top + height - bh, bw - 1, bh,
                       e(number_for(lo + (hi - lo) * b / kBins, c.unit)),
                       e(quantity(lo + (hi - lo) * (b + 1) / kBins, c.unit)), bins[std::size_t(b)]);
  }
  const double axis = top + height;
  out += fmt::format("<path class=\"axisline\" d=\"M{:.0f} {:.1f}H{:.0f}\"/>\n", left, axis,
                     left + width);
  out += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" class=\"axis\">{}</text>\n", left, axis + 12,
                     e(quantity(lo, c.unit)));
  out +=
      fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\" class=\"axis\">{}</text>\n",
                  left + width, axis + 12, e(quantity(hi, c.unit)));
  out += fmt::format("<line class=\"median\" x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" "
                     "y2=\"{2:.1f}\"><title>lot median {3}</title></line>\n",
                     x(d.median), top, axis, e(quantity(d.median, c.unit)));
  if (line)
    out += fmt::format("<line class=\"threshold\" x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" "
                       "y2=\"{2:.1f}\"/><text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\" "
                       "class=\"axis\">threshold {4}</text>\n",
                       x(*line), top, axis + 4, axis + 24, e(c.threshold.str()));
  // Outliers: a mark each under the axis, the three furthest from the median named.
  std::vector<const Outlier*> worst = outliers;
  std::sort(worst.begin(), worst.end(), [](const Outlier* a, const Outlier* b) {
    return std::fabs(a->rel_to_median) > std::fabs(b->rel_to_median);
  });
  for (std::size_t i = 0; i < worst.size(); ++i) {
    const Outlier& o = *worst[i];
    if (!std::isfinite(o.value))
      continue;
    const double ox = x(o.value);
    out += fmt::format("<path class=\"outlier\" d=\"M{0:.1f} {1:.1f}l-4 8h8z\"><title>{2} {3}"
                       "{4}: {5} ({6:+.1f} % vs the lot median, {7})</title></path>\n",
                       ox, axis + 2, e(o.node), e(o.target),
                       o.gpu_uuid.empty() ? "" : " " + e(o.gpu_uuid), e(quantity(o.value, c.unit)),
                       100 * o.rel_to_median, to_string(o.verdict));
    if (i < 3) { // named under the threshold's label, kept inside the chart
      const char* anchor = ox < left + 80 ? "start" : ox > left + width - 80 ? "end" : "middle";
      out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" "
                         "class=\"label\">{} {}</text>\n",
                         ox, axis + 38 + 11.0 * double(i), anchor, e(o.node), e(o.target));
    }
  }
  return out + "</svg>\n";
}

} // namespace

std::string render_lot_html(const LotCertificate& lot) {
  std::string o = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  o += fmt::format("<title>gpucert lot {}{} — {} nodes</title>\n", e(to_string(lot.outcome)),
                   lot.simulated ? " (SIMULATED)" : "", lot.nodes_offered);
  o += "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
       "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}.PASS{color:#070}"
       ".FAIL,.ERROR{color:#b00;font-weight:bold}.INCONCLUSIVE{color:#a60}.SKIPPED{color:#666}"
       ".sim{background:#fd0;padding:.5em;font-weight:bold}"
       ".clause{border-top:1px solid #ccc;margin-top:1em;break-inside:avoid}"
       ".chart text{font:11px sans-serif}.chart .axis{fill:#555}.chart .bin{fill:#4a78a8}"
       ".chart .axisline{stroke:#555}.chart .median{stroke:#2a7d3f;stroke-width:2}"
       ".chart .threshold{stroke:#000;stroke-dasharray:4 3}.chart .outlier{fill:#c0392b}"
       ".chart .label{fill:#c0392b}@media print{body{margin:0}}</style>\n</head>\n<body>\n";
  if (lot.simulated)
    o += fmt::format("<p class=\"sim\">{}: nodes of this lot were simulated.</p>\n",
                     e(kSimulatedStamp));
  o += fmt::format("<h1>{}</h1>\n<p>{}</p>\n", e(to_string(lot.outcome)), e(lot.summary));
  o += fmt::format(
      "<p>capacity {}<br>nodes {} offered, {} read, {} certified, {} not certified, "
      "{} inconclusive, {} unreadable{}<br>profile {}{}<br>lot digest sha256 "
      "<code>{}</code> (over the {} node certificates' digests, sorted)<br>written "
      "{} by gpucert {} ({})</p>\n",
      e(lot.capacity), lot.nodes_offered, lot.nodes_read, lot.nodes_certified,
      lot.nodes_not_certified, lot.nodes_inconclusive, lot.nodes_unreadable,
      lot.nodes_unverified > 0 ? fmt::format(", {} unverified", lot.nodes_unverified)
                               : std::string(),
      e(lot.profile_name.empty() ? "(several)" : lot.profile_name),
      lot.profile_sha256.empty() ? "" : " (sha256 <code>" + e(lot.profile_sha256) + "</code>)",
      e(lot.lot_sha256), lot.nodes_read, e(lot.created_at), e(lot.tool_version),
      e(lot.git_revision));
  for (const auto& n : lot.notes)
    o += fmt::format("<p><b>Note:</b> {}</p>\n", e(n));
  if (lot.sample)
    o += fmt::format("<p><b>Sample:</b> {} of {} nodes spot-checked; at {:g} % confidence the lot "
                     "holds at most <b>{} defective nodes ({:.2f} %)</b>. {}. Method: {}.</p>\n",
                     lot.sample->sampled, lot.sample->lot_size, lot.sample->confidence * 100,
                     lot.sample->max_defective_nodes, lot.sample->max_defective_fraction * 100,
                     e(lot.sample->detail), e(lot.sample->method));
  if (!lot.lot_clauses.empty()) {
    o += "<h2>Lot clauses</h2>\n<table class=\"lot-clauses\">\n<tr><th>verdict</th><th>clause"
         "</th><th>asks</th><th>lot</th><th>why</th></tr>\n";
    for (const auto& c : lot.lot_clauses)
      o += fmt::format("<tr><td class=\"{0}\">{0}</td><td>{1}</td><td>{2}</td><td>{3}</td>"
                       "<td>{4}</td></tr>\n",
                       to_string(c.verdict), e(c.id), e(c.description),
                       c.value ? fmt::format("{:.4g}", *c.value) : "—", e(c.message));
    o += "</table>\n";
  }
  o += "<h2>Failures by cause</h2>\n";
  if (lot.failures.empty())
    o += "<p>No node failed.</p>\n";
  else
    o += "<ul class=\"causes\">\n";
  for (const auto& f : lot.failures) {
    std::string names;
    for (std::size_t i = 0; i < f.nodes.size() && i < kMaxNodesPerCause; ++i)
      names += (i ? ", " : "") + e(f.nodes[i]);
    if (f.nodes.size() > kMaxNodesPerCause)
      names += fmt::format(", … ({} more in lot.json)", f.nodes.size() - kMaxNodesPerCause);
    o += fmt::format("<li><b>{} node{}:</b> {} — {}</li>\n", f.nodes.size(),
                     f.nodes.size() == 1 ? "" : "s", e(f.cause), names);
  }
  if (!lot.failures.empty())
    o += "</ul>\n";

  // Each clause's values in one pass over the rows (a lot of 10,000 has 3 million).
  std::vector<std::vector<double>> values(lot.clauses.size());
  for (const LotRow& r : lot.rows)
    if (r.clause < values.size() && std::isfinite(r.value))
      values[r.clause].push_back(r.value);
  o += "<h2>Clauses over the lot</h2>\n";
  for (std::size_t i = 0; i < lot.clauses.size(); ++i) {
    const LotClause& c = lot.clauses[i];
    const int other = c.counts.inconclusive + c.counts.error + c.counts.skipped;
    o += fmt::format("<section class=\"clause\"><h3>{}</h3>\n<p>threshold {} · {} PASS, {} FAIL, "
                     "{} other",
                     e(c.id), e(c.threshold.str()), c.counts.pass, c.counts.fail, other);
    if (c.distribution) {
      const Distribution& d = *c.distribution;
      o += fmt::format(" · median {} · MAD {} · p1 {} · p5 {} · worst {} at {} {}{}",
                       e(quantity(d.median, c.unit)), e(quantity(d.mad, c.unit)),
                       e(quantity(d.p1, c.unit)), e(quantity(d.p5, c.unit)),
                       e(quantity(d.worst, c.unit)), e(d.worst_node), e(d.worst_target),
                       d.worst_gpu_uuid.empty() ? "" : " (" + e(d.worst_gpu_uuid) + ")");
    }
    o += "</p>\n";
    if (c.distribution && c.distribution->min == c.distribution->max)
      o += fmt::format("<p>Every target reads {}.</p>\n", e(quantity(c.distribution->min, c.unit)));
    else if (c.distribution && !values[i].empty()) {
      std::vector<const Outlier*> mine;
      for (const auto& x : lot.outliers)
        if (x.clause_id == c.id)
          mine.push_back(&x);
      o += histogram_svg(c, values[i], mine);
    }
    o += "</section>\n";
  }

  o += "<h2>Outliers</h2>\n<p>" + outlier_rule_text(lot.options) + "</p>\n"; // our text: no markup
  if (lot.outliers.empty()) {
    o += "<p>None.</p>\n";
  } else {
    o += "<table class=\"outliers\">\n<tr><th>clause</th><th>node</th><th>target</th><th>GPU "
         "UUID</th><th>value</th><th>lot median</th><th>vs median</th><th>robust z</th>"
         "<th>verdict</th></tr>\n";
    for (std::size_t i = 0; i < lot.outliers.size() && i < kMaxListed; ++i) {
      const Outlier& x = lot.outliers[i];
      const std::string unit = clause_unit(lot, x.clause_id);
      o += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td>"
                       "<td>{}</td><td>{:+.2f} %</td><td>{}</td><td class=\"{}\">{}</td></tr>\n",
                       e(x.clause_id), e(x.node), e(x.target), e(x.gpu_uuid),
                       e(quantity(x.value, unit)), e(quantity(x.lot_median, unit)),
                       100 * x.rel_to_median,
                       std::isfinite(x.robust_z) ? fmt::format("{:.1f}", x.robust_z) : "∞",
                       to_string(x.verdict), to_string(x.verdict));
    }
    o += "</table>\n";
    if (lot.outliers.size() > kMaxListed)
      o += fmt::format("<p>… and {} more in lot.json and lot.csv.</p>\n",
                       lot.outliers.size() - kMaxListed);
  }

  o += "<h2>Nodes</h2>\n<table class=\"nodes\">\n<tr><th>node</th><th>outcome</th><th>GPUs</th>"
       "<th>PASS</th><th>FAIL</th><th>other</th><th>signature</th><th>causes</th></tr>\n";
  for (const auto& n : lot.nodes) {
    if (!n.readable) {
      o += fmt::format("<tr><td>{}</td><td class=\"ERROR\">UNREADABLE</td><td colspan=\"5\">"
                       "</td><td>{}</td></tr>\n",
                       e(n.dir), e(n.load_error));
      continue;
    }
    std::string causes;
    for (std::size_t i = 0; i < n.causes.size(); ++i)
      causes += (i ? "; " : "") + n.causes[i];
    const std::string outcome = to_string(n.outcome);
    o += fmt::format("<tr><td>{}</td><td class=\"{}\">{}{}</td><td>{}/{}</td><td>{}</td><td>{}"
                     "</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     e(n.hostname.empty() ? n.dir : n.hostname),
                     n.outcome == Outcome::certified ? "PASS" : "FAIL", e(outcome),
                     n.consistent ? "" : " (stored outcome disagrees)", n.gpus, n.gpus_in_node,
                     n.counts.pass, n.counts.fail,
                     n.counts.inconclusive + n.counts.error + n.counts.skipped,
                     e(to_string(n.signature.state)), e(causes));
  }
  o += "</table>\n</body>\n</html>\n";
  return o;
}

} // namespace gpucert::report
