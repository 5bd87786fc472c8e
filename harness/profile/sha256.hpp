// SHA-256 (FIPS 180-4) of a byte string: identifies the exact profile a certificate was judged by.
#pragma once

#include <string>
#include <string_view>

namespace gpucert {

/// Lower-case hex digest of `data`.
std::string sha256_hex(std::string_view data);

} // namespace gpucert
