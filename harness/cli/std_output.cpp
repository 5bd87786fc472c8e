// Checked writes to stdout (see std_output.hpp).
#include "harness/cli/std_output.hpp"

#include "harness/core/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/core.h>

namespace gpucert::cli {

namespace {
[[noreturn]] void lost(int err) {
  // errno is only known where the failing write happened; a later flush may not see it.
  throw EnvironmentError(fmt::format("cannot write to standard output: {}",
                                     err != 0 ? std::strerror(err) : "write error"));
}
} // namespace

void write_stdout(std::string_view text) {
  errno = 0;
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size())
    lost(errno);
}

void flush_stdout() {
  errno = 0;
  const bool failed = std::fflush(stdout) != 0;
  const int err = errno;
  if (failed || std::ferror(stdout))
    lost(err);
}

} // namespace gpucert::cli
