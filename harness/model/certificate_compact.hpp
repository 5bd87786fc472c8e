// The certificate's file form (schema gpucert/certificate/v2): the full form (v1, to_json) with
// nothing repeated. A node of eight GPUs has a few hundred checks, and in the full form each
// carries its samples, its measurement's telemetry, its clause's description, threshold and
// method, and every field name; a lot of 10,000 nodes then holds gigabytes. The file form:
// - drops a benchmark check's samples (results.json holds them; the check's run names the index
//   of its measurement there, and results.sha256 names the document);
// - keeps each measurement's index, telemetry, times and stop reason once, in "runs";
//   telemetry summaries are rows in the order of "telemetry_columns" (4 significant digits,
//   throttle reasons at 0 omitted);
// - writes checks as one table per clause ("clauses", in order of the checks): the fields all
//   its checks share once ("shared"), then "columns" and one row per check;
// - omits a field at its default (null, "", 0, false, []), a table cell at the default holds it;
// - keeps inventory_after as a JSON Patch (RFC 6902) against inventory ("[]": unchanged);
// - writes the runs as one table, and the inventory's arrays of like objects (GPUs, NVLinks) as
//   {"$columns", "$rows"} tables;
// - rounds non-integral numbers to 7 significant digits (4 in diagnostics and telemetry).
#pragma once

#include "harness/model/certificate.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace gpucert::report {

/// The file form of a full-form document (as to_json writes it).
nlohmann::json compact_certificate_json(const nlohmann::json& full);
/// The full form of a file-form document; InputError naming the field on a malformed one.
nlohmann::json expand_certificate_json(const nlohmann::json& compact);
/// certificate.json's text: the file form, one line per run, clause table and row.
std::string certificate_text(const Certificate& c);
/// x to `digits` significant digits (integers, 0 and non-finite values unchanged).
double round_for_file(double x, int digits = 7);

} // namespace gpucert::report
