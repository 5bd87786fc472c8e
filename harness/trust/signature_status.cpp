// The signature status of a run directory (see signature_status.hpp).
#include "harness/trust/signature_status.hpp"

#include "harness/trust/keys.hpp"
#include "harness/trust/verify.hpp"

namespace gpucert::trust {

report::SignatureStatus signature_status(const std::filesystem::path& dir,
                                         const std::vector<std::string>& trusted_keys) {
  std::vector<PublicKey> keys;
  for (const auto& f : trusted_keys)
    for (auto& k : load_keyring(f))
      keys.push_back(std::move(k));
  return check_signature(dir.string(), keys);
}

report::SignatureStatus signature_status_with_keys(const std::filesystem::path& dir,
                                                   const std::vector<PublicKey>& trusted_keys) {
  return check_signature(dir.string(), trusted_keys);
}

} // namespace gpucert::trust
