// File helpers shared by run / evaluate / report: writing a run's or an evaluation's outputs
// into a directory. (Reading goes through harness/core/json_input.hpp.)
#pragma once

#include "harness/model/certificate.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::cli {

/// Writes every report format that has an output file name (certificate.json, junit.xml,
/// report.md, ...) into DIR, each atomically; returns the paths written. DIR is an OutDir the
/// caller holds.
std::vector<std::string> write_certificate_files(const std::string& dir,
                                                 const report::Certificate& cert);

} // namespace gpucert::cli
