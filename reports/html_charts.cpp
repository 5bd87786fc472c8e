// The clause charts of the HTML report (see html_charts.hpp). Geometry is in SVG user units;
// every number drawn is formatted with the report's own quantity() so chart and table agree.
#include "reports/html_charts.hpp"

#include "reports/format.hpp"
#include "reports/xml.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <map>

namespace gpucert::report {
namespace {

const char* verdict_colour(Verdict v) {
  switch (v) {
  case Verdict::pass:
    return "#2a7d3f";
  case Verdict::fail:
  case Verdict::error:
    return "#c0392b";
  case Verdict::inconclusive:
    return "#d68910";
  case Verdict::skipped:
    return "#999999";
  }
  return "#999999";
}

bool drawable(const Check* k) {
  return k->value && std::isfinite(*k->value) && !k->observed;
}

std::string svg_open(double w, double h, const std::string& label) {
  return fmt::format("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" "
                     "height=\"{:.0f}\" viewBox=\"0 0 {:.0f} {:.0f}\" role=\"img\" "
                     "aria-label=\"{}\">\n",
                     w, h, w, h, xml_escape(label));
}

/// Per-GPU bars: the statistic as a bar, its interval as a whisker, the threshold as a line.
std::string gpu_bars(const std::vector<const Check*>& checks) {
  std::vector<const Check*> rows;
  for (const Check* k : checks)
    if (drawable(k))
      rows.push_back(k);
  if (rows.empty())
    return "";
  const std::string unit = rows.front()->threshold.unit;
  const Threshold& t = rows.front()->threshold;
  const std::optional<double> line = t.higher_is_better ? t.min : t.max;
  double top = 0;
  for (const Check* k : rows)
    top = std::max({top, *k->value, k->ci_hi.value_or(0.0)});
  if (line)
    top = std::max(top, *line);
  if (!(top > 0))
    return "";
  top *= 1.08;
  const double left = 70, width = 440, row = 22, head = 18;
  const double h = head + row * double(rows.size()) + 24;
  const double w = left + width + 110;
  auto x = [&](double v) { return left + width * std::clamp(v / top, 0.0, 1.0); };
  std::string out = svg_open(w, h, fmt::format("{} per GPU", rows.front()->clause_id));
  out += fmt::format("<text x=\"{:.0f}\" y=\"12\" class=\"axis\">{} ({})</text>\n", left,
                     xml_escape(rows.front()->stat), xml_escape(unit));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Check& k = *rows[i];
    const double y = head + row * double(i);
    const std::string value = quantity(*k.value, unit);
    out += fmt::format("<g class=\"bar\"><title>{}: {} ({}){}</title>\n", xml_escape(k.target),
                       xml_escape(value), to_string(k.verdict),
                       k.ci_lo && k.ci_hi
                           ? xml_escape(fmt::format(", interval {}–{}", number_for(*k.ci_lo, unit),
                                                    number_for(*k.ci_hi, unit)))
                           : std::string());
    out += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6,
                       y + 14, xml_escape(k.target));
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.0f}\" "
                       "fill=\"{}\"/>\n",
                       left, y + 3, x(*k.value) - left, row - 8, verdict_colour(k.verdict));
    if (k.ci_lo && k.ci_hi && std::isfinite(*k.ci_lo) && std::isfinite(*k.ci_hi)) {
      const double lo = x(*k.ci_lo), hi = x(*k.ci_hi), mid = y + row / 2 - 1;
      out += fmt::format("<path class=\"whisker\" d=\"M{0:.1f} {1:.1f}H{2:.1f}M{0:.1f} "
                         "{3:.1f}V{4:.1f}M{2:.1f} {3:.1f}V{4:.1f}\"/>\n",
                         lo, mid, hi, mid - 5, mid + 5);
    }
    out += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\">{} {}</text></g>\n", left + width + 6,
                       y + 14, xml_escape(value), to_string(k.verdict));
  }
  if (line) {
    const double lx = x(*line);
    out += fmt::format("<line class=\"threshold\" x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" "
                       "y2=\"{2:.1f}\"/>\n<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\" "
                       "class=\"axis\">threshold {4}</text>\n",
                       lx, head, h - 20, h - 6, xml_escape(threshold_text(*rows.front())));
  }
  return out + "</svg>\n";
}

/// GPU-pair checks as a matrix: row = first GPU, column = second, each cell its value and verdict.
std::string pair_heatmap(const std::vector<const Check*>& checks) {
  std::map<std::pair<int, int>, const Check*> cells;
  int n = 0;
  for (const Check* k : checks)
    if (k->gpus.size() == 2 && k->gpus[0] >= 0 && k->gpus[1] >= 0 && k->gpus[0] < 1024 &&
        k->gpus[1] < 1024) {
      cells[{k->gpus[0], k->gpus[1]}] = k;
      n = std::max({n, k->gpus[0] + 1, k->gpus[1] + 1});
    }
  if (std::none_of(cells.begin(), cells.end(), [](const auto& c) { return drawable(c.second); }))
    return ""; // nothing measured: the table says why
  const double cell = 52, left = 46, head = 34;
  const double w = left + cell * n + 10, h = head + cell * n + 10;
  const std::string unit = cells.begin()->second->threshold.unit;
  std::string out =
      svg_open(w, h, fmt::format("{} per GPU pair", cells.begin()->second->clause_id));
  out += fmt::format("<text x=\"{:.0f}\" y=\"12\" class=\"axis\">from (row) → to (column), {} "
                     "({})</text>\n",
                     left, xml_escape(cells.begin()->second->stat), xml_escape(unit));
  for (int i = 0; i < n; ++i) {
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\" text-anchor=\"middle\">gpu{}</text>\n",
                       left + cell * i + cell / 2, head - 6, i);
    out += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\">gpu{}</text>\n",
                       left - 4, head + cell * i + cell / 2 + 4, i);
  }
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const double x = left + cell * c, y = head + cell * r;
      const auto it = cells.find({r, c});
      if (it == cells.end()) {
        out += fmt::format("<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" "
                           "class=\"empty\"/>\n",
                           x, y, cell - 2, cell - 2);
        continue;
      }
      const Check& k = *it->second;
      const std::string value = drawable(&k) ? number_for(*k.value, unit) : "—";
      out += fmt::format("<g><title>{}: {} ({})</title><rect x=\"{:.0f}\" y=\"{:.0f}\" "
                         "width=\"{:.0f}\" height=\"{:.0f}\" fill=\"{}\"/>\n",
                         xml_escape(k.target),
                         xml_escape(drawable(&k) ? quantity(*k.value, unit) : "not measured"),
                         to_string(k.verdict), x, y, cell - 2, cell - 2, verdict_colour(k.verdict));
      out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" "
                         "class=\"cell\">{}</text></g>\n",
                         x + cell / 2 - 1, y + cell / 2 + 3, xml_escape(value));
    }
  return out + "</svg>\n";
}

} // namespace

std::string clause_chart_svg(const std::vector<const Check*>& checks) {
  if (checks.empty())
    return "";
  switch (checks.front()->scope) {
  case Scope::gpu:
    return gpu_bars(checks);
  case Scope::gpu_pair:
    return pair_heatmap(checks);
  case Scope::node:
    break;
  }
  return "";
}

} // namespace gpucert::report
