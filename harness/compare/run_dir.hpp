// Reading a run directory for compare and spot-check: its certificate.json, and for a seller's
// directory the profile it was certified with (DIR/profile/, else the one the buyer names).
#pragma once

#include "harness/model/catalog.hpp"
#include "harness/model/certificate.hpp"
#include "harness/profile/profile.hpp"

#include <string>
#include <vector>

namespace gpucert::compare {

/// DIR/certificate.json with its samples (attach_run_samples). InputError naming `role` ("BASE",
/// "SELLER_DIR") and the path when the directory or the file is missing, unreadable or malformed.
report::Certificate read_run_certificate(const std::string& dir, const std::string& role);
/// Gives `cert`'s checks their samples from DIR/results.json (the file form keeps them there).
/// InputError when it is needed and missing, or is not the document the certificate names by
/// its results.sha256.
void attach_run_samples(report::Certificate& cert, const std::string& dir, const std::string& role);

struct LoadedProfile {
  profile::Profile profile;
  std::string source; ///< "SELLER_DIR/profile/x.yaml (the copy in the run directory)", ...
};

/// The profile the certificate was judged by: DIR/profile/<top file of the certificate's
/// profile chain> when the run directory holds that copy, else `user_profile` (a path or a
/// name) when given; either must have the certificate's profile sha256. InputError otherwise,
/// saying which to give.
LoadedProfile load_certified_profile(const Registry& registry, const std::string& dir,
                                     const report::Certificate& cert,
                                     const std::string& user_profile,
                                     const std::vector<std::string>& extends_from);

} // namespace gpucert::compare
