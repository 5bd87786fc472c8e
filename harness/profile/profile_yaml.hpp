// A loaded profile written back as YAML (`gpucert profile show`): the extends chain applied, every
// method value spelled out. The text is itself a valid profile with the same clauses.
#pragma once

#include "harness/profile/profile.hpp"

#include <string>

namespace gpucert::profile {

std::string to_yaml(const Profile& p);

} // namespace gpucert::profile
