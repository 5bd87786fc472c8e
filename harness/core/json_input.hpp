// Strict JSON for files users hand gpucert (results, certificates, inventories): on top of the
// guarded file read, nesting depth and number length are capped before the parser allocates
// anything, a key given twice is an error (the last one would silently win), numbers must be
// finite, and the file holds exactly one document.
#pragma once

#include "harness/core/input_file.hpp"
#include "harness/core/json_dom.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace gpucert {

inline constexpr int kMaxJsonDepth = 64;               ///< gpucert's own files nest fewer than 10
inline constexpr std::size_t kMaxJsonNumberChars = 32; ///< a double needs at most 24

/// Parses `text` (named `file` in errors). InputError "FILE:LINE:COL: ..." for syntax, depth and
/// number length, "FILE: field 'a.b': ..." for a duplicate key, "FILE: ..." for a number out of
/// double range.
/// Messages never quote the text.
nlohmann::json parse_json_text(std::string_view text, const std::string& file);

/// read_input_file + parse_json_text.
nlohmann::json read_json_input(const std::string& path, const InputKind& kind);

namespace detail {
/// The checks made before any parser sees `text`: UTF-8 text, nesting depth, number length.
void check_json_text(std::string_view text, const std::string& file);
/// Throws the InputError for `text`, which the fast parser refused or which has a duplicate key:
/// nlohmann's guarded parse names the line and column, or the field.
[[noreturn]] void refuse_json(std::string_view text, const std::string& file);
} // namespace detail

} // namespace gpucert
