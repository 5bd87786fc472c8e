// A loaded profile written back as YAML (`gpucert profile show`): the extends chain applied, every
// method value spelled out. The text is itself a valid profile with the same clauses.
#pragma once

#include "harness/profile/profile.hpp"

#include <map>
#include <string>

namespace gpucert::profile {

/// `threshold_notes`: a comment to write next to a clause's min/max, by clause id (e.g. where a
/// derived threshold came from).
std::string to_yaml(const Profile& p,
                    const std::map<std::string, std::string>& threshold_notes = {});

} // namespace gpucert::profile
