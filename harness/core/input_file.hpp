// The one way gpucert reads a file a user hands it (profiles, node files, results, certificates,
// inventories): open without blocking, regular files only, a size cap per kind, and text that is
// valid UTF-8 without control bytes. A FIFO would hang a read, a device (/dev/zero) never ends,
// and binary content only produces confusing parser errors; each is an InputError naming the file
// before any parser sees a byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gpucert {

/// What a file is (named in errors) and how big it may be.
struct InputKind {
  const char* what;      ///< "profile", "results", ...
  std::size_t max_bytes; ///< larger files are rejected before reading
};

inline constexpr InputKind kProfileInput{"profile", 1u << 20};
inline constexpr InputKind kNodeInput{"simulator node", 1u << 20};
// Raw samples of a long soak stay far below these.
inline constexpr InputKind kResultsInput{"results", 1u << 30};
inline constexpr InputKind kCertificateInput{"certificate", 1u << 30};

/// Line and column (both from 1; the column counts characters, not bytes) of byte `offset`.
struct TextPos {
  int line = 1, col = 1;
};
TextPos text_pos(std::string_view text, std::size_t offset);

/// Reads `path` as text of kind `kind`. InputError "PATH: ..." when it is missing, unreadable,
/// not a regular file or larger than kind.max_bytes; "PATH:LINE:COL: ..." at the first byte that
/// is not UTF-8 text (see check_text). An empty file is returned as "" (each parser names it).
std::string read_input_file(const std::string& path, const InputKind& kind);

/// InputError "FILE:LINE:COL: ..." at the first NUL or other control byte (tab, CR and LF are
/// text), malformed, overlong or surrogate UTF-8 sequence. Never quotes the content.
void check_text(std::string_view text, const std::string& file);

} // namespace gpucert
