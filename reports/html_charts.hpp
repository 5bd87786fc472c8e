// Inline SVG charts of the HTML report, one per clause, fitted to its scope. Plain SVG (no
// script, no external resource): a browser draws it, a printer prints it, a reader without SVG
// still has the table beside it.
#pragma once

#include "harness/model/certificate.hpp"

#include <string>
#include <vector>

namespace gpucert::report {

/// One clause's checks as a chart: per-GPU bars with interval whiskers and the threshold line
/// (GPU scope), a GPU x GPU heatmap with values and verdicts (GPU-pair scope). "" when there is
/// nothing to draw (node scope, no numeric value).
std::string clause_chart_svg(const std::vector<const Check*>& checks);

} // namespace gpucert::report
