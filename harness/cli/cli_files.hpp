// File helpers shared by run / evaluate / report / sign: writing a run's or an evaluation's
// outputs into a directory. (Reading goes through harness/core/json_input.hpp.)
#pragma once

#include "harness/model/catalog.hpp"
#include "harness/model/certificate.hpp"
#include "harness/model/signature_status.hpp"
#include "harness/profile/profile.hpp"
#include "harness/trust/keys.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::cli {

/// Writes DIR/certificate.json (the signed document; the json format's file) atomically and
/// returns its path.
std::string write_certificate_json(const std::string& dir, const report::Certificate& cert);

/// Writes every other report format that has an output file name (junit.xml, report.md, ...)
/// into DIR, each atomically, rendered with the signature status `sig` computed for DIR now;
/// returns the paths written. Reports are renderings of the signed files, never signed.
std::vector<std::string> write_report_files(const std::string& dir, const report::Certificate& cert,
                                            const report::SignatureStatus& sig);

/// Both of the above, for an unsigned directory (status unsigned); returns the paths written.
/// DIR is an OutDir the caller holds.
std::vector<std::string> write_certificate_files(const std::string& dir,
                                                 const report::Certificate& cert);

/// Copies the files of `prof`'s extends chain into DIR/profile/, byte for byte and in the same
/// places relative to each other (so each `extends` resolves inside the copy), and checks that
/// the copy reloads with prof.sha256; returns the top file's name relative to DIR. InputError
/// when a file changed since it was loaded or the copy does not reload as the same profile.
std::string copy_profile_chain(const std::string& dir, const profile::Profile& prof,
                               const Registry& registry);

/// Signs DIR (results.json, certificate.json and profile/ written; `cert` is certificate.json)
/// with `key` and writes DIR/certificate.dsse.json atomically; returns its path.
/// `profile_top`: the top file of the profile's copy (copy_profile_chain, find_embedded_top).
std::string write_signature(const std::string& dir, const report::Certificate& cert,
                            const std::string& profile_top, const trust::SecretKey& key);

} // namespace gpucert::cli
