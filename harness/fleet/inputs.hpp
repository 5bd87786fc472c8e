// Expanding `gpucert fleet` arguments (DIR_OR_GLOB...) into the node certificates of a lot.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace gpucert::fleet {

/// Each argument is a run directory holding certificate.json, a directory of run directories,
/// a certificate file, or a glob of these. Returns the certificate.json paths, sorted and
/// without duplicates. Throws InputError naming the argument that matches nothing.
std::vector<std::filesystem::path> expand_inputs(const std::vector<std::string>& args);

} // namespace gpucert::fleet
