// Renderers of a lot certificate (harness/fleet makes it): Markdown and HTML for people, CSV with
// one row per node × target × clause for spreadsheets and notebooks, and the console summary.
#pragma once

#include "harness/model/lot.hpp"

#include <string>

namespace gpucert::report {

/// lot.md: outcome and capacity, lot clauses, failures by cause, outliers, per-clause
/// distributions, then one line per node.
std::string render_lot_markdown(const LotCertificate& lot);

/// lot.html: the same for a browser, with each clause's distribution over the lot drawn as a
/// histogram (threshold, median and outliers marked).
std::string render_lot_html(const LotCertificate& lot);

/// lot.csv: node, hostname, node outcome, clause, target, gpu, gpu_uuid, verdict, value, unit,
/// margin_rel; RFC 4180 quoting.
std::string render_lot_csv(const LotCertificate& lot);

/// What an outlier is, in words, with the lot's limits (the Markdown and HTML reports say it).
std::string outlier_rule_text(const LotOptions& o);
/// The unit of the lot's clause `clause_id` ("" when the lot has no such clause).
std::string clause_unit(const LotCertificate& lot, const std::string& clause_id);

/// What `gpucert fleet` prints: counts, capacity, lot clauses, the largest cause groups and
/// outliers, the outcome line.
std::string render_lot_console(const LotCertificate& lot);

} // namespace gpucert::report
