// File helpers shared by run / evaluate / report: reading a JSON document the user named, and
// writing a run's or an evaluation's outputs into a directory.
#pragma once

#include "harness/model/certificate.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::cli {

/// Reads and parses a JSON file; InputError naming the file (and the byte offset of a syntax
/// error) when it is missing, too large, or not JSON. `what` names it: "results", "certificate".
nlohmann::json read_json_file(const std::string& path, const std::string& what);

/// Writes every report format that has an output file name (certificate.json, junit.xml,
/// report.md, ...) into DIR, each atomically; returns the paths written. DIR is an OutDir the
/// caller holds.
std::vector<std::string> write_certificate_files(const std::string& dir,
                                                 const report::Certificate& cert);

} // namespace gpucert::cli
