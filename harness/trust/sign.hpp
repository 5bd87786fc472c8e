// Signing a run directory: the statement binding its files and what the certificate says about
// the node, wrapped in a DSSE envelope and signed with Ed25519. Format: docs/trust.md.
#pragma once

#include "harness/model/catalog.hpp"
#include "harness/model/certificate.hpp"
#include "harness/profile/profile.hpp"
#include "harness/trust/envelope.hpp"
#include "harness/trust/keys.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::trust {

/// The profile chain's copy in DIR/profile/, loaded: its files keep their places relative to
/// each other (so every `extends` resolves inside the copy), the top file first.
struct EmbeddedProfile {
  profile::Profile profile;
  std::vector<std::string> names; ///< relative to DIR: "profile/x.yaml", ... top first
};

/// Where the copy of a chain goes: each file's path relative to DIR ("profile/...", the files'
/// common folder mapped onto DIR/profile/), top first.
std::vector<std::string> embedded_names(const profile::Profile& prof);

/// Loads DIR/`top` (a name from embedded_names) with its extends confined to DIR/profile/.
/// InputError when it does not load or a file of its chain lies outside DIR/profile/.
EmbeddedProfile load_embedded_profile(const Registry& registry, const std::string& dir,
                                      const std::string& top);

/// The top file of the copy in DIR/profile/ of `cert`'s profile: the one file there named as the
/// certificate's first profile file. InputError when there is none or more than one.
std::string find_embedded_top(const std::string& dir, const report::Certificate& cert);

/// A subject name gpucert signs: results.json, certificate.json or profile/<relative path>
/// without empty, "." or ".." components.
bool is_signable_name(const std::string& name);

/// The exact bytes of DIR/NAME: a regular file, no symbolic link on the way, at most 1 GiB.
/// InputError
/// "DIR/NAME: ..." otherwise.
std::string read_run_file(const std::string& dir, const std::string& name);

/// The node's identity as the certificate records it: hostname, board serial (null: the
/// inventory does not record one), each GPU's index, UUID, serial and PCI bus id.
nlohmann::json node_identity(const Inventory& inv);

/// What the predicate binds from the certificate (compared field by field by verify): tool,
/// simulated, outcome, profile, results, node.
nlohmann::json certificate_binding(const report::Certificate& cert);

/// The envelope text for run directory DIR holding `cert` (already written as certificate.json)
/// and its profile's copy (top file `profile_top`, see find_embedded_top), signed by `key` at
/// `signed_at` (ISO-8601 UTC). Reloads the copy (it must have the certificate's sha256) and reads
/// every signed file's bytes.
std::string sign_run_dir(const Registry& registry, const std::string& dir,
                         const report::Certificate& cert, const std::string& profile_top,
                         const SecretKey& key, const std::string& signed_at);

} // namespace gpucert::trust
