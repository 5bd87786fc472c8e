// A seed given on the command line (noise, a spot-check's draw, a lot sample): one parser, so
// every option takes and refuses the same text.
#pragma once

#include <cstdint>
#include <string>

namespace gpucert {

/// A decimal whole number from 0 to 2^64 − 1; InputError naming `option` and the text otherwise.
std::uint64_t parse_seed(const std::string& text, const std::string& option = "--seed");

} // namespace gpucert
