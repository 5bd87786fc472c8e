// Escaping for XML and HTML text and attribute values (junit.cpp, html.cpp).
#pragma once

#include <string>
#include <string_view>

namespace gpucert::report {

/// Escapes & < > " ' and replaces characters XML 1.0 forbids (control bytes other than tab,
/// newline, carriage return) with U+FFFD, so any message yields a well-formed document.
std::string xml_escape(std::string_view text);

} // namespace gpucert::report
