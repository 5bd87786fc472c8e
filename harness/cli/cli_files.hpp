// File helpers shared by run / evaluate / report: writing a run's or an evaluation's outputs
// into a directory. (Reading goes through harness/core/json_input.hpp.)
#pragma once

#include "reports/certificate.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace gpucert::cli {

/// Creates `dir` (and parents); InputError when it cannot be created.
void ensure_out_dir(const std::string& dir);

/// Writes DIR/certificate.json, DIR/junit.xml and DIR/report.md (each atomically).
void write_certificate_files(const std::string& dir, const report::Certificate& cert);

} // namespace gpucert::cli
