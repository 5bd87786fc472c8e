// The signature status of a run directory, for renderers and for `evaluate`'s warning.
#pragma once

#include "harness/model/signature_status.hpp"
#include "harness/trust/keys.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace gpucert::trust {

/// Reads DIR's envelope (if any), checks every subject's digest against the files in DIR and
/// the signature against `trusted_keys` (public key or keyring files; empty: the signature is
/// checked against the key the envelope names and the state is at best `untrusted`). Never
/// throws for a bad or missing envelope: that is a status (`invalid`, `unsigned_`). A key file
/// that cannot be read is bad input (InputError naming it).
report::SignatureStatus signature_status(const std::filesystem::path& dir,
                                         const std::vector<std::string>& trusted_keys = {});

/// Same, with keys already loaded (`run --sign-key`, `sign`: the signer's own public key).
report::SignatureStatus signature_status_with_keys(const std::filesystem::path& dir,
                                                   const std::vector<PublicKey>& trusted_keys);

} // namespace gpucert::trust
