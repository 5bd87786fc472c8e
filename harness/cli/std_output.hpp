// Standard output that cannot fail silently: a full disk or a closed pipe is an environment
// error (exit 3) naming the reason, never a success with the output lost.
#pragma once

#include <string_view>

namespace gpucert::cli {

/// Writes `text` to stdout; EnvironmentError ("cannot write to standard output: <reason>") when
/// it does not all arrive.
void write_stdout(std::string_view text);

/// Flushes stdout; the same EnvironmentError when anything printed earlier did not arrive.
void flush_stdout();

} // namespace gpucert::cli
