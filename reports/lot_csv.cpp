// lot.csv: one row per node × target × clause, so a spreadsheet or a notebook can slice the lot
// any way (the lot certificate keeps only what the lot clauses need).
#include "reports/lot_render.hpp"

#include <cmath>
#include <fmt/core.h>

namespace gpucert::report {

namespace {

// RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double v) {
  return std::isfinite(v) ? fmt::format("{:.9g}", v) : std::string();
}

} // namespace

std::string render_lot_csv(const LotCertificate& lot) {
  std::string o = "node,hostname,node_outcome,clause,target,gpu,gpu_uuid,verdict,value,unit,"
                  "margin_rel\n";
  o.reserve(lot.rows.size() * 96);
  for (const auto& r : lot.rows) {
    const LotNode& n = lot.nodes[r.node];
    const LotClause& c = lot.clauses[r.clause];
    const std::string uuid =
        r.gpu >= 0 && std::size_t(r.gpu) < n.gpu_uuids.size() ? n.gpu_uuids[r.gpu] : "";
    o += field(n.dir);
    o += ',';
    o += field(n.hostname);
    o += ',';
    o += to_string(n.outcome);
    o += ',';
    o += field(c.id);
    o += ',';
    o += field(lot.targets[r.target]);
    o += ',';
    o += r.gpu >= 0 ? std::to_string(r.gpu) : std::string();
    o += ',';
    o += field(uuid);
    o += ',';
    o += to_string(r.verdict);
    o += ',';
    o += number(r.value);
    o += ',';
    o += field(c.unit);
    o += ',';
    o += number(r.margin_rel);
    o += '\n';
  }
  return o;
}

} // namespace gpucert::report
