// Signing a run directory: the statement binding its files and what the certificate says about
// the node, wrapped in a DSSE envelope and signed with Ed25519. Format: docs/trust.md.
#pragma once

#include "harness/model/certificate.hpp"
#include "harness/trust/envelope.hpp"
#include "harness/trust/keys.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::trust {

/// The files a signature covers, relative to the run directory, in subject order:
/// results.json, certificate.json, then profile/<name> for each file of the profile chain.
std::vector<std::string> signed_file_names(const report::Certificate& cert);

/// The exact bytes of DIR/NAME: a regular file (no symbolic link), at most 1 GiB. InputError
/// "DIR/NAME: ..." otherwise.
std::string read_run_file(const std::string& dir, const std::string& name);

/// The node's identity as the certificate records it: hostname, board serial (null: the
/// inventory does not record one), each GPU's index, UUID, serial and PCI bus id.
nlohmann::json node_identity(const Inventory& inv);

/// What the predicate binds from the certificate (compared field by field by verify): tool,
/// simulated, outcome, profile, results, node.
nlohmann::json certificate_binding(const report::Certificate& cert);

/// The envelope text for run directory DIR holding `cert` (already written as certificate.json),
/// signed by `key` at `signed_at` (ISO-8601 UTC). Reads every signed file's bytes.
std::string sign_run_dir(const std::string& dir, const report::Certificate& cert,
                         const SecretKey& key, const std::string& signed_at);

} // namespace gpucert::trust
